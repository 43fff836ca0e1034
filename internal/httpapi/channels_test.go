package httpapi

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/apperr"
)

func (ts *testServer) mustChannel(tb testing.TB, token, projectID, name string) channelView {
	tb.Helper()
	var ch channelView
	ts.mustOK(tb, 201, "POST", "/api/v1/projects/"+projectID+"/channels", token, map[string]string{"name": name}, &ch)
	return ch
}

func (ts *testServer) explain(tb testing.TB, token, projectID, query string) explainView {
	tb.Helper()
	var ex explainView
	ts.mustOK(tb, 200, "GET", "/api/v1/projects/"+projectID+"/explain?"+query, token, nil, &ex)
	return ex
}

func reasonOf(ex explainView, version string) string {
	for _, s := range ex.Trace {
		if s.Version == version {
			if s.Verdict == "offered" {
				return "offered"
			}
			return s.Reason
		}
	}
	return "absent"
}

func TestChannelsCreateListDelete(t *testing.T) {
	ts := mustServer(t, nil)
	f := newUpdateFixture(t, ts)
	tok, pid := f.maintainer.AccessToken, f.project.ID
	beta := ts.mustChannel(t, tok, pid, "beta")
	if beta.UpdateURL != "http://example.com/api/basic/update?channel=beta" {
		t.Fatalf("beta update URL %q", beta.UpdateURL)
	}
	var chs []channelView
	ts.mustOK(t, 200, "GET", "/api/v1/projects/"+pid+"/channels", f.viewer.AccessToken, nil, &chs)
	if len(chs) != 2 || chs[0].Name != "production" || chs[0].Resources != 6 || chs[1].Name != "beta" ||
		chs[0].UpdateURL != "http://example.com/api/basic/update" {
		t.Fatalf("channels %+v", chs)
	}
	for name, status := range map[string]int{"Beta": 400, "-x": 400, strings.Repeat("a", 33): 400, "beta": 409, "production": 409} {
		rec, _ := ts.call(t, "POST", "/api/v1/projects/"+pid+"/channels", tok, map[string]string{"name": name})
		if rec.Code != status {
			t.Errorf("create %q: %d, want %d (%s)", name, rec.Code, status, rec.Body)
		}
	}
	rec, env := ts.call(t, "POST", "/api/v1/projects/"+pid+"/channels", f.viewer.AccessToken, map[string]string{"name": "qa"})
	mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
	// A channel with resources stays; production never goes.
	wgt := ts.mustUpload(t, tok, pid, "b.wgt", wgtBytes(t))
	ts.mustResource(t, tok, pid, map[string]any{"type": 1, "version": "1.0.3-beta", "versionCode": 101, "nativeVersionCode": 100,
		"storageKey": wgt.Key, "updateType": 1, "channel": "beta"})
	rec, env = ts.call(t, "DELETE", "/api/v1/projects/"+pid+"/channels/beta", tok, nil)
	mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict)
	rec, env = ts.call(t, "DELETE", "/api/v1/projects/"+pid+"/channels/production", tok, nil)
	mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
	ts.mustChannel(t, tok, pid, "qa")
	ts.mustOK(t, 200, "DELETE", "/api/v1/projects/"+pid+"/channels/qa", tok, nil, nil)
	rec, env = ts.call(t, "DELETE", "/api/v1/projects/"+pid+"/channels/qa", tok, nil)
	mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
	// Publishing to a channel that does not exist changes nothing.
	rec, env = ts.call(t, "POST", "/api/v1/projects/"+pid+"/resources", tok, map[string]any{"type": 1, "version": "9", "versionCode": 900,
		"nativeVersionCode": 100, "storageKey": wgt.Key, "updateType": 1, "channel": "qa"})
	mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
	if strings.Join(fieldsOf(env), ",") != "channel" {
		t.Fatalf("fields %v", fieldsOf(env))
	}
}

