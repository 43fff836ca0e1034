package httpapi

import (
	"strings"
	"testing"
)

func TestUnknownFieldsOfTheNativeAPIAre400NamingThem(t *testing.T) {
	ts := mustServer(t, nil)
	f := newReleaseFixture(t, ts)
	tok, pid := f.maintainer.AccessToken, f.project.ID
	apk := ts.mustUpload(t, tok, pid, "app.apk", apkBytes(t))
	// The mistake of the issue: the upload's "key" sent instead of storageKey.
	rec, env := ts.call(t, "POST", "/api/v1/projects/"+pid+"/resources", tok,
		map[string]any{"type": 3, "version": "1.0.0", "versionCode": 100, "key": apk.Key, "updateType": 1})
	mustErrorEnvelope(t, rec, env, 400, "invalid")
	if fs := fieldsOf(env); len(fs) != 1 || fs[0] != "key" || !strings.Contains(env.Message, "key") {
		t.Fatalf("%s", rec.Body)
	}
	// Nested objects too, with the path of the member.
	rec, env = ts.call(t, "POST", "/api/v1/ota/campaigns", tok,
		map[string]any{"resourceId": "x", "product": "p", "target": map[string]any{"all": true, "everyone": true}})
	if fs := fieldsOf(env); rec.Code != 400 || len(fs) != 1 || fs[0] != "target.everyone" {
		t.Fatalf("nested: %s", rec.Body)
	}
	// Registration and login are native API too.
	rec, env = ts.call(t, "POST", "/api/v1/auth/login", "", map[string]any{"username": "owner", "password": testPassword, "remember": true})
	if fs := fieldsOf(env); rec.Code != 400 || len(fs) != 1 || fs[0] != "remember" {
		t.Fatalf("login: %s", rec.Body)
	}
	// The same request without the stray field works.
	ts.mustResource(t, tok, pid, map[string]any{"type": 3, "version": "1.0.0", "versionCode": 100, "storageKey": apk.Key, "updateType": 1})
}
