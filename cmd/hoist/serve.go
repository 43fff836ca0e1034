package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"syscall"

	"golang.org/x/sync/errgroup"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/httpapi"
	"github.com/hoist-ota/hoist/internal/mqtt"
	"github.com/hoist-ota/hoist/web"
)

// listeners are every socket serve binds, bound before anything starts so
// that an address in use stops the process with the key to change.
type listeners struct {
	http, mqttTCP, mqttWS net.Listener
}

// addrs are the bound addresses, for the panel and basic config.
func (l listeners) addrs() httpapi.Listeners {
	var a httpapi.Listeners
	if l.http != nil {
		a.HTTP = l.http.Addr().String()
	}
	if l.mqttTCP != nil {
		a.MQTT = l.mqttTCP.Addr().String()
	}
	if l.mqttWS != nil {
		a.MQTTWS = l.mqttWS.Addr().String()
	}
	return a
}

func (l listeners) close() {
	for _, ln := range []net.Listener{l.http, l.mqttTCP, l.mqttWS} {
		if ln != nil {
			ln.Close()
		}
	}
}

// listen binds the address of a listener key. When the address is the
// built-in default (the user did not set the key) and another process holds
// it, as Mosquitto often holds 1883, it warns and takes a free port on the
// same host instead, so `make run` comes up anywhere; an address the user
// chose fails, naming its key.
func listen(c config.Config, key, addr string, log *slog.Logger) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil && errors.Is(err, syscall.EADDRINUSE) && !c.IsSet(key) {
		host, _, _ := net.SplitHostPort(addr)
		if ln, err = net.Listen("tcp", net.JoinHostPort(host, "0")); err == nil {
			log.Warn("default address in use: listening on a free port instead; set the key to choose one",
				"key", key, "env", config.EnvName(key), "default", addr, "addr", ln.Addr().String())
			return ln, nil
		}
	}
	if err != nil {
		return nil, config.Problems{{Key: key, Message: fmt.Sprintf("cannot listen on %s: %v; set another address (port 0 picks a free one)", addr, err)}}
	}
	return ln, nil
}

func bindAll(c config.Config, log *slog.Logger) (listeners, error) {
	var l listeners
	var err error
	if l.http, err = listen(c, "http.addr", c.HTTP.Addr, log); err != nil {
		return l, err
	}
	if c.MQTT.Mode == config.MQTTEmbedded {
		if l.mqttTCP, err = listen(c, "mqtt.tcpAddr", c.MQTT.TCPAddr, log); err != nil {
			l.close()
			return l, err
		}
		if c.MQTT.WSAddr != "" {
			if l.mqttWS, err = listen(c, "mqtt.wsAddr", c.MQTT.WSAddr, log); err != nil {
				l.close()
				return l, err
			}
		}
	}
	return l, nil
}

// dependencies are what /readyz checks besides the database: Redis
// (reported, not required: a cache), the MQTT side (required: the
// embedded broker's listeners accept, the bridge runs and is connected)
// and the ingest spool (reported while it holds batches).
func dependencies(sv *services, ms mqttSide) []httpapi.Dependency {
	var deps []httpapi.Dependency
	if sv.redis != nil {
		deps = append(deps, httpapi.Dependency{Name: "redis", Check: func(ctx context.Context) error {
			return sv.redis.Ping(ctx).Err()
		}})
	}
	if ms.bridge != nil {
		deps = append(deps, httpapi.Dependency{Name: "broker", Required: true, Check: func(context.Context) error {
			if ms.broker != nil { // embedded: its listeners must still accept
				if err := ms.broker.ListenerErr(); err != nil {
					return err
				}
			}
			return ms.bridge.Ready()
		}})
	}
	if ms.ingest != nil {
		deps = append(deps, httpapi.Dependency{Name: "ingest", Check: func(context.Context) error {
			if n := ms.ingest.Backlog(); n > 0 {
				return fmt.Errorf("%d spooled batches wait for the database", n)
			}
			return nil
		}})
	}
	return deps
}

