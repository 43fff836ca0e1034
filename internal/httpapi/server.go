// Package httpapi is Hoist's HTTP face: the JSON API, the upushy-compatible
// endpoints, the admin panel and the API docs, on gin. Handlers bind a
// request, call a domain service and respond in the envelope of PROTOCOLS §1.
package httpapi

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/captcha"
	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/device"
	"github.com/hoist-ota/hoist/internal/dict"
	"github.com/hoist-ota/hoist/internal/metrics"
	"github.com/hoist-ota/hoist/internal/mqtt"
	"github.com/hoist-ota/hoist/internal/netlimit"
	"github.com/hoist-ota/hoist/internal/ota"
	"github.com/hoist-ota/hoist/internal/project"
	"github.com/hoist-ota/hoist/internal/ratelimit"
	"github.com/hoist-ota/hoist/internal/release"
	"github.com/hoist-ota/hoist/internal/stats"
	"github.com/hoist-ota/hoist/internal/storage"
	"github.com/hoist-ota/hoist/internal/webhook"
)

// Pinger reports whether a dependency the server needs is reachable.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Limits are the rate limiters of the public authentication endpoints; a
// nil limiter does not limit.
type Limits struct {
	Login, Register, Captcha *ratelimit.Limiter
}

// Dependency is one thing /readyz checks besides the database.
type Dependency struct {
	// Name is how /readyz calls it: redis, broker, ...
	Name string
	// Required makes /readyz fail (503) while Check fails; otherwise the
	// failure is reported and the node stays ready (say, Redis: a cache).
	Required bool
	// Check returns nil when the dependency is up.
	Check func(ctx context.Context) error
}

