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
	res, err := http.Get(base + "/v0.1/public/codepush/update_check?deployment_key=" + chs[0].DeploymentKeys["android"] +
		"&app_version=1.4.0&client_unique_id=d1")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var ans struct {
		UpdateInfo struct {
			Label       string `json:"label"`
			IsMandatory bool   `json:"is_mandatory"`
			DownloadURL string `json:"download_url"`
		} `json:"update_info"`
	}
	if json.Unmarshal(b, &ans); res.StatusCode != 200 || ans.UpdateInfo.Label != "v1" || !ans.UpdateInfo.IsMandatory ||
		!strings.HasPrefix(ans.UpdateInfo.DownloadURL, base+"/d/") {
		t.Fatalf("update check: %d %s", res.StatusCode, b)
	}
}