// serve runs `hoist serve` until ctx is cancelled (SIGINT/SIGTERM), then
// stops accepting, drains in-flight requests for up to
// http.shutdownTimeout and closes everything. A clean stop returns nil.
func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	sink := newLogSink(stderr)
	defer sink.Close()
	log := newLogger(cfg.Log, sink)
	routeLibraryLogs(log)

	if cfg.Embedded() {
		if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
			return fmt.Errorf("create data dir %s: %w", cfg.DataDir, err)
		}
	}
	created, err := cfg.EnsureJWTSecret()
	if err != nil {
		return err
	}
	if created {
		log.Info("generated a JWT secret", "file", cfg.JWTSecretPath())
	}

	ls, err := bindAll(cfg, log)
	if err != nil {
		return err
	}
	defer ls.close()

	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx, version)
	if err != nil {
		return err
	}
	log.Info("database ready", "driver", cfg.DB.Driver, "migrationsApplied", len(applied))

	sv, err := newServices(ctx, cfg, st, log)
	if err != nil {
		return err
	}
	defer sv.close()

	setupCode, err := firstRunCode(ctx, sv, log)
	if err != nil {
		return err
	}
	ms, err := newMQTT(cfg, ls, sv, log)
	if err != nil {
		return err
	}
	api, err := httpapi.New(httpapi.Options{
		Dependencies:          dependencies(sv, ms),
		Config:                cfg.HTTP,
		PublicBaseURL:         cfg.PublicBaseURL,
		Version:               version,
		DB:                    st,
		Accounts:              sv.accounts,
		Projects:              sv.projects,
		Dicts:                 sv.dicts,
		Releases:              sv.releases,
		Checker:               sv.checker,
		Devices:               sv.devices,
		OTA:                   sv.ota,
		LocalFiles:            sv.files.local,
		MaxUploadBytes:        cfg.Storage.MaxUploadBytes,
		Stats:                 sv.stats,
		Downloads:             sv.downloads,
		Metrics:               sv.metrics,
		MetricsToken:          cfg.Metrics.Token,
		OnCommandSubscription: func(product, device string) { resendPending(sv, log, product, device) },
		Reports:               sv.reports,
		Captcha:               sv.captcha,
		SetupCode:             setupCode,
		Listeners:             ls.addrs(),
		Limits:                sv.limits,
		BrokerAuth:            mqtt.NewAuth(sv.devices, mqtt.Credentials{Username: cfg.MQTT.Username, Password: cfg.MQTT.Password}),
		HookSecret:            cfg.MQTT.HookSecret,
		Panel:                 web.Panel(),
		Log:                   log,
	})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           api.Handler(),
		ReadHeaderTimeout: cfg.HTTP.ReadHeaderTimeout,
		IdleTimeout:       cfg.HTTP.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	if sv.metrics != nil {
		ms.registerMetrics(sv.metrics, sv.ota)
	}
	broker := ms.broker
	if broker != nil {
		defer broker.Close()
	}

	g, gctx := errgroup.WithContext(ctx)
	// Statistics stop after the HTTP drain, so the last requests' counts
	// are in their final flush.
	statsCtx, stopStats := context.WithCancel(context.Background())
	defer stopStats()
	g.Go(func() error { return sv.stats.Run(statsCtx) })
	g.Go(func() error { return sv.downloads.Run(statsCtx) })
	otaCtx, stopOTA := context.WithCancel(context.Background())
	defer stopOTA()
	g.Go(func() error { return sv.ota.Run(otaCtx) })
	// The committer stops after the bridge, which waits for the device
	// messages in flight: each is committed (or spooled) and acknowledged
	// before the database closes.
	ingestCtx, stopIngest := context.WithCancel(context.Background())
	defer stopIngest()
	ingestDone := make(chan struct{})
	if ms.ingest != nil {
		g.Go(func() error {
			defer close(ingestDone)
			return ms.ingest.Run(ingestCtx)
		})
	} else {
		close(ingestDone)
	}
	if sv.bus != nil {
		g.Go(func() error { return sv.bus.Run(gctx, sv.checker.Invalidate) })
	}
	g.Go(func() error { return sv.changes.Run(gctx, sv.checker.Invalidate) })
	// The bridge stops after the HTTP drain (requests in flight may still
	// publish commands), then the broker closes.
	mqttCtx, stopMQTT := context.WithCancel(context.Background())
	defer stopMQTT()
	bridgeDone := make(chan struct{})
	if ms.bridge != nil {
		g.Go(func() error {
			defer close(bridgeDone)
			return ms.bridge.Run(mqttCtx)
		})
	} else {
		close(bridgeDone)
	}
	// The broker starts before HTTP, so that a "listening" http line means
	// everything is up.
	if broker != nil {
		if err := broker.Start(); err != nil {
			return err
		}
		log.Info("listening", "listener", "mqtt", "addr", ls.mqttTCP.Addr().String())
		if ls.mqttWS != nil {
			log.Info("listening", "listener", "mqtt-ws", "addr", ls.mqttWS.Addr().String(), "path", mqtt.WSPath)
		}
	}
	g.Go(func() error {
		log.Info("listening", "listener", "http", "addr", ls.http.Addr().String())
		if err := srv.Serve(ls.http); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		log.Info("shutting down", "drainTimeout", cfg.HTTP.ShutdownTimeout)
		sctx, cancel := context.WithTimeout(context.Background(), cfg.HTTP.ShutdownTimeout)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			log.Warn("http drain incomplete", "error", err)
			srv.Close()
		}
		stopStats()
		stopMQTT()
		<-bridgeDone
		if broker != nil {
			broker.Close()
		}
		stopIngest()
		<-ingestDone
		stopOTA()
		return nil
	})
	err = g.Wait()
	if err == nil {
		log.Info("stopped")
	}
	return err
}

// firstRunCode makes the one-time setup code of a fresh database (no
// account yet) and prints it: registering the first account, who becomes
// the administrator, needs it from anywhere but this machine. It is kept
// in this process only (as a hash): each node of a fresh cluster prints
// its own. nil when an account exists.
func firstRunCode(ctx context.Context, sv *services, log *slog.Logger) (*account.SetupCode, error) {
	setup, err := sv.accounts.SetupRequired(ctx)
	if err != nil || !setup {
		return nil, err
	}
	code, gate := account.NewSetupCode()
	log.Warn("first run: no account yet. Register the first (admin) account in the panel with this setup code, "+
		"or from this machine without it, or run hoist user create -admin", "setupCode", code)
	return gate, nil
}
