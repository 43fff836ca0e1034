package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/device"
)

// deviceFixture is a release fixture with product "thermo" in its project.
type deviceFixture struct {
	releaseFixture
	product productView
}

func newDeviceFixture(tb testing.TB, ts *testServer) deviceFixture {
	tb.Helper()
	fx := deviceFixture{releaseFixture: newReleaseFixture(tb, ts)}
	ts.mustOK(tb, 201, "POST", "/api/v1/products", fx.maintainer.AccessToken,
		map[string]string{"name": "thermo", "projectId": fx.project.ID, "description": "Thermostat"}, &fx.product)
	return fx
}

func (ts *testServer) mustDevice(tb testing.TB, token, product, name string, tags ...string) issuedDeviceView {
	tb.Helper()
	var d issuedDeviceView
	ts.mustOK(tb, 201, "POST", "/api/v1/products/"+product+"/devices", token, map[string]any{"name": name, "tags": tags}, &d)
	return d
}

// mustDevices lists devices at target and returns the total and the names.
func (ts *testServer) mustDevices(tb testing.TB, token, target string) (int64, []string) {
	tb.Helper()
	var l listView[deviceView]
	ts.mustOK(tb, 200, "GET", target, token, nil, &l)
	names := make([]string, len(l.Records))
	for i, d := range l.Records {
		names[i] = d.Name
	}
	return l.Total, names
}

