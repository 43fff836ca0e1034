package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/bus"
	"github.com/hoist-ota/hoist/internal/captcha"
	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/device"
	"github.com/hoist-ota/hoist/internal/dict"
	"github.com/hoist-ota/hoist/internal/event"
	"github.com/hoist-ota/hoist/internal/httpapi"
	"github.com/hoist-ota/hoist/internal/kv"
	"github.com/hoist-ota/hoist/internal/metrics"
	"github.com/hoist-ota/hoist/internal/ota"
	"github.com/hoist-ota/hoist/internal/project"
	"github.com/hoist-ota/hoist/internal/ratelimit"
	"github.com/hoist-ota/hoist/internal/redisx"
	"github.com/hoist-ota/hoist/internal/release"
	"github.com/hoist-ota/hoist/internal/stats"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/webhook"
)

// captchaPerMinute bounds captcha images per client IP: drawing one costs
// CPU, so the endpoint must not be a free amplifier.
const captchaPerMinute = 60

// services are the domain services, wired once for every command.
type services struct {
	kv        kv.Store
	redis     *redis.Client // nil without Redis
	accounts  *account.Service
	projects  *project.Service
	dicts     *dict.Service
	releases  *release.Service
	devices   *device.Service
	ota       *ota.Service // built by newOTA, after the MQTT side
	webhooks  *webhook.Service
	stats     *stats.Recorder
	downloads *stats.Downloads
	funnel    *stats.Funnel
	rollouts  *release.Rollouts // staged rollouts, judged every 30 s
	// codePush records CodePush clients' reports, committed before they are acknowledged.
	codePush *release.CodePushMetrics
	reports  *stats.Service
	bus      bus.Bus          // nil without Redis
	changes  *bus.Poller      // release changes through the database, for every node
	metrics  *metrics.Metrics // nil when metrics are off
	checker  *release.Checker
	files    files
	captcha  *captcha.Service // nil when captchas are off
	limits   httpapi.Limits
	// events receives the project events the domain services emit
	// (releases, staged rollouts, campaign waves): the webhooks.
	events event.Sink
}

// newServices wires the domain services on st. With redis.addr set it
// connects to Redis, retrying for cfg.StartupTimeout, and fails when Redis
// does not answer by then.
func newServices(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger) (*services, error) {
	sv := &services{events: event.Discard{}}
	if cfg.Redis.Addr != "" {
		rc, err := connectRedis(ctx, cfg, log)
		if err != nil {
			return nil, err
		}
		sv.redis = rc
		sv.kv = redisx.NewKV(sv.redis, cfg.Redis.Prefix)
	} else {
		if !cfg.Embedded() {
			log.Warn("no redis.addr: captchas and rate limits are kept per node; run a single node or configure Redis")
		}
		sv.kv = kv.NewMemory(nil)
	}
	sv.accounts = newAccounts(cfg, st, log)
	sv.projects = project.NewService(st.Projects(), time.Now, log)
	sv.accounts.SetProjectChecker(sv.projects)
	sv.dicts = dict.NewService(st.Dicts(), time.Now, log)
	var err error
	if sv.files, err = newFiles(cfg); err != nil {
		sv.close()
		return nil, err
	}
	sv.releases = release.NewService(st.Releases(), sv.projects, sv.files.blob, sv.files.sts, sv.files.opts, time.Now, log)
	// Project events reach the projects' webhooks.
	sv.webhooks = webhook.NewService(st.Webhooks(), sv.projects, webhook.Options{PollEvery: cfg.Webhooks.PollInterval,
		Retention: cfg.Webhooks.Retention, UserAgent: "Hoist-Webhook/" + version}, time.Now, log)
	sv.releases.SetEventSink(sv.webhooks)
	sv.events = sv.webhooks
	devKey, err := device.SecretKey(ctx, st)
	if err != nil {
		sv.close()
		return nil, err
	}
	sv.devices = device.NewService(st.Devices(), sv.projects, devKey, time.Now, log)
	sv.releases.SetProductOwner(sv.devices)
	// 120 new devices a minute from one address: a whole office of phones
	// installing at once passes, a script inventing uuids does not.
	sv.stats = stats.NewRecorder(st.Stats(), stats.Options{NewDevicesPerIPPerMinute: 120}, log)
	sv.downloads = stats.NewDownloads(st.Downloads(), 0, log)
	sv.funnel = stats.NewFunnel(st.Funnel(), stats.FunnelOptions{}, log)
	sv.rollouts = release.NewRollouts(st.Rollouts(), sv.releases, sv.funnel, sv.webhooks, time.Now, log)
	sv.codePush = release.NewCodePushMetrics(st.Releases())
	if cfg.Metrics.Enabled {
		sv.metrics = metrics.New()
		for role, db := range st.Pools() {
			sv.metrics.DB("hoist_"+role, db)
		}
	}
	sv.reports = stats.NewService(st.Stats(), sv.projects, time.Now)
	// The update check of every protocol; this node's own changes reach
	// its next check at once, other nodes' through the bus and the poll.
	recorders := []release.Recorder{sv.stats, sv.funnel}
	if sv.metrics != nil {
		recorders = append(recorders, sv.metrics)
	}
	sv.checker = release.NewChecker(sv.releases, release.CheckerOptions{Recorders: recorders, Keys: sv.releases})
	sv.releases.OnResourceChange(sv.checker.RefreshResource)
	// Other nodes learn of release changes within a second over Redis, and
	// within a poll of the database whether or not Redis is up.
	sv.changes = bus.NewPoller(st.Changes(), time.Second, log)
	sv.releases.OnChange(func(projectID string) { sv.changes.Record(context.Background(), projectID) })
	if sv.redis != nil {
		sv.bus = releaseBus(sv.redis, cfg, log)
		sv.releases.OnChange(func(projectID string) { sv.bus.Publish(context.Background(), projectID) })
	}
	if cfg.Auth.CaptchaOn() {
		sv.captcha = captcha.NewService(sv.kv)
	}
	sv.limits = httpapi.Limits{
		Login:    ratelimit.New(sv.kv, "login", cfg.Auth.LoginPerMinute, time.Minute),
		Register: ratelimit.New(sv.kv, "register", cfg.Auth.RegisterPerMinute, time.Minute),
		Captcha:  ratelimit.New(sv.kv, "captcha", captchaPerMinute, time.Minute),
	}
	return sv, nil
}

