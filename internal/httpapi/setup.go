package httpapi

import (
	"net"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// fromLoopback reports whether the request comes from this machine: its
// client IP (the TCP peer, or X-Forwarded-For only from http.trustedProxies)
// is a loopback address, and it was not relayed by a proxy Hoist was not
// told to trust (a local reverse proxy in front of Hoist would otherwise
// make every visitor look local).
func fromLoopback(c *gin.Context) bool {
	ip := net.ParseIP(c.ClientIP())
	if ip == nil || !ip.IsLoopback() {
		return false
	}
	host, _, err := net.SplitHostPort(c.Request.RemoteAddr)
	if err != nil {
		host = c.Request.RemoteAddr
	}
	if c.ClientIP() == host { // not resolved through a trusted proxy
		h := c.Request.Header
		if h.Get("X-Forwarded-For") != "" || h.Get("X-Real-Ip") != "" || h.Get("Forwarded") != "" {
			return false
		}
	}
	return true
}

// setupCodeRequired reports whether registering now needs the setup code:
// a gate is configured, no account exists yet, and the client is not on
// this machine.
func (s *Server) setupCodeRequired(c *gin.Context, setupRequired bool) bool {
	return s.setupCode != nil && setupRequired && !fromLoopback(c)
}

// checkSetupCode refuses a first registration from afar without the setup
// code printed in the log at start.
func (s *Server) checkSetupCode(c *gin.Context, code string) error {
	if s.setupCode == nil {
		return nil
	}
	setup, err := s.accounts.SetupRequired(c.Request.Context())
	if err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "database unavailable")
	}
	if !s.setupCodeRequired(c, setup) || (code != "" && s.setupCode.Check(code)) {
		return nil
	}
	msg := "is required for the first account: it is printed in Hoist's log at start (or register from the server itself, or run hoist user create -admin)"
	if code != "" {
		msg = "is not the setup code printed in Hoist's log at start"
	}
	return &apperr.Error{Code: apperr.Forbidden, Message: "the first account needs the setup code from Hoist's log",
		Fields: []apperr.FieldError{{Field: "setupCode", Message: msg}}}
}

// listenersView is nil when serve did not say (tests), so the field is
// left out rather than shown empty.
func (s *Server) listenersView() *Listeners {
	if s.listeners == (Listeners{}) {
		return nil
	}
	l := s.listeners
	return &l
}
