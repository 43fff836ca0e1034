package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/captcha"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

// eachDB runs fn against a server on every available database.
func eachDB(t *testing.T, mutate func(*testSetup), fn func(t *testing.T, ts *testServer)) {
	for _, d := range storetest.Drivers() {
		t.Run(d, func(t *testing.T) { fn(t, mustServerOn(t, d, mutate)) })
	}
}

func fieldsOf(env envelope) []string {
	var out []string
	for _, f := range env.Errors {
		out = append(out, f.Field)
	}
	return out
}

func TestRegistration(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		alice := ts.mustRegister(t, "alice")
		if alice.User.Role != "admin" || alice.AccessToken == "" || !strings.HasPrefix(alice.RefreshToken, "hsr_") || alice.ExpiresIn != 900 {
			t.Fatalf("first user: %+v", alice)
		}
		bob := ts.mustRegister(t, "bob")
		if bob.User.Role != "user" {
			t.Fatalf("second user is %s", bob.User.Role)
		}

		rec, env := ts.call(t, "POST", "/api/v1/auth/register", "", map[string]string{"username": "ALICE", "password": testPassword})
		mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict)
		if f := fieldsOf(env); len(f) != 1 || f[0] != "username" {
			t.Fatalf("duplicate fields %v", f)
		}

		rec, env = ts.call(t, "POST", "/api/v1/auth/register", "", map[string]string{"username": "a b", "password": "short", "email": "nope"})
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		if f := strings.Join(fieldsOf(env), ","); f != "username,password,email" {
			t.Fatalf("field errors %q: %s", f, rec.Body)
		}

		for _, body := range []string{"", "{", `{"username": 5}`, `[1]`, `{"username":"x"} {}`} {
			rec, env = ts.do(t, "POST", "/api/v1/auth/register", strings.NewReader(body), "Content-Type", "application/json")
			mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		}
		rec, env = ts.do(t, "POST", "/api/v1/auth/register", strings.NewReader(`{"username": 5}`))
		if f := fieldsOf(env); len(f) != 1 || f[0] != "username" {
			t.Fatalf("type error not tied to its field: %s", rec.Body)
		}
	})
}

func TestClosedRegistrationLetsOnlyTheFirstUserAndAdmins(t *testing.T) {
	ts := mustServer(t, func(s *testSetup) { s.Account.RegistrationOpen = false })
	rec, env := ts.call(t, "GET", "/api/basic/config", "", nil)
	if !strings.Contains(string(env.Data), `"registrationOpen":false`) {
		t.Fatalf("config: %s", rec.Body)
	}
	admin := ts.mustRegister(t, "root")
	rec, env = ts.call(t, "POST", "/api/v1/auth/register", "", map[string]string{"username": "mallory", "password": testPassword})
	mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)

	var u userView
	ts.mustOK(t, 201, "POST", "/api/v1/users", admin.AccessToken, map[string]string{"username": "carol", "password": testPassword}, &u)
	if u.Role != "user" {
		t.Fatalf("created %+v", u)
	}
	carol := ts.mustLogin(t, "carol", testPassword)
	rec, env = ts.call(t, "POST", "/api/v1/users", carol.AccessToken, map[string]string{"username": "dave", "password": testPassword})
	mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
}

// Only one of many simultaneous first registrations becomes admin.
func TestConcurrentFirstRegistrationMakesOneAdmin(t *testing.T) {
	eachDB(t, func(s *testSetup) { s.Limits = Limits{} }, func(t *testing.T, ts *testServer) {
		var wg sync.WaitGroup
		roles := make(chan string, 8)
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rec, env := ts.call(t, "POST", "/api/v1/auth/register", "", map[string]string{"username": fmt.Sprintf("user%d", i), "password": testPassword})
				var s session
				if rec.Code != 201 || json.Unmarshal(env.Data, &s) != nil {
					t.Errorf("register %d: %d %s", i, rec.Code, rec.Body)
					return
				}
				roles <- s.User.Role
			}()
		}
		wg.Wait()
		close(roles)
		admins := 0
		for r := range roles {
			if r == "admin" {
				admins++
			}
		}
		if admins != 1 {
			t.Fatalf("%d admins", admins)
		}
	})
}

