// Command hoist-bench is the load benchmark of the update check (make
// bench): it starts a plain net/http JSON server and Hoist with a project of
// 50 resources, drives both on loopback with the same wrk settings for a
// bounded time, and prints requests per second, p99 latency and the ratio.
package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	backends := flag.String("backends", "sqlite", "comma-separated: sqlite, mysql")
	mysqlDSN := flag.String("mysql-dsn", os.Getenv("HOIST_BENCH_MYSQL_DSN"), "DSN of a MySQL/MariaDB database to use (emptied) for the mysql backend")
	duration := flag.Duration("duration", 10*time.Second, "wrk duration per run")
	conns := flag.Int("connections", 64, "wrk connections")
	threads := flag.Int("threads", 2, "wrk threads")
	plainOnly := flag.Bool("plain-server", false, "internal: run the plain JSON server")
	addr := flag.String("addr", "127.0.0.1:0", "internal: plain server address")
	flag.Parse()
	if *plainOnly {
		plainServer(*addr)
		return
	}
	if err := run(strings.Split(*backends, ","), *mysqlDSN, *duration, *conns, *threads); err != nil {
		fmt.Fprintln(os.Stderr, "hoist-bench:", err)
		os.Exit(1)
	}
}

// plainServer answers every request with a fixed JSON document of the size
// of an update-check answer, after reading the body: the baseline.
func plainServer(addr string) {
	body, _ := json.Marshal(map[string]any{"success": true, "statusCode": 200, "message": "ok",
		"data": map[string]any{"wgt": map[string]any{"id": strings.Repeat("a", 32), "url": "http://127.0.0.1/files/" + strings.Repeat("b", 60),
			"changelog": strings.Repeat("c", 300), "version": "1.0.0", "versionCode": 101}, "native": nil}})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().String())
	http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
}

type result struct {
	name      string
	rps       float64
	p99       time.Duration
	non2xx    int
	errs      string
	responses int
}

func run(backends []string, mysqlDSN string, d time.Duration, conns, threads int) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk not found: apt-get install wrk")
	}
	tmp, err := os.MkdirTemp("", "hoist-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	self, _ := os.Executable()
	hoist := filepath.Join(tmp, "hoist")
	build := exec.Command("go", "build", "-o", hoist, "./cmd/hoist")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build hoist: %w", err)
	}

	fmt.Printf("wrk -t%d -c%d -d%s on loopback, POST /api/basic/update (project of 50 resources) and\n"+
		"GET /v0.1/public/codepush/update_check (deployment of 20 releases)\n\n", threads, conns, d)
	fmt.Printf("%-22s %12s %10s %8s %8s\n", "server", "req/s", "p99", "non-2xx", "ratio")
	for _, backend := range backends {
		plain, stopPlain, err := startPlain(self)
		if err != nil {
			return err
		}
		base, stopHoist, body, cpQuery, err := startHoist(hoist, tmp, backend, mysqlDSN)
		if err != nil {
			stopPlain()
			return err
		}
		script := filepath.Join(tmp, "post.lua")
		os.WriteFile(script, []byte(fmt.Sprintf("wrk.method = \"POST\"\nwrk.body = %q\nwrk.headers[\"Content-Type\"] = \"application/json\"\n", body)), 0o644)
		// Plain first, Hoist second, alternating would be fairer on a busy
		// machine; both runs are short and back to back.
		rp, err1 := runWrk("plain net/http", "http://"+plain+"/api/basic/update", script, d, conns, threads)
		rh, err2 := runWrk("hoist ("+backend+")", base+"/api/basic/update", script, d, conns, threads)
		// The CodePush check (GET, deployment of 20 releases) against the
		// same plain server answering a GET.
		get := filepath.Join(tmp, "get.lua")
		os.WriteFile(get, []byte("wrk.method = \"GET\"\n"), 0o644)
		rpg, err3 := runWrk("plain net/http (GET)", "http://"+plain+"/v0.1/public/codepush/update_check"+cpQuery, get, d, conns, threads)
		rc, err4 := runWrk("codepush ("+backend+")", base+"/v0.1/public/codepush/update_check"+cpQuery, get, d, conns, threads)
		stopPlain()
		stopHoist()
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			return err
		}
		for _, pair := range [][2]result{{rp, rh}, {rpg, rc}} {
			rp, rh := pair[0], pair[1]
			fmt.Printf("%-22s %12.0f %10s %8d %8s\n", rp.name, rp.rps, rp.p99, rp.non2xx, "")
			fmt.Printf("%-22s %12.0f %10s %8d %7.0f%%\n", rh.name, rh.rps, rh.p99, rh.non2xx, 100*rh.rps/rp.rps)
			fmt.Printf("%-22s p99 ratio %.2fx%s\n\n", "", float64(rh.p99)/float64(rp.p99), rh.errs)
		}
	}
	return nil
}

