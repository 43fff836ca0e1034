package httpapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"syscall"
	"testing"

	"github.com/gin-gonic/gin"
)

// Running out of descriptors is an overload: 503 with Retry-After, never a
// 500; every 503 says when to come back.
func TestOutOfDescriptorsIs503(t *testing.T) {
	ts := mustServer(t, nil)
	for _, err := range []error{
		fmt.Errorf("open file: %w", &os.PathError{Op: "open", Path: "/x", Err: syscall.EMFILE}),
		fmt.Errorf("dial: %w", os.NewSyscallError("socket", syscall.ENFILE)),
	} {
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		c.Request = httptest.NewRequest("GET", "/d/x/y.wgt", nil)
		ts.respondError(c, err)
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("%v: %d, Retry-After %q", err, rec.Code, rec.Header().Get("Retry-After"))
		}
	}
}
