package httpapi

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/ota"
)

// dictValues joins the values of a dictionary's items in order.
func dictValues(d dictView) string {
	vs := make([]string, len(d.Items))
	for i, it := range d.Items {
		vs[i] = it.Value
	}
	return strings.Join(vs, ",")
}

func findDict(tb testing.TB, ds []dictView, code string) dictView {
	tb.Helper()
	for _, d := range ds {
		if d.Code == code {
			return d
		}
	}
	tb.Fatalf("no dictionary %q in %+v", code, ds)
	return dictView{}
}

func TestDictSeededBuiltins(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		ts.mustRegister(t, "root")
		bob := ts.mustRegister(t, "bob")
		var ds []dictView
		ts.mustOK(t, 200, "GET", "/api/v1/dicts", bob.AccessToken, nil, &ds)
		var states []string
		for _, s := range ota.AllStates() {
			states = append(states, string(s))
		}
		want := map[string]string{
			"resource_type":   "1,2,3,4,5,6,7",
			"update_type":     "1,2,3",
			"resource_status": "1,0",
			"ota_state":       strings.Join(states, ","), // every state of the code, in lifecycle order
		}
		for code, values := range want {
			d := findDict(t, ds, code)
			if !d.Builtin || d.Name == "" || dictValues(d) != values {
				t.Errorf("%s: builtin %v name %q values %s, want %s", code, d.Builtin, d.Name, dictValues(d), values)
			}
			// Both languages, in words: Chinese in name and description,
			// English in nameEn and descriptionEn, no code identifiers.
			if !hasHan(d.Name) || !hasHan(d.Description) || d.NameEn == "" || hasHan(d.NameEn) || d.DescriptionEn == "" ||
				hasHan(d.DescriptionEn) || strings.ContainsAny(d.Description+d.DescriptionEn, "()") ||
				strings.Contains(d.DescriptionEn, "release.") || strings.Contains(d.DescriptionEn, "ota.") {
				t.Errorf("%s: name %q / %q, description %q / %q", code, d.Name, d.NameEn, d.Description, d.DescriptionEn)
			}
			for _, it := range d.Items {
				if it.Label == "" || it.LabelEn == "" || it.Color == "" || !it.Enabled || len(it.ID) != 32 {
					t.Errorf("%s item %+v", code, it)
				}
			}
		}
		rt := findDict(t, ds, "resource_type")
		if it := rt.Items[3]; it.Label != "iOS 整包 (App Store)" || it.LabelEn != "iOS (App Store)" {
			t.Errorf("resource_type 4: %+v", it)
		}
		if it := rt.Items[4]; it.Label != "固件" || it.LabelEn != "Firmware" {
			t.Errorf("resource_type 5: %+v", it)
		}

		var one dictView
		ts.mustOK(t, 200, "GET", "/api/v1/dicts/update_type", bob.AccessToken, nil, &one)
		if one.Items[0].Label != "用户同意更新" || one.Items[0].LabelEn != "Ask the user" || one.Items[1].LabelEn != "Forced" || one.Items[2].LabelEn != "Silent" {
			t.Fatalf("update_type %+v", one)
		}
		rec, env := ts.call(t, "GET", "/api/v1/dicts/nope", bob.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		rec, env = ts.call(t, "GET", "/api/v1/dicts", "", nil)
		mustErrorEnvelope(t, rec, env, http.StatusUnauthorized, apperr.Unauthorized)
	})
}

// hasHan reports whether s contains a Chinese character.
func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