func TestCaptcha(t *testing.T) {
	ts := mustServer(t, func(s *testSetup) { s.withCaptcha = true })
	rec, env := ts.call(t, "GET", "/api/basic/config", "", nil)
	if !strings.Contains(string(env.Data), `"captchaEnabled":true`) {
		t.Fatalf("config: %s", rec.Body)
	}
	// answer reads what the captcha image shows (tests cannot do OCR).
	answer := func(id string) string {
		a, ok, _ := ts.kv.GetDel(context.Background(), captcha.KeyPrefix+id)
		if !ok {
			t.Fatal("captcha not stored")
		}
		ts.kv.SetEx(context.Background(), captcha.KeyPrefix+id, a, captcha.TTL)
		return a
	}
	newCaptcha := func() (string, string) {
		var cv captchaView
		ts.mustOK(t, 200, "GET", "/api/v1/auth/captcha", "", nil, &cv)
		if !strings.HasPrefix(cv.Image, "data:image/png;base64,") {
			t.Fatalf("image %.30s", cv.Image)
		}
		return cv.CaptchaID, answer(cv.CaptchaID)
	}
	reg := func(id, ans string) (int, envelope) {
		rec, env := ts.call(t, "POST", "/api/v1/auth/register", "", map[string]string{"username": "alice", "password": testPassword, "captchaId": id, "captcha": ans})
		return rec.Code, env
	}
	if code, env := reg("", ""); code != 400 || fieldsOf(env)[0] != "captcha" {
		t.Fatalf("missing captcha: %d %+v", code, env)
	}
	id, ans := newCaptcha()
	if code, env := reg(id, "00000x"); code != 400 || fieldsOf(env)[0] != "captcha" {
		t.Fatalf("wrong captcha: %d %+v", code, env)
	}
	if code, _ := reg(id, ans); code != 400 {
		t.Fatalf("a captcha must not survive a wrong guess: %d", code)
	}
	id, ans = newCaptcha()
	if code, env := reg(id, ans); code != 201 {
		t.Fatalf("right captcha: %d %+v", code, env)
	}
	if code, _ := reg(id, ans); code != 400 {
		t.Fatal("captcha reused")
	}
	// Login needs one too.
	id, ans = newCaptcha()
	rec, _ = ts.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "alice", "password": testPassword, "captchaId": id, "captcha": ans})
	if rec.Code != 200 {
		t.Fatalf("login with captcha: %d %s", rec.Code, rec.Body)
	}
	rec, _ = ts.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "alice", "password": testPassword})
	if rec.Code != 400 {
		t.Fatalf("login without captcha: %d", rec.Code)
	}
}

func TestLoginFailuresRevealNothing(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		ts.mustRegister(t, "alice")
		r1, _ := ts.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "alice", "password": "wrong password"})
		r2, _ := ts.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "nobody", "password": "wrong password"})
		if r1.Code != 401 || r1.Body.String() != r2.Body.String() || r2.Code != 401 {
			t.Fatalf("wrong password: %d %s\nunknown user: %d %s", r1.Code, r1.Body, r2.Code, r2.Body)
		}
		if !strings.Contains(r1.Body.String(), "invalid username or password") {
			t.Fatal(r1.Body.String())
		}
		ts.mustLogin(t, "ALICE", testPassword) // usernames are case-insensitive
	})
}

func TestLoginRateLimits(t *testing.T) {
	ts := mustServer(t, func(s *testSetup) { s.Config.TrustedProxies = []string{"192.0.2.1"} })
	ts.mustRegister(t, "alice")
	attempt := func(user, ip string) *httptest.ResponseRecorder {
		rec, _ := ts.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": user, "password": "wrong password"}, "X-Forwarded-For", ip)
		return rec
	}
	// Per username, whatever the IP.
	for i := 1; i <= 10; i++ {
		if rec := attempt("alice", fmt.Sprintf("198.51.100.%d", i)); rec.Code != 401 {
			t.Fatalf("attempt %d: %d", i, rec.Code)
		}
	}
	rec := attempt("alice", "198.51.100.99")
	if rec.Code != 429 || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), `"code":"rate_limited"`) {
		t.Fatalf("11th attempt: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	// Per IP, whatever the username.
	for i := 1; i <= 10; i++ {
		attempt(fmt.Sprintf("user%d", i), "203.0.113.7")
	}
	if rec := attempt("someone", "203.0.113.7"); rec.Code != 429 {
		t.Fatalf("per-IP limit: %d", rec.Code)
	}
	// The real password does not get through a limit either.
	rec, _ = ts.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "alice", "password": testPassword}, "X-Forwarded-For", "198.51.100.200")
	if rec.Code != 429 {
		t.Fatalf("limited user logged in: %d", rec.Code)
	}
}

