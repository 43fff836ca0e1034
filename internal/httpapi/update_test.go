package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/release"
)

// checkBody is what the stock uni-app client sends.
func checkBody(projectID, platform string, wgtCode, nativeCode any, uuid string) map[string]any {
	b := map[string]any{"projectId": projectID, "platform": platform, "wgtVersion": "1.0.0", "wgtVersionCode": wgtCode,
		"nativeVersion": "1.0.0", "nativeVersionCode": nativeCode}
	if uuid != "" {
		b["systemInfo"] = map[string]any{"uuid": uuid, "brand": "xiaomi", "model": "M2012K11AC", "platform": platform, "screenWidth": 393}
	}
	return b
}

type offer struct {
	Wgt    *resourceView `json:"wgt"`
	Native *resourceView `json:"native"`
}

func (ts *testServer) check(tb testing.TB, path string, body any) offer {
	tb.Helper()
	rec, env := ts.call(tb, "POST", path, "", body)
	if rec.Code != 200 || !env.Success || env.StatusCode != 200 {
		tb.Fatalf("check: %d %s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), "createdBy") {
		tb.Fatalf("the public answer names who created a resource (an internal user id): %s", rec.Body)
	}
	var o offer
	if err := json.Unmarshal(env.Data, &o); err != nil {
		tb.Fatal(err)
	}
	return o
}

func idOf(r *resourceView) string {
	if r == nil {
		return "nil"
	}
	return r.Version
}

// updateFixture publishes android natives 100 and 110 with wgts built for
// each, and an iOS native.
type updateFixture struct {
	releaseFixture
	native100, native110, wgt101, wgt102, wgt111, ios resourceView
}

func newUpdateFixture(tb testing.TB, ts *testServer) updateFixture {
	tb.Helper()
	f := updateFixture{releaseFixture: newReleaseFixture(tb, ts)}
	tok, pid := f.maintainer.AccessToken, f.project.ID
	apk := ts.mustUpload(tb, tok, pid, "app.apk", apkBytes(tb))
	wgt := ts.mustUpload(tb, tok, pid, "app.wgt", wgtBytes(tb))
	res := func(body map[string]any) resourceView {
		body["storageKey"], body["updateType"] = apk.Key, 1
		if body["type"] == 1 {
			body["storageKey"] = wgt.Key
		}
		return ts.mustResource(tb, tok, pid, body)
	}
	f.native100 = res(map[string]any{"type": 3, "version": "1.0.0", "versionCode": 100})
	f.wgt101 = res(map[string]any{"type": 1, "version": "1.0.1", "versionCode": 101, "nativeVersionCode": 100})
	f.wgt102 = res(map[string]any{"type": 1, "version": "1.0.2", "versionCode": 102, "nativeVersionCode": 100})
	f.native110 = res(map[string]any{"type": 3, "version": "1.1.0", "versionCode": 110})
	f.wgt111 = res(map[string]any{"type": 1, "version": "1.1.1", "versionCode": 111, "nativeVersionCode": 110})
	f.ios = ts.mustResource(tb, tok, pid, map[string]any{"type": 4, "version": "1.1.0", "versionCode": 110, "url": "https://apps.apple.com/app/id1", "updateType": 2})
	return f
}

func TestUpdateCheckSelection(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		f := newUpdateFixture(t, ts)
		pid := f.project.ID

		// A device on native 100 gets the wgt built for 100, not the newer
		// one built for 110, and is offered the new native build.
		o := ts.check(t, "/api/basic/update", checkBody(pid, "android", 100, 100, "dev-1"))
		if idOf(o.Wgt) != "1.0.2" || idOf(o.Native) != "1.1.0" {
			t.Fatalf("native 100: wgt %s native %s", idOf(o.Wgt), idOf(o.Native))
		}
		dev := string(release.AppendDeviceToken(nil, release.DeviceHash("dev-1")))
		if o.Wgt.URL != strings.Replace(f.wgt102.URL, o.Wgt.ID+"/", o.Wgt.ID+"/"+dev+"/", 1) || !strings.HasPrefix(o.Wgt.URL, "http://example.com/d/"+o.Wgt.ID+"/") || o.Wgt.MD5 == "" || o.Wgt.NativeVersionCode != 100 {
			t.Fatalf("offered wgt %+v", o.Wgt)
		}
		o = ts.check(t, "/api/update", checkBody(pid, "android", "110", "110", ""))
		if idOf(o.Wgt) != "1.1.1" || idOf(o.Native) != "1.1.0" {
			t.Fatalf("native 110 (numeric strings): wgt %s native %s", idOf(o.Wgt), idOf(o.Native))
		}
		o = ts.check(t, "/api/basic/update", map[string]any{"projectId": pid, "platform": "android"})
		if idOf(o.Wgt) != "1.1.1" {
			t.Fatalf("no native code: newest wgt expected, got %s", idOf(o.Wgt))
		}
		o = ts.check(t, "/api/basic/update", checkBody(pid, "ios", 1, 100, ""))
		if o.Wgt != nil || idOf(o.Native) != "1.1.0" || o.Native.URL != "https://apps.apple.com/app/id1" || o.Native.Type != 4 {
			t.Fatalf("ios: %+v", o)
		}

		// Disabling the newest wgt falls back to the previous one, at once.
		ts.mustOK(t, 200, "PATCH", "/api/v1/resources/"+f.wgt102.ID, f.maintainer.AccessToken, map[string]any{"status": 0}, nil)
		o = ts.check(t, "/api/basic/update", checkBody(pid, "android", 100, 100, ""))
		if idOf(o.Wgt) != "1.0.1" {
			t.Fatalf("disabled newest: got %s", idOf(o.Wgt))
		}
		ts.mustOK(t, 200, "PATCH", "/api/v1/resources/"+f.wgt101.ID, f.maintainer.AccessToken, map[string]any{"status": 0}, nil)
		o = ts.check(t, "/api/basic/update", checkBody(pid, "android", 100, 100, ""))
		if o.Wgt != nil {
			t.Fatalf("all disabled: got %s", idOf(o.Wgt))
		}
		// A new resource is offered by the very next check.
		wgt := ts.mustUpload(t, f.maintainer.AccessToken, pid, "n.wgt", wgtBytes(t))
		ts.mustResource(t, f.maintainer.AccessToken, pid, map[string]any{"type": 1, "version": "1.0.3", "versionCode": 112, "nativeVersionCode": 100, "storageKey": wgt.Key, "updateType": 1})
		if o = ts.check(t, "/api/basic/update", checkBody(pid, "android", 100, 100, "")); idOf(o.Wgt) != "1.0.3" {
			t.Fatalf("new resource not offered: %s", idOf(o.Wgt))
		}
	})
}