func TestProductCRUDAndAccess(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newDeviceFixture(t, ts)
		p := fx.product
		if p.Name != "thermo" || p.ProjectID != fx.project.ID || p.Description != "Thermostat" || p.DeviceCount != 0 ||
			!p.CreatedTime.Equal(p.UpdatedTime) || p.CreatedTime.IsZero() {
			t.Fatalf("created %+v", p)
		}
		ts.mustDevice(t, fx.maintainer.AccessToken, "thermo", "d1")
		var got productView
		ts.mustOK(t, 200, "GET", "/api/v1/products/thermo", fx.viewer.AccessToken, nil, &got)
		if got.DeviceCount != 1 || got.OnlineCount != 0 || !got.CreatedTime.Equal(p.CreatedTime) {
			t.Fatalf("get %+v", got)
		}
		ts.mustOK(t, 200, "PATCH", "/api/v1/products/thermo", fx.maintainer.AccessToken, map[string]string{"description": "v2"}, &got)
		if got.Description != "v2" || got.DeviceCount != 1 || got.Name != "thermo" {
			t.Fatalf("patched %+v", got)
		}

		// Viewers read, strangers do not see it at all.
		tok := map[string]string{"viewer": fx.viewer.AccessToken, "stranger": fx.stranger.AccessToken}
		for who, status := range map[string]int{"viewer": 403, "stranger": 404} {
			code := apperr.Forbidden
			if status == 404 {
				code = apperr.NotFound
			}
			for _, c := range []struct {
				method, path string
				body         any
			}{
				{"POST", "/api/v1/products", map[string]string{"name": "x" + who, "projectId": fx.project.ID}},
				{"PATCH", "/api/v1/products/thermo", map[string]string{"description": "no"}},
				{"DELETE", "/api/v1/products/thermo", nil},
				{"POST", "/api/v1/products/thermo/devices", map[string]any{"name": "d9"}},
				{"PATCH", "/api/v1/products/thermo/devices/d1", map[string]any{"tags": []string{"a"}}},
				{"DELETE", "/api/v1/products/thermo/devices/d1", nil},
				{"POST", "/api/v1/products/thermo/devices/d1/secret", nil},
				{"POST", "/api/v1/products/thermo/devices:batch", map[string]any{"devices": []any{map[string]string{"name": "d9"}}}},
			} {
				rec, env := ts.call(t, c.method, c.path, tok[who], c.body)
				mustErrorEnvelope(t, rec, env, status, code)
			}
		}
		for _, path := range []string{"/api/v1/products/thermo", "/api/v1/products/thermo/devices", "/api/v1/products/thermo/devices/d1",
			"/api/v1/products?projectId=" + fx.project.ID, "/api/v1/products/nope"} {
			rec, env := ts.call(t, "GET", path, fx.stranger.AccessToken, nil)
			mustErrorEnvelope(t, rec, env, 404, apperr.NotFound)
			if strings.Contains(env.Message, "project") && path != "/api/v1/products?projectId="+fx.project.ID {
				t.Errorf("%s: the message reveals a project: %s", path, env.Message)
			}
		}

		// Names are global and follow PROTOCOLS §3.
		other := ts.mustProject(t, fx.stranger.AccessToken, "Theirs")
		rec, env := ts.call(t, "POST", "/api/v1/products", fx.stranger.AccessToken, map[string]string{"name": "thermo", "projectId": other.ID})
		mustErrorEnvelope(t, rec, env, 409, apperr.Conflict)
		if f := fieldsOf(env); len(f) != 1 || f[0] != "name" {
			t.Fatalf("taken: %s", rec.Body)
		}
		for _, name := range []string{"a/b", "+", "#", "$x", "", strings.Repeat("a", 65), "a b"} {
			rec, env := ts.call(t, "POST", "/api/v1/products", fx.owner.AccessToken, map[string]string{"name": name, "projectId": fx.project.ID})
			mustErrorEnvelope(t, rec, env, 400, apperr.Invalid)
			if f := fieldsOf(env); len(f) != 1 || f[0] != "name" {
				t.Errorf("name %q: %s", name, rec.Body)
			}
			rec, env = ts.call(t, "POST", "/api/v1/products/thermo/devices", fx.owner.AccessToken, map[string]any{"name": name})
			if f := fieldsOf(env); rec.Code != 400 || len(f) != 1 || f[0] != "name" {
				t.Errorf("device name %q: %s", name, rec.Body)
			}
		}
		rec, env = ts.call(t, "POST", "/api/v1/products", fx.owner.AccessToken, map[string]any{"name": 5})
		mustErrorEnvelope(t, rec, env, 400, apperr.Invalid)
		rec, env = ts.call(t, "POST", "/api/v1/products", fx.owner.AccessToken, map[string]string{"name": "ok"})
		if f := fieldsOf(env); rec.Code != 400 || len(f) != 1 || f[0] != "projectId" {
			t.Errorf("no project: %s", rec.Body)
		}

		// Listing: members see their projects' products, admins all.
		ts.mustOK(t, 201, "POST", "/api/v1/products", fx.stranger.AccessToken, map[string]string{"name": "Lamp", "projectId": other.ID}, nil)
		list := func(token, query string) []string {
			var l listView[productView]
			ts.mustOK(t, 200, "GET", "/api/v1/products"+query, token, nil, &l)
			var names []string
			for _, p := range l.Records {
				names = append(names, p.Name)
			}
			if int(l.Total) != len(names) {
				t.Fatalf("total %d for %v", l.Total, names)
			}
			return names
		}
		if got := fmt.Sprint(list(fx.viewer.AccessToken, "")); got != "[thermo]" {
			t.Errorf("viewer sees %s", got)
		}
		if got := fmt.Sprint(list(fx.stranger.AccessToken, "?sortKey=name&order=ASC")); got != "[Lamp]" {
			t.Errorf("stranger sees %s", got)
		}
		if got := fmt.Sprint(list(fx.owner.AccessToken, "?sortKey=name&order=ASC")); got != "[Lamp thermo]" { // owner is the admin
			t.Errorf("admin sees %s", got)
		}
		if got := fmt.Sprint(list(fx.owner.AccessToken, "?projectId="+other.ID)); got != "[Lamp]" {
			t.Errorf("admin, one project: %s", got)
		}
		if got := fmt.Sprint(list(fx.owner.AccessToken, "?search=the")); got != "[thermo]" {
			t.Errorf("search: %s", got)
		}
		// A project-scoped token sees its project's products only.
		var scoped createdAPITokenView
		ts.mustOK(t, 201, "POST", "/api/v1/me/tokens", fx.owner.AccessToken, map[string]any{"name": "ci", "projectId": fx.project.ID, "readOnly": true}, &scoped)
		if got := fmt.Sprint(list(scoped.Token, "")); got != "[thermo]" {
			t.Errorf("scoped token sees %s", got)
		}
		rec, env = ts.call(t, "POST", "/api/v1/products/thermo/devices", scoped.Token, map[string]any{"name": "d9"})
		mustErrorEnvelope(t, rec, env, 403, apperr.Forbidden)
	})
}

