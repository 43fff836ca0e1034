package httpapi

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/release"
)

// codePushInfo is update_info of the new path, as the SDK reads it.
type codePushInfo struct {
	DownloadURL      string `json:"download_url"`
	IsAvailable      bool   `json:"is_available"`
	AppVersion       string `json:"app_version"`
	Label            string `json:"label"`
	PackageHash      string `json:"package_hash"`
	PackageSize      int64  `json:"package_size"`
	UpdateAppVersion bool   `json:"update_app_version"`
}

// mustCodePushCheck asks the update check (new path) with query and
// requires a 200.
func (ts *testServer) mustCodePushCheck(tb testing.TB, query url.Values) codePushInfo {
	tb.Helper()
	rec, _ := ts.do(tb, "GET", "/v0.1/public/codepush/update_check?"+query.Encode(), nil)
	var out struct {
		UpdateInfo codePushInfo `json:"update_info"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); rec.Code != 200 || err != nil {
		tb.Fatalf("update_check %s: %d %s", query.Encode(), rec.Code, rec.Body)
	}
	return out.UpdateInfo
}

// mustDeploymentKey returns the key of a project's production deployment
// of a platform, as the channel list shows it.
func (ts *testServer) mustDeploymentKey(tb testing.TB, token, projectID string, pl release.Platform) string {
	tb.Helper()
	var chs []channelView
	ts.mustOK(tb, 200, "GET", "/api/v1/projects/"+projectID+"/channels", token, nil, &chs)
	if len(chs) == 0 || chs[0].DeploymentKeys[pl] == "" {
		tb.Fatalf("no %s deployment key in %+v", pl, chs)
	}
	return chs[0].DeploymentKeys[pl]
}

// TestCodePushTargetRangeEdit: a CodePush release's targetBinaryRange is
// editable after publish, checked like at publish (and refused for other
// types), and the update check answers with the new range at once.
func TestCodePushTargetRangeEdit(t *testing.T) {
	eachDB(t, nil, testCodePushTargetRangeEdit)
}

func testCodePushTargetRangeEdit(t *testing.T, ts *testServer) {
	f := newReleaseFixture(t, ts)
	tok, pid := f.maintainer.AccessToken, f.project.ID
	zip := ts.mustUpload(t, tok, pid, "b.zip", mustZip(t, "CodePush/index.android.bundle", "CodePush/assets/a.png"))
	v1 := ts.mustResource(t, tok, pid, map[string]any{"type": 6, "storageKey": zip.Key, "targetBinaryRange": "2.x", "updateType": 1})
	key := ts.mustDeploymentKey(t, tok, pid, release.PlatformAndroid)
	device := url.Values{"deployment_key": {key}, "app_version": {"1.0.0"}, "client_unique_id": {"d1"}}

	got := ts.mustCodePushCheck(t, device)
	if got.IsAvailable || !got.UpdateAppVersion || got.AppVersion != "2.x" {
		t.Fatalf("binary 1.0.0 before the edit: %+v", got)
	}

	// Bad ranges and other types: 400 on the field, nothing changes.
	var before resourceView
	ts.mustOK(t, 200, "GET", "/api/v1/resources/"+v1.ID, tok, nil, &before)
	appStore := ts.mustResource(t, tok, pid, map[string]any{"type": 4, "version": "1.0.0", "versionCode": 100,
		"url": "https://apps.apple.com/app/id1", "updateType": 1})
	for _, tc := range []struct {
		id, rng string
	}{{v1.ID, "banana"}, {v1.ID, ""}, {v1.ID, "  "}, {v1.ID, "1.2.3.4"}, {v1.ID, strings.Repeat("1", 300)}, {appStore.ID, "1.x"}} {
		rec, env := ts.call(t, "PATCH", "/api/v1/resources/"+tc.id, tok, map[string]any{"targetBinaryRange": tc.rng, "changelog": "changed?"})
		if rec.Code != 400 || len(env.Errors) != 1 || env.Errors[0].Field != "targetBinaryRange" {
			t.Fatalf("PATCH %s targetBinaryRange %q: %d %s", tc.id, tc.rng, rec.Code, rec.Body)
		}
	}
	var same resourceView
	ts.mustOK(t, 200, "GET", "/api/v1/resources/"+v1.ID, tok, nil, &same)
	if same.TargetBinaryRange != "2.x" || same.Changelog != "" || !same.UpdatedTime.Equal(before.UpdatedTime) {
		t.Fatalf("a refused patch changed the release: %+v", same)
	}
	if rec, _ := ts.call(t, "PATCH", "/api/v1/resources/"+v1.ID, f.viewer.AccessToken, map[string]any{"targetBinaryRange": "1.x"}); rec.Code != 403 {
		t.Fatalf("a viewer's patch: %d", rec.Code)
	}

	// Widening: the device on 1.0.0 gets the release at once; the display
	// version, the range by default, follows.
	var wide resourceView
	ts.mustOK(t, 200, "PATCH", "/api/v1/resources/"+v1.ID, tok, map[string]any{"targetBinaryRange": "1.x || 2.x"}, &wide)
	if wide.TargetBinaryRange != "1.x || 2.x" || wide.Version != "1.x || 2.x" || wide.Label != "v1" || wide.PackageHash != v1.PackageHash {
		t.Fatalf("patched %+v", wide)
	}
	got = ts.mustCodePushCheck(t, device)
	if !got.IsAvailable || got.Label != "v1" || got.PackageHash != v1.PackageHash || got.AppVersion != "1.0.0" {
		t.Fatalf("binary 1.0.0 after widening: %+v", got)
	}
	rec, _ := ts.do(t, "GET", "/updateCheck?deploymentKey="+key+"&appVersion=1.0.0", nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"isAvailable":true`) {
		t.Fatalf("legacy path after widening: %d %s", rec.Code, rec.Body)
	}

	// Narrowing again, with a display version of its own: it stays.
	var narrow resourceView
	ts.mustOK(t, 200, "PATCH", "/api/v1/resources/"+v1.ID, tok, map[string]any{"targetBinaryRange": "^2.1.0", "version": "2.1 bundle"}, &narrow)
	if narrow.TargetBinaryRange != "^2.1.0" || narrow.Version != "2.1 bundle" {
		t.Fatalf("patched %+v", narrow)
	}
	ts.mustOK(t, 200, "PATCH", "/api/v1/resources/"+v1.ID, tok, map[string]any{"targetBinaryRange": "^2.2.0"}, &narrow)
	if narrow.Version != "2.1 bundle" {
		t.Fatalf("an own display version changed with the range: %+v", narrow)
	}
	if got := ts.mustCodePushCheck(t, device); got.IsAvailable || !got.UpdateAppVersion || got.AppVersion != "^2.2.0" {
		t.Fatalf("binary 1.0.0 after narrowing: %+v", got)
	}
	device.Set("app_version", "2.3.0")
	if got := ts.mustCodePushCheck(t, device); !got.IsAvailable || got.Label != "v1" {
		t.Fatalf("binary 2.3.0: %+v", got)
	}
}

