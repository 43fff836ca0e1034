package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/httpapi"
	"github.com/hoist-ota/hoist/internal/mqtt"
	"github.com/hoist-ota/hoist/internal/netlimit"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/web"
)

// app is everything `hoist serve` runs: built by buildApp, run by run,
// released by close.
type app struct {
	cfg config.Config
	log *slog.Logger
	ls  listeners
	st  *store.Store
	sv  *services
	ms  mqttSide
	api *httpapi.Server
	srv *http.Server
	// fileSlots bounds the files served at once (netlimit.Budget).
	fileSlots *netlimit.Slots
}

// buildApp prepares the data dir and JWT secret, binds every listener,
// opens and migrates the database (retrying for cfg.StartupTimeout), and
// wires the services, the MQTT side and the HTTP server. Nothing runs yet.
// On an error, what was opened is closed again.
func buildApp(ctx context.Context, cfg config.Config, log *slog.Logger) (*app, error) {
	a := &app{cfg: cfg, log: log}
	if err := a.build(ctx); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

// build does buildApp's work, leaving what it opened in a.
func (a *app) build(ctx context.Context) error {
	cfg, log := a.cfg, a.log
	var err error
	if err := prepareDataDir(cfg, log); err != nil {
		return err
	}
	if a.ls, err = bindAll(cfg, log); err != nil {
		return err
	}
	if limit := descriptorLimit(); limit > 0 {
		// Client connections and served files take slots of the open-file
		// limit; the rest stays for the database, files and logs.
		conns, files := netlimit.Budget(limit)
		a.ls = a.ls.limited(netlimit.New(conns))
		a.fileSlots = netlimit.New(files)
		log.Info("descriptor budget", "limit", limit, "connections", conns, "files", files, "reserved", int(limit)-conns-files)
	}
	if a.st, err = openStore(ctx, cfg, log); err != nil {
		return err
	}
	applied, err := a.st.Migrate(ctx, version)
	if err != nil {
		return err
	}
	log.Info("database ready", "driver", cfg.DB.Driver, "migrationsApplied", len(applied))
	if a.sv, err = newServices(ctx, cfg, a.st, log); err != nil {
		return err
	}
	setupCode, err := firstRunCode(ctx, a.sv, log)
	if err != nil {
		return err
	}
	if a.ms, err = newMQTT(cfg, a.ls, a.sv, log); err != nil {
		return err
	}
	a.sv.newOTA(cfg, a.st, a.ms.sender(), log)
	if a.api, err = a.newAPI(setupCode); err != nil {
		return err
	}
	a.srv = &http.Server{
		Handler:           a.api.Handler(),
		ReadHeaderTimeout: cfg.HTTP.ReadHeaderTimeout,
		IdleTimeout:       cfg.HTTP.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if a.sv.metrics != nil {
		a.ms.registerMetrics(a.sv.metrics, a.sv.ota)
	}
	return nil
}

// prepareDataDir creates the data dir of the embedded mode and the JWT
// secret when none is configured.
func prepareDataDir(cfg config.Config, log *slog.Logger) error {
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
	return nil
}

// newAPI builds the HTTP API on the services; setupCode guards the first
// registration of a fresh database (nil: none).
func (a *app) newAPI(setupCode *account.SetupCode) (*httpapi.Server, error) {
	cfg, sv, log := a.cfg, a.sv, a.log
	return httpapi.New(httpapi.Options{
		Dependencies:          dependencies(sv, a.ms),
		Config:                cfg.HTTP,
		PublicBaseURL:         cfg.PublicBaseURL,
		Version:               version,
		DB:                    a.st,
		Accounts:              sv.accounts,
		Projects:              sv.projects,
		Dicts:                 sv.dicts,
		Releases:              sv.releases,
		Checker:               sv.checker,
		Devices:               sv.devices,
		OTA:                   sv.ota,
		Webhooks:              sv.webhooks,
		LocalFiles:            sv.files.local,
		MaxUploadBytes:        cfg.Storage.MaxUploadBytes,
		Stats:                 sv.stats,
		Downloads:             sv.downloads,
		FileSlots:             a.fileSlots,
		Funnel:                sv.funnel,
		Rollouts:              sv.rollouts,
		CodePushMetrics:       sv.codePush,
		Metrics:               sv.metrics,
		MetricsToken:          cfg.Metrics.Token,
		OnCommandSubscription: func(product, device string) { resendPending(sv.ota, log, product, device) },
		Reports:               sv.reports,
		Captcha:               sv.captcha,
		SetupCode:             setupCode,
		Listeners:             a.ls.addrs(),
		Broker:                httpapi.Broker{Mode: cfg.MQTT.Mode, PublicURL: cfg.MQTT.PublicURL, TLS: cfg.MQTT.TLS.Enabled()},
		Limits:                sv.limits,
		BrokerAuth:            mqtt.NewAuth(sv.devices, mqtt.Credentials{Username: cfg.MQTT.Username, Password: cfg.MQTT.Password}),
		HookSecret:            cfg.MQTT.HookSecret,
		Panel:                 web.Panel(),
		Log:                   log,
	})
}

// close releases what buildApp opened, the broker first and the
// listeners last. Closing the broker again after the shutdown is harmless.
func (a *app) close() {
	if a.ms.broker != nil {
		a.ms.broker.Close()
	}
	if a.sv != nil {
		a.sv.close()
	}
	if a.st != nil {
		a.st.Close()
	}
	a.ls.close()
}
