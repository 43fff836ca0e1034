package httpapi

import (
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// observe feeds the request metrics: count and latency by route pattern
// and method (methodLabel).
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	s.metrics.ObserveHTTP(c.FullPath(), methodLabel(c.Request.Method), c.Writer.Status(), time.Since(start))
}

// methodLabel is the method as a metric label: a standard method, or
// "other", so that clients cannot add label values (and series) at will.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

// registerMetrics exposes what the HTTP layer counts itself.
func (s *Server) registerMetrics() {
	s.metrics.Counter("hoist_update_cache_hits_total", "Update checks answered from the in-memory project answer.",
		func() float64 { return float64(s.checker.Hits()) })
	s.metrics.Counter("hoist_update_cache_loads_total", "Project answers built or rebuilt (first use, change, expiry).",
		func() float64 { return float64(s.checker.Loads()) })
	s.metrics.Counter("hoist_update_stale_answers_total", "Update checks answered with a project's last answer because rebuilding it failed (database down).",
		func() float64 { return float64(s.checker.Stale()) })
	if s.stats != nil {
		s.metrics.Counter("hoist_stats_devices_dropped_total", "First-seen devices dropped: the queue was full or their client address created too many.",
			func() float64 { return float64(s.stats.Dropped()) })
	}
}

// handleMetrics godoc
//
//	@Summary		Prometheus metrics
//	@Description	Text exposition format. When metrics.token is set, it must be sent as "Authorization: Bearer <token>".
//	@Tags			system
//	@Produce		plain
//	@Success		200	{string}	string	"metrics"
//	@Failure		401	{object}	errorEnvelope
//	@Router			/metrics [get]
func (s *Server) handleMetrics(c *gin.Context) {
	if s.metricsToken != "" {
		got := c.GetHeader("Authorization")
		if subtle.ConstantTimeCompare([]byte(got), []byte("Bearer "+s.metricsToken)) != 1 {
			c.Header("WWW-Authenticate", `Bearer realm="hoist-metrics"`)
			s.respondError(c, apperr.New(apperr.Unauthorized, "metrics need the bearer token of metrics.token"))
			return
		}
	}
	s.metrics.Handler().ServeHTTP(c.Writer, c.Request)
}