// newOTA builds the OTA service, which sends its commands through sender
// (the MQTT bridge; ota.Off with mqtt.mode off). Construction order:
// newServices (the domain services but this one), newMQTT (broker, bridge
// and committer, which need only the device registry), then newOTA with
// the bridge as its Sender. The ways back from MQTT into ota (the
// committer's applier, the broker's resend of pending upgrades) are bound
// when those start (ingest.Committer.Run, mqtt.Broker.Start), so nothing
// is filled in after construction. Campaign events (wave started, paused,
// finished) go to sv.events.
func (sv *services) newOTA(cfg config.Config, st *store.Store, sender ota.Sender, log *slog.Logger) {
	sv.ota = ota.NewService(st.OTA(), ota.Deps{Projects: sv.projects, Devices: sv.devices, Releases: sv.releases,
		Blob: sv.files.blob, Sender: sender, Events: sv.events},
		ota.Options{PublicBaseURL: cfg.PublicBaseURL, DedupeRetention: cfg.Ingest.DedupeRetention}, time.Now, log)
}

// newAccounts is the account service of cfg on st.
func newAccounts(cfg config.Config, st *store.Store, log *slog.Logger) *account.Service {
	return account.NewService(st.Accounts(), account.Options{
		Secret:           []byte(cfg.JWT.Secret),
		AccessTTL:        cfg.JWT.AccessTTL,
		RefreshTTL:       cfg.JWT.RefreshTTL,
		RegistrationOpen: cfg.Auth.RegistrationOpen(),
	}, time.Now, log)
}

// connectRedis connects to cfg.Redis, retrying for cfg.StartupTimeout; it
// fails when Redis does not answer by then.
func connectRedis(ctx context.Context, cfg config.Config, log *slog.Logger) (*redis.Client, error) {
	rc := redis.NewClient(&redis.Options{Addr: cfg.Redis.Addr, Password: cfg.Redis.Password, DB: cfg.Redis.DB})
	err := retry(ctx, log, "redis.addr (HOIST_REDIS_ADDR): "+cfg.Redis.Addr+" does not answer", cfg.StartupTimeout,
		func(ctx context.Context) error {
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			return rc.Ping(pctx).Err()
		})
	if err != nil {
		rc.Close()
		return nil, err
	}
	return rc, nil
}

// releaseBus is the Redis channel on which nodes announce release changes.
func releaseBus(rc *redis.Client, cfg config.Config, log *slog.Logger) *redisx.Bus {
	return redisx.NewBus(rc, cfg.Redis.Prefix+"release-changed", log)
}

// close releases what newServices opened.
func (sv *services) close() {
	if sv.redis != nil {
		sv.redis.Close()
	}
}