func TestDeviceSecretIsShownOnce(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newDeviceFixture(t, ts)
		ctx := context.Background()
		d := ts.mustDevice(t, fx.maintainer.AccessToken, "thermo", "dev-1", "b", "a", "b")
		if !strings.HasPrefix(d.Secret, device.SecretPrefix) || d.MQTT.Username != "thermo/dev-1" || d.MQTT.ClientIDPrefix != "thermo/dev-1" ||
			fmt.Sprint(d.Tags) != "[a b]" || d.Product != "thermo" || d.Online || d.LastSeenAt != nil || string(d.LastStatus) != "null" {
			t.Fatalf("created %+v", d)
		}
		rec, _ := ts.call(t, "GET", "/api/v1/products/thermo/devices/dev-1", fx.viewer.AccessToken, nil)
		if rec.Code != 200 || strings.Contains(rec.Body.String(), d.Secret) || strings.Contains(rec.Body.String(), "secret") ||
			!strings.Contains(rec.Body.String(), `"lastStatus":null`) {
			t.Fatalf("get shows the secret or lacks fields: %s", rec.Body)
		}
		rec, _ = ts.call(t, "GET", "/api/v1/products/thermo/devices", fx.viewer.AccessToken, nil)
		if strings.Contains(rec.Body.String(), "secret") {
			t.Fatalf("list shows the secret: %s", rec.Body)
		}
		if _, err := ts.devices.VerifySecret(ctx, "thermo", "dev-1", d.Secret); err != nil {
			t.Fatalf("verify: %v", err)
		}

		var rotated issuedDeviceView
		ts.mustOK(t, 200, "POST", "/api/v1/products/thermo/devices/dev-1/secret", fx.maintainer.AccessToken, nil, &rotated)
		if rotated.Secret == d.Secret || !strings.HasPrefix(rotated.Secret, device.SecretPrefix) || rotated.MQTT.Username != "thermo/dev-1" {
			t.Fatalf("rotated %+v", rotated)
		}
		if _, err := ts.devices.VerifySecret(ctx, "thermo", "dev-1", d.Secret); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("old secret still verifies: %v", err)
		}
		if _, err := ts.devices.VerifySecret(ctx, "thermo", "dev-1", rotated.Secret); err != nil {
			t.Fatalf("new secret: %v", err)
		}

		rec, env := ts.call(t, "POST", "/api/v1/products/thermo/devices", fx.maintainer.AccessToken, map[string]any{"name": "dev-1"})
		mustErrorEnvelope(t, rec, env, 409, apperr.Conflict)
		if f := fieldsOf(env); len(f) != 1 || f[0] != "name" {
			t.Fatalf("taken: %s", rec.Body)
		}
		rec, env = ts.call(t, "POST", "/api/v1/products/thermo/devices", fx.maintainer.AccessToken, map[string]any{"name": "dev-2", "tags": []string{"ok", "no/pe"}})
		if f := fieldsOf(env); rec.Code != 400 || len(f) != 1 || f[0] != "tags" {
			t.Fatalf("bad tag: %s", rec.Body)
		}
		for _, path := range []string{"/api/v1/products/thermo/devices/nope", "/api/v1/products/nope/devices/dev-1"} {
			rec, env := ts.call(t, "GET", path, fx.owner.AccessToken, nil)
			mustErrorEnvelope(t, rec, env, 404, apperr.NotFound)
		}

		// A device may be called "batch": its own routes still reach it.
		ts.mustDevice(t, fx.maintainer.AccessToken, "thermo", "batch")
		var b deviceView
		ts.mustOK(t, 200, "GET", "/api/v1/products/thermo/devices/batch", fx.viewer.AccessToken, nil, &b)
		ts.mustOK(t, 200, "POST", "/api/v1/products/thermo/devices/batch/secret", fx.maintainer.AccessToken, nil, &rotated)
		if b.Name != "batch" || rotated.Name != "batch" {
			t.Fatalf("device batch: %+v %+v", b, rotated)
		}

		// Tags are replaced by PATCH; delete removes the device.
		var patched deviceView
		ts.mustOK(t, 200, "PATCH", "/api/v1/products/thermo/devices/dev-1", fx.maintainer.AccessToken, map[string]any{"tags": []string{"z", "y"}}, &patched)
		if fmt.Sprint(patched.Tags) != "[y z]" || !patched.UpdatedTime.After(d.CreatedTime.Add(-time.Second)) {
			t.Fatalf("patched %+v", patched)
		}
		ts.mustOK(t, 200, "PATCH", "/api/v1/products/thermo/devices/dev-1", fx.maintainer.AccessToken, map[string]any{"tags": []string{}}, &patched)
		if patched.Tags == nil || len(patched.Tags) != 0 {
			t.Fatalf("tags cleared: %+v", patched.Tags)
		}
		ts.mustOK(t, 200, "DELETE", "/api/v1/products/thermo/devices/dev-1", fx.maintainer.AccessToken, nil, nil)
		rec, env = ts.call(t, "DELETE", "/api/v1/products/thermo/devices/dev-1", fx.maintainer.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, 404, apperr.NotFound)
		if _, err := ts.devices.VerifySecret(ctx, "thermo", "dev-1", rotated.Secret); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("deleted device verifies: %v", err)
		}
	})
}