// X-Forwarded-For from an untrusted peer is ignored: the limit follows the
// real peer address.
func TestForwardedForIsIgnoredFromUntrustedPeers(t *testing.T) {
	ts := mustServer(t, nil)
	for i := 1; i <= 10; i++ {
		ts.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": fmt.Sprintf("u%d", i), "password": "wrong password"}, "X-Forwarded-For", fmt.Sprintf("10.0.0.%d", i))
	}
	rec, _ := ts.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "fresh", "password": "wrong password"}, "X-Forwarded-For", "10.9.9.9")
	if rec.Code != 429 {
		t.Fatalf("spoofed X-Forwarded-For escaped the limit: %d", rec.Code)
	}
}

func TestRefreshRotationAndReuseDetection(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		s1 := ts.mustRegister(t, "alice")
		var s2 session
		ts.mustOK(t, 200, "POST", "/api/v1/auth/refresh", "", map[string]string{"refreshToken": s1.RefreshToken}, &s2)
		if s2.RefreshToken == s1.RefreshToken || s2.AccessToken == "" {
			t.Fatal("refresh did not rotate")
		}
		ts.mustOK(t, 200, "GET", "/api/v1/me", s2.AccessToken, nil, nil)

		// The rotated token is replayed: refused, and the family is ended.
		rec, env := ts.call(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refreshToken": s1.RefreshToken})
		mustErrorEnvelope(t, rec, env, http.StatusUnauthorized, apperr.Unauthorized)
		rec, _ = ts.call(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refreshToken": s2.RefreshToken})
		if rec.Code != 401 {
			t.Fatalf("family survived reuse: %d", rec.Code)
		}
		// Another login is a separate family and still works.
		s3 := ts.mustLogin(t, "alice", testPassword)
		ts.mustOK(t, 200, "POST", "/api/v1/auth/refresh", "", map[string]string{"refreshToken": s3.RefreshToken}, nil)

		for _, bad := range []string{"", "garbage", "hsr_" + strings.Repeat("A", 43)} {
			rec, env = ts.call(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refreshToken": bad})
			mustErrorEnvelope(t, rec, env, http.StatusUnauthorized, apperr.Unauthorized)
		}
	})
}

func TestLogout(t *testing.T) {
	ts := mustServer(t, nil)
	s := ts.mustRegister(t, "alice")
	ts.mustOK(t, 200, "POST", "/api/v1/auth/logout", "", map[string]string{"refreshToken": s.RefreshToken}, nil)
	rec, _ := ts.call(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refreshToken": s.RefreshToken})
	if rec.Code != 401 {
		t.Fatalf("refresh after logout: %d", rec.Code)
	}
	ts.mustOK(t, 200, "POST", "/api/v1/auth/logout", "", map[string]string{"refreshToken": s.RefreshToken}, nil)
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		s1 := ts.mustRegister(t, "alice")
		other := ts.mustLogin(t, "alice", testPassword)
		var script createdAPITokenView
		ts.mustOK(t, 201, "POST", "/api/v1/me/tokens", s1.AccessToken, map[string]any{"name": "script"}, &script)

		rec, env := ts.call(t, "PUT", "/api/v1/me/password", s1.AccessToken, map[string]string{"currentPassword": "not it at all", "newPassword": "a new passphrase"})
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		if fieldsOf(env)[0] != "currentPassword" {
			t.Fatalf("fields %v", fieldsOf(env))
		}
		rec, env = ts.call(t, "PUT", "/api/v1/me/password", s1.AccessToken, map[string]string{"currentPassword": testPassword, "newPassword": "short"})
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)

		var fresh session
		ts.mustOK(t, 200, "PUT", "/api/v1/me/password", s1.AccessToken, map[string]string{"currentPassword": testPassword, "newPassword": "a new passphrase"}, &fresh)
		for name, tok := range map[string]string{"own old": s1.AccessToken, "other session": other.AccessToken, "API token": script.Token} {
			rec, env := ts.call(t, "GET", "/api/v1/me", tok, nil)
			mustErrorEnvelope(t, rec, env, http.StatusUnauthorized, apperr.Unauthorized)
			_ = name
		}
		rec, _ = ts.call(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refreshToken": other.RefreshToken})
		if rec.Code != 401 {
			t.Fatalf("old refresh token survived: %d", rec.Code)
		}
		ts.mustOK(t, 200, "GET", "/api/v1/me", fresh.AccessToken, nil, nil)
		ts.mustLogin(t, "alice", "a new passphrase")
		rec, _ = ts.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "alice", "password": testPassword})
		if rec.Code != 401 {
			t.Fatalf("old password still works: %d", rec.Code)
		}
	})
}

