package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"

	"github.com/hoist-ota/hoist/internal/testwait"
)

// hoistBin is the hoist binary built once for these tests, so that serve is
// exercised as operators run it: a process, environment variables, signals.
var hoistBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hoist-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hoistBin = filepath.Join(dir, "hoist")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=v0.0.0-e2e", "-o", hoistBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build hoist:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// baseEnv is an environment with every listener on a free loopback port and
// JSON logs, in a fresh data dir; extra entries override.
func baseEnv(tb testing.TB, extra ...string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + tb.TempDir(),
		"HOIST_DATA_DIR=" + filepath.Join(tb.TempDir(), "data"),
		"HOIST_HTTP_ADDR=127.0.0.1:0",
		"HOIST_MQTT_TCP_ADDR=127.0.0.1:0",
		"HOIST_MQTT_WS_ADDR=127.0.0.1:0",
		"HOIST_LOG_FORMAT=json",
	}
	return append(env, extra...)
}

type proc struct {
	cmd    *exec.Cmd
	addrs  map[string]string // listener → bound address
	mu     sync.Mutex
	lines  []map[string]any
	done   chan struct{}
	stderr strings.Builder
}

// startServe runs `hoist serve` and waits until its HTTP listener is up.
func startServe(tb testing.TB, env []string, args ...string) *proc {
	tb.Helper()
	p := &proc{cmd: exec.Command(hoistBin, append([]string{"serve"}, args...)...), addrs: map[string]string{}, done: make(chan struct{})}
	p.cmd.Env = env
	p.cmd.Dir = tb.TempDir()
	out, err := p.cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	})
	ready := make(chan struct{})
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(out)
		var once sync.Once
		for sc.Scan() {
			p.mu.Lock()
			p.stderr.WriteString(sc.Text() + "\n")
			var line map[string]any
			if json.Unmarshal(sc.Bytes(), &line) == nil {
				p.lines = append(p.lines, line)
				if line["msg"] == "listening" {
					p.addrs[line["listener"].(string)] = line["addr"].(string)
					if line["listener"] == "http" {
						once.Do(func() { close(ready) })
					}
				}
			}
			p.mu.Unlock()
		}
	}()
	select {
	case <-ready:
	case <-p.done:
		p.cmd.Wait()
		tb.Fatalf("serve exited before listening:\n%s", p.log())
	case <-time.After(60 * time.Second):
		tb.Fatalf("serve did not start within 60s:\n%s", p.log())
	}
	return p
}

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

func (p *proc) addr(name string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addrs[name]
}

// findLog returns the first JSON log line with the given msg.
func (p *proc) findLog(msg string) map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.lines {
		if l["msg"] == msg {
			return l
		}
	}
	return nil
}

// stop sends SIGTERM and returns the exit code and how long the exit took.
func (p *proc) stop(tb testing.TB) (int, time.Duration) {
	tb.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		tb.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { <-p.done; waited <- p.cmd.Wait() }()
	select {
	case err := <-waited:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), time.Since(start)
		}
		if err != nil {
			tb.Fatal(err)
		}
		return 0, time.Since(start)
	case <-time.After(15 * time.Second):
		p.cmd.Process.Kill()
		tb.Fatalf("serve did not exit within 15s of SIGTERM:\n%s", p.log())
	}
	return -1, 0
}

// runHoist runs a non-serving command and returns its exit code and output.
func runHoist(tb testing.TB, env []string, args ...string) (int, string, string) {
	tb.Helper()
	return runHoistInput(tb, env, "", args...)
}

// runHoistInput is runHoist with stdin.
func runHoistInput(tb testing.TB, env []string, stdin string, args ...string) (int, string, string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, hoistBin, args...)
	cmd.Env = env
	cmd.Dir = tb.TempDir()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String(), errOut.String()
	case err != nil:
		tb.Fatal(err)
	}
	return 0, out.String(), errOut.String()
}

