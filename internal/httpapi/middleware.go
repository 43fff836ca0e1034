package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// accessLog writes one line per request after it is served. The query string
// is logged with secret-looking values masked.
func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	status := c.Writer.Status()
	if status < 400 && hotPaths[c.FullPath()] {
		if n := int64(s.cfg.PublicLogSample); n <= 0 || s.hotSeen.Add(1)%n != 0 {
			return // sampled out (see config http.publicLogSample)
		}
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(c.Request.Context(), level, "http",
		slog.String("requestId", requestIDFrom(c.Request.Context())),
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.String("query", maskQuery(c.Request.URL.RawQuery)),
		slog.Int("status", status),
		slog.Int("bytes", c.Writer.Size()),
		slog.Duration("duration", time.Since(start)),
		slog.String("ip", c.ClientIP()),
	)
}

// hotPaths are the public routes every app launch calls: their access log
// is sampled.
var hotPaths = map[string]bool{
	"/api/basic/update": true, "/api/update": true, "/d/:id/:name": true, "/d/:id/:name/:file": true,
	"/v0.1/public/codepush/update_check": true, "/updateCheck": true,
	"/v0.1/public/codepush/report_status/deploy": true, "/v0.1/public/codepush/report_status/download": true,
	"/reportStatus/deploy": true, "/reportStatus/download": true,
}

// sensitiveParam reports whether a query parameter may carry a secret.
func sensitiveParam(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"token", "secret", "password", "sig", "key", "auth", "code"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// maskQuery replaces the values of sensitive parameters with "***".
func maskQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "(unparsable)"
	}
	for k, vs := range q {
		if sensitiveParam(k) {
			for i := range vs {
				vs[i] = "***"
			}
		}
	}
	return q.Encode()
}

// recovery turns a panic into a 500 envelope and logs it with its stack.
func (s *Server) recovery(c *gin.Context) {
	defer func() {
		if rec := recover(); rec != nil {
			if rec == http.ErrAbortHandler { //nolint:errorlint // sentinel compared by identity, as net/http does
				panic(rec)
			}
			s.log.ErrorContext(c.Request.Context(), "panic", "requestId", requestIDFrom(c.Request.Context()),
				"path", c.Request.URL.Path, "panic", fmt.Sprint(rec), "stack", string(debug.Stack()))
			if c.Writer.Written() {
				c.Abort()
				return
			}
			s.respondError(c, apperr.New(apperr.Internal, "internal server error"))
		}
	}()
	c.Next()
}

// cors answers cross-origin requests from the configured origins. Hoist
// authenticates with bearer tokens, never cookies, so credentials are not
// allowed.
func (s *Server) cors(c *gin.Context) {
	origin := c.GetHeader("Origin")
	if origin == "" {
		c.Next()
		return
	}
	allowed := slices.Contains(s.cfg.CORSOrigins, "*") || slices.Contains(s.cfg.CORSOrigins, origin)
	preflight := c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != ""
	if allowed {
		h := c.Writer.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
		h.Set("Access-Control-Expose-Headers", "X-Request-ID, Retry-After, Content-Range, ETag")
		if preflight {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-ID, Range")
			h.Set("Access-Control-Max-Age", "600")
			c.AbortWithStatus(http.StatusNoContent)
			return
		}
	} else if preflight {
		s.respondError(c, apperr.New(apperr.Forbidden, "origin %s is not allowed", origin))
		return
	}
	c.Next()
}

// limitBody caps the request body at n bytes: a declared larger body is
// refused at once with 413, and reading past n fails with
// *http.MaxBytesError, which respondError maps to 413.
func (s *Server) limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > n {
			s.respondError(c, apperr.New(apperr.TooLarge, "request body is larger than %d bytes", n))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}
