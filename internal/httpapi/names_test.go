package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// Names and versions with NUL, other control characters or bidirectional
// overrides are refused, naming the field.
func TestNamesRefuseControlAndBidiCharacters(t *testing.T) {
	ts := mustServer(t, nil)
	fx := newDeviceFixture(t, ts)
	tok := fx.maintainer.AccessToken
	f := ts.mustUpload(t, tok, fx.project.ID, "fw.bin", []byte("firmware image"))
	for _, bad := range []string{"evil\u202Egnp.exe", "nul\x00name", "line\nbreak", "iso\u2067late"} {
		cases := []struct {
			method, path, token, field string
			body                       map[string]any
		}{
			{"POST", "/api/v1/projects", fx.owner.AccessToken, "name", map[string]any{"name": bad}},
			{"PATCH", "/api/v1/projects/" + fx.project.ID, fx.owner.AccessToken, "name", map[string]any{"name": bad}},
			{"POST", "/api/v1/me/tokens", fx.owner.AccessToken, "name", map[string]any{"name": bad}},
			{"PATCH", "/api/v1/me", fx.owner.AccessToken, "nickname", map[string]any{"nickname": bad}},
			{"POST", "/api/v1/projects/" + fx.project.ID + "/resources", tok, "version", map[string]any{"type": 5, "version": bad,
				"versionCode": 20, "storageKey": f.Key, "updateType": 1, "product": "thermo"}},
		}
		for _, c := range cases {
			rec, env := ts.call(t, c.method, c.path, c.token, c.body)
			mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
			if !strings.Contains(strings.Join(fieldsOf(env), ","), c.field) {
				t.Errorf("%s %s %q: fields %v", c.method, c.path, bad, fieldsOf(env))
			}
		}
	}
}

// A firmware resource is for a device product of its own project, and not
// an empty file.
func TestFirmwareResourceRules(t *testing.T) {
	ts := mustServer(t, nil)
	fx := newDeviceFixture(t, ts)
	tok := fx.maintainer.AccessToken
	other := ts.mustProject(t, fx.maintainer.AccessToken, "Other")
	ts.mustOK(t, 201, "POST", "/api/v1/products", tok, map[string]string{"name": "elsewhere", "projectId": other.ID}, nil)
	f := ts.mustUpload(t, tok, fx.project.ID, "fw.bin", []byte("firmware image"))
	firmware := func(product, key string) map[string]any {
		return map[string]any{"type": 5, "version": "2.0", "versionCode": 20, "storageKey": key, "updateType": 1, "product": product}
	}
	for _, product := range []string{"elsewhere", "nosuchproduct"} {
		rec, env := ts.call(t, "POST", "/api/v1/projects/"+fx.project.ID+"/resources", tok, firmware(product, f.Key))
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		if fs := fieldsOf(env); len(fs) != 1 || fs[0] != "product" {
			t.Errorf("product %s: fields %v", product, fs)
		}
	}
	empty := ts.mustUpload(t, tok, fx.project.ID, "empty.bin", nil)
	rec, env := ts.call(t, "POST", "/api/v1/projects/"+fx.project.ID+"/resources", tok, firmware("thermo", empty.Key))
	mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
	if fs := fieldsOf(env); len(fs) != 1 || fs[0] != "storageKey" {
		t.Errorf("empty file: fields %v", fs)
	}
	ts.mustResource(t, tok, fx.project.ID, firmware("thermo", f.Key))
}