func TestDisabledUserIsLockedOut(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		admin := ts.mustRegister(t, "alice")
		bob := ts.mustRegister(t, "bob")
		var tok createdAPITokenView
		ts.mustOK(t, 201, "POST", "/api/v1/me/tokens", bob.AccessToken, map[string]string{"name": "ci"}, &tok)

		ts.mustOK(t, 200, "PATCH", "/api/v1/users/"+bob.User.ID, admin.AccessToken, map[string]any{"disabled": true}, nil)
		for _, cred := range []string{bob.AccessToken, tok.Token} {
			rec, env := ts.call(t, "GET", "/api/v1/me", cred, nil)
			mustErrorEnvelope(t, rec, env, http.StatusUnauthorized, apperr.Unauthorized)
		}
		rec, env := ts.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "bob", "password": testPassword})
		mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
		rec, _ = ts.call(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refreshToken": bob.RefreshToken})
		if rec.Code != 401 {
			t.Fatalf("disabled user refreshed: %d", rec.Code)
		}

		// Re-enabled, bob logs in again; his old tokens stay dead.
		ts.mustOK(t, 200, "PATCH", "/api/v1/users/"+bob.User.ID, admin.AccessToken, map[string]any{"disabled": false}, nil)
		ts.mustLogin(t, "bob", testPassword)
		if rec, _ := ts.call(t, "GET", "/api/v1/me", bob.AccessToken, nil); rec.Code != 401 {
			t.Fatalf("old access token revived: %d", rec.Code)
		}
	})
}

func TestAdminUserManagement(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		admin := ts.mustRegister(t, "alice")
		bob := ts.mustRegister(t, "bob")
		ts.mustRegister(t, "carol")

		var page struct {
			Total   int64      `json:"total"`
			Records []userView `json:"records"`
			Num     int        `json:"pageNum"`
			Size    int        `json:"pageSize"`
		}
		ts.mustOK(t, 200, "GET", "/api/v1/users?pageSize=2&sortKey=username&order=ASC", admin.AccessToken, nil, &page)
		if page.Total != 3 || len(page.Records) != 2 || page.Records[0].Username != "alice" || page.Size != 2 || page.Num != 1 {
			t.Fatalf("page: %+v", page)
		}
		ts.mustOK(t, 200, "GET", "/api/v1/users?search=CAR", admin.AccessToken, nil, &page)
		if page.Total != 1 || page.Records[0].Username != "carol" {
			t.Fatalf("search: %+v", page)
		}
		rec, env := ts.call(t, "GET", "/api/v1/users?sortKey=password_hash", admin.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		rec, env = ts.call(t, "GET", "/api/v1/users", bob.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
		if strings.Contains(fmt.Sprint(page), "argon2") {
			t.Fatal("password hash exposed")
		}

		// The last admin cannot step down; with a second admin they can.
		rec, env = ts.call(t, "PATCH", "/api/v1/users/"+admin.User.ID, admin.AccessToken, map[string]any{"role": "user"})
		mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict)
		rec, env = ts.call(t, "PATCH", "/api/v1/users/"+admin.User.ID, admin.AccessToken, map[string]any{"disabled": true})
		mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict)
		rec, env = ts.call(t, "PATCH", "/api/v1/users/"+bob.User.ID, admin.AccessToken, map[string]any{"role": "root"})
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		rec, env = ts.call(t, "PATCH", "/api/v1/users/"+strings.Repeat("0", 32), admin.AccessToken, map[string]any{"role": "user"})
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		ts.mustOK(t, 200, "PATCH", "/api/v1/users/"+bob.User.ID, admin.AccessToken, map[string]any{"role": "admin"}, nil)
		ts.mustOK(t, 200, "PATCH", "/api/v1/users/"+admin.User.ID, admin.AccessToken, map[string]any{"role": "user"}, nil)

		// A reset password works and ends bob's sessions and API tokens.
		var bobTok createdAPITokenView
		ts.mustOK(t, 201, "POST", "/api/v1/me/tokens", bob.AccessToken, map[string]any{"name": "script"}, &bobTok)
		ts.mustOK(t, 200, "PATCH", "/api/v1/users/"+bob.User.ID, bob.AccessToken, map[string]any{"password": "reset passphrase"}, nil)
		if rec, _ := ts.call(t, "GET", "/api/v1/me", bob.AccessToken, nil); rec.Code != 401 {
			t.Fatalf("session survived reset: %d", rec.Code)
		}
		if rec, _ := ts.call(t, "GET", "/api/v1/me", bobTok.Token, nil); rec.Code != 401 {
			t.Fatalf("API token survived reset: %d", rec.Code)
		}
		ts.mustLogin(t, "bob", "reset passphrase")
	})
}

