package httpapi

import (
	"context"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
)

type principalKey struct{}

// authenticate requires "Authorization: Bearer <access token | hst_ token>"
// and puts the principal into the request context. Credentials are never
// taken from the query string (they would end up in logs and histories).
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		c.Header("WWW-Authenticate", `Bearer realm="hoist"`)
		s.respondError(c, apperr.New(apperr.Unauthorized, "sign in first: send Authorization: Bearer <token>"))
		return
	}
	p, err := s.accounts.Authenticate(c.Request.Context(), strings.TrimSpace(token))
	if err != nil {
		if apperr.Is(err, apperr.Unauthorized) {
			c.Header("WWW-Authenticate", `Bearer realm="hoist", error="invalid_token"`)
		}
		s.respondError(c, err)
		return
	}
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), principalKey{}, p))
	c.Next()
}

// principal returns the authenticated principal of the request. Only
// handlers behind authenticate call it.
func principal(c *gin.Context) account.Principal {
	p, _ := c.Request.Context().Value(principalKey{}).(account.Principal)
	return p
}

// client describes the caller for the login log and refresh tokens.
func client(c *gin.Context) account.Client {
	return account.Client{IP: c.ClientIP(), UserAgent: c.Request.UserAgent()}
}
