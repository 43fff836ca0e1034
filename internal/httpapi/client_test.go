package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http/httptest"
	"testing"
)

// call sends a JSON request as a client would: body marshalled, bearer
// token when given, extra headers as name/value pairs.
func (ts *testServer) call(tb testing.TB, method, target, token string, body any, headers ...string) (*httptest.ResponseRecorder, envelope) {
	tb.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		r = bytes.NewReader(b)
		headers = append(headers, "Content-Type", "application/json")
	}
	if token != "" {
		headers = append(headers, "Authorization", "Bearer "+token)
	}
	return ts.do(tb, method, target, r, headers...)
}

// mustOK calls and requires the given 2xx status, decoding data into out.
func (ts *testServer) mustOK(tb testing.TB, status int, method, target, token string, body, out any) {
	tb.Helper()
	rec, env := ts.call(tb, method, target, token, body)
	if rec.Code != status || !env.Success {
		tb.Fatalf("%s %s: want %d, got %d %s", method, target, status, rec.Code, rec.Body)
	}
	if out != nil {
		if err := json.Unmarshal(env.Data, out); err != nil {
			tb.Fatalf("%s %s: data: %v", method, target, err)
		}
	}
}

type session struct {
	AccessToken  string   `json:"accessToken"`
	RefreshToken string   `json:"refreshToken"`
	ExpiresIn    int64    `json:"expiresIn"`
	User         userView `json:"user"`
}

const testPassword = "correct horse battery"

func (ts *testServer) mustRegister(tb testing.TB, username string) session {
	tb.Helper()
	var s session
	ts.mustOK(tb, 201, "POST", "/api/v1/auth/register", "", map[string]string{"username": username, "password": testPassword}, &s)
	return s
}

func (ts *testServer) mustLogin(tb testing.TB, username, password string) session {
	tb.Helper()
	var s session
	ts.mustOK(tb, 200, "POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": password}, &s)
	return s
}

func (ts *testServer) mustProject(tb testing.TB, token, name string) projectView {
	tb.Helper()
	var p projectView
	ts.mustOK(tb, 201, "POST", "/api/v1/projects", token, map[string]string{"name": name}, &p)
	return p
}
