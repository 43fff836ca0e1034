package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// apiCall is a JSON request to a running Hoist; it returns the status and
// decodes the envelope's data into out.
func apiCall(t *testing.T, base, method, path, token string, body, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	json.NewDecoder(resp.Body).Decode(&env)
	if out != nil {
		json.Unmarshal(env.Data, out)
	}
	return resp.StatusCode
}

// fleetOwner is a registered operator with a project, product "meter" in
// it, and an API token.
type fleetOwner struct {
	Access, Token, ProjectID string
}

// mustFleetOwner registers "ops" on a fresh server and creates project
// "Meters" with product "meter" and an API token.
func mustFleetOwner(t *testing.T, base string) fleetOwner {
	t.Helper()
	var sess struct{ AccessToken string }
	if code := apiCall(t, base, "POST", "/api/v1/auth/register", "", map[string]string{"username": "ops", "password": "correct horse battery"}, &sess); code != 201 {
		t.Fatalf("register %d", code)
	}
	var proj struct{ ID string }
	apiCall(t, base, "POST", "/api/v1/projects", sess.AccessToken, map[string]string{"name": "Meters"}, &proj)
	if code := apiCall(t, base, "POST", "/api/v1/products", sess.AccessToken, map[string]string{"name": "meter", "projectId": proj.ID}, nil); code != 201 {
		t.Fatalf("product %d", code)
	}
	var tok struct{ Token string }
	if code := apiCall(t, base, "POST", "/api/v1/me/tokens", sess.AccessToken, map[string]string{"name": "ops"}, &tok); code != 201 {
		t.Fatalf("token %d", code)
	}
	return fleetOwner{Access: sess.AccessToken, Token: tok.Token, ProjectID: proj.ID}
}

// mustFirmware releases firmware version 2.0.0 of product "meter" (256 KiB,
// so that simulated devices report 25, 50 and 75 % on the way) with the
// release CLI and returns its resource id.
func (o fleetOwner) mustFirmware(t *testing.T, base string) string {
	t.Helper()
	fw := filepath.Join(t.TempDir(), "meter-2.0.0.bin")
	os.WriteFile(fw, bytes.Repeat([]byte("firmware"), 32<<10), 0o644)
	code, out, stderr := runHoist(t, cliEnv(t, "HOIST_SERVER="+base, "HOIST_TOKEN="+o.Token), "release", "--project", o.ProjectID,
		"--type", "firmware", "--product", "meter", "--file", fw, "--version", "2.0.0", "--version-code", "200", "--json")
	var res struct{ ID string }
	if json.Unmarshal([]byte(out), &res); code != 0 || res.ID == "" {
		t.Fatalf("release: %d %s %s", code, out, stderr)
	}
	return res.ID
}

// cliEnv is the environment of a CLI user: a home of their own (where the
// login is stored) and nothing of the server's.
func cliEnv(t *testing.T, extra ...string) []string {
	return append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, extra...)
}

// offer asks the update check what an android device on native 100 and
// wgt 110 is offered.
func offer(t *testing.T, base, projectID string) (wgt, native *struct{ ID, Version string }) {
	t.Helper()
	var o struct {
		Wgt    *struct{ ID, Version string } `json:"wgt"`
		Native *struct{ ID, Version string } `json:"native"`
	}
	body := map[string]any{"projectId": projectID, "platform": "android", "wgtVersionCode": 110, "nativeVersionCode": 100}
	if code := apiCall(t, base, "POST", "/api/basic/update", "", body, &o); code != 200 {
		t.Fatalf("update check: %d", code)
	}
	return o.Wgt, o.Native
}

