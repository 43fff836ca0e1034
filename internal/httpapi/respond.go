package httpapi

import (
	"errors"
	"net/http"
	"os"
	"syscall"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// okEnvelope is the success body of PROTOCOLS §1.
type okEnvelope struct {
	Success    bool   `json:"success" example:"true"`
	StatusCode int    `json:"statusCode" example:"200"`
	Message    string `json:"message" example:"ok"`
	Data       any    `json:"data"`
}

// errorEnvelope is the error body of PROTOCOLS §1.
type errorEnvelope struct {
	Success    bool                `json:"success" example:"false"`
	StatusCode int                 `json:"statusCode" example:"400"`
	Message    string              `json:"message" example:"versionCode must be greater than 12"`
	Code       apperr.Code         `json:"code" example:"invalid"`
	Errors     []apperr.FieldError `json:"errors,omitempty"`
}

// statusOf is the one mapping from error codes to HTTP statuses.
var statusOf = map[apperr.Code]int{
	apperr.Invalid:      http.StatusBadRequest,
	apperr.Unauthorized: http.StatusUnauthorized,
	apperr.Forbidden:    http.StatusForbidden,
	apperr.NotFound:     http.StatusNotFound,
	apperr.Conflict:     http.StatusConflict,
	apperr.TooLarge:     http.StatusRequestEntityTooLarge,
	apperr.RateLimited:  http.StatusTooManyRequests,
	apperr.Unavailable:  http.StatusServiceUnavailable,
	apperr.Internal:     http.StatusInternalServerError,
}

// respondOK writes data in the success envelope with the given 2xx status.
func respondOK(c *gin.Context, status int, data any) {
	c.JSON(status, okEnvelope{Success: true, StatusCode: status, Message: "ok", Data: data})
}

// respondError writes err in the error envelope. Errors without an apperr
// code are internal: their detail is logged, never sent.
func (s *Server) respondError(c *gin.Context, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		err = apperr.Wrap(err, apperr.TooLarge, "request body is larger than %d bytes", tooBig.Limit)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		err = apperr.Wrap(err, apperr.Invalid, "the client stopped sending the request body")
	}
	if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
		// Out of descriptors (thousands of devices at once): an overload,
		// which the client retries, not a bug.
		err = apperr.Wrap(err, apperr.Unavailable, "the server is busy; try again shortly")
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		ae = apperr.Wrap(err, apperr.Internal, "internal server error")
	}
	status, ok := statusOf[ae.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	msg := ae.Message
	if status == http.StatusServiceUnavailable {
		c.Header("Retry-After", "5")
	}
	if status >= 500 {
		s.log.ErrorContext(c.Request.Context(), "request failed", "requestId", requestIDFrom(c.Request.Context()),
			"method", c.Request.Method, "path", c.Request.URL.Path, "status", status, "error", err)
		if ae.Code == apperr.Internal {
			msg = "internal server error"
		}
	}
	msg, fields := localize(c.GetHeader("Accept-Language"), msg, ae.Fields)
	c.AbortWithStatusJSON(status, errorEnvelope{
		Success: false, StatusCode: status, Message: msg, Code: ae.Code, Errors: fields,
	})
}