func TestChannelsServeTheirOwnReleasesAndPins(t *testing.T) {
	ts := mustServer(t, nil)
	f := newUpdateFixture(t, ts)
	tok, pid := f.maintainer.AccessToken, f.project.ID
	ts.mustChannel(t, tok, pid, "beta")
	wgt := ts.mustUpload(t, tok, pid, "b.wgt", wgtBytes(t))
	// Version rules hold per channel: beta may reuse production's code,
	// and its wgt may target production's native build.
	betaWgt := ts.mustResource(t, tok, pid, map[string]any{"type": 1, "version": "1.0.2-beta", "versionCode": 102,
		"nativeVersionCode": 100, "storageKey": wgt.Key, "updateType": 1, "channel": "beta"})
	if betaWgt.Channel != "beta" {
		t.Fatalf("channel %q", betaWgt.Channel)
	}
	body := checkBody(pid, "android", 100, 100, "dev-1")
	if o := ts.check(t, "/api/basic/update?channel=beta", body); idOf(o.Wgt) != "1.0.2-beta" || o.Native != nil {
		t.Fatalf("beta: wgt %s native %s", idOf(o.Wgt), idOf(o.Native))
	}
	if o := ts.check(t, "/api/basic/update", body); idOf(o.Wgt) != "1.0.2" || idOf(o.Native) != "1.1.0" {
		t.Fatalf("production: wgt %s native %s", idOf(o.Wgt), idOf(o.Native))
	}
	// Pinned, the device gets beta whatever URL it uses.
	var pin pinView
	ts.mustOK(t, 200, "POST", "/api/v1/projects/"+pid+"/pins", tok, map[string]string{"deviceKey": "dev-1", "channel": "beta", "note": "QA phone"}, &pin)
	if o := ts.check(t, "/api/basic/update", body); idOf(o.Wgt) != "1.0.2-beta" {
		t.Fatalf("pinned: %s", idOf(o.Wgt))
	}
	if o := ts.check(t, "/api/basic/update", checkBody(pid, "android", 100, 100, "dev-2")); idOf(o.Wgt) != "1.0.2" {
		t.Fatalf("another device: %s", idOf(o.Wgt))
	}
	ex := ts.explain(t, tok, pid, "platform=android&nativeVersionCode=100&wgtVersionCode=100&uuid=dev-1")
	if ex.Channel != "beta" || !ex.Pinned || idOf(ex.Wgt) != "1.0.2-beta" || reasonOf(ex, "1.0.2") != "other_channel" {
		t.Fatalf("explain pinned: %+v", ex)
	}
	for _, bad := range []map[string]string{
		{"deviceKey": strings.Repeat("x", 129), "channel": "beta"},
		{"deviceKey": "", "channel": "beta"},
	} {
		rec, env := ts.call(t, "POST", "/api/v1/projects/"+pid+"/pins", tok, bad)
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
	}
	rec, env := ts.call(t, "POST", "/api/v1/projects/"+pid+"/pins", tok, map[string]string{"deviceKey": "dev-3", "channel": "nope"})
	mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
	var pins []pinView
	ts.mustOK(t, 200, "GET", "/api/v1/projects/"+pid+"/pins?channel=beta", f.viewer.AccessToken, nil, &pins)
	if len(pins) != 1 || pins[0].DeviceKey != "dev-1" || pins[0].Note != "QA phone" {
		t.Fatalf("pins %+v", pins)
	}
	ts.mustOK(t, 200, "DELETE", "/api/v1/projects/"+pid+"/pins/dev-1", tok, nil, nil)
	if o := ts.check(t, "/api/basic/update", body); idOf(o.Wgt) != "1.0.2" {
		t.Fatalf("unpinned: %s", idOf(o.Wgt))
	}
	// Statistics split by channel.
	if err := ts.stats.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	var st statsView
	ts.mustOK(t, 200, "GET", "/api/v1/projects/"+pid+"/stats?from=2026-11-01&to=2026-12-31", tok, nil, &st)
	got := map[string]int64{}
	for _, k := range st.Channels {
		got[k.Key] = k.Count
	}
	if got["beta"] != 2 || got["production"] != 3 {
		t.Fatalf("checks by channel %+v", st.Channels)
	}
	ts.mustOK(t, 200, "GET", "/api/v1/projects/"+pid+"/stats?from=2026-11-01&to=2026-12-31&channel=beta", tok, nil, &st)
	if len(st.Channels) != 1 || st.Channels[0].Key != "beta" {
		t.Fatalf("beta only %+v", st.Channels)
	}
}