func TestMeProfile(t *testing.T) {
	ts := mustServer(t, nil)
	s := ts.mustRegister(t, "alice")
	var u userView
	ts.mustOK(t, 200, "PATCH", "/api/v1/me", s.AccessToken, map[string]string{"email": "alice@example.com", "nickname": "Alice"}, &u)
	if u.Email != "alice@example.com" || u.Nickname != "Alice" {
		t.Fatalf("%+v", u)
	}
	rec, env := ts.call(t, "PATCH", "/api/v1/me", s.AccessToken, map[string]string{"email": "Alice <a@b>"})
	mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
	ts.mustOK(t, 200, "GET", "/api/v1/me", s.AccessToken, nil, &u)
	if u.Email != "alice@example.com" {
		t.Fatal("a rejected change changed something")
	}
}

func TestBearerCredentialsOnly(t *testing.T) {
	ts := mustServer(t, nil)
	s := ts.mustRegister(t, "alice")
	for _, h := range []string{"", "Basic abc", "Bearer", "Bearer    ", "Bearer " + s.AccessToken + "x", "Bearer " + strings.Replace(s.AccessToken, ".", ".x", 1)} {
		rec, env := ts.do(t, "GET", "/api/v1/me", nil, "Authorization", h)
		mustErrorEnvelope(t, rec, env, http.StatusUnauthorized, apperr.Unauthorized)
	}
	rec, _ := ts.do(t, "GET", "/api/v1/me?access_token="+s.AccessToken, nil)
	if rec.Code != 401 {
		t.Fatal("token accepted from the query string")
	}
	rec, _ = ts.do(t, "GET", "/api/v1/me", nil, "Authorization", "bearer "+s.AccessToken)
	if rec.Code != 200 {
		t.Fatalf("scheme is case-insensitive: %d", rec.Code)
	}
}

func TestAccessTokenExpires(t *testing.T) {
	clock := newTestClock()
	ts := mustServer(t, func(s *testSetup) { s.Account.AccessTTL = time.Second; s.accountNow = clock.Now })
	s := ts.mustRegister(t, "alice")
	clock.Advance(time.Second + 5*time.Second - time.Millisecond) // within TTL plus the 5 s leeway
	ts.mustOK(t, 200, "GET", "/api/v1/me", s.AccessToken, nil, nil)
	clock.Advance(2 * time.Millisecond)
	rec, env := ts.call(t, "GET", "/api/v1/me", s.AccessToken, nil)
	mustErrorEnvelope(t, rec, env, http.StatusUnauthorized, apperr.Unauthorized)
}

func TestLoginLog(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		admin := ts.mustRegister(t, "alice")
		bob := ts.mustRegister(t, "bob")
		ts.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "bob", "password": "wrong password"}, "User-Agent", "curl/8")
		ts.mustLogin(t, "bob", testPassword)
		ts.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "ghost", "password": "wrong password"})
		ts.mustLogin(t, "alice", testPassword)

		var all struct {
			Total   int64              `json:"total"`
			Records []loginAttemptView `json:"records"`
		}
		ts.mustOK(t, 200, "GET", "/api/v1/logs/login", admin.AccessToken, nil, &all)
		if all.Total != 4 || all.Records[0].Username != "alice" || all.Records[3].Result != "bad_credentials" || all.Records[3].UserAgent != "curl/8" || all.Records[3].IP == "" {
			t.Fatalf("admin view: %+v", all)
		}
		ts.mustOK(t, 200, "GET", "/api/v1/logs/login", bob.AccessToken, nil, &all)
		if all.Total != 2 {
			t.Fatalf("bob sees %d attempts: %+v", all.Total, all)
		}
		for _, r := range all.Records {
			if r.UserID != bob.User.ID {
				t.Fatalf("bob sees %+v", r)
			}
		}
	})
}