func TestDictWritesNeedAnAdmin(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		admin := ts.mustRegister(t, "root")
		bob := ts.mustRegister(t, "bob")
		var ro struct {
			Token string `json:"token"`
		}
		ts.mustOK(t, 201, "POST", "/api/v1/me/tokens", admin.AccessToken, map[string]any{"name": "ro", "readOnly": true}, &ro)
		var ud dictView
		ts.mustOK(t, 200, "GET", "/api/v1/dicts/update_type", admin.AccessToken, nil, &ud)
		item := "/api/v1/dicts/update_type/items/" + ud.Items[0].ID

		writes := []struct {
			method, path string
			body         any
		}{
			{"POST", "/api/v1/dicts", map[string]string{"code": "device_model", "name": "x"}},
			{"PATCH", "/api/v1/dicts/update_type", map[string]string{"name": "x"}},
			{"DELETE", "/api/v1/dicts/update_type", nil},
			{"POST", "/api/v1/dicts/update_type/items", map[string]string{"label": "x", "value": "9"}},
			{"PATCH", item, map[string]string{"label": "x"}},
			{"DELETE", item, nil},
		}
		for _, w := range writes {
			rec, env := ts.call(t, w.method, w.path, bob.AccessToken, w.body)
			mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
			rec, env = ts.call(t, w.method, w.path, ro.Token, w.body)
			mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
			if env.Message != "this token is read-only" {
				t.Errorf("%s %s with a read-only token: %q", w.method, w.path, env.Message)
			}
		}
		// The read-only admin token still reads, disabled items included.
		ts.mustOK(t, 200, "GET", "/api/v1/dicts", ro.Token, nil, nil)
		ts.mustOK(t, 200, "GET", "/api/v1/dicts/update_type", ro.Token, nil, nil)
		var after dictView
		ts.mustOK(t, 200, "GET", "/api/v1/dicts/update_type", admin.AccessToken, nil, &after)
		if after.Name != ud.Name || after.Items[0].Label != ud.Items[0].Label || len(after.Items) != 3 {
			t.Fatalf("a refused write changed something: %+v", after)
		}
	})
}

