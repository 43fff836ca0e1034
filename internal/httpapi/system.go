package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// UpdateURLSuffix is the path of the update check that upushy 0.6 clients
// append to the server URL.
const UpdateURLSuffix = "/api/basic/update"

type statusView struct {
	Status string `json:"status" example:"ok"`
}

// handleHealthz godoc
//
//	@Summary	Liveness: the process is up
//	@Tags		system
//	@Produce	json
//	@Success	200	{object}	okEnvelope{data=statusView}
//	@Router		/healthz [get]
func (s *Server) handleHealthz(c *gin.Context) {
	respondOK(c, http.StatusOK, statusView{Status: "ok"})
}

// readyView is the readiness of each dependency: "up", or "down: why".
type readyView struct {
	Status string            `json:"status" example:"ready"`
	Checks map[string]string `json:"checks"`
}

// handleReadyz godoc
//
//	@Summary		Readiness: every dependency, by name
//	@Description	Checks the database and, when configured, Redis and the MQTT broker (each "up" or "down: ..."). 200 while every required one is up (the database, the broker); a down Redis is reported but the node stays ready (it is a cache). 503 otherwise, with one `errors` entry per dependency that is down.
//	@Tags			system
//	@Produce		json
//	@Success		200	{object}	okEnvelope{data=readyView}
//	@Failure		503	{object}	errorEnvelope
//	@Router			/readyz [get]
func (s *Server) handleReadyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	deps := append([]Dependency{{Name: "database", Required: true, Check: s.db.Ping}}, s.deps...)
	view := readyView{Status: "ready", Checks: make(map[string]string, len(deps))}
	var down []apperr.FieldError
	for _, d := range deps {
		if err := d.Check(ctx); err != nil {
			// The cause goes to the log, not to whoever probes /readyz.
			s.log.WarnContext(ctx, "readiness: dependency down", "dependency", d.Name, "error", err)
			msg := "down"
			var ae *apperr.Error
			if errors.As(err, &ae) {
				msg = "down: " + ae.Message
			}
			view.Checks[d.Name] = msg
			if d.Required {
				down = append(down, apperr.FieldError{Field: d.Name, Message: msg})
			}
			continue
		}
		view.Checks[d.Name] = "up"
	}
	if len(down) > 0 {
		names := make([]string, len(down))
		for i, f := range down {
			names[i] = f.Field
		}
		e := apperr.New(apperr.Unavailable, "not ready: %s down", strings.Join(names, ", "))
		e.Fields = down
		s.respondError(c, e)
		return
	}
	respondOK(c, http.StatusOK, view)
}

type helloView struct {
	Msg string `json:"msg" example:"Hoist is running"`
	// Timestamp is the server time in Unix milliseconds, as upushy sends it.
	Timestamp int64 `json:"timestamp" example:"1700000000000"`
}

// handleHello godoc
//
//	@Summary	Hello (upushy-compatible)
//	@Tags		public
//	@Produce	json
//	@Success	200	{object}	okEnvelope{data=helloView}
//	@Router		/api/ [get]
func (s *Server) handleHello(c *gin.Context) {
	respondOK(c, http.StatusOK, helloView{Msg: "Hoist is running", Timestamp: s.now().UnixMilli()})
}

type basicConfigView struct {
	// ServiceTime is the server time in Unix milliseconds (upushy clients
	// compare it with their own clock).
	ServiceTime      int64  `json:"serviceTime" example:"1700000000000"`
	UpdateURLSuffix  string `json:"updateUrlSuffix" example:"/api/basic/update"`
	RegistrationOpen bool   `json:"registrationOpen" example:"true"`
	CaptchaEnabled   bool   `json:"captchaEnabled" example:"true"`
	// SetupRequired is true until the first account (the admin) exists; it
	// may register even when registration is closed.
	SetupRequired bool `json:"setupRequired" example:"false"`
	// SetupCodeRequired is true when this client must send the setup code
	// from Hoist's log to register the first account (it is not on the
	// server's machine).
	SetupCodeRequired bool `json:"setupCodeRequired" example:"false"`
	// Listeners are the addresses this node listens on: a built-in default
	// that was taken is replaced by a free port (see the start log).
	Listeners *Listeners `json:"listeners,omitempty"`
	// Broker is where devices connect, shown on the product page and with
	// a new device's secret.
	Broker brokerView `json:"broker"`
	// DirectUpload tells the panel it can upload straight to OSS (with
	// upload-credentials) instead of through Hoist.
	DirectUpload bool   `json:"directUpload" example:"false"`
	Version      string `json:"version" example:"v1.0.0"`
}

// handleBasicConfig godoc
//
//	@Summary	Public instance configuration (upushy 0.6 clients read updateUrlSuffix)
//	@Tags		public
//	@Produce	json
//	@Success	200	{object}	okEnvelope{data=basicConfigView}
//	@Router		/api/basic/config [get]
func (s *Server) handleBasicConfig(c *gin.Context) {
	setup, err := s.accounts.SetupRequired(c.Request.Context())
	if err != nil {
		s.respondError(c, apperr.Wrap(err, apperr.Unavailable, "database unavailable"))
		return
	}
	respondOK(c, http.StatusOK, basicConfigView{
		SetupRequired:     setup,
		SetupCodeRequired: s.setupCodeRequired(c, setup),
		Listeners:         s.listenersView(),
		Broker:            s.brokerView(c),
		DirectUpload:      s.releases.DirectUploadAvailable(),
		ServiceTime:       s.now().UnixMilli(),
		UpdateURLSuffix:   UpdateURLSuffix,
		RegistrationOpen:  s.accounts.RegistrationOpen(),
		CaptchaEnabled:    s.captcha != nil,
		Version:           s.version,
	})
}

// handleNoRoute serves the panel's files and client-side routes to browsers
// and answers everything else with a 404 envelope.
func (s *Server) handleNoRoute(c *gin.Context) {
	if s.servePanel(c) {
		return
	}
	s.respondError(c, apperr.New(apperr.NotFound, "no route for %s %s", c.Request.Method, c.Request.URL.Path))
}
