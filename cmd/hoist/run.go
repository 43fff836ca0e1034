package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hoist-ota/hoist/internal/mqtt"
)

// loops are the background loops of a running app, each with its own
// context so that the shutdown stops them in order, not all at once.
type loops struct {
	stopStats, stopOTA, stopIngest, stopMQTT context.CancelFunc
	// stopWebhooks ends the webhook worker (deliveries in flight are given
	// back and sent again by the next node to look).
	stopWebhooks context.CancelFunc
	// ingestDone and bridgeDone are closed when the committer and the
	// bridge have returned (at once when there is none).
	ingestDone, bridgeDone chan struct{}
}

// stopAll cancels every loop (after a failed start, or again after the
// shutdown, which is harmless).
func (l *loops) stopAll() {
	l.stopStats()
	l.stopOTA()
	l.stopIngest()
	l.stopMQTT()
	l.stopWebhooks()
}

// run starts the background loops, the broker and the HTTP server under
// one errgroup, and when ctx ends (or one of them fails) shuts them down
// in order. A clean stop returns nil.
func (a *app) run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	l := a.startLoops(g, gctx)
	defer l.stopAll()
	// The broker starts before HTTP, so that a "listening" http line means
	// everything is up.
	if err := a.startBroker(); err != nil {
		return err
	}
	g.Go(a.serveHTTP)
	if addr := a.cfg.Metrics.PprofAddr; addr != "" {
		g.Go(func() error { return servePprof(gctx, addr, a.log) })
	}
	g.Go(func() error {
		<-gctx.Done()
		a.shutdown(l)
		return nil
	})
	err := g.Wait()
	if err == nil {
		a.log.Info("stopped")
	}
	return err
}

// startLoops starts statistics, OTA expiry, the webhook worker, the
// ingest committer, the release change listeners and the MQTT bridge.
func (a *app) startLoops(g *errgroup.Group, gctx context.Context) *loops {
	sv, ms := a.sv, a.ms
	l := &loops{ingestDone: make(chan struct{}), bridgeDone: make(chan struct{})}
	// Statistics stop after the HTTP drain, so the last requests' counts
	// are in their final flush.
	statsCtx, stopStats := context.WithCancel(context.Background())
	l.stopStats = stopStats
	g.Go(func() error { return sv.stats.Run(statsCtx) })
	g.Go(func() error { return sv.downloads.Run(statsCtx) })
	g.Go(func() error { return sv.funnel.Run(statsCtx) })
	otaCtx, stopOTA := context.WithCancel(context.Background())
	l.stopOTA = stopOTA
	g.Go(func() error { return sv.ota.Run(otaCtx) })
	g.Go(func() error { return sv.rollouts.Run(otaCtx, 30*time.Second) })
	webhooksCtx, stopWebhooks := context.WithCancel(context.Background())
	l.stopWebhooks = stopWebhooks
	g.Go(func() error { return sv.webhooks.Run(webhooksCtx) })
	// The committer stops after the bridge, which waits for the device
	// messages in flight: each is committed (or spooled) and acknowledged
	// before the database closes.
	ingestCtx, stopIngest := context.WithCancel(context.Background())
	l.stopIngest = stopIngest
	if ms.ingest != nil {
		g.Go(func() error {
			defer close(l.ingestDone)
			return ms.ingest.Run(ingestCtx, sv.ota.Ingest)
		})
	} else {
		close(l.ingestDone)
	}
	if sv.bus != nil {
		g.Go(func() error { return sv.bus.Run(gctx, sv.checker.Invalidate) })
	}
	g.Go(func() error { return sv.changes.Run(gctx, sv.checker.Invalidate) })
	// The bridge stops after the HTTP drain (requests in flight may still
	// publish commands), then the broker closes.
	mqttCtx, stopMQTT := context.WithCancel(context.Background())
	l.stopMQTT = stopMQTT
	if ms.bridge != nil {
		g.Go(func() error {
			defer close(l.bridgeDone)
			return ms.bridge.Run(mqttCtx)
		})
	} else {
		close(l.bridgeDone)
	}
	return l
}

// startBroker starts the embedded broker on its bound listeners, if any.
func (a *app) startBroker() error {
	if a.ms.broker == nil {
		return nil
	}
	o, log := a.sv.ota, a.log
	if err := a.ms.broker.Start(func(product, device string) { resendPending(o, log, product, device) }); err != nil {
		return err
	}
	a.log.Info("listening", "listener", "mqtt", "addr", a.ls.mqttTCP.Addr().String())
	if a.ls.mqttWS != nil {
		a.log.Info("listening", "listener", "mqtt-ws", "addr", a.ls.mqttWS.Addr().String(), "path", mqtt.WSPath)
	}
	return nil
}

// serveHTTP serves the API until the shutdown closes the server.
func (a *app) serveHTTP() error {
	logDescriptorLimit(a.log)
	a.log.Info("listening", "listener", "http", "addr", a.ls.http.Addr().String())
	if err := a.srv.Serve(a.ls.http); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http: %w", err)
	}
	return nil
}

// shutdown drains HTTP for up to http.shutdownTimeout, then stops, in
// this order: statistics (final flush), the bridge (waiting for the
// device messages in flight), the broker, the ingest committer (waiting
// for its last batch), the OTA loop, the webhook worker.
func (a *app) shutdown(l *loops) {
	a.log.Info("shutting down", "drainTimeout", a.cfg.HTTP.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.HTTP.ShutdownTimeout)
	defer cancel()
	if err := a.srv.Shutdown(sctx); err != nil {
		a.log.Warn("http drain incomplete", "error", err)
		a.srv.Close()
	}
	l.stopStats()
	l.stopMQTT()
	<-l.bridgeDone
	if a.ms.broker != nil {
		a.ms.broker.Close()
	}
	l.stopIngest()
	<-l.ingestDone
	l.stopOTA()
	l.stopWebhooks()
}