func TestDictCustomTypeLifecycle(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		admin := ts.mustRegister(t, "root").AccessToken
		bob := ts.mustRegister(t, "bob").AccessToken

		var d dictView
		ts.mustOK(t, 201, "POST", "/api/v1/dicts", admin, map[string]string{"code": "device_model", "name": " 设备型号 ", "nameEn": " Device models ",
			"description": "fleet", "descriptionEn": "Models of the fleet"}, &d)
		if d.Code != "device_model" || d.Name != "设备型号" || d.NameEn != "Device models" || d.Description != "fleet" || d.DescriptionEn != "Models of the fleet" ||
			d.Builtin || d.Items == nil || len(d.Items) != 0 || d.CreatedTime.IsZero() {
			t.Fatalf("created %+v", d)
		}
		rec, env := ts.call(t, "POST", "/api/v1/dicts", admin, map[string]string{"code": "device_model", "name": "again"})
		mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict)
		if f := fieldsOf(env); len(f) != 1 || f[0] != "code" {
			t.Fatalf("duplicate code fields %v", f)
		}
		rec, env = ts.call(t, "POST", "/api/v1/dicts", admin, map[string]string{"code": "Device-Model", "name": "", "nameEn": strings.Repeat("n", 51),
			"description": strings.Repeat("d", 256), "descriptionEn": strings.Repeat("d", 256)})
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		if f := strings.Join(fieldsOf(env), ","); f != "code,name,nameEn,description,descriptionEn" {
			t.Fatalf("type fields %s", f)
		}

		base := "/api/v1/dicts/device_model/items"
		var x1, x2, x3 dictItemView
		ts.mustOK(t, 201, "POST", base, admin, map[string]any{"label": "X1", "labelEn": "X1 (en)", "value": "x1", "color": "#1677FF", "sort": 20}, &x1)
		ts.mustOK(t, 201, "POST", base, admin, map[string]any{"label": "X2", "value": "x2", "sort": 10}, &x2)
		ts.mustOK(t, 201, "POST", base, admin, map[string]any{"label": "X0", "value": "x0", "sort": 20, "enabled": false}, &x3)
		if len(x1.ID) != 32 || x1.Color != "#1677ff" || x1.LabelEn != "X1 (en)" || !x1.Enabled || !x2.Enabled || x3.Enabled {
			t.Fatalf("items %+v %+v %+v", x1, x2, x3)
		}
		rec, env = ts.call(t, "POST", base, admin, map[string]any{"label": "dup", "value": "x1"})
		mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict)
		if f := fieldsOf(env); len(f) != 1 || f[0] != "value" {
			t.Fatalf("duplicate value fields %v", f)
		}
		rec, env = ts.call(t, "POST", base, admin, map[string]any{"label": "", "labelEn": strings.Repeat("e", 51), "value": "", "color": "rebeccapurple", "sort": 100001})
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		if f := strings.Join(fieldsOf(env), ","); f != "label,labelEn,value,color,sort" {
			t.Fatalf("item fields %s", f)
		}
		rec, env = ts.call(t, "POST", base, admin, map[string]any{"label": "x", "value": "x", "sort": "first"})
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		if f := fieldsOf(env); len(f) != 1 || f[0] != "sort" {
			t.Fatalf("wrong type fields %v", f)
		}
		rec, env = ts.call(t, "POST", "/api/v1/dicts/nope/items", admin, map[string]any{"label": "x", "value": "x"})
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)

		// Ordered by sort, then value; disabled items only for admins.
		var got dictView
		ts.mustOK(t, 200, "GET", "/api/v1/dicts/device_model", admin, nil, &got)
		if dictValues(got) != "x2,x0,x1" {
			t.Fatalf("admin sees %s", dictValues(got))
		}
		ts.mustOK(t, 200, "GET", "/api/v1/dicts/device_model", bob, nil, &got)
		if dictValues(got) != "x2,x1" {
			t.Fatalf("bob sees %s", dictValues(got))
		}
		var ds []dictView
		ts.mustOK(t, 200, "GET", "/api/v1/dicts", admin, nil, &ds)
		if v := dictValues(findDict(t, ds, "device_model")); v != "x2,x1" {
			t.Fatalf("list shows %s", v)
		}

		// PATCH changes only what it names.
		var p dictItemView
		ts.mustOK(t, 200, "PATCH", base+"/"+x2.ID, admin, map[string]any{"sort": 30, "enabled": false}, &p)
		if p.Sort != 30 || p.Enabled || p.Label != "X2" || p.Value != "x2" || !p.CreatedTime.Equal(x2.CreatedTime) {
			t.Fatalf("patched %+v", p)
		}
		ts.mustOK(t, 200, "PATCH", base+"/"+x3.ID, admin, map[string]any{"value": "x3", "enabled": true, "color": ""}, &p)
		if p.Value != "x3" || !p.Enabled || p.Label != "X0" {
			t.Fatalf("patched %+v", p)
		}
		rec, env = ts.call(t, "PATCH", base+"/"+x3.ID, admin, map[string]any{"value": "x1"})
		mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict)
		if f := fieldsOf(env); len(f) != 1 || f[0] != "value" {
			t.Fatalf("taken value fields %v", f)
		}
		rec, env = ts.call(t, "PATCH", base+"/"+x3.ID, admin, map[string]any{"color": "nope", "sort": -100001})
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		if f := strings.Join(fieldsOf(env), ","); f != "color,sort" {
			t.Fatalf("patch fields %s", f)
		}
		rec, env = ts.call(t, "PATCH", base+"/"+strings.Repeat("0", 32), admin, map[string]any{"label": "x"})
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		rec, env = ts.call(t, "PATCH", "/api/v1/dicts/update_type/items/"+x1.ID, admin, map[string]any{"label": "x"})
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)

		var renamed dictView
		ts.mustOK(t, 200, "PATCH", "/api/v1/dicts/device_model", admin, map[string]any{"description": "models", "nameEn": "Models"}, &renamed)
		if renamed.Name != "设备型号" || renamed.NameEn != "Models" || renamed.Description != "models" || renamed.DescriptionEn != "Models of the fleet" ||
			dictValues(renamed) != "x1,x3,x2" {
			t.Fatalf("renamed %+v (%s)", renamed, dictValues(renamed))
		}

		ts.mustOK(t, 200, "DELETE", base+"/"+x1.ID, admin, nil, nil)
		rec, env = ts.call(t, "DELETE", base+"/"+x1.ID, admin, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)

		// Deleting the type takes its items along: the same code starts empty.
		ts.mustOK(t, 200, "DELETE", "/api/v1/dicts/device_model", admin, nil, nil)
		rec, env = ts.call(t, "GET", "/api/v1/dicts/device_model", admin, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		rec, env = ts.call(t, "DELETE", "/api/v1/dicts/device_model", admin, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		rec, env = ts.call(t, "PATCH", "/api/v1/dicts/device_model", admin, map[string]any{"name": "x"})
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		ts.mustOK(t, 201, "POST", "/api/v1/dicts", admin, map[string]string{"code": "device_model", "name": "again"}, &d)
		ts.mustOK(t, 200, "GET", "/api/v1/dicts/device_model", admin, nil, &got)
		if len(got.Items) != 0 {
			t.Fatalf("items outlived their type: %+v", got.Items)
		}
		ts.mustOK(t, 201, "POST", base, admin, map[string]any{"label": "X2", "value": "x2"}, nil)
	})
}