// The release path an operator or CI job takes: an API token, hoist login,
// a native build and a wgt released from files, the list, the update check
// offering the wgt, and a disable that withdraws it.
func TestReleaseCLIEndToEnd(t *testing.T) {
	p := startServe(t, baseEnv(t, "HOIST_AUTH_CAPTCHA=off"))
	base := "http://" + p.addr("http")
	var sess struct{ AccessToken string }
	if code := apiCall(t, base, "POST", "/api/v1/auth/register", "", map[string]string{"username": "alice", "password": "correct horse battery"}, &sess); code != 201 {
		t.Fatalf("register %d", code)
	}
	var proj struct{ ID string }
	apiCall(t, base, "POST", "/api/v1/projects", sess.AccessToken, map[string]string{"name": "Shop app"}, &proj)
	var tok struct{ Token string }
	if code := apiCall(t, base, "POST", "/api/v1/me/tokens", sess.AccessToken, map[string]string{"name": "ci"}, &tok); code != 201 || !strings.HasPrefix(tok.Token, "hst_") {
		t.Fatalf("token %d %q", code, tok.Token)
	}

	env := cliEnv(t)
	home := strings.TrimPrefix(env[1], "HOME=")
	code, out, stderr := runHoist(t, env, "login", "--server", base+"/", "--token", tok.Token)
	if code != 0 || !strings.Contains(out, "Logged in to "+base+" as alice") || strings.Contains(out+stderr, tok.Token) {
		t.Fatalf("login: %d %q %q", code, out, stderr)
	}
	stored := filepath.Join(home, ".config", "hoist", "cli.json")
	st, err := os.Stat(stored)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("stored login: %v %v", st, err)
	}
	var login struct{ Server, Token string }
	b, _ := os.ReadFile(stored)
	if json.Unmarshal(b, &login); login.Server != base || login.Token != tok.Token {
		t.Fatalf("stored %s", b)
	}

	code, out, _ = runHoist(t, env, "projects")
	if code != 0 || !strings.Contains(out, proj.ID) || !strings.Contains(out, "Shop app") || !strings.HasPrefix(out, "ID ") {
		t.Fatalf("projects: %d\n%s", code, out)
	}
	code, out, _ = runHoist(t, env, "projects", "--json")
	var ps []struct{ ID, Name string }
	if json.Unmarshal([]byte(out), &ps); code != 0 || len(ps) != 1 || ps[0].ID != proj.ID {
		t.Fatalf("projects --json: %d %s", code, out)
	}

	dir := t.TempDir()
	apk, wgt, changes := filepath.Join(dir, "app.apk"), filepath.Join(dir, "app.wgt"), filepath.Join(dir, "CHANGES.md")
	os.WriteFile(apk, zipOf(t, "AndroidManifest.xml"), 0o644)
	os.WriteFile(wgt, zipOf(t, "manifest.json", "www/index.html"), 0o644)
	os.WriteFile(changes, []byte("1.2.0\n- faster checkout\n"), 0o644)
	code, out, stderr = runHoist(t, env, "release", "--project", proj.ID, "--type", "android", "--file", apk,
		"--version", "1.0.0", "--version-code", "100")
	if code != 0 || !strings.Contains(out, "Released android 1.0.0 (versionCode 100)") || !strings.Contains(stderr, "uploading app.apk") {
		t.Fatalf("release native: %d %q %q", code, out, stderr)
	}
	code, out, stderr = runHoist(t, env, "release", "--project", proj.ID, "--type", "wgt-android", "--file", wgt,
		"--version", "1.2.0", "--version-code", "120", "--native-version-code", "100", "--update-type", "1",
		"--changelog", "@"+changes, "--json")
	var res struct {
		ID, Changelog, URL string
		Size               int64
		RolloutPercent     int
	}
	if err := json.Unmarshal([]byte(out), &res); code != 0 || err != nil || res.Changelog != "1.2.0\n- faster checkout" ||
		res.RolloutPercent != 100 || res.Size != int64(len(zipOf(t, "manifest.json", "www/index.html"))) || res.URL != base+"/d/"+res.ID+"/1.2.0.wgt" {
		t.Fatalf("release wgt: %d %v %q %q", code, err, out, stderr)
	}

	code, out, _ = runHoist(t, env, "resources", "--project", proj.ID)
	if code != 0 || !strings.Contains(out, res.ID) || !strings.Contains(out, "wgt-android") || !strings.Contains(out, "1.2.0") ||
		strings.Count(out, "enabled") != 2 {
		t.Fatalf("resources: %d\n%s", code, out)
	}
	if w, n := offer(t, base, proj.ID); w == nil || w.ID != res.ID || n == nil || n.Version != "1.0.0" {
		t.Fatalf("offered %+v %+v", w, n)
	}

	code, out, _ = runHoist(t, env, "resource", "disable", res.ID)
	if code != 0 || !strings.Contains(out, "disabled") {
		t.Fatalf("disable: %d %q", code, out)
	}
	if w, _ := offer(t, base, proj.ID); w != nil {
		t.Fatalf("disabled wgt still offered: %+v", w)
	}
	code, out, _ = runHoist(t, env, "resource", "rollout", res.ID, "20", "--json")
	var rolled struct {
		Status, RolloutPercent int
	}
	if json.Unmarshal([]byte(out), &rolled); code != 0 || rolled.RolloutPercent != 20 || rolled.Status != 0 {
		t.Fatalf("rollout: %d %q", code, out)
	}
	code, out, _ = runHoist(t, env, "resource", "enable", res.ID)
	if code != 0 || !strings.Contains(out, "enabled, rollout 20%") {
		t.Fatalf("enable: %d %q", code, out)
	}
	code, out, _ = runHoist(t, env, "resources", "--project", proj.ID, "--status", "disabled", "--json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("no disabled resources left: %d %q", code, out)
	}

	// The API's refusals: exit 1 with its message and field errors.
	code, _, stderr = runHoist(t, env, "release", "--project", proj.ID, "--type", "wgt-android", "--file", wgt,
		"--version", "1.2.0", "--version-code", "120", "--native-version-code", "100")
	if code != exitFail || !strings.Contains(stderr, "versionCode") || !strings.Contains(stderr, "HTTP 409") {
		t.Fatalf("duplicate versionCode: %d %q", code, stderr)
	}
	code, _, stderr = runHoist(t, env, "release", "--project", proj.ID, "--type", "wgt-android", "--file", wgt,
		"--version", "1.3.0", "--version-code", "130", "--native-version-code", "99")
	if code != exitFail || !strings.Contains(stderr, "\n  nativeVersionCode: must be the versionCode of a android native resource") {
		t.Fatalf("unknown native: %d %q", code, stderr)
	}
	code, _, stderr = runHoist(t, env, "projects", "--token", "hst_notavalidtoken")
	if code != exitFail || !strings.Contains(stderr, "invalid or expired API token (unauthorized, HTTP 401)") {
		t.Fatalf("wrong token: %d %q", code, stderr)
	}
	code, _, stderr = runHoist(t, env, "resource", "show", "0123456789abcdef0123456789abcdef")
	if code != exitFail || !strings.Contains(stderr, "HTTP 404") {
		t.Fatalf("unknown resource: %d %q", code, stderr)
	}
	code, _, stderr = runHoist(t, env, "projects", "--server", "http://127.0.0.1:1", "--token", tok.Token)
	if code != exitFail || !strings.Contains(stderr, "cannot reach the server") {
		t.Fatalf("no server: %d %q", code, stderr)
	}

	// Bad command lines: exit 2, nothing sent.
	for _, args := range [][]string{
		{"release", "--project", proj.ID, "--type", "banana", "--file", wgt, "--version", "1", "--version-code", "1"},
		{"release", "--project", proj.ID, "--type", "wgt-android", "--version", "1.3.0", "--version-code", "130"},
		{"release", "--project", proj.ID, "--type", "wgt-android", "--file", filepath.Join(dir, "nope.wgt"), "--version", "1", "--version-code", "1"},
		{"release", "--bogus"},
		{"release", "--project", proj.ID, "--type", "ios", "--file", wgt, "--version", "1", "--version-code", "1"},
		{"resources"},
		{"resource", "rollout", res.ID, "101"},
		{"resource", "explode", res.ID},
		{"ota", "start", "--resource", res.ID, "--product", "meter", "--tag", "a", "--all"},
		{"login"},
	} {
		if code, _, stderr := runHoist(t, env, args...); code != exitConfig || stderr == "" {
			t.Errorf("%v: exit %d %q", args, code, stderr)
		}
	}

	// The version a wgt declares is the default; a different one needs --force.
	declared := filepath.Join(dir, "declared.wgt")
	os.WriteFile(declared, zipWithManifest(t, `{"version":{"name":"1.3.0","code":"130"}}`), 0o644)
	code, out, stderr = runHoist(t, env, "release", "--project", proj.ID, "--type", "wgt-android", "--file", declared, "--native-version-code", "100")
	if code != 0 || !strings.Contains(out, "Released wgt-android 1.3.0 (versionCode 130)") {
		t.Fatalf("release with the declared version: %d %q %q", code, out, stderr)
	}
	os.WriteFile(declared, zipWithManifest(t, `{"version":{"name":"1.3.1","code":"131"}}`), 0o644)
	code, _, stderr = runHoist(t, env, "release", "--project", proj.ID, "--type", "wgt-android", "--file", declared, "--native-version-code", "100", "--version", "1.4.0", "--version-code", "140")
	if code != 1 || !strings.Contains(stderr, "the package declares versionCode 131") {
		t.Fatalf("mismatch: %d %q", code, stderr)
	}
	code, out, stderr = runHoist(t, env, "release", "--project", proj.ID, "--type", "wgt-android", "--file", declared, "--native-version-code", "100", "--version", "1.4.0", "--version-code", "140", "--force")
	if code != 0 || !strings.Contains(out, "Released wgt-android 1.4.0 (versionCode 140)") {
		t.Fatalf("forced: %d %q %q", code, out, stderr)
	}

	// Channels: release to beta, promote to production, roll it back.
	if code := apiCall(t, base, "POST", "/api/v1/projects/"+proj.ID+"/channels", sess.AccessToken, map[string]string{"name": "beta"}, nil); code != 201 {
		t.Fatalf("channel: %d", code)
	}
	code, out, stderr = runHoist(t, env, "release", "--project", proj.ID, "--type", "wgt-android", "--file", wgt, "--channel", "beta",
		"--version", "1.5.0", "--version-code", "150", "--native-version-code", "100", "--json")
	var beta struct{ ID, Channel string }
	if json.Unmarshal([]byte(out), &beta); code != 0 || beta.Channel != "beta" {
		t.Fatalf("release to beta: %d %q %q", code, out, stderr)
	}
	code, out, stderr = runHoist(t, env, "resource", "promote", beta.ID, "production")
	promoted := strings.Fields(out)
	if code != 0 || !strings.Contains(out, "1.5.0 (versionCode 150) promoted to production") || len(promoted) == 0 {
		t.Fatalf("promote: %d %q %q", code, out, stderr)
	}
	code, out, stderr = runHoist(t, env, "resource", "rollback", promoted[0])
	if code != 0 || !strings.Contains(out, "1.5.0 (versionCode 150) withdrawn") || !strings.Contains(out, "1.4.0 re-published as versionCode 151 (production)") {
		t.Fatalf("rollback: %d %q %q", code, out, stderr)
	}
	code, _, stderr = runHoist(t, env, "resource", "promote", beta.ID, "beta")
	if code != exitFail || !strings.Contains(stderr, "channel") {
		t.Fatalf("promote to its own channel: %d %q", code, stderr)
	}

	// HOIST_SERVER and HOIST_TOKEN stand in for a login; without either,
	// the command says how to log in. The server's own commands ignore them.
	code, out, _ = runHoist(t, cliEnv(t, "HOIST_SERVER="+base, "HOIST_TOKEN="+tok.Token), "resources", "--project", proj.ID, "--json")
	if code != 0 || !strings.Contains(out, res.ID) {
		t.Fatalf("env login: %d %q", code, out)
	}
	if code, _, stderr := runHoist(t, cliEnv(t), "projects"); code != exitConfig || !strings.Contains(stderr, "not logged in") {
		t.Fatalf("not logged in: %d %q", code, stderr)
	}
	if code, _, stderr := runHoist(t, baseEnv(t, "HOIST_SERVER="+base, "HOIST_TOKEN=x"), "migrate", "status"); code != 0 {
		t.Fatalf("migrate with the CLI's variables set: %d %s", code, stderr)
	}
	// The stored token goes only to the stored server.
	if code, _, stderr := runHoist(t, env, "projects", "--server", "http://127.0.0.1:1"); code != exitConfig || !strings.Contains(stderr, "not logged in") {
		t.Fatalf("stored token offered to another server: %d %q", code, stderr)
	}

	if code, _, _ := runHoist(t, env, "logout"); code != 0 {
		t.Fatalf("logout %d", code)
	}
	if _, err := os.Stat(stored); !os.IsNotExist(err) {
		t.Fatalf("login kept after logout: %v", err)
	}
	p.stop(t)

}

