package httpapi

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// maxHeaderBytes bounds the request line and headers a handler accepts
// (431 in the JSON envelope beyond). Headers past net/http's own limit
// (http.Server.MaxHeaderBytes, 1 MB by default) never reach a handler:
// net/http answers those with a plain-text 431 itself.
const maxHeaderBytes = 64 << 10

// Content security policies: the panel loads only its own scripts (its
// component library injects styles, and uploads may go straight to OSS);
// files under /files are never run as a page of this origin; the API
// answers JSON only. None may be framed.
const (
	cspPanel = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
		"img-src 'self' data: blob: https:; font-src 'self' data:; connect-src 'self' https: wss:; " +
		"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
	cspFiles = "default-src 'none'; sandbox; frame-ancestors 'none'"
	cspAPI   = "default-src 'none'; frame-ancestors 'none'"
	// The OpenAPI UI runs inline scripts: it only may not be framed.
	cspDocs = "frame-ancestors 'none'"
)

// securityHeaders forbids MIME sniffing and framing on every answer and
// sets the content security policy of what is served.
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	p := c.Request.URL.Path
	switch {
	case strings.HasPrefix(p, "/files/"):
		h.Set("Content-Security-Policy", cspFiles)
	case strings.HasPrefix(p, "/docs"):
		h.Set("Content-Security-Policy", cspDocs)
	case strings.HasPrefix(p, "/api/"), strings.HasPrefix(p, "/ota/"), p == "/metrics", p == "/healthz", p == "/readyz":
		h.Set("Content-Security-Policy", cspAPI)
	default:
		h.Set("Content-Security-Policy", cspPanel)
	}
	c.Next()
}

// limitHeaders answers 431 in the envelope when the request line and
// headers exceed maxHeaderBytes.
func (s *Server) limitHeaders(c *gin.Context) {
	r := c.Request
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	if n > maxHeaderBytes {
		const status = http.StatusRequestHeaderFieldsTooLarge
		c.AbortWithStatusJSON(status, errorEnvelope{StatusCode: status, Code: apperr.TooLarge,
			Message: "request headers are larger than 65536 bytes"})
		return
	}
	c.Next()
}

// bodyReadTimeout gives each read of the request body d to return, instead
// of bounding the whole request: an upload on a slow link lasts as long as
// bytes keep arriving, a client that stops sending is cut off (its read
// fails with os.ErrDeadlineExceeded). d <= 0 disables it.
func bodyReadTimeout(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		if d > 0 && c.Request.Body != nil && c.Request.Body != http.NoBody {
			c.Request.Body = &deadlineBody{ReadCloser: c.Request.Body, ctl: http.NewResponseController(c.Writer), d: d}
		}
		c.Next()
	}
}

// deadlineBody sets the connection's read deadline around each Read, and
// clears it after a successful one, so that a handler busy between reads (or net/http's
// background read after the body) is not cut off.
type deadlineBody struct {
	io.ReadCloser
	ctl         *http.ResponseController
	d           time.Duration
	unsupported bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	if b.unsupported {
		return b.ReadCloser.Read(p)
	}
	if err := b.ctl.SetReadDeadline(time.Now().Add(b.d)); errors.Is(err, http.ErrNotSupported) {
		b.unsupported = true // e.g. a test recorder: nothing to time out
		return b.ReadCloser.Read(p)
	}
	n, err := b.ReadCloser.Read(p)
	if err == nil || errors.Is(err, io.EOF) {
		_ = b.ctl.SetReadDeadline(time.Time{})
	}
	// After a failed read the deadline stays: net/http's attempt to drain
	// the rest of the body before answering must not wait forever.
	return n, err
}

// requireJSON refuses a request body declared as anything but JSON on a
// JSON endpoint (a body without a Content-Type is read as JSON), so that
// text/plain or form posts, which browsers send cross-origin without a
// preflight, are never parsed.
func (s *Server) requireJSON(c *gin.Context) {
	ct := c.GetHeader("Content-Type")
	if ct == "" || c.Request.ContentLength == 0 {
		c.Next()
		return
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		s.respondError(c, &apperr.Error{Code: apperr.Invalid,
			Message: "Content-Type must be application/json, not " + ct,
			Fields:  []apperr.FieldError{{Field: "Content-Type", Message: "must be application/json"}}})
		return
	}
	c.Next()
}