func TestDictBuiltinRules(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		admin := ts.mustRegister(t, "root").AccessToken
		bob := ts.mustRegister(t, "bob").AccessToken
		var ut dictView
		ts.mustOK(t, 200, "GET", "/api/v1/dicts/update_type", admin, nil, &ut)
		forced := "/api/v1/dicts/update_type/items/" + ut.Items[1].ID

		rec, env := ts.call(t, "DELETE", "/api/v1/dicts/update_type", admin, nil)
		mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict)
		rec, env = ts.call(t, "PATCH", forced, admin, map[string]any{"value": "9"})
		mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict)
		if len(env.Errors) != 0 {
			t.Fatalf("a built-in value change is not a field conflict: %s", rec.Body)
		}
		rec, env = ts.call(t, "DELETE", forced, admin, nil)
		mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict)
		rec, env = ts.call(t, "POST", "/api/v1/dicts/update_type/items", admin, map[string]any{"label": "四", "value": "4"})
		mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict)

		// What may change: labels, colour, sort, enabled, the type's name.
		var p dictItemView
		ts.mustOK(t, 200, "PATCH", forced, admin, map[string]any{"label": "必须更新", "labelEn": "Mandatory", "color": "volcano", "sort": -1, "value": "2", "enabled": false}, &p)
		if p.Label != "必须更新" || p.LabelEn != "Mandatory" || p.Color != "volcano" || p.Sort != -1 || p.Value != "2" || p.Enabled {
			t.Fatalf("relabelled %+v", p)
		}
		var d dictView
		ts.mustOK(t, 200, "PATCH", "/api/v1/dicts/update_type", admin, map[string]any{"name": "Update type"}, &d)
		if d.Name != "Update type" || !d.Builtin || dictValues(d) != "2,1,3" {
			t.Fatalf("renamed %+v", d)
		}
		ts.mustOK(t, 200, "GET", "/api/v1/dicts/update_type", bob, nil, &d)
		if dictValues(d) != "1,3" {
			t.Fatalf("bob sees %s", dictValues(d))
		}
		var ds []dictView
		ts.mustOK(t, 200, "GET", "/api/v1/dicts", bob, nil, &ds)
		codes := make([]string, len(ds))
		for i, x := range ds {
			codes[i] = x.Code
		}
		if !slices.IsSorted(codes) || dictValues(findDict(t, ds, "update_type")) != "1,3" {
			t.Fatalf("list %v", codes)
		}
	})
}

func TestDictMalformedBodies(t *testing.T) {
	ts := mustServer(t, nil)
	admin := ts.mustRegister(t, "root").AccessToken
	var ut dictView
	ts.mustOK(t, 200, "GET", "/api/v1/dicts/update_type", admin, nil, &ut)
	for _, target := range []struct{ method, path string }{
		{"POST", "/api/v1/dicts"},
		{"PATCH", "/api/v1/dicts/update_type"},
		{"POST", "/api/v1/dicts/update_type/items"},
		{"PATCH", "/api/v1/dicts/update_type/items/" + ut.Items[0].ID},
	} {
		for _, body := range []string{"", "{", `[1]`, `{"name":"x"} {}`} {
			rec, env := ts.do(t, target.method, target.path, strings.NewReader(body), "Content-Type", "application/json", "Authorization", "Bearer "+admin)
			mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		}
	}
}
