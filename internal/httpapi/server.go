// Package httpapi is Hoist's HTTP face: the JSON API, the upushy-compatible
// endpoints, the admin panel and the API docs, on gin. Handlers bind a
// request, call a domain service and respond in the envelope of PROTOCOLS §1.
package httpapi

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/config"
)

// Pinger reports whether a dependency the server needs is reachable.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Features are public facts about this instance shown by /api/basic/config.
type Features struct {
	RegistrationOpen bool
	CaptchaEnabled   bool
}

// Options are the server's dependencies. DB and Log are required.
type Options struct {
	Config   config.HTTP
	Version  string
	DB       Pinger
	Features Features
	// Panel is the built admin panel, nil when it was not built.
	Panel fs.FS
	Log   *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Server holds the handlers' dependencies.
type Server struct {
	cfg      config.HTTP
	version  string
	db       Pinger
	features Features
	panel    fs.FS
	log      *slog.Logger
	now      func() time.Time
	engine   *gin.Engine
}

// New builds the server and its routes.
func New(o Options) *Server {
	s := &Server{
		cfg: o.Config, version: o.Version, db: o.DB, features: o.Features,
		panel: o.Panel, log: o.Log, now: o.Now,
	}
	if s.now == nil {
		s.now = time.Now
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	// Until trusted proxies are configured, the client IP is the peer's
	// address: X-Forwarded-For from anyone is not believed.
	_ = e.SetTrustedProxies(nil)
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	s.engine = e
	s.routes()
	return s
}

// Handler returns the http.Handler serving every route.
func (s *Server) Handler() http.Handler { return s.engine }
