package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"regexp"

	"github.com/gin-gonic/gin"
)

// HeaderRequestID carries the request id in both directions.
const HeaderRequestID = "X-Request-ID"

type requestIDKey struct{}

// validRequestID limits ids taken from clients to what is safe to log.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestID takes a sane X-Request-ID from the client or makes one, puts it
// into the request context and echoes it in the response.
func requestID(c *gin.Context) {
	id := c.GetHeader(HeaderRequestID)
	if !validRequestID.MatchString(id) {
		var b [12]byte
		rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), requestIDKey{}, id))
	c.Header(HeaderRequestID, id)
	c.Next()
}

// requestIDFrom returns the request id in ctx, or "".
func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
