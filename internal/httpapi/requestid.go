package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"sync/atomic"

	"github.com/gin-gonic/gin"
)

// HeaderRequestID carries the request id in both directions (in canonical
// form, so header lookups need no conversion).
const HeaderRequestID = "X-Request-Id"

type requestIDKey struct{}

// validRequestID limits ids taken from clients to what is safe to log.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestIDs makes request ids: a random prefix per process and a
// counter, unique across nodes in practice and free of a system call per
// request (every app launch gets one).
type requestIDs struct {
	prefix [8]byte // hex of 4 random bytes
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	var r [4]byte
	rand.Read(r[:])
	g := &requestIDs{}
	hex.Encode(g.prefix[:], r[:])
	return g
}

// next returns a 24-character id: the prefix and 16 hex digits of the
// counter.
func (g *requestIDs) next() string {
	var b [24]byte
	copy(b[:8], g.prefix[:])
	n := g.n.Add(1)
	const digits = "0123456789abcdef"
	for i := 23; i >= 8; i-- {
		b[i] = digits[n&0xf]
		n >>= 4
	}
	return string(b[:])
}

// requestID takes a sane X-Request-ID from the client or makes one, puts it
// into the request context and echoes it in the response.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader(HeaderRequestID)
	if !validRequestID.MatchString(id) {
		id = s.ids.next()
	}
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), requestIDKey{}, id))
	c.Writer.Header()[HeaderRequestID] = []string{id}
	c.Next()
}

// requestIDFrom returns the request id in ctx, or "".
func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