type envelope struct {
	Success    bool            `json:"success"`
	StatusCode int             `json:"statusCode"`
	Code       string          `json:"code"`
	Data       json.RawMessage `json:"data"`
}

func mustGet(tb testing.TB, url string) (int, envelope) {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		tb.Fatalf("GET %s: not an envelope: %s", url, body)
	}
	return resp.StatusCode, env
}

func TestServeEmbeddedEndToEnd(t *testing.T) {
	env := baseEnv(t)
	p := startServe(t, env)
	base := "http://" + p.addr("http")

	if code, env := mustGet(t, base+"/healthz"); code != 200 || !env.Success {
		t.Fatalf("healthz %d %+v", code, env)
	}
	if code, env := mustGet(t, base+"/readyz"); code != 200 || !env.Success {
		t.Fatalf("readyz %d %+v", code, env)
	}
	code, cfgEnv := mustGet(t, base+"/api/basic/config")
	var cfg struct {
		UpdateURLSuffix string `json:"updateUrlSuffix"`
		Version         string `json:"version"`
	}
	json.Unmarshal(cfgEnv.Data, &cfg)
	if code != 200 || cfg.UpdateURLSuffix != "/api/basic/update" || cfg.Version != "v0.0.0-e2e" {
		t.Fatalf("config %d %s", code, cfgEnv.Data)
	}
	if code, env := mustGet(t, base+"/nope"); code != 404 || env.Code != "not_found" || env.StatusCode != 404 {
		t.Fatalf("/nope %d %+v", code, env)
	}

	// Both MQTT listeners are bound on the ports the OS chose and accept TCP.
	for _, l := range []string{"mqtt", "mqtt-ws"} {
		a := p.addr(l)
		if a == "" || strings.HasSuffix(a, ":0") {
			t.Fatalf("%s listener address %q not logged", l, a)
		}
		c, err := net.DialTimeout("tcp", a, 5*time.Second)
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		c.Close()
	}

	// Embedded mode keeps a generated JWT secret private in the data dir.
	dataDir := strings.TrimPrefix(env[2], "HOIST_DATA_DIR=")
	st, err := os.Stat(filepath.Join(dataDir, "jwt.secret"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("jwt.secret: %v %v", st, err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "hoist.db")); err != nil {
		t.Fatalf("hoist.db: %v", err)
	}

	code, took := p.stop(t)
	if code != 0 || took > 10*time.Second {
		t.Fatalf("SIGTERM: exit %d after %v\n%s", code, took, p.log())
	}
	if p.findLog("stopped") == nil {
		t.Fatalf("no clean stop logged:\n%s", p.log())
	}
}

// A request in flight when SIGTERM arrives is answered before the process
// exits, and no new connection is accepted after.
func TestServeDrainsInFlightRequests(t *testing.T) {
	p := startServe(t, baseEnv(t))
	addr := p.addr("http")

	// Send the headers of a request but hold its body back, so the request
	// is in flight while the signal arrives.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/nope HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n")
	// Pacing, not a wait for a result: give the server the moment to read
	// the headers, so that the request is active (the case under test)
	// rather than a new connection (which the drain waits for as well).
	time.Sleep(200 * time.Millisecond)

	exited := make(chan int, 1)
	go func() { code, _ := p.stop(t); exited <- code }()
	// The drain has begun once the listener refuses connections; the
	// answer read below proves the process waited for the request.
	testwait.For(t, "shutdown to begin", func() bool { return p.findLog("shutting down") != nil })
	testwait.For(t, "new connections to be refused during shutdown", func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	select {
	case code := <-exited:
		t.Fatalf("exited (%d) with a request in flight", code)
	default:
	}
	fmt.Fprint(conn, "hello")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request not answered: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("in-flight request: %d", resp.StatusCode)
	}
	if code := <-exited; code != 0 {
		t.Fatalf("exit %d\n%s", code, p.log())
	}
}

func TestServeRefusesAnAddressInUseNamingTheKey(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for key, envName := range map[string]string{"mqtt.tcpAddr": "HOIST_MQTT_TCP_ADDR", "http.addr": "HOIST_HTTP_ADDR", "mqtt.wsAddr": "HOIST_MQTT_WS_ADDR"} {
		code, _, stderr := runHoist(t, baseEnv(t, envName+"="+taken.Addr().String()), "serve")
		if code == 0 || !strings.Contains(stderr, key+" ("+envName+")") || !strings.Contains(stderr, "address already in use") {
			t.Errorf("%s taken: exit %d\n%s", key, code, stderr)
		}
	}
}

func TestBadConfigNamesEveryKey(t *testing.T) {
	file := filepath.Join(t.TempDir(), "hoist.yaml")
	os.WriteFile(file, []byte("http:\n  addr: \":99999\"\n  colour: blue\ndb:\n  driver: mysql\n"), 0o600)
	env := []string{"PATH=" + os.Getenv("PATH"), "HOIST_DATA_DIR=" + t.TempDir()}
	code, _, stderr := runHoist(t, env, "serve", "-config", file)
	if code != exitConfig {
		t.Fatalf("exit %d, want %d\n%s", code, exitConfig, stderr)
	}
	for _, key := range []string{"http.colour", "http.addr", "db.dsn", "jwt.secret"} {
		if !strings.Contains(stderr, key+" (") {
			t.Errorf("stderr does not name %s:\n%s", key, stderr)
		}
	}
	code, _, stderr = runHoist(t, append(env, "HOIST_CONFIG="+file), "migrate", "status")
	if code != exitConfig || !strings.Contains(stderr, "http.colour") {
		t.Fatalf("HOIST_CONFIG not honoured by migrate: %d\n%s", code, stderr)
	}
}

func TestCommandLine(t *testing.T) {
	code, out, _ := runHoist(t, baseEnv(t), "version")
	if code != 0 || out != "hoist v0.0.0-e2e\n" {
		t.Fatalf("version: %d %q", code, out)
	}
	if code, _, stderr := runHoist(t, baseEnv(t), "frobnicate"); code != exitConfig || !strings.Contains(stderr, "unknown command") {
		t.Fatalf("unknown command: %d %s", code, stderr)
	}
	if code, _, stderr := runHoist(t, baseEnv(t), "migrate", "sideways"); code != exitConfig || !strings.Contains(stderr, "up or status") {
		t.Fatalf("bad migrate action: %d %s", code, stderr)
	}
	if code, _, stderr := runHoist(t, baseEnv(t), "serve", "-nope"); code != exitConfig || !strings.Contains(stderr, "-nope") {
		t.Fatalf("bad flag: %d %s", code, stderr)
	}
}

// The migration story an operator sees, on SQLite and (when configured)
// MariaDB: status lists pending migrations, up applies them, status shows
// them applied, and a following serve applies nothing new.
func TestMigrateCommandAndIdempotentServe(t *testing.T) {
	for _, driver := range storetest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			db := storetest.DB(t, driver)
			env := baseEnv(t, "HOIST_DB_DRIVER="+driver, "HOIST_DB_DSN="+db.DSN,
				"HOIST_JWT_SECRET="+strings.Repeat("s", 40))

			code, out, stderr := runHoist(t, env, "migrate", "status")
			if code != 0 || !strings.Contains(out, "pending") || !strings.Contains(out, "never migrated") {
				t.Fatalf("status before: %d\n%s%s", code, out, stderr)
			}
			code, out, stderr = runHoist(t, env, "migrate", "up")
			if code != 0 || !strings.Contains(out, "applied 00001") {
				t.Fatalf("up: %d\n%s%s", code, out, stderr)
			}
			code, out, _ = runHoist(t, env, "migrate")
			if code != 0 || !strings.Contains(out, "0 migration(s) applied") {
				t.Fatalf("second up: %d\n%s", code, out)
			}
			code, out, _ = runHoist(t, env, "migrate", "status")
			if code != 0 || strings.Contains(out, "pending\t") || !strings.Contains(out, "applied") || !strings.Contains(out, "last migrated by hoist v0.0.0-e2e; 0 pending") {
				t.Fatalf("status after: %d\n%s", code, out)
			}

			p := startServe(t, env)
			line := p.findLog("database ready")
			if line == nil || line["migrationsApplied"] != 0.0 || line["driver"] != driver {
				t.Fatalf("serve after migrate: %v\n%s", line, p.log())
			}
			if code, _ := mustGet(t, "http://"+p.addr("http")+"/readyz"); code != 200 {
				t.Fatalf("readyz %d", code)
			}
			if code, _ := p.stop(t); code != 0 {
				t.Fatalf("exit %d", code)
			}
		})
	}
}