// followFile GETs a download link of the test server and the storage URL
// it redirects to; it returns the final status.
func (ts *testServer) followFile(tb testing.TB, link string) int {
	tb.Helper()
	u, err := url.Parse(link)
	if err != nil {
		tb.Fatal(err)
	}
	rec, _ := ts.do(tb, "GET", u.RequestURI(), nil)
	if rec.Code != 302 {
		return rec.Code
	}
	to, err := url.Parse(rec.Header().Get("Location"))
	if err != nil {
		tb.Fatal(err)
	}
	rec, _ = ts.do(tb, "GET", to.RequestURI(), nil)
	return rec.Code
}

// diffFiles lists the stored diff packages (local storage).
func (ts *testServer) diffFiles(tb testing.TB) []string {
	tb.Helper()
	var out []string
	for _, f := range ts.storedFiles(tb) {
		if strings.Contains(f, "codepush-diff") {
			out = append(out, f)
		}
	}
	return out
}

// TestCodePushDeleteRemovesDiffs: deleting a release deletes the diff
// packages built for it, as target or as base, from storage and from the
// database, and no deleted diff is offered or downloadable afterwards; a
// diff another release can still be the base of is kept.
func TestCodePushDeleteRemovesDiffs(t *testing.T) {
	eachDB(t, nil, testCodePushDeleteRemovesDiffs)
}