func TestUpdateCheckRollout(t *testing.T) {
	ts := mustServer(t, nil)
	f := newUpdateFixture(t, ts)
	pid := f.project.ID
	ts.mustOK(t, 200, "PATCH", "/api/v1/resources/"+f.wgt102.ID, f.maintainer.AccessToken, map[string]any{"rolloutPercent": 30}, nil)

	const n = 10_000
	got := 0
	for i := 0; i < n; i++ {
		o := ts.check(t, "/api/basic/update", checkBody(pid, "android", 100, 100, fmt.Sprintf("device-%05d", i)))
		switch idOf(o.Wgt) {
		case "1.0.2":
			got++
		case "1.0.1": // the previous, fully rolled out one
		default:
			t.Fatalf("device %d got %s", i, idOf(o.Wgt))
		}
	}
	if got < n*27/100 || got > n*33/100 {
		t.Fatalf("rollout 30%%: %d of %d devices", got, n)
	}
	for i := 0; i < 50; i++ {
		uuid := fmt.Sprintf("device-%05d", i)
		a := ts.check(t, "/api/basic/update", checkBody(pid, "android", 100, 100, uuid))
		b := ts.check(t, "/api/basic/update", checkBody(pid, "android", 100, 100, uuid))
		if idOf(a.Wgt) != idOf(b.Wgt) {
			t.Fatalf("%s answered %s then %s", uuid, idOf(a.Wgt), idOf(b.Wgt))
		}
	}
	if o := ts.check(t, "/api/basic/update", checkBody(pid, "android", 100, 100, "")); idOf(o.Wgt) != "1.0.1" {
		t.Fatalf("no uuid must get only 100%% resources: %s", idOf(o.Wgt))
	}
}

func TestUpdateCheckBadInput(t *testing.T) {
	ts := mustServer(t, nil)
	f := newUpdateFixture(t, ts)
	pid := f.project.ID
	rec, env := ts.call(t, "POST", "/api/basic/update", "", checkBody(strings.Repeat("f", 32), "android", 1, 1, ""))
	mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)

	bad := []struct {
		body   string
		fields string
	}{
		{`{"projectId":"` + pid + `","platform":"windows"}`, "platform"},
		{`{"platform":"android"}`, "projectId"},
		{`{"projectId":"` + pid + `","platform":"android","nativeVersionCode":-1}`, "nativeVersionCode"},
		{`{"projectId":"` + pid + `","platform":"android","wgtVersionCode":"1.0","nativeVersionCode":"x"}`, "wgtVersionCode,nativeVersionCode"},
		{`{"projectId":5,"platform":"android"}`, "projectId"},
		{`{"projectId":"` + pid + `","platform":"android"`, ""},
		{``, ""},
		{`[]`, ""},
	}
	for _, b := range bad {
		rec, env := ts.do(t, "POST", "/api/basic/update", strings.NewReader(b.body), "Content-Type", "application/json")
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		if got := strings.Join(fieldsOf(env), ","); got != b.fields {
			t.Errorf("%s: fields %q, want %q", b.body, got, b.fields)
		}
	}
	rec, env = ts.call(t, "POST", "/api/basic/update?channel=Beta!", "", checkBody(pid, "android", 1, 1, ""))
	mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
	// A channel the project does not have is a 404; production always
	// exists.
	rec, env = ts.call(t, "POST", "/api/basic/update?channel=beta", "", checkBody(pid, "android", 1, 1, ""))
	mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
	if !strings.Contains(env.Message, "channel beta") {
		t.Fatalf("unknown channel: %q", env.Message)
	}
	if o := ts.check(t, "/api/basic/update?channel=production", checkBody(pid, "android", 100, 100, "")); idOf(o.Wgt) != "1.0.2" {
		t.Fatalf("channel: %s", idOf(o.Wgt))
	}
	rec, env = ts.do(t, "POST", "/api/basic/update", strings.NewReader(`{"projectId":"`+pid+`","platform":"android","systemInfo":{"x":"`+strings.Repeat("a", 70<<10)+`"}}`))
	mustErrorEnvelope(t, rec, env, http.StatusRequestEntityTooLarge, apperr.TooLarge)
	// A free-form systemInfo of any shape is tolerated.
	ts.check(t, "/api/basic/update", map[string]any{"projectId": pid, "platform": "android", "systemInfo": []int{1, 2}})
	ts.check(t, "/api/basic/update", map[string]any{"projectId": pid, "platform": "android", "systemInfo": map[string]any{"uuid": 5}})
}

