package httpapi

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
)

func TestProjectCRUDAndUpdateURL(t *testing.T) {
	eachDB(t, func(s *testSetup) { s.PublicBaseURL = "https://hoist.example.com/" }, func(t *testing.T, ts *testServer) {
		alice := ts.mustRegister(t, "alice")
		p := ts.mustProject(t, alice.AccessToken, "  Shop app ")
		if len(p.ID) != 32 || p.Name != "Shop app" || p.MyRole != "owner" || p.UpdateURL != "https://hoist.example.com/api/basic/update" || p.OwnerID != alice.User.ID {
			t.Fatalf("created %+v", p)
		}
		rec, env := ts.call(t, "POST", "/api/v1/projects", alice.AccessToken, map[string]string{"name": "", "description": strings.Repeat("x", 256)})
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		if f := strings.Join(fieldsOf(env), ","); f != "name,description" {
			t.Fatalf("fields %s", f)
		}
		var got projectView
		ts.mustOK(t, 200, "PATCH", "/api/v1/projects/"+p.ID, alice.AccessToken, map[string]string{"description": "uni-app shop"}, &got)
		if got.Name != "Shop app" || got.Description != "uni-app shop" || got.MyRole != "owner" {
			t.Fatalf("patched %+v", got)
		}
		var list struct {
			Total   int64         `json:"total"`
			Records []projectView `json:"records"`
		}
		ts.mustProject(t, alice.AccessToken, "Second")
		ts.mustOK(t, 200, "GET", "/api/v1/projects?sortKey=name&order=ASC", alice.AccessToken, nil, &list)
		if list.Total != 2 || list.Records[0].Name != "Second" || list.Records[0].MyRole != "owner" {
			t.Fatalf("list %+v", list)
		}
		ts.mustOK(t, 200, "DELETE", "/api/v1/projects/"+p.ID, alice.AccessToken, nil, nil)
		rec, env = ts.call(t, "GET", "/api/v1/projects/"+p.ID, alice.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
	})
}

func TestUpdateURLFollowsTheRequestWithoutPublicBaseURL(t *testing.T) {
	ts := mustServer(t, nil)
	s := ts.mustRegister(t, "alice")
	p := ts.mustProject(t, s.AccessToken, "A")
	if p.UpdateURL != "http://example.com/api/basic/update" { // httptest's default Host
		t.Fatalf("update URL %q", p.UpdateURL)
	}
}

func TestProjectAccessRules(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		admin := ts.mustRegister(t, "root")
		alice := ts.mustRegister(t, "alice")
		bob := ts.mustRegister(t, "bob")
		carol := ts.mustRegister(t, "carol")
		a := ts.mustProject(t, alice.AccessToken, "A")

		// A stranger cannot tell the project exists.
		for _, m := range []string{"GET", "PATCH", "DELETE"} {
			rec, env := ts.call(t, m, "/api/v1/projects/"+a.ID, bob.AccessToken, map[string]string{"name": "x"})
			mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
			missing, envMissing := ts.call(t, m, "/api/v1/projects/"+strings.Repeat("f", 32), bob.AccessToken, map[string]string{"name": "x"})
			if missing.Body.String() != rec.Body.String() {
				t.Fatalf("someone else's project and a missing one differ:\n%s\n%s", rec.Body, missing.Body)
			}
			_ = envMissing
		}
		rec, env := ts.call(t, "GET", "/api/v1/projects/"+a.ID+"/members", bob.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)

		// Viewer reads but cannot change; maintainer cannot manage members.
		// Owners add members by user id or by username.
		var added memberView
		ts.mustOK(t, 201, "POST", "/api/v1/projects/"+a.ID+"/members", alice.AccessToken, map[string]string{"username": "BOB", "role": "viewer"}, &added)
		if added.UserID != bob.User.ID || added.Username != "bob" {
			t.Fatalf("added member %+v", added)
		}
		rec, env = ts.call(t, "POST", "/api/v1/projects/"+a.ID+"/members", alice.AccessToken, map[string]string{"username": "nobody", "role": "viewer"})
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		if fieldsOf(env)[0] != "username" {
			t.Fatalf("fields %v", fieldsOf(env))
		}
		ts.mustOK(t, 201, "POST", "/api/v1/projects/"+a.ID+"/members", alice.AccessToken, map[string]string{"userId": carol.User.ID, "role": "maintainer"}, nil)
		var got projectView
		ts.mustOK(t, 200, "GET", "/api/v1/projects/"+a.ID, bob.AccessToken, nil, &got)
		if got.MyRole != "viewer" {
			t.Fatalf("bob's role %q", got.MyRole)
		}
		rec, env = ts.call(t, "PATCH", "/api/v1/projects/"+a.ID, bob.AccessToken, map[string]string{"name": "mine now"})
		mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
		rec, env = ts.call(t, "POST", "/api/v1/projects/"+a.ID+"/members", carol.AccessToken, map[string]string{"userId": admin.User.ID, "role": "owner"})
		mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)

		// Admins see and manage everything.
		ts.mustOK(t, 200, "GET", "/api/v1/projects/"+a.ID, admin.AccessToken, nil, &got)
		if got.MyRole != "" {
			t.Fatalf("admin role %q", got.MyRole)
		}
		var list struct {
			Total int64 `json:"total"`
		}
		ts.mustOK(t, 200, "GET", "/api/v1/projects", admin.AccessToken, nil, &list)
		if list.Total != 1 {
			t.Fatalf("admin list %d", list.Total)
		}
		ts.mustProject(t, carol.AccessToken, "C")
		ts.mustOK(t, 200, "GET", "/api/v1/projects", bob.AccessToken, nil, &list)
		if list.Total != 1 {
			t.Fatalf("bob sees %d projects", list.Total)
		}

		// Members: the last owner stays; anyone may leave.
		rec, env = ts.call(t, "PATCH", "/api/v1/projects/"+a.ID+"/members/"+alice.User.ID, alice.AccessToken, map[string]string{"role": "viewer"})
		mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict)
		rec, env = ts.call(t, "DELETE", "/api/v1/projects/"+a.ID+"/members/"+alice.User.ID, alice.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict)
		rec, env = ts.call(t, "POST", "/api/v1/projects/"+a.ID+"/members", alice.AccessToken, map[string]string{"userId": bob.User.ID, "role": "viewer"})
		mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict)
		rec, env = ts.call(t, "POST", "/api/v1/projects/"+a.ID+"/members", alice.AccessToken, map[string]string{"userId": strings.Repeat("0", 32), "role": "viewer"})
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		rec, env = ts.call(t, "POST", "/api/v1/projects/"+a.ID+"/members", alice.AccessToken, map[string]string{"userId": admin.User.ID, "role": "god"})
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		var changed memberView
		ts.mustOK(t, 200, "PATCH", "/api/v1/projects/"+a.ID+"/members/"+carol.User.ID, alice.AccessToken, map[string]string{"role": "owner"}, &changed)
		if changed.Username != "carol" || changed.Role != "owner" {
			t.Fatalf("changed member %+v", changed)
		}
		ts.mustOK(t, 200, "PATCH", "/api/v1/projects/"+a.ID+"/members/"+alice.User.ID, alice.AccessToken, map[string]string{"role": "viewer"}, nil)
		ts.mustOK(t, 200, "DELETE", "/api/v1/projects/"+a.ID+"/members/"+bob.User.ID, bob.AccessToken, nil, nil)
		rec, _ = ts.call(t, "GET", "/api/v1/projects/"+a.ID, bob.AccessToken, nil)
		if rec.Code != 404 {
			t.Fatalf("bob left but still sees the project: %d", rec.Code)
		}
		var members []memberView
		ts.mustOK(t, 200, "GET", "/api/v1/projects/"+a.ID+"/members", alice.AccessToken, nil, &members)
		if len(members) != 2 || members[0].Username != "alice" || members[0].Role != "viewer" || members[1].Role != "owner" {
			t.Fatalf("members %+v", members)
		}
	})
}