func testCodePushDeleteRemovesDiffs(t *testing.T, ts *testServer) {
	f := newReleaseFixture(t, ts)
	tok, pid := f.maintainer.AccessToken, f.project.ID
	publish := func(files ...string) resourceView {
		z := ts.mustUpload(t, tok, pid, "b.zip", mustZip(t, files...))
		return ts.mustResource(t, tok, pid, map[string]any{"type": 6, "storageKey": z.Key, "targetBinaryRange": "1.x", "updateType": 1})
	}
	// v1 and v2 are the same package (A); v3 changes it (B).
	v1 := publish("CodePush/index.android.bundle", "CodePush/assets/a.png")
	v2 := publish("CodePush/index.android.bundle", "CodePush/assets/a.png")
	v3 := publish("CodePush/index.android.bundle", "CodePush/assets/b.png")
	if v1.PackageHash != v2.PackageHash || v3.PackageHash == v1.PackageHash {
		t.Fatalf("hashes v1 %s v2 %s v3 %s", v1.PackageHash, v2.PackageHash, v3.PackageHash)
	}
	key := ts.mustDeploymentKey(t, tok, pid, release.PlatformAndroid)
	onA := url.Values{"deployment_key": {key}, "app_version": {"1.2.0"}, "package_hash": {v1.PackageHash}, "client_unique_id": {"d1"}}

	got := ts.mustCodePushCheck(t, onA)
	if !got.IsAvailable || got.Label != "v3" || !strings.Contains(got.DownloadURL, "/codepush/diff/"+v3.ID+"/") {
		t.Fatalf("device on A: %+v", got)
	}
	diffURL := got.DownloadURL
	if code := ts.followFile(t, diffURL); code != 200 {
		t.Fatalf("diff download: %d", code)
	}
	d := ts.diffFiles(t)
	if len(d) != 1 {
		t.Fatalf("stored diffs %v", d)
	}
	built, err := os.Stat(filepath.Join(ts.filesDir, d[0]))
	if err != nil {
		t.Fatal(err)
	}

	// v2 goes: v1 is the same package below v3, so the diff stays (not
	// built again: the same file) and is served.
	ts.mustOK(t, 200, "DELETE", "/api/v1/resources/"+v2.ID, tok, nil, nil)
	if got := ts.mustCodePushCheck(t, onA); got.DownloadURL != diffURL {
		t.Fatalf("device on A after v2 was deleted: %+v", got)
	}
	if code := ts.followFile(t, diffURL); code != 200 || len(ts.diffFiles(t)) != 1 {
		t.Fatalf("diff after v2 was deleted: %d, stored %v", code, ts.diffFiles(t))
	}
	if now, err := os.Stat(filepath.Join(ts.filesDir, d[0])); err != nil || !os.SameFile(built, now) {
		t.Fatalf("the diff was deleted and built again (%v)", err)
	}

	// v1 goes: nothing can be the diff's base; it is gone from storage,
	// its link is 404 and the check offers the full package.
	ts.mustOK(t, 200, "DELETE", "/api/v1/resources/"+v1.ID, tok, nil, nil)
	if d := ts.diffFiles(t); len(d) != 0 {
		t.Fatalf("diffs left after their base was deleted: %v", d)
	}
	if code := ts.followFile(t, diffURL); code != 404 {
		t.Fatalf("deleted diff: %d", code)
	}
	got = ts.mustCodePushCheck(t, onA)
	if !got.IsAvailable || got.Label != "v3" || !strings.Contains(got.DownloadURL, "/d/"+v3.ID+"/") || got.PackageSize != v3.Size {
		t.Fatalf("device on A after its base was deleted: %+v", got)
	}
	if code := ts.followFile(t, got.DownloadURL); code != 200 {
		t.Fatalf("full package: %d", code)
	}

	// A diff to a release goes with it.
	v4 := publish("CodePush/index.android.bundle", "CodePush/assets/c.png")
	onB := url.Values{"deployment_key": {key}, "app_version": {"1.2.0"}, "package_hash": {v3.PackageHash}, "client_unique_id": {"d2"}}
	got = ts.mustCodePushCheck(t, onB)
	if got.Label != "v4" || !strings.Contains(got.DownloadURL, "/codepush/diff/"+v4.ID+"/") || len(ts.diffFiles(t)) != 1 {
		t.Fatalf("device on B: %+v, stored %v", got, ts.diffFiles(t))
	}
	ts.mustOK(t, 200, "DELETE", "/api/v1/resources/"+v4.ID, tok, nil, nil)
	if d := ts.diffFiles(t); len(d) != 0 {
		t.Fatalf("diffs left after their target was deleted: %v", d)
	}
	if code := ts.followFile(t, got.DownloadURL); code != 404 {
		t.Fatalf("deleted target's diff: %d", code)
	}
	if got := ts.mustCodePushCheck(t, onB); got.IsAvailable {
		t.Fatalf("device on v3 after v4 was deleted: %+v", got)
	}
	// Only v3's own package is left in storage.
	if files := ts.storedFiles(t); len(files) != 1 || !slices.ContainsFunc(files, func(f string) bool { return strings.HasSuffix(v3.StorageKey, f) || strings.HasSuffix(f, v3.StorageKey) }) {
		t.Fatalf("stored files %v, v3 is %s", files, v3.StorageKey)
	}
}
