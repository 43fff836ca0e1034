package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	swaggerFiles "github.com/swaggo/files"
	ginSwagger "github.com/swaggo/gin-swagger"

	_ "github.com/hoist-ota/hoist/docs" // registers the generated OpenAPI spec
)

// @title                      Hoist API
// @version                    1
// @description                Self-hosted release platform for app hot updates (upushy-compatible) and device OTA over MQTT. Every JSON response uses the envelope {success, statusCode, message, data} or, for errors, {success:false, statusCode, message, code, errors}.
// @BasePath                   /
// @securityDefinitions.apikey BearerAuth
// @in                         header
// @name                       Authorization
// @description                "Bearer " followed by an access token (JWT) or an API token (hst_...).

// routes registers every route, grouped public / user / admin / device-hooks.
func (s *Server) routes() {
	e := s.engine
	e.Use(s.recovery, requestID, s.accessLog, s.cors)
	e.NoRoute(s.handleNoRoute)

	// Probes.
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)

	// Public API (upushy-compatible).
	public := e.Group("/api", s.limitBody(s.cfg.MaxBodyBytes))
	public.GET("/", s.handleHello)
	public.GET("/basic/config", s.handleBasicConfig)

	// API docs.
	if s.cfg.Docs {
		e.GET("/docs", func(c *gin.Context) { c.Redirect(http.StatusFound, "/docs/index.html") })
		e.GET("/docs/*any", ginSwagger.WrapHandler(swaggerFiles.Handler))
	}

	// Admin panel.
	e.GET("/", s.handlePanelIndex)
	e.HEAD("/", s.handlePanelIndex)
}