func TestPromote(t *testing.T) {
	ts := mustServer(t, nil)
	f := newUpdateFixture(t, ts)
	tok, pid := f.maintainer.AccessToken, f.project.ID
	ts.mustChannel(t, tok, pid, "beta")
	wgt := ts.mustUpload(t, tok, pid, "b.wgt", wgtBytes(t))
	b := ts.mustResource(t, tok, pid, map[string]any{"type": 1, "version": "1.0.3", "versionCode": 112,
		"nativeVersionCode": 100, "storageKey": wgt.Key, "updateType": 1, "channel": "beta"})
	rec, env := ts.call(t, "POST", "/api/v1/resources/"+b.ID+"/promote", tok, map[string]any{"channel": "beta"})
	mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
	rec, env = ts.call(t, "POST", "/api/v1/resources/"+b.ID+"/promote", tok, map[string]any{"channel": "gamma"})
	mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
	var p resourceView
	ts.mustOK(t, 201, "POST", "/api/v1/resources/"+b.ID+"/promote", tok, map[string]any{"channel": "production", "rolloutPercent": 100}, &p)
	if p.Channel != "production" || p.Origin != "promoted" || p.OriginID != b.ID || p.VersionCode != 112 || p.SHA256 != b.SHA256 || p.ID == b.ID {
		t.Fatalf("promoted %+v", p)
	}
	if o := ts.check(t, "/api/basic/update", checkBody(pid, "android", 100, 100, "d")); idOf(o.Wgt) != "1.0.3" {
		t.Fatalf("production after promote: %s", idOf(o.Wgt))
	}
	// Promoting again: production has 112 already.
	rec, env = ts.call(t, "POST", "/api/v1/resources/"+b.ID+"/promote", tok, map[string]any{"channel": "production"})
	mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict)
}