func startPlain(self string) (string, func(), error) {
	cmd := exec.Command(self, "-plain-server")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		return "", nil, fmt.Errorf("plain server: %w", err)
	}
	return strings.TrimSpace(line), func() { cmd.Process.Kill(); cmd.Wait() }, nil
}

var (
	rpsRe    = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	p99Re    = regexp.MustCompile(`\s99%\s+([0-9.]+)(us|ms|s)`)
	non2xxRe = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
	errRe    = regexp.MustCompile(`Socket errors:.*`)
)

func runWrk(name, url, script string, d time.Duration, conns, threads int) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d+30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "wrk", "-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns),
		"-d", fmt.Sprintf("%ds", int(d.Seconds())), "--latency", "-s", script, url).CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk %s: %w\n%s", name, err, out)
	}
	r := result{name: name}
	m := rpsRe.FindSubmatch(out)
	p := p99Re.FindSubmatch(out)
	if m == nil || p == nil {
		return result{}, fmt.Errorf("wrk %s: cannot read its output:\n%s", name, out)
	}
	r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	v, _ := strconv.ParseFloat(string(p[1]), 64)
	unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[string(p[2])]
	r.p99 = time.Duration(v * float64(unit))
	if n := non2xxRe.FindSubmatch(out); n != nil {
		r.non2xx, _ = strconv.Atoi(string(n[1]))
	}
	if e := errRe.Find(out); e != nil {
		r.errs = "; " + string(e)
	}
	return r, nil
}

// startHoist runs hoist serve on a fresh data dir (and database for mysql),
// publishes a project of 50 resources and returns its base URL and a
// representative update-check body.
func startHoist(bin, tmp, backend, mysqlDSN string) (string, func(), string, string, error) {
	dir, _ := os.MkdirTemp(tmp, backend)
	env := append(os.Environ(), "HOIST_DATA_DIR="+dir, "HOIST_HTTP_ADDR=127.0.0.1:0", "HOIST_MQTT_MODE=off",
		"HOIST_AUTH_CAPTCHA=off", "HOIST_LOG_FORMAT=json", "HOIST_AUTH_REGISTER_PER_MINUTE=0")
	if backend == "mysql" {
		if mysqlDSN == "" {
			return "", nil, "", "", errors.New("mysql backend needs -mysql-dsn or HOIST_BENCH_MYSQL_DSN (an empty database)")
		}
		env = append(env, "HOIST_DB_DRIVER=mysql", "HOIST_DB_DSN="+mysqlDSN, "HOIST_JWT_SECRET="+strings.Repeat("b", 40))
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	logFile, _ := os.Create(filepath.Join(dir, "hoist.log"))
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		return "", nil, "", "", err
	}
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		logFile.Close()
	}
	addrCh := make(chan string, 1)
	go func() {
		// Read lines until the HTTP listener is announced, then copy the
		// rest (access lines) to the file without looking at it: the bench
		// must not spend the CPU it measures on parsing logs.
		rd := bufio.NewReader(stderr)
		for {
			line, err := rd.ReadBytes('\n')
			logFile.Write(line)
			var l map[string]any
			if json.Unmarshal(line, &l) == nil && l["msg"] == "listening" && l["listener"] == "http" {
				addrCh <- l["addr"].(string)
				break
			}
			if err != nil {
				return
			}
		}
		io.Copy(logFile, rd)
	}()
	var base string
	select {
	case a := <-addrCh:
		base = "http://" + a
	case <-time.After(60 * time.Second):
		stop()
		return "", nil, "", "", errors.New("hoist did not start")
	}
	body, query, err := seed(base)
	if err != nil {
		stop()
		return "", nil, "", "", err
	}
	return base, stop, body, query, nil
}

