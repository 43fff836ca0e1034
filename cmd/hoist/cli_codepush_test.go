package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReleaseCLICodePush publishes a CodePush bundle with the CLI against
// a running `hoist serve` and asks the CodePush update check for it with
// the channel's deployment key.
func TestReleaseCLICodePush(t *testing.T) {
	p := startServe(t, baseEnv(t, "HOIST_AUTH_CAPTCHA=off"))
	base := "http://" + p.addr("http")
	var sess struct{ AccessToken string }
	if code := apiCall(t, base, "POST", "/api/v1/auth/register", "", map[string]string{"username": "alice", "password": "correct horse battery"}, &sess); code != 201 {
		t.Fatalf("register %d", code)
	}
	var proj struct{ ID string }
	apiCall(t, base, "POST", "/api/v1/projects", sess.AccessToken, map[string]string{"name": "RN app"}, &proj)
	var tok struct{ Token string }
	apiCall(t, base, "POST", "/api/v1/me/tokens", sess.AccessToken, map[string]string{"name": "ci"}, &tok)
	env := cliEnv(t)
	if code, out, stderr := runHoist(t, env, "login", "--server", base, "--token", tok.Token); code != 0 {
		t.Fatalf("login: %d %q %q", code, out, stderr)
	}
	bundle := filepath.Join(t.TempDir(), "bundle.zip")
	os.WriteFile(bundle, zipOf(t, "CodePush/index.android.bundle", "CodePush/assets/logo.png"), 0o644)

	code, _, stderr := runHoist(t, env, "release", "--project", proj.ID, "--type", "codepush-android", "--file", bundle)
	if code != 2 || !strings.Contains(stderr, "--target-binary-range is required") {
		t.Fatalf("without a range: %d %q", code, stderr)
	}
	code, out, stderr := runHoist(t, env, "release", "--project", proj.ID, "--type", "codepush-android", "--file", bundle,
		"--target-binary-range", "^1.0.0", "--update-type", "2")
	if code != 0 || !strings.Contains(out, "Released codepush-android v1 for binaries ^1.0.0") {
		t.Fatalf("release: %d %q %q", code, out, stderr)
	}

	var chs []struct{ DeploymentKeys map[string]string }
	apiCall(t, base, "GET", "/api/v1/projects/"+proj.ID+"/channels", sess.AccessToken, nil, &chs)
	type answer struct {
		UpdateInfo struct {
			Label       string `json:"label"`
			IsAvailable bool   `json:"is_available"`
			IsMandatory bool   `json:"is_mandatory"`
			DownloadURL string `json:"download_url"`
		} `json:"update_info"`
	}
	check := func(appVersion string) answer {
		res, err := http.Get(base + "/v0.1/public/codepush/update_check?deployment_key=" + chs[0].DeploymentKeys["android"] +
			"&app_version=" + appVersion + "&client_unique_id=d1")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var ans answer
		if err := json.Unmarshal(b, &ans); res.StatusCode != 200 || err != nil {
			t.Fatalf("update check %s: %d %s", appVersion, res.StatusCode, b)
		}
		return ans
	}
	if ans := check("1.4.0"); ans.UpdateInfo.Label != "v1" || !ans.UpdateInfo.IsMandatory ||
		!strings.HasPrefix(ans.UpdateInfo.DownloadURL, base+"/d/") {
		t.Fatalf("update check: %+v", ans)
	}
	if ans := check("2.0.1"); ans.UpdateInfo.IsAvailable {
		t.Fatalf("binary 2.0.1 outside ^1.0.0: %+v", ans)
	}

	// The range changes after publish: hoist resource range ID RANGE.
	var rs []struct{ ID string }
	code, out, _ = runHoist(t, env, "resources", "--project", proj.ID, "--type", "codepush-android", "--json")
	if json.Unmarshal([]byte(out), &rs); code != 0 || len(rs) != 1 {
		t.Fatalf("resources: %d %q", code, out)
	}
	if code, _, stderr := runHoist(t, env, "resource", "range", rs[0].ID, "banana"); code != 1 || !strings.Contains(stderr, "targetBinaryRange") {
		t.Fatalf("a bad range: %d %q", code, stderr)
	}
	code, out, stderr = runHoist(t, env, "resource", "range", rs[0].ID, ">=1.0.0 <3.0.0")
	if code != 0 || !strings.Contains(out, "codepush-android v1 now for binaries >=1.0.0 <3.0.0") {
		t.Fatalf("range: %d %q %q", code, out, stderr)
	}
	if ans := check("2.0.1"); !ans.UpdateInfo.IsAvailable || ans.UpdateInfo.Label != "v1" {
		t.Fatalf("binary 2.0.1 after widening: %+v", ans)
	}
	if code, out, _ := runHoist(t, env, "resource", "show", rs[0].ID); code != 0 || !strings.Contains(out, "targetBinaryRange:  >=1.0.0 <3.0.0") {
		t.Fatalf("show: %d %q", code, out)
	}
}
