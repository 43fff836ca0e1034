package httpapi

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// mustHTTPServer serves ts on a real loopback listener, so that connection
// deadlines apply.
func mustHTTPServer(tb testing.TB, ts *testServer) *httptest.Server {
	tb.Helper()
	srv := httptest.NewUnstartedServer(ts.Handler())
	srv.Config.ReadHeaderTimeout = ts.cfg.ReadHeaderTimeout
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv
}

// A client that promises a body and stops sending is cut off after
// http.readTimeout; one that keeps sending slowly is served, however long
// the whole body takes.
func TestBodyReadTimeoutIsPerRead(t *testing.T) {
	ts := mustServer(t, func(s *testSetup) { s.Config.ReadTimeout = 300 * time.Millisecond })
	srv := mustHTTPServer(t, ts)
	addr := strings.TrimPrefix(srv.URL, "http://")

	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer within 5s: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || time.Since(start) > 3*time.Second {
		t.Fatalf("stalled body: %d after %v", resp.StatusCode, time.Since(start))
	}

	// 12 chunks, 100 ms apart: 1.2 s in all, four times the read timeout.
	pr, pw := io.Pipe()
	go func() {
		body := `{"username":"nobody","password":"not-the-password"}`
		step := (len(body) + 11) / 12
		for i := 0; i < len(body); i += step {
			time.Sleep(100 * time.Millisecond) // deliberate pacing: a slow client, not a wait for a result
			pw.Write([]byte(body[i:min(i+step, len(body))]))
		}
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/auth/login", pr)
	req.Header.Set("Content-Type", "application/json")
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r2.Body)
	r2.Body.Close()
	if r2.StatusCode != 401 {
		t.Fatalf("slow but steady body: %d %s", r2.StatusCode, b)
	}
}

// Headers over maxHeaderBytes get 431 in the JSON envelope.
func TestLargeHeadersAnswerAnEnvelope(t *testing.T) {
	ts := mustServer(t, nil)
	rec, env := ts.do(t, "GET", "/api/", nil, "X-Junk", strings.Repeat("a", maxHeaderBytes+1))
	if rec.Code != 431 || env.StatusCode != 431 || env.Success || env.Code != string(apperr.TooLarge) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if rec, _ := ts.do(t, "GET", "/api/", nil, "X-Fine", strings.Repeat("a", 4000)); rec.Code != 200 {
		t.Fatalf("ordinary headers: %d", rec.Code)
	}
}

// JSON endpoints refuse bodies declared as something else (a browser form
// or text/plain cannot reach them without a CORS preflight).
func TestJSONEndpointsRefuseOtherContentTypes(t *testing.T) {
	ts := mustServer(t, nil)
	body := `{"username":"nobody","password":"not-the-password"}`
	for _, ct := range []string{"text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"} {
		rec, env := ts.do(t, "POST", "/api/v1/auth/login", strings.NewReader(body), "Content-Type", ct)
		mustErrorEnvelope(t, rec, env, 400, apperr.Invalid)
		if !strings.Contains(env.Message, "application/json") {
			t.Errorf("%s: message %q does not say what is expected", ct, env.Message)
		}
	}
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "application/merge-patch+json", ""} {
		if rec, _ := ts.do(t, "POST", "/api/v1/auth/login", strings.NewReader(body), "Content-Type", ct); rec.Code != 401 {
			t.Errorf("%q: %d %s", ct, rec.Code, rec.Body)
		}
	}
}

// Every answer forbids sniffing and framing; the panel and /files have a
// content security policy.
func TestSecurityHeaders(t *testing.T) {
	ts := mustServer(t, nil)
	for _, target := range []string{"/api/", "/", "/files/nope", "/healthz", "/nope"} {
		rec, _ := ts.do(t, "GET", target, nil)
		h := rec.Header()
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s: %v", target, h)
		}
	}
	rec, _ := ts.do(t, "GET", "/", nil)
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("panel CSP: %q", csp)
	}
	rec, _ = ts.do(t, "GET", "/files/x.html", nil)
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("files CSP: %q", csp)
	}
}