func TestAPITokens(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		alice := ts.mustRegister(t, "alice")
		a := ts.mustProject(t, alice.AccessToken, "A")
		b := ts.mustProject(t, alice.AccessToken, "B")

		var scoped createdAPITokenView
		ts.mustOK(t, 201, "POST", "/api/v1/me/tokens", alice.AccessToken, map[string]any{"name": "ci", "projectId": a.ID}, &scoped)
		if !strings.HasPrefix(scoped.Token, "hst_") || !strings.HasPrefix(scoped.Token, scoped.Prefix) || scoped.ProjectID != a.ID {
			t.Fatalf("token %+v", scoped)
		}
		// Scoped to A: reads and changes A, cannot see B.
		ts.mustOK(t, 200, "GET", "/api/v1/projects/"+a.ID, scoped.Token, nil, nil)
		ts.mustOK(t, 200, "PATCH", "/api/v1/projects/"+a.ID, scoped.Token, map[string]string{"description": "by ci"}, nil)
		rec, env := ts.call(t, "GET", "/api/v1/projects/"+b.ID, scoped.Token, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		var list struct {
			Total   int64         `json:"total"`
			Records []projectView `json:"records"`
		}
		ts.mustOK(t, 200, "GET", "/api/v1/projects", scoped.Token, nil, &list)
		if list.Total != 1 || list.Records[0].ID != a.ID {
			t.Fatalf("scoped list %+v", list)
		}
		rec, env = ts.call(t, "POST", "/api/v1/projects", scoped.Token, map[string]string{"name": "C"})
		mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
		// A token cannot mint tokens or change the password.
		rec, env = ts.call(t, "POST", "/api/v1/me/tokens", scoped.Token, map[string]any{"name": "more"})
		mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
		rec, env = ts.call(t, "PUT", "/api/v1/me/password", scoped.Token, map[string]string{"currentPassword": testPassword, "newPassword": "hijacked passphrase"})
		mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
		// An admin's scoped token is no instance admin.
		rec, env = ts.call(t, "GET", "/api/v1/users", scoped.Token, nil)
		mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
		// Nor does it act on the account: tokens, email, login log.
		var spare createdAPITokenView
		ts.mustOK(t, 201, "POST", "/api/v1/me/tokens", alice.AccessToken, map[string]any{"name": "spare"}, &spare)
		for _, c := range []struct{ method, path string }{
			{"GET", "/api/v1/me/tokens"}, {"DELETE", "/api/v1/me/tokens/" + spare.ID}, {"PATCH", "/api/v1/me"},
			{"GET", "/api/v1/logs/login"},
		} {
			rec, env = ts.call(t, c.method, c.path, scoped.Token, map[string]string{"email": "evil@example.com"})
			mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
			if !strings.Contains(env.Message, "project-scoped") {
				t.Errorf("%s %s: message %q", c.method, c.path, env.Message)
			}
		}
		ts.mustOK(t, 200, "GET", "/api/v1/me", scoped.Token, nil, nil)
		ts.mustOK(t, 200, "DELETE", "/api/v1/me/tokens/"+spare.ID, alice.AccessToken, nil, nil)

		var ro createdAPITokenView
		ts.mustOK(t, 201, "POST", "/api/v1/me/tokens", alice.AccessToken, map[string]any{"name": "dashboard", "readOnly": true}, &ro)
		ts.mustOK(t, 200, "GET", "/api/v1/projects/"+b.ID, ro.Token, nil, nil)
		for _, c := range []struct{ method, path, field string }{
			{"PATCH", "/api/v1/projects/" + b.ID, "name"}, {"PATCH", "/api/v1/me", "nickname"}, {"POST", "/api/v1/projects", "name"}, {"DELETE", "/api/v1/me/tokens/" + scoped.ID, "name"},
		} {
			rec, env = ts.call(t, c.method, c.path, ro.Token, map[string]string{c.field: "x"})
			mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
		}

		// Listing shows no secrets; deleting revokes at once.
		var tokens []apiTokenView
		ts.mustOK(t, 200, "GET", "/api/v1/me/tokens", alice.AccessToken, nil, &tokens)
		rec, _ = ts.call(t, "GET", "/api/v1/me/tokens", alice.AccessToken, nil)
		if len(tokens) != 2 || strings.Contains(rec.Body.String(), scoped.Token) || tokens[1].LastUsedAt == nil {
			t.Fatalf("tokens %+v\n%s", tokens, rec.Body)
		}
		ts.mustOK(t, 200, "DELETE", "/api/v1/me/tokens/"+scoped.ID, alice.AccessToken, nil, nil)
		rec, env = ts.call(t, "GET", "/api/v1/projects/"+a.ID, scoped.Token, nil)
		mustErrorEnvelope(t, rec, env, http.StatusUnauthorized, apperr.Unauthorized)
		rec, env = ts.call(t, "DELETE", "/api/v1/me/tokens/"+scoped.ID, alice.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)

		// Someone else's token id is not found; a scope must be readable.
		bob := ts.mustRegister(t, "bob")
		rec, env = ts.call(t, "DELETE", "/api/v1/me/tokens/"+ro.ID, bob.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		rec, env = ts.call(t, "POST", "/api/v1/me/tokens", bob.AccessToken, map[string]any{"name": "sneaky", "projectId": a.ID})
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		rec, env = ts.call(t, "POST", "/api/v1/me/tokens", bob.AccessToken, map[string]any{"name": "", "expiresAt": "2001-01-01T00:00:00Z"})
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		if f := strings.Join(fieldsOf(env), ","); f != "name,expiresAt" {
			t.Fatalf("fields %s", f)
		}
		rec, env = ts.call(t, "POST", "/api/v1/me/tokens", bob.AccessToken, map[string]any{"name": "x", "expiresAt": "tomorrow"})
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
	})
}

func TestAPITokenExpiry(t *testing.T) {
	clock := newTestClock()
	ts := mustServer(t, func(s *testSetup) { s.accountNow = clock.Now })
	s := ts.mustRegister(t, "alice")
	var tok createdAPITokenView
	ts.mustOK(t, 201, "POST", "/api/v1/me/tokens", s.AccessToken, map[string]any{"name": "short", "expiresAt": clock.Now().Add(time.Hour)}, &tok)
	ts.mustOK(t, 200, "GET", "/api/v1/me", tok.Token, nil, nil)
	clock.Advance(time.Hour - time.Second)
	ts.mustOK(t, 200, "GET", "/api/v1/me", tok.Token, nil, nil)
	clock.Advance(2 * time.Second)
	rec, env := ts.call(t, "GET", "/api/v1/me", tok.Token, nil)
	mustErrorEnvelope(t, rec, env, http.StatusUnauthorized, apperr.Unauthorized)
}