func TestRollback(t *testing.T) {
	ts := mustServer(t, nil)
	f := newUpdateFixture(t, ts)
	tok, pid := f.maintainer.AccessToken, f.project.ID
	var rb rollbackView
	ts.mustOK(t, 200, "POST", "/api/v1/resources/"+f.wgt102.ID+"/rollback", tok, nil, &rb)
	if rb.Withdrawn.ID != f.wgt102.ID || rb.Withdrawn.Status != 0 || rb.Republished == nil {
		t.Fatalf("rollback %+v", rb)
	}
	re := *rb.Republished
	if re.VersionCode != 112 || re.Version != "1.0.1" || re.SHA256 != f.wgt101.SHA256 || re.Origin != "rollback" ||
		re.OriginID != f.wgt101.ID || !strings.HasPrefix(re.Changelog, "Rollback of 1.0.2 (102): re-publishes 1.0.1 (101).") {
		t.Fatalf("republished %+v", re)
	}
	// A device that installed the bad 102 moves to 112 (1.0.1's package);
	// one that runs 101 is not offered it (it would loop forever).
	if o := ts.check(t, "/api/basic/update", checkBody(pid, "android", 102, 100, "d")); idOf(o.Wgt) != "1.0.1" || o.Wgt.VersionCode != 112 {
		t.Fatalf("device on the bad release: %+v", o.Wgt)
	}
	if o := ts.check(t, "/api/basic/update", checkBody(pid, "android", 101, 100, "d")); o.Wgt == nil || o.Wgt.VersionCode > 101 {
		t.Fatalf("device on 101 is offered %+v", o.Wgt)
	}
	ex := ts.explain(t, tok, pid, "platform=android&nativeVersionCode=100&wgtVersionCode=101&uuid=d")
	if reasonOf(ex, "1.0.2") != "disabled" || ex.Applies != "native" { // native 110 is newer; no wgt applies
		t.Fatalf("explain after rollback %+v", ex)
	}
	for _, s := range ex.Trace {
		if s.VersionCode == 112 && s.Reason != "not_newer" {
			t.Fatalf("the rollback for a device on 101: %+v", s)
		}
	}
	// Bad input changes nothing.
	rec, env := ts.call(t, "POST", "/api/v1/resources/"+f.wgt102.ID+"/rollback", tok, nil)
	mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid) // disabled already
	rec, env = ts.call(t, "POST", "/api/v1/resources/"+f.wgt111.ID+"/rollback", tok, nil)
	mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid) // nothing before it
	if !strings.Contains(env.Message, "no earlier enabled") {
		t.Fatalf("message %q", env.Message)
	}
	rec, env = ts.call(t, "POST", "/api/v1/resources/"+f.wgt111.ID+"/rollback", f.viewer.AccessToken, nil)
	mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
	// A native build is only withdrawn.
	ts.mustOK(t, 200, "POST", "/api/v1/resources/"+f.native110.ID+"/rollback", tok, nil, &rb)
	if rb.Republished != nil || rb.Withdrawn.Status != 0 {
		t.Fatalf("native rollback %+v", rb)
	}
	if o := ts.check(t, "/api/basic/update", checkBody(pid, "android", 112, 100, "d")); idOf(o.Native) != "1.0.0" {
		t.Fatalf("native after rollback: %s", idOf(o.Native))
	}
}

func TestExplainReasonsAndBadInput(t *testing.T) {
	ts := mustServer(t, nil)
	f := newUpdateFixture(t, ts)
	tok, pid := f.maintainer.AccessToken, f.project.ID
	ts.mustOK(t, 200, "PATCH", "/api/v1/resources/"+f.wgt102.ID, tok, map[string]any{"rolloutPercent": 1}, nil)
	ex := ts.explain(t, f.viewer.AccessToken, pid, "platform=android&nativeVersionCode=100&wgtVersionCode=100&uuid=some-device")
	want := map[string]string{"1.1.0": "offered", "1.0.0": "not_newer", "1.1.1": "native_mismatch", "1.0.1": "offered"}
	for v, reason := range want {
		if got := reasonOf(ex, v); got != reason {
			t.Errorf("%s: %s, want %s", v, got, reason)
		}
	}
	var rollout *traceStepView
	for i := range ex.Trace {
		if ex.Trace[i].Version == "1.0.2" {
			rollout = &ex.Trace[i]
		}
	}
	if rollout == nil || rollout.Reason != "outside_rollout" || rollout.Percent == nil || *rollout.Percent != 1 || rollout.Bucket == nil {
		t.Fatalf("rollout step %+v", rollout)
	}
	if ex.Applies != "native" || ex.Channel != "production" || ex.Pinned {
		t.Fatalf("explain %+v", ex)
	}
	for q, status := range map[string]int{
		"platform=windows":                                  400,
		"platform=android&nativeVersionCode=-1":             400,
		"platform=android&uuid=" + strings.Repeat("u", 129): 400,
		"platform=android&channel=Nope!":                    400,
		"platform=android&channel=nope":                     404,
	} {
		rec, _ := ts.call(t, "GET", "/api/v1/projects/"+pid+"/explain?"+q, tok, nil)
		if rec.Code != status {
			t.Errorf("%s: %d, want %d (%s)", q, rec.Code, status, rec.Body)
		}
	}
	rec, env := ts.call(t, "GET", "/api/v1/projects/"+pid+"/explain?platform=android", f.stranger.AccessToken, nil)
	mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
}