// Options are the server's dependencies. DB, Accounts, Projects, Dicts,
// Devices and Log are required.
type Options struct {
	Config        config.HTTP
	PublicBaseURL string
	Version       string
	DB            Pinger
	// Dependencies are checked by /readyz after the database.
	Dependencies []Dependency
	Accounts     *account.Service
	Projects     *project.Service
	Dicts        *dict.Service
	Releases     *release.Service
	// Checker answers the update check (every protocol); it must have
	// no compiled answer yet (New registers the upushy view).
	Checker *release.Checker
	Devices *device.Service
	// OTA sends device commands and runs OTA campaigns; required.
	OTA *ota.Service
	// Webhooks manages the projects' webhooks; nil serves no webhook
	// routes.
	Webhooks *webhook.Service
	// LocalFiles serves GET /files/ when storage is local (the local
	// backend checks the links it signed); nil with OSS.
	LocalFiles storage.URLVerifier
	// MaxUploadBytes bounds upload request bodies.
	MaxUploadBytes int64
	// Stats records update checks; nil records nothing.
	Stats *stats.Recorder
	// Downloads counts downloads through the stable links; nil counts
	// nothing.
	Downloads *stats.Downloads
	// FileSlots bounds the local files served at once (each holds a
	// descriptor); a download waits up to fileSlotWait for one, then is
	// answered 503. nil: no bound.
	FileSlots *netlimit.Slots
	// Funnel counts each release's adoption funnel (the update check
	// records into it as a release.Recorder; downloads here); nil counts
	// nothing.
	Funnel *stats.Funnel
	// Rollouts keeps staged rollout plans.
	Rollouts *release.Rollouts
	// Reports answers statistics reports.
	Reports *stats.Service
	// CodePushMetrics counts CodePush clients' reports; nil counts
	// nothing.
	CodePushMetrics *release.CodePushMetrics
	// OnCommandSubscription is told when an external broker reports that a
	// device subscribed to its command or tag topics (EMQX events hook).
	OnCommandSubscription func(product, device string)
	// Metrics, when set, is fed and served at /metrics (behind
	// MetricsToken when that is set).
	Metrics      *metrics.Metrics
	MetricsToken string
	// BrokerAuth and HookSecret serve the external brokers' auth hooks
	// under /api/hooks/; either unset disables them (404).
	BrokerAuth *mqtt.Auth
	HookSecret string
	// Listeners are the addresses serve bound, shown in basic config.
	Listeners Listeners
	// Broker says where devices connect (basic config's broker).
	Broker Broker
	// SetupCode, when set, guards the first registration of a fresh
	// database: from anywhere but this machine it needs the code.
	SetupCode *account.SetupCode
	// Captcha is nil when captchas are off.
	Captcha *captcha.Service
	Limits  Limits
	// Panel is the built admin panel, nil when it was not built.
	Panel fs.FS
	Log   *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Listeners are the addresses Hoist listens on ("" when not listening).
type Listeners struct {
	HTTP   string `json:"http" example:"[::]:3000"`
	MQTT   string `json:"mqtt,omitempty" example:"127.0.0.1:1883"`
	MQTTWS string `json:"mqttWs,omitempty" example:"127.0.0.1:8083"`
}

// Server holds the handlers' dependencies.
type Server struct {
	cfg           config.HTTP
	hotSeen       atomic.Int64 // answered hot-path requests, for the access log's sampling
	publicBaseURL string
	version       string
	db            Pinger
	deps          []Dependency
	accounts      *account.Service
	projects      *project.Service
	dicts         *dict.Service
	releases      *release.Service
	devices       *device.Service
	ota           *ota.Service
	webhooks      *webhook.Service
	localFiles    storage.URLVerifier
	maxUpload     int64
	stats         *stats.Recorder
	downloads     *stats.Downloads
	fileSlots     *netlimit.Slots
	funnel        *stats.Funnel
	rollouts      *release.Rollouts
	reports       *stats.Service
	metrics       *metrics.Metrics
	metricsToken  string
	onCommandSub  func(product, device string)
	checker       *release.Checker
	upushyView    release.ViewID
	// codePushView renders CodePush releases' download links;
	// codePushMetrics counts the clients' reports.
	codePushView    release.ViewID
	codePushMetrics *release.CodePushMetrics
	ids             *requestIDs
	captcha         *captcha.Service
	setupCode       *account.SetupCode
	listeners       Listeners
	broker          Broker
	loginLimit      *ratelimit.Limiter
	registerLimit   *ratelimit.Limiter
	captchaLimit    *ratelimit.Limiter
	panel           fs.FS
	log             *slog.Logger
	now             func() time.Time
	engine          *gin.Engine
	brokerAuth      *mqtt.Auth
	hookSecret      string
}

// New builds the server and its routes. It fails only on an invalid
// trusted-proxy list.
func New(o Options) (*Server, error) {
	s := &Server{
		cfg: o.Config, publicBaseURL: o.PublicBaseURL, version: o.Version, db: o.DB, deps: o.Dependencies,
		accounts: o.Accounts, projects: o.Projects, dicts: o.Dicts, captcha: o.Captcha, setupCode: o.SetupCode, listeners: o.Listeners, broker: o.Broker,
		releases: o.Releases, checker: o.Checker, localFiles: o.LocalFiles, maxUpload: o.MaxUploadBytes, stats: o.Stats, downloads: o.Downloads, fileSlots: o.FileSlots, funnel: o.Funnel, rollouts: o.Rollouts,
		reports: o.Reports, metrics: o.Metrics, metricsToken: o.MetricsToken, onCommandSub: o.OnCommandSubscription, devices: o.Devices, ota: o.OTA,
		loginLimit: o.Limits.Login, registerLimit: o.Limits.Register, captchaLimit: o.Limits.Captcha,
		panel: o.Panel, log: o.Log, now: o.Now,
		brokerAuth: o.BrokerAuth, hookSecret: o.HookSecret,
		webhooks: o.Webhooks,
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.upushyView = s.checker.AddView(s.renderUpushy)
	s.codePushView = s.checker.AddView(renderCodePushURL)
	s.codePushMetrics = o.CodePushMetrics
	s.ids = newRequestIDs()
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	// X-Forwarded-For is believed only from the configured proxies; with
	// none, the client IP is the peer's address.
	if err := e.SetTrustedProxies(o.Config.TrustedProxies); err != nil {
		return nil, fmt.Errorf("httpapi: http.trustedProxies: %w", err)
	}
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	s.engine = e
	s.routes()
	if s.metrics != nil {
		s.registerMetrics()
	}
	return s, nil
}

// Handler returns the http.Handler serving every route.
func (s *Server) Handler() http.Handler { return s.engine }