// hoist login reads the token from standard input when no flag or variable
// gives it, and refuses a token the server does not accept (nothing stored).
func TestLoginTokenFromStdinAndRefused(t *testing.T) {
	p := startServe(t, baseEnv(t, "HOIST_AUTH_CAPTCHA=off"))
	base := "http://" + p.addr("http")
	var sess struct{ AccessToken string }
	apiCall(t, base, "POST", "/api/v1/auth/register", "", map[string]string{"username": "bob", "password": "correct horse battery"}, &sess)
	var tok struct{ Token string }
	apiCall(t, base, "POST", "/api/v1/me/tokens", sess.AccessToken, map[string]any{"name": "ro", "readOnly": true}, &tok)

	env := cliEnv(t)
	home := strings.TrimPrefix(env[1], "HOME=")
	code, _, stderr := runHoistInput(t, env, "hst_wrong\n", "login", "--server", base)
	if code != exitFail || !strings.Contains(stderr, "invalid or expired API token") {
		t.Fatalf("refused: %d %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(home, ".config", "hoist", "cli.json")); !os.IsNotExist(err) {
		t.Fatalf("a refused login was stored: %v", err)
	}
	code, out, stderr := runHoistInput(t, env, tok.Token+"\n", "login", "--server", base, "--json")
	var u struct{ Username string }
	if json.Unmarshal([]byte(out), &u); code != 0 || u.Username != "bob" || strings.Contains(out+stderr, tok.Token) {
		t.Fatalf("stdin login: %d %q %q", code, out, stderr)
	}
	// A read-only token lists but cannot publish: the API's 403 comes through.
	code, _, stderr = runHoist(t, env, "resource", "disable", "0123456789abcdef0123456789abcdef")
	if code != exitFail || !strings.Contains(stderr, "HTTP 40") {
		t.Fatalf("read-only token: %d %q", code, stderr)
	}
	p.stop(t)
}

// An OTA campaign driven from the command line: a firmware released with
// hoist release, simulated devices on the embedded broker, hoist ota start
// for their tag, and hoist ota watch following the counts until every
// device has upgraded.
func TestOTAWithTheCLI(t *testing.T) {
	p := startServe(t, baseEnv(t, "HOIST_AUTH_CAPTCHA=off"))
	base := "http://" + p.addr("http")
	owner := mustFleetOwner(t, base)
	proj, tok := struct{ ID string }{owner.ProjectID}, struct{ Token string }{owner.Token}
	env := cliEnv(t, "HOIST_SERVER="+base, "HOIST_TOKEN="+tok.Token)

	// Three simulated devices tagged beta, on firmware 1.0.0.
	sim := exec.Command(hoistBin, "device-sim", "-broker", "tcp://"+p.addr("mqtt"), "-server", base, "-product", "meter",
		"-create", "3", "-tag", "beta", "-duration", "90s")
	sim.Env = env
	out, err := sim.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var simErr strings.Builder
	sim.Stderr = &simErr
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Process.Kill(); sim.Wait() })
	connected := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "devices connected") {
				connected <- true
			}
		}
		connected <- false // exited
	}()
	select {
	case ok := <-connected:
		if !ok {
			sim.Wait()
			t.Fatalf("device-sim exited:\n%s", simErr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("device-sim did not connect:\n%s", simErr.String())
	}

	fw := filepath.Join(t.TempDir(), "meter-2.0.0.bin")
	os.WriteFile(fw, bytes.Repeat([]byte("firmware"), 4096), 0o644)
	code, outs, stderr := runHoist(t, env, "release", "--project", proj.ID, "--type", "firmware", "--product", "meter",
		"--file", fw, "--version", "2.0.0", "--version-code", "200", "--json")
	var res struct{ ID, Product string }
	if json.Unmarshal([]byte(outs), &res); code != 0 || res.Product != "meter" {
		t.Fatalf("release firmware: %d %q %q", code, outs, stderr)
	}
	code, outs, stderr = runHoist(t, env, "ota", "start", "--resource", res.ID, "--product", "meter", "--tag", "beta", "--ttl", "1h", "--json")
	var cp struct {
		ID     string
		Total  int64
		Status string
	}
	if json.Unmarshal([]byte(outs), &cp); code != 0 || cp.ID == "" || cp.Total != 3 {
		t.Fatalf("ota start: %d %q %q", code, outs, stderr)
	}
	code, outs, stderr = runHoist(t, env, "ota", "watch", cp.ID, "--interval", "200ms")
	lines := strings.Split(strings.TrimSpace(outs), "\n")
	last := lines[len(lines)-1]
	if code != 0 || !strings.Contains(last, "total 3  succeeded 3") || !strings.HasSuffix(last, "[completed]") {
		t.Fatalf("ota watch: %d\n%s%s\ndevice-sim: %s", code, outs, stderr, simErr.String())
	}
	if code, outs, stderr := runHoist(t, env, "ota", "resume", cp.ID); code != 0 || !strings.Contains(outs, "again to 0 open devices") {
		t.Fatalf("ota resume of a completed campaign: %d %q %q", code, outs, stderr)
	}
	if code, _, stderr := runHoist(t, env, "ota", "watch", "0123456789abcdef0123456789abcdef"); code != exitFail || !strings.Contains(stderr, "HTTP 404") {
		t.Fatalf("unknown campaign: %d %q", code, stderr)
	}

	// After this session (and an app's update check) the metrics show
	// every family of issue 8.
	check, err := http.Post(base+"/api/basic/update", "application/json",
		strings.NewReader(`{"projectId":"`+proj.ID+`","platform":"android","nativeVersionCode":1}`))
	if err != nil || check.StatusCode != 200 {
		t.Fatalf("update check: %v %v", check, err)
	}
	check.Body.Close()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metricsText, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, family := range []string{"hoist_http_requests_total{", "hoist_http_request_duration_seconds_bucket{",
		"hoist_update_checks_total{", "hoist_update_cache_hits_total", "hoist_update_cache_loads_total",
		"hoist_stats_devices_dropped_total", "hoist_mqtt_connections", `hoist_mqtt_acl_denied_total{check="connect"}`,
		`hoist_mqtt_messages_total{kind="published"}`, `hoist_ota_reports_total{state="succeeded"} 3`, "go_sql_open_connections{"} {
		if !strings.Contains(string(metricsText), family) {
			t.Errorf("/metrics lacks %s", family)
		}
	}
	p.stop(t)
}

// A device that is offline when a campaign starts still gets the firmware:
// the broker resends the campaign's command once the device subscribes.
func TestOTAReachesDevicesThatConnectLater(t *testing.T) {
	p := startServe(t, baseEnv(t, "HOIST_AUTH_CAPTCHA=off"))
	base := "http://" + p.addr("http")
	var sess struct{ AccessToken string }
	apiCall(t, base, "POST", "/api/v1/auth/register", "", map[string]string{"username": "ops", "password": "correct horse battery"}, &sess)
	var proj struct{ ID string }
	apiCall(t, base, "POST", "/api/v1/projects", sess.AccessToken, map[string]string{"name": "Meters"}, &proj)
	apiCall(t, base, "POST", "/api/v1/products", sess.AccessToken, map[string]string{"name": "meter", "projectId": proj.ID}, nil)
	var batch json.RawMessage
	if code := apiCall(t, base, "POST", "/api/v1/products/meter/devices/batch", sess.AccessToken,
		map[string]any{"devices": []map[string]any{{"name": "late-1"}, {"name": "late-2"}}}, &batch); code != 201 {
		t.Fatalf("devices %d", code)
	}
	devicesFile := filepath.Join(t.TempDir(), "devices.json")
	os.WriteFile(devicesFile, batch, 0o600)
	var tok struct{ Token string }
	apiCall(t, base, "POST", "/api/v1/me/tokens", sess.AccessToken, map[string]string{"name": "ci"}, &tok)
	env := cliEnv(t, "HOIST_SERVER="+base, "HOIST_TOKEN="+tok.Token)

	fw := filepath.Join(t.TempDir(), "meter-3.0.0.bin")
	os.WriteFile(fw, bytes.Repeat([]byte("firmware"), 2048), 0o644)
	code, outs, stderr := runHoist(t, env, "release", "--project", proj.ID, "--type", "firmware", "--product", "meter",
		"--file", fw, "--version", "3.0.0", "--version-code", "300", "--json")
	var res struct{ ID string }
	if json.Unmarshal([]byte(outs), &res); code != 0 {
		t.Fatalf("release firmware: %d %q %q", code, outs, stderr)
	}
	code, outs, stderr = runHoist(t, env, "ota", "start", "--resource", res.ID, "--product", "meter", "--all", "--ttl", "1h", "--json")
	var cp struct{ ID string }
	if json.Unmarshal([]byte(outs), &cp); code != 0 || cp.ID == "" {
		t.Fatalf("ota start: %d %q %q", code, outs, stderr)
	}

	// Only now do the devices come online.
	sim := exec.Command(hoistBin, "device-sim", "-broker", "tcp://"+p.addr("mqtt"), "-devices", devicesFile, "-duration", "60s")
	sim.Env = env
	var simErr strings.Builder
	sim.Stderr = &simErr
	if err := sim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Process.Kill(); sim.Wait() })
	code, outs, stderr = runHoist(t, env, "ota", "watch", cp.ID, "--interval", "200ms")
	lines := strings.Split(strings.TrimSpace(outs), "\n")
	if last := lines[len(lines)-1]; code != 0 || !strings.Contains(last, "total 2  succeeded 2") {
		t.Fatalf("ota watch: %d\n%s%s\ndevice-sim: %s", code, outs, stderr, simErr.String())
	}
	p.stop(t)
}