// TestExplainAgreesWithTheUpdateCheck builds random catalogs (channels,
// rollouts, disabled releases, rollbacks, pins) and random devices, and
// checks that explain offers exactly what the update check answers.
func TestExplainAgreesWithTheUpdateCheck(t *testing.T) {
	ts := mustServer(t, nil)
	f := newReleaseFixture(t, ts)
	tok, pid := f.maintainer.AccessToken, f.project.ID
	rng := rand.New(rand.NewPCG(7, 11))
	apk := ts.mustUpload(t, tok, pid, "app.apk", apkBytes(t))
	wgt := ts.mustUpload(t, tok, pid, "app.wgt", wgtBytes(t))
	channels := []string{"production", "beta", "qa"}
	ts.mustChannel(t, tok, pid, "beta")
	ts.mustChannel(t, tok, pid, "qa")
	natives := []int64{100, 110}
	for _, ch := range channels {
		for _, n := range natives {
			ts.mustResource(t, tok, pid, map[string]any{"type": 3, "version": fmt.Sprint(n), "versionCode": n, "storageKey": apk.Key,
				"updateType": 1, "channel": ch, "rolloutPercent": 1 + rng.IntN(100)})
		}
		var ids []string
		for code := int64(1); code <= 12; code++ {
			r := ts.mustResource(t, tok, pid, map[string]any{"type": 1, "version": fmt.Sprint(ch, code), "versionCode": code,
				"nativeVersionCode": natives[rng.IntN(2)], "storageKey": wgt.Key, "updateType": 1, "channel": ch,
				"rolloutPercent": []int{5, 30, 50, 100, 100}[rng.IntN(5)], "status": []int{0, 1, 1, 1}[rng.IntN(4)]})
			ids = append(ids, r.ID)
		}
		// Roll a few back (some fail: nothing earlier, or disabled).
		for range 3 {
			ts.call(t, "POST", "/api/v1/resources/"+ids[rng.IntN(len(ids))]+"/rollback", tok, nil)
		}
	}
	for i := range 10 {
		ts.mustOK(t, 200, "POST", "/api/v1/projects/"+pid+"/pins", tok,
			map[string]string{"deviceKey": fmt.Sprint("dev-", i), "channel": channels[rng.IntN(3)]}, nil)
	}
	for i := range 300 {
		dev := fmt.Sprint("dev-", rng.IntN(40))
		ch := channels[rng.IntN(3)]
		native := []int64{90, 100, 110}[rng.IntN(3)]
		wgtCode := int64(rng.IntN(16))
		body := checkBody(pid, "android", wgtCode, native, dev)
		o := ts.check(t, "/api/basic/update?channel="+ch, body)
		ex := ts.explain(t, tok, pid, fmt.Sprintf("platform=android&nativeVersionCode=%d&wgtVersionCode=%d&uuid=%s&channel=%s", native, wgtCode, dev, ch))
		idv := func(r *resourceView) string {
			if r == nil {
				return ""
			}
			return r.ID
		}
		if idv(o.Wgt) != idv(ex.Wgt) || idv(o.Native) != idv(ex.Native) {
			b, _ := json.Marshal(ex)
			t.Fatalf("case %d (%s on %s, native %d, wgt %d): check wgt %s native %s; explain %s", i, dev, ch, native, wgtCode,
				idv(o.Wgt), idv(o.Native), b)
		}
		offered := 0
		for _, s := range ex.Trace {
			if s.Verdict == "offered" {
				offered++
				if s.ResourceID != idv(ex.Wgt) && s.ResourceID != idv(ex.Native) {
					t.Fatalf("case %d: trace offers %s, the answer does not", i, s.ResourceID)
				}
			} else if s.Reason == "" {
				t.Fatalf("case %d: a skipped step without a reason: %+v", i, s)
			}
		}
		if want := min(1, len(idv(ex.Wgt))) + min(1, len(idv(ex.Native))); offered != want {
			t.Fatalf("case %d: %d offered steps for %d offered resources", i, offered, want)
		}
	}
}