func seed(base string) (string, string, error) {
	api := func(method, path, token string, in, out any) error {
		b, _ := json.Marshal(in)
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var env struct {
			Success bool            `json:"success"`
			Message string          `json:"message"`
			Data    json.RawMessage `json:"data"`
		}
		json.NewDecoder(resp.Body).Decode(&env)
		if !env.Success {
			return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, env.Message)
		}
		if out != nil {
			return json.Unmarshal(env.Data, out)
		}
		return nil
	}
	var sess struct {
		AccessToken string `json:"accessToken"`
	}
	if err := api("POST", "/api/v1/auth/register", "", map[string]string{"username": "bench", "password": "bench password 1"}, &sess); err != nil {
		return "", "", err
	}
	var proj struct{ ID string }
	if err := api("POST", "/api/v1/projects", sess.AccessToken, map[string]string{"name": "bench"}, &proj); err != nil {
		return "", "", err
	}
	upload := func(name string, files ...string) (string, error) {
		var z bytes.Buffer
		zw := zip.NewWriter(&z)
		for _, f := range files {
			w, _ := zw.Create(f)
			w.Write([]byte(f))
		}
		zw.Close()
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(z.Bytes())
		mw.Close()
		req, _ := http.NewRequest("POST", base+"/api/v1/projects/"+proj.ID+"/files", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+sess.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		var env struct {
			Data struct{ Key string } `json:"data"`
		}
		json.NewDecoder(resp.Body).Decode(&env)
		return env.Data.Key, nil
	}
	apk, err := upload("app.apk", "AndroidManifest.xml")
	if err != nil {
		return "", "", err
	}
	wgt, err := upload("app.wgt", "manifest.json")
	if err != nil {
		return "", "", err
	}
	n := 0
	for i, code := range []int{100, 110} {
		for _, r := range []map[string]any{
			{"type": 3, "version": fmt.Sprint(code), "versionCode": code, "storageKey": apk, "updateType": 1},
			{"type": 4, "version": fmt.Sprint(code), "versionCode": code, "url": "https://apps.apple.com/app/id1", "updateType": 1},
		} {
			if err := api("POST", "/api/v1/projects/"+proj.ID+"/resources", sess.AccessToken, r, nil); err != nil {
				return "", "", err
			}
			n++
		}
		for j := 0; n < 50 && j < 12; j++ {
			for _, typ := range []int{1, 2} {
				if n == 50 {
					break
				}
				r := map[string]any{"type": typ, "version": fmt.Sprintf("%d.%d", code, j), "versionCode": 1000*(i+1) + j,
					"nativeVersionCode": code, "storageKey": wgt, "updateType": 1, "changelog": strings.Repeat("fixes ", 40)}
				if j%4 == 3 {
					r["rolloutPercent"] = 25
				}
				if err := api("POST", "/api/v1/projects/"+proj.ID+"/resources", sess.AccessToken, r, nil); err != nil {
					return "", "", err
				}
				n++
			}
		}
	}
	body, _ := json.Marshal(map[string]any{"projectId": proj.ID, "platform": "android", "wgtVersion": "100.3", "wgtVersionCode": 1003,
		"nativeVersion": "100", "nativeVersionCode": 100, "systemInfo": map[string]any{"uuid": "8c1f0c9a-7a1d-4e0b-9a52-1f4d6f0e2b11",
			"brand": "xiaomi", "model": "M2012K11AC", "platform": "android", "system": "Android 13", "screenWidth": 393}})
	// A CodePush deployment of 20 releases; the device runs the one before
	// last, so it is offered the last.
	bundle, err := upload("bundle.zip", "CodePush/index.android.bundle", "CodePush/assets/logo.png")
	if err != nil {
		return "", "", err
	}
	for i := 0; i < 20; i++ {
		r := map[string]any{"type": 6, "storageKey": bundle, "targetBinaryRange": "^1.0.0", "updateType": 1,
			"changelog": strings.Repeat("fixes ", 40)}
		if err := api("POST", "/api/v1/projects/"+proj.ID+"/resources", sess.AccessToken, r, nil); err != nil {
			return "", "", err
		}
	}
	var chs []struct {
		DeploymentKeys map[string]string `json:"deploymentKeys"`
	}
	if err := api("GET", "/api/v1/projects/"+proj.ID+"/channels", sess.AccessToken, nil, &chs); err != nil || len(chs) == 0 {
		return "", "", fmt.Errorf("deployment keys: %v", err)
	}
	query := "?deployment_key=" + chs[0].DeploymentKeys["android"] + "&app_version=1.2.0&label=v19&client_unique_id=8c1f0c9a-7a1d-4e0b"
	return string(body), query, nil
}