// An operator creates the first admin from the command line, then logs in
// over HTTP to the server running on the same data dir.
func TestUserCreateThenLogin(t *testing.T) {
	env := baseEnv(t, "HOIST_AUTH_CAPTCHA=off")
	code, out, stderr := runHoistInput(t, env, "s3cret passphrase\n", "user", "create", "-admin", "-email", "ops@example.com", "ops")
	if code != 0 || !strings.HasPrefix(out, "created admin ops (id ") {
		t.Fatalf("user create: %d %q %s", code, out, stderr)
	}
	code, _, stderr = runHoistInput(t, env, "s3cret passphrase\n", "user", "create", "ops")
	if code != exitConfig || !strings.Contains(stderr, "already taken") {
		t.Fatalf("duplicate: %d %s", code, stderr)
	}
	code, _, stderr = runHoistInput(t, env, "short\n", "user", "create", "shorty")
	if code != exitConfig || !strings.Contains(stderr, "at least 8") {
		t.Fatalf("weak password: %d %s", code, stderr)
	}
	code, _, stderr = runHoistInput(t, env, "", "user", "create", "nopass")
	if code != exitConfig || !strings.Contains(stderr, "no password") {
		t.Fatalf("no password: %d %s", code, stderr)
	}

	p := startServe(t, env)
	body := strings.NewReader(`{"username":"ops","password":"s3cret passphrase"}`)
	resp, err := http.Post("http://"+p.addr("http")+"/api/v1/auth/login", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env2 struct {
		Data struct {
			AccessToken string `json:"accessToken"`
			User        struct {
				Role  string `json:"role"`
				Email string `json:"email"`
			} `json:"user"`
		} `json:"data"`
	}
	json.NewDecoder(resp.Body).Decode(&env2)
	if resp.StatusCode != 200 || env2.Data.AccessToken == "" || env2.Data.User.Role != "admin" || env2.Data.User.Email != "ops@example.com" {
		t.Fatalf("login: %d %+v", resp.StatusCode, env2)
	}
	p.stop(t)
}

// The publishing path through the real binary: a user registers, makes a
// project, uploads a wgt with a native build, and the files download.
func TestServePublishAndDownload(t *testing.T) {
	env := baseEnv(t, "HOIST_AUTH_CAPTCHA=off")
	p := startServe(t, env)
	base := "http://" + p.addr("http")
	call := func(method, path, token string, body any, out any) int {
		t.Helper()
		return apiCall(t, base, method, path, token, body, out)
	}
	var sess struct {
		AccessToken string `json:"accessToken"`
	}
	if code := call("POST", "/api/v1/auth/register", "", map[string]string{"username": "alice", "password": "correct horse battery"}, &sess); code != 201 {
		t.Fatalf("register %d", code)
	}
	var proj struct{ ID string }
	call("POST", "/api/v1/projects", sess.AccessToken, map[string]string{"name": "App"}, &proj)

	upload := func(name string, data []byte) (key, url string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(data)
		mw.Close()
		req, _ := http.NewRequest("POST", base+"/api/v1/projects/"+proj.ID+"/files", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+sess.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var env struct {
			Data struct{ Key, URL string } `json:"data"`
		}
		json.NewDecoder(resp.Body).Decode(&env)
		if resp.StatusCode != 201 {
			t.Fatalf("upload %s: %d", name, resp.StatusCode)
		}
		return env.Data.Key, env.Data.URL
	}
	apk := zipOf(t, "AndroidManifest.xml")
	wgt := zipOf(t, "manifest.json")
	apkKey, _ := upload("app.apk", apk)
	wgtKey, wgtURL := upload("app.wgt", wgt)
	if code := call("POST", "/api/v1/projects/"+proj.ID+"/resources", sess.AccessToken, map[string]any{"type": 3, "version": "1.0.0", "versionCode": 100, "storageKey": apkKey, "updateType": 1}, nil); code != 201 {
		t.Fatalf("native %d", code)
	}
	var res struct{ ID, URL string }
	if code := call("POST", "/api/v1/projects/"+proj.ID+"/resources", sess.AccessToken, map[string]any{"type": 1, "version": "1.0.1", "versionCode": 101, "nativeVersionCode": 100, "storageKey": wgtKey, "updateType": 1}, &res); code != 201 {
		t.Fatalf("wgt %d", code)
	}
	// The resource's url is its stable link (ending in .wgt, as the
	// upushy SDK needs); it redirects to the stored file.
	if res.URL != base+"/d/"+res.ID+"/1.0.1.wgt" || !strings.HasPrefix(wgtURL, base+"/files/") {
		t.Fatalf("resource url %q, upload url %q", res.URL, wgtURL)
	}
	resp, err := http.Get(res.URL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, wgt) {
		t.Fatalf("download %d (%d bytes)", resp.StatusCode, len(got))
	}

	// Update checks counted right before shutdown are flushed by it.
	const checks = 25
	for i := 0; i < checks; i++ {
		var offer struct {
			Wgt *struct{ Version string } `json:"wgt"`
		}
		body := map[string]any{"projectId": proj.ID, "platform": "android", "nativeVersionCode": 100, "systemInfo": map[string]any{"uuid": fmt.Sprint("d", i)}}
		if code := call("POST", "/api/basic/update", "", body, &offer); code != 200 || offer.Wgt == nil || offer.Wgt.Version != "1.0.1" {
			t.Fatalf("check %d: %d %+v", i, code, offer)
		}
	}
	if code, _ := p.stop(t); code != 0 {
		t.Fatalf("exit %d\n%s", code, p.log())
	}
	dataDir := strings.TrimPrefix(env[2], "HOIST_DATA_DIR=")
	st, err := store.Open(context.Background(), config.DB{Driver: "sqlite", DSN: filepath.Join(dataDir, "hoist.db"), MaxOpenConns: 1}, storetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	day := time.Now().UTC().Format(time.DateOnly)
	r, err := st.Stats().Report(context.Background(), proj.ID, day, day, "")
	if err != nil || len(r.ChecksPerDay) != 1 || r.ChecksPerDay[0].Count != checks || r.NewDevicesPerDay[0].Count != checks {
		t.Fatalf("after shutdown: %+v %v", r, err)
	}
}

// zipWithManifest is a wgt whose manifest.json is manifest.
func zipWithManifest(tb testing.TB, manifest string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("manifest.json")
	w.Write([]byte(manifest))
	w, _ = zw.Create("www/index.html")
	w.Write([]byte("<html></html>"))
	zw.Close()
	return buf.Bytes()
}

func zipOf(tb testing.TB, names ...string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, _ := zw.Create(n)
		w.Write([]byte(n))
	}
	zw.Close()
	return buf.Bytes()
}
