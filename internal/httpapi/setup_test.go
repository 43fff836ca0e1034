package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/account"
)

// registerFrom posts a registration as a client at peer would.
func (ts *testServer) registerFrom(tb testing.TB, peer string, body map[string]any, headers ...string) (*httptest.ResponseRecorder, envelope) {
	tb.Helper()
	b, _ := json.Marshal(body)
	req := httptest.NewRequest("POST", "/api/v1/auth/register", bytes.NewReader(b))
	req.RemoteAddr = peer
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	ts.Handler().ServeHTTP(rec, req)
	var env envelope
	json.Unmarshal(rec.Body.Bytes(), &env)
	return rec, env
}

func setupConfig(tb testing.TB, ts *testServer, peer string) (setupRequired, codeRequired bool) {
	tb.Helper()
	req := httptest.NewRequest("GET", "/api/basic/config", nil)
	req.RemoteAddr = peer
	rec := httptest.NewRecorder()
	ts.Handler().ServeHTTP(rec, req)
	var env envelope
	json.Unmarshal(rec.Body.Bytes(), &env)
	var cfg struct{ SetupRequired, SetupCodeRequired bool }
	json.Unmarshal(env.Data, &cfg)
	return cfg.SetupRequired, cfg.SetupCodeRequired
}

func TestFirstAccountFromAfarNeedsTheSetupCode(t *testing.T) {
	code, gate := account.NewSetupCode()
	ts := mustServer(t, func(s *testSetup) { s.SetupCode = gate })
	const far = "203.0.113.9:40000"
	if req, codeReq := setupConfig(t, ts, far); !req || !codeReq {
		t.Fatalf("config from afar: setupRequired %v setupCodeRequired %v", req, codeReq)
	}
	if _, codeReq := setupConfig(t, ts, "127.0.0.1:5000"); codeReq {
		t.Fatal("config from loopback asks for the code")
	}
	body := map[string]any{"username": "mallory", "password": testPassword}
	rec, env := ts.registerFrom(t, far, body)
	mustErrorEnvelope(t, rec, env, 403, "forbidden")
	if fs := fieldsOf(env); len(fs) != 1 || fs[0] != "setupCode" {
		t.Fatalf("no code: %s", rec.Body)
	}
	body["setupCode"] = "WRONG-CODE-0000"
	rec, env = ts.registerFrom(t, far, body)
	mustErrorEnvelope(t, rec, env, 403, "forbidden")
	// A loopback peer behind an unconfigured proxy is not trusted.
	delete(body, "setupCode")
	rec, env = ts.registerFrom(t, "127.0.0.1:5000", body, "X-Forwarded-For", "203.0.113.9")
	mustErrorEnvelope(t, rec, env, 403, "forbidden")

	body["username"], body["setupCode"] = "admin", code
	if rec, _ := ts.registerFrom(t, far, body); rec.Code != 201 {
		t.Fatalf("with the code: %d %s", rec.Code, rec.Body)
	}
	// Then registration follows its usual rules; the code is spent.
	if req, codeReq := setupConfig(t, ts, far); req || codeReq {
		t.Fatal("setup still required after the first account")
	}
	if rec, _ := ts.registerFrom(t, far, map[string]any{"username": "bob", "password": testPassword}); rec.Code != 201 {
		t.Fatalf("second account: %d %s", rec.Code, rec.Body)
	}
	if gate.Check(code) {
		t.Fatal("the setup code still works after the first account")
	}
}

func TestFirstAccountFromLoopbackNeedsNoCode(t *testing.T) {
	_, gate := account.NewSetupCode()
	ts := mustServer(t, func(s *testSetup) { s.SetupCode = gate })
	rec, env := ts.registerFrom(t, "[::1]:5000", map[string]any{"username": "admin", "password": testPassword})
	if rec.Code != 201 {
		t.Fatalf("loopback: %d %s", rec.Code, rec.Body)
	}
	var s session
	json.Unmarshal(env.Data, &s)
	if s.User.Role != "admin" {
		t.Fatalf("role %q", s.User.Role)
	}
}

func TestCaptchaErrorsSayWhereToGetOne(t *testing.T) {
	ts := mustServer(t, func(s *testSetup) { s.withCaptcha = true })
	for _, body := range []map[string]any{
		{"username": "alice", "password": testPassword},
		{"username": "alice", "password": testPassword, "captchaId": "nope", "captcha": "12345"},
	} {
		rec, env := ts.call(t, "POST", "/api/v1/auth/register", "", body)
		mustErrorEnvelope(t, rec, env, 400, "invalid")
		if len(env.Errors) != 1 || env.Errors[0].Field != "captcha" || !strings.Contains(env.Errors[0].Message, "GET /api/v1/auth/captcha") {
			t.Fatalf("%s", rec.Body)
		}
	}
}