func TestUpdateStatistics(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		f := newUpdateFixture(t, ts)
		pid := f.project.ID
		for i := 0; i < 3; i++ {
			ts.check(t, "/api/basic/update", checkBody(pid, "android", 100, 100, "dev-a"))
		}
		ts.check(t, "/api/basic/update", checkBody(pid, "android", 111, 110, "dev-b"))
		ts.check(t, "/api/basic/update", checkBody(pid, "ios", 0, 110, "dev-c"))
		if err := ts.stats.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		ts.check(t, "/api/basic/update", checkBody(pid, "android", 100, 100, "dev-a"))
		if err := ts.stats.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}

		var r statsView
		ts.mustOK(t, 200, "GET", "/api/v1/projects/"+pid+"/stats", f.viewer.AccessToken, nil, &r)
		day := fixedNow.Format("2006-01-02")
		if len(r.ChecksPerDay) != 1 || r.ChecksPerDay[0].Day != day || r.ChecksPerDay[0].Count != 6 {
			t.Fatalf("per day %+v", r.ChecksPerDay)
		}
		if fmt.Sprint(r.Platforms) != "[{android 5} {ios 1}]" {
			t.Fatalf("platforms %+v", r.Platforms)
		}
		if fmt.Sprint(r.NativeVersions) != "[{110 2} {100 4}]" || fmt.Sprint(r.WgtVersions) != "[{111 1} {100 4} {0 1}]" {
			t.Fatalf("versions native %+v wgt %+v", r.NativeVersions, r.WgtVersions)
		}
		// Offers count what the client will apply: a newer native build
		// first, else a newer wgt; devices already up to date get nothing.
		offers := map[string]int64{}
		for _, o := range r.Offers {
			offers[o.Key] = o.Count
		}
		if len(offers) != 1 || offers[f.native110.ID] != 4 {
			t.Fatalf("offers %+v", offers)
		}
		if fmt.Sprint(r.Results) != "[{native 4} {none 2}]" {
			t.Fatalf("results %+v", r.Results)
		}
		if len(r.NewDevicesPerDay) != 1 || r.NewDevicesPerDay[0].Count != 3 {
			t.Fatalf("new devices %+v", r.NewDevicesPerDay)
		}
		rec, env := ts.call(t, "GET", "/api/v1/projects/"+pid+"/stats", f.stranger.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		rec, env = ts.call(t, "GET", "/api/v1/projects/"+pid+"/stats?from=2026-02-30", f.owner.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		rec, env = ts.call(t, "GET", "/api/v1/projects/"+pid+"/stats?from=2026-05-01&to=2026-04-01", f.owner.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
	})
}

func TestUpdateCheckWithAFormBodySaysToSendJSON(t *testing.T) {
	ts := mustServer(t, nil)
	rec, env := ts.do(t, "POST", "/api/basic/update", strings.NewReader("projectId=abc&platform=android"),
		"Content-Type", "application/x-www-form-urlencoded")
	mustErrorEnvelope(t, rec, env, 400, apperr.Invalid)
	if !strings.Contains(env.Message, "application/json") || !strings.Contains(env.Message, "form") {
		t.Fatalf("message %q", env.Message)
	}
}

func TestDocsWithATrailingSlashOpenTheUI(t *testing.T) {
	ts := mustServer(t, func(s *testSetup) { s.Config.Docs = true })
	for _, p := range []string{"/docs", "/docs/"} {
		rec, _ := ts.do(t, "GET", p, nil)
		if rec.Code != 302 || rec.Header().Get("Location") != "/docs/index.html" {
			t.Fatalf("%s: %d %q", p, rec.Code, rec.Header().Get("Location"))
		}
	}
	if rec, _ := ts.do(t, "GET", "/docs/index.html", nil); rec.Code != 200 {
		t.Fatalf("index: %d", rec.Code)
	}
}
