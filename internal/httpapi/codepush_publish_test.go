package httpapi

import (
	"strings"
	"testing"

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
