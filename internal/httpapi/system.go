package httpapi

import (
	"context"
	"net/http"
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

// handleReadyz godoc
//
//	@Summary	Readiness: the database answers
//	@Tags		system
//	@Produce	json
//	@Success	200	{object}	okEnvelope{data=statusView}
//	@Failure	503	{object}	errorEnvelope
//	@Router		/readyz [get]
func (s *Server) handleReadyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		s.respondError(c, apperr.Wrap(err, apperr.Unavailable, "database unavailable"))
		return
	}
	respondOK(c, http.StatusOK, statusView{Status: "ready"})
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
		SetupRequired:    setup,
		DirectUpload:     s.releases.DirectUploadAvailable(),
		ServiceTime:      s.now().UnixMilli(),
		UpdateURLSuffix:  UpdateURLSuffix,
		RegistrationOpen: s.accounts.RegistrationOpen(),
		CaptchaEnabled:   s.captcha != nil,
		Version:          s.version,
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
