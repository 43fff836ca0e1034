package httpapi

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/release"
)

// TestCodePushPublishRules covers what publishing a CodePush bundle
// checks and assigns: range, zip, labels and codes, the rollout rules,
// promote, per-platform deployments and keys removed with their channel.
func TestCodePushPublishRules(t *testing.T) {
	ts := mustServer(t, nil)
	f := newReleaseFixture(t, ts)
	tok, pid := f.maintainer.AccessToken, f.project.ID
	zipKey := ts.mustUpload(t, tok, pid, "b.zip", mustZip(t, "CodePush/index.ios.bundle")).Key
	create := func(body map[string]any) (int, envelope) {
		b := map[string]any{"type": 7, "storageKey": zipKey, "targetBinaryRange": "~1.2", "updateType": 1}
		for k, v := range body {
			b[k] = v
		}
		rec, env := ts.call(t, "POST", "/api/v1/projects/"+pid+"/resources", tok, b)
		return rec.Code, env
	}
	for _, bad := range []map[string]any{{"targetBinaryRange": "banana"}, {"targetBinaryRange": ""},
		{"type": 1, "nativeVersionCode": 0}, {"versionCode": -1}} {
		if code, env := create(bad); code != 400 {
			t.Errorf("%v: %d %+v", bad, code, env)
		}
	}
	fw := ts.mustUpload(t, tok, pid, "fw.bin", []byte("not a zip at all"))
	if code, _ := create(map[string]any{"storageKey": fw.Key}); code != 400 {
		t.Errorf("a non-zip bundle: %d", code)
	}

	v1 := ts.mustResource(t, tok, pid, map[string]any{"type": 7, "storageKey": zipKey, "targetBinaryRange": "~1.2", "updateType": 1})
	if v1.Label != "v1" || v1.VersionCode != 1 || v1.Version != "~1.2" || len(v1.PackageHash) != 64 || v1.TargetBinaryRange != "~1.2" {
		t.Fatalf("v1 %+v", v1)
	}
	v10 := ts.mustResource(t, tok, pid, map[string]any{"type": 7, "storageKey": zipKey, "targetBinaryRange": "~1.2",
		"versionCode": 10, "version": "1.2 hotfix", "rolloutPercent": 20, "updateType": 1})
	if v10.Label != "v10" || v10.PackageHash != v1.PackageHash {
		t.Fatalf("v10 %+v", v10)
	}
	if code, env := create(nil); code != 409 {
		t.Fatalf("a release over an unfinished rollout: %d %+v", code, env)
	}
	if rec, _ := ts.call(t, "PATCH", "/api/v1/resources/"+v10.ID, tok, map[string]any{"rolloutPercent": 10}); rec.Code != 400 {
		t.Fatalf("shrinking a rollout: %d", rec.Code)
	}
	ts.mustOK(t, 200, "PATCH", "/api/v1/resources/"+v10.ID, tok, map[string]any{"rolloutPercent": 100}, nil)
	if code, env := create(nil); code != 201 || !env.Success {
		t.Fatalf("after the rollout finished: %d %+v", code, env)
	}

	// Promote to beta: a new deployment, a new label.
	ts.mustOK(t, 201, "POST", "/api/v1/projects/"+pid+"/channels", tok, map[string]string{"name": "beta"}, nil)
	var promoted resourceView
	ts.mustOK(t, 201, "POST", "/api/v1/resources/"+v10.ID+"/promote", tok, map[string]any{"channel": "beta"}, &promoted)
	if promoted.Label != "v1" || promoted.Channel != "beta" || promoted.PackageHash != v10.PackageHash {
		t.Fatalf("promoted %+v", promoted)
	}
	var chs []channelView
	ts.mustOK(t, 200, "GET", "/api/v1/projects/"+pid+"/channels", tok, nil, &chs)
	if len(chs) != 2 || chs[1].Name != "beta" {
		t.Fatalf("channels %+v", chs)
	}
	iosBeta, androidBeta := chs[1].DeploymentKeys[release.PlatformIOS], chs[1].DeploymentKeys[release.PlatformAndroid]
	check := func(key string) (int, string) {
		rec, _ := ts.do(t, "GET", "/v0.1/public/codepush/update_check?deployment_key="+key+"&app_version=1.2.5", nil)
		return rec.Code, rec.Body.String()
	}
	if code, body := check(iosBeta); code != 200 || !strings.Contains(body, `"label":"v1"`) {
		t.Fatalf("beta ios: %d %s", code, body)
	}
	if code, body := check(androidBeta); code != 200 || !strings.Contains(body, `"is_available":false`) {
		t.Fatalf("beta android (no release): %d %s", code, body)
	}

	// Deleting the channel drops its keys.
	rec, env := ts.call(t, "POST", "/api/v1/resources/"+promoted.ID+"/rollback", tok, map[string]any{})
	if rec.Code != 400 || !strings.Contains(env.Message, "no earlier enabled CodePush bundle (iOS) in channel beta") {
		t.Fatalf("rollback of the only release: %d %+v", rec.Code, env)
	}
	if rec, _ := ts.call(t, "DELETE", "/api/v1/resources/"+promoted.ID, tok, nil); rec.Code != 200 && rec.Code != 204 {
		t.Fatalf("delete: %d", rec.Code)
	}
	if rec, env := ts.call(t, "DELETE", "/api/v1/projects/"+pid+"/channels/beta", tok, nil); rec.Code != 200 && rec.Code != 204 {
		t.Fatalf("delete beta: %d %+v", rec.Code, env)
	}
	if code, _ := check(iosBeta); code != 400 {
		t.Fatalf("a deleted channel's key: %d", code)
	}
	ts.mustOK(t, 200, "GET", "/api/v1/projects/"+pid+"/channels", tok, nil, &chs)
	if len(chs) != 1 {
		t.Fatalf("channels %+v", chs)
	}
}

