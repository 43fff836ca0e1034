package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"syscall"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/httpapi"
	"github.com/hoist-ota/hoist/internal/netlimit"
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

// limited returns l with every listener accepting only within slots.
func (l listeners) limited(slots *netlimit.Slots) listeners {
	for _, ln := range []*net.Listener{&l.http, &l.mqttTCP, &l.mqttWS} {
		if *ln != nil {
			*ln = slots.Listener(*ln)
		}
	}
	return l
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

	a, err := buildApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.close()
	return a.run(ctx)
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