func TestDeviceListFilters(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newDeviceFixture(t, ts)
		tok := fx.maintainer.AccessToken
		ts.mustDevice(t, tok, "thermo", "a-1", "east", "beta")
		ts.mustDevice(t, tok, "thermo", "a-2", "east")
		ts.mustDevice(t, tok, "thermo", "b-1", "west")
		ctx := context.Background()
		seen := time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC)
		if err := ts.devices.MarkOnline(ctx, "thermo", "a-2", "198.51.100.4", seen); err != nil {
			t.Fatal(err)
		}
		if err := ts.devices.RecordStatus(ctx, "thermo", "a-2", json.RawMessage(`{"version":"1.0.3","rssi":-60}`), seen); err != nil {
			t.Fatal(err)
		}
		base := "/api/v1/products/thermo/devices"
		for query, want := range map[string]string{
			"?sortKey=name&order=ASC":                      "3 [a-1 a-2 b-1]",
			"?tag=east&sortKey=name&order=ASC":             "2 [a-1 a-2]",
			"?tag=beta":                                    "1 [a-1]",
			"?tag=nope":                                    "0 []",
			"?online=true":                                 "1 [a-2]",
			"?online=false&tag=east":                       "1 [a-1]",
			"?search=a-&sortKey=name":                      "2 [a-2 a-1]",
			"?search=A":                                    "0 []",
			"?sortKey=lastSeen&order=DESC&pageSize=1":      "3 [a-2]",
			"?sortKey=name&order=ASC&pageNum=2&pageSize=2": "3 [b-1]",
		} {
			total, names := ts.mustDevices(t, fx.viewer.AccessToken, base+query)
			if got := fmt.Sprint(total, " ", names); got != want {
				t.Errorf("%s: %s, want %s", query, got, want)
			}
		}
		var d deviceView
		ts.mustOK(t, 200, "GET", base+"/a-2", fx.viewer.AccessToken, nil, &d)
		if !d.Online || d.LastIP != "198.51.100.4" || d.FirmwareVersion != "1.0.3" || string(d.LastStatus) != `{"version":"1.0.3","rssi":-60}` ||
			d.LastSeenAt == nil || !d.LastSeenAt.Equal(seen) {
			t.Fatalf("state %+v %s", d, d.LastStatus)
		}
		var p productView
		ts.mustOK(t, 200, "GET", "/api/v1/products/thermo", fx.viewer.AccessToken, nil, &p)
		if p.DeviceCount != 3 || p.OnlineCount != 1 {
			t.Fatalf("counts %+v", p)
		}
		for _, q := range []string{"?online=yes", "?sortKey=secret", "?pageSize=0"} {
			rec, env := ts.call(t, "GET", base+q, fx.viewer.AccessToken, nil)
			mustErrorEnvelope(t, rec, env, 400, apperr.Invalid)
		}
	})
}

func TestProductDelete(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newDeviceFixture(t, ts)
		ts.mustOK(t, 201, "POST", "/api/v1/products/thermo/devices:batch", fx.maintainer.AccessToken, batchJSON("d", 3, "t"), nil)

		rec, env := ts.call(t, "DELETE", "/api/v1/products/thermo", fx.maintainer.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, 409, apperr.Conflict)
		if !strings.Contains(env.Message, "3 devices") {
			t.Fatalf("message %q", env.Message)
		}
		rec, env = ts.call(t, "DELETE", "/api/v1/products/thermo?force=true", fx.maintainer.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, 403, apperr.Forbidden)

		// A project with products is kept, whatever force says about resources.
		rec, env = ts.call(t, "DELETE", "/api/v1/projects/"+fx.project.ID+"?force=true", fx.owner.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, 409, apperr.Conflict)
		if !strings.Contains(env.Message, "device products") {
			t.Fatalf("project delete: %s", rec.Body)
		}

		ts.mustOK(t, 200, "DELETE", "/api/v1/products/thermo?force=true", fx.owner.AccessToken, nil, nil)
		rec, env = ts.call(t, "GET", "/api/v1/products/thermo", fx.owner.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, 404, apperr.NotFound)
		if _, err := ts.devices.Lookup(context.Background(), "thermo", "d1"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("device survived its product: %v", err)
		}

		// The name is free again; an empty product goes without force.
		ts.mustOK(t, 201, "POST", "/api/v1/products", fx.maintainer.AccessToken, map[string]string{"name": "thermo", "projectId": fx.project.ID}, nil)
		if total, _ := ts.mustDevices(t, fx.owner.AccessToken, "/api/v1/products/thermo/devices"); total != 0 {
			t.Fatalf("a new product inherited %d devices", total)
		}
		ts.mustOK(t, 200, "DELETE", "/api/v1/products/thermo", fx.maintainer.AccessToken, nil, nil)
		ts.mustOK(t, 200, "DELETE", "/api/v1/projects/"+fx.project.ID, fx.owner.AccessToken, nil, nil)
	})
}