// A CodePush release is re-targeted after publish: a binary outside its
// range gets it from the next check on; other types and bad ranges are
// 400s that change nothing.
func TestCodePushRetarget(t *testing.T) {
	ts := mustServer(t, nil)
	f := newReleaseFixture(t, ts)
	tok, pid := f.maintainer.AccessToken, f.project.ID
	var chs []channelView
	ts.mustOK(t, 200, "GET", "/api/v1/projects/"+pid+"/channels", tok, nil, &chs)
	key := chs[0].DeploymentKeys[release.PlatformIOS]
	zipKey := ts.mustUpload(t, tok, pid, "b.zip", mustZip(t, "CodePush/index.ios.bundle")).Key
	v1 := ts.mustResource(t, tok, pid, map[string]any{"type": 7, "storageKey": zipKey, "targetBinaryRange": "2.x", "updateType": 1})
	available := func() bool {
		rec, _ := ts.do(t, "GET", "/v0.1/public/codepush/update_check?deployment_key="+key+"&app_version=1.0.0", nil)
		var out struct {
			UpdateInfo struct {
				IsAvailable bool `json:"is_available"`
			} `json:"update_info"`
		}
		json.Unmarshal(rec.Body.Bytes(), &out)
		return out.UpdateInfo.IsAvailable
	}
	if available() {
		t.Fatal("binary 1.0.0 offered a release for 2.x")
	}
	for _, bad := range []string{"banana", "  "} {
		rec, env := ts.call(t, "PATCH", "/api/v1/resources/"+v1.ID, tok, map[string]any{"targetBinaryRange": bad})
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
	}
	var r resourceView
	ts.mustOK(t, 200, "PATCH", "/api/v1/resources/"+v1.ID, tok, map[string]any{"targetBinaryRange": "1.x || 2.x"}, &r)
	if r.TargetBinaryRange != "1.x || 2.x" || !available() {
		t.Fatalf("after re-targeting: %+v, available %v", r, available())
	}
	apk := ts.mustUpload(t, tok, pid, "a.apk", apkBytes(t))
	native := ts.mustResource(t, tok, pid, map[string]any{"type": 3, "version": "1.0.0", "versionCode": 100, "storageKey": apk.Key, "updateType": 1})
	rec, env := ts.call(t, "PATCH", "/api/v1/resources/"+native.ID, tok, map[string]any{"targetBinaryRange": "1.x"})
	mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
}

// Deleting a CodePush release deletes the diff packages built to it from
// storage, and their links answer 404.
func TestCodePushDiffsGoWithTheirRelease(t *testing.T) {
	ts := mustServer(t, nil)
	f := newReleaseFixture(t, ts)
	tok, pid := f.maintainer.AccessToken, f.project.ID
	var chs []channelView
	ts.mustOK(t, 200, "GET", "/api/v1/projects/"+pid+"/channels", tok, nil, &chs)
	key := chs[0].DeploymentKeys[release.PlatformIOS]
	publish := func(v string) resourceView {
		z := ts.mustUpload(t, tok, pid, "b"+v+".zip", bundleZip(t, v, nil))
		return ts.mustResource(t, tok, pid, map[string]any{"type": 7, "storageKey": z.Key, "targetBinaryRange": "1.x", "updateType": 1})
	}
	v1, v2 := publish("1"), publish("2")
	rec, _ := ts.do(t, "GET", "/v0.1/public/codepush/update_check?deployment_key="+key+"&app_version=1.0.0&label=v1&package_hash="+v1.PackageHash, nil)
	var out struct {
		UpdateInfo struct {
			DownloadURL string `json:"download_url"`
		} `json:"update_info"`
	}
	json.Unmarshal(rec.Body.Bytes(), &out)
	if !strings.Contains(out.UpdateInfo.DownloadURL, "/codepush/diff/"+v2.ID+"/") {
		t.Fatalf("not a diff: %s", rec.Body)
	}
	diffs, _ := filepath.Glob(filepath.Join(ts.filesDir, pid, "codepush-diff", "*.zip"))
	if len(diffs) != 1 {
		t.Fatalf("diff files %v", diffs)
	}
	link := strings.TrimPrefix(out.UpdateInfo.DownloadURL, "http://example.com")
	if rec, _ := ts.do(t, "GET", link, nil); rec.Code != http.StatusFound {
		t.Fatalf("diff link: %d", rec.Code)
	}
	ts.mustOK(t, 200, "DELETE", "/api/v1/resources/"+v2.ID, tok, nil, nil)
	if _, err := os.Stat(diffs[0]); !os.IsNotExist(err) {
		t.Fatalf("the diff file is still in storage: %v", err)
	}
	if rec, _ := ts.do(t, "GET", link, nil); rec.Code != http.StatusNotFound {
		t.Fatalf("diff link after delete: %d", rec.Code)
	}
}
