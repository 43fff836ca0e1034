package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The attack suite: the probes of the hardening pass (issue 12), kept so
// that what they found stays fixed. It runs one `hoist serve` and throws at
// it an HTTP sweep driven by the OpenAPI document (every path and method,
// garbage paths and bodies, no, wrong and forged credentials), file
// traversal, slow clients, and the MQTT ACL and client-id takeover cases.

// attackSecret is the JWT key of the attacked server, known to the suite
// so that it can forge tokens that differ from real ones in one way.
const attackSecret = "attack-suite-jwt-secret-0123456789abcdef"

// attackFixture is what the sweep needs to reach past the first checks.
type attackFixture struct {
	base, mqttAddr  string
	admin           struct{ AccessToken, UserID string }
	projectID       string
	scopedToken     string
	k1, k12, k12Sec string
	fileKey         string
}

func TestAttackSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("attack suite: not in -short")
	}
	start := time.Now()
	p := startServe(t, baseEnv(t, "HOIST_AUTH_CAPTCHA=off", "HOIST_JWT_SECRET="+attackSecret,
		"HOIST_HTTP_READ_TIMEOUT=1s", "HOIST_HTTP_READ_HEADER_TIMEOUT=1s", "HOIST_MQTT_CONNECT_TIMEOUT=1s"))
	fx := newAttackFixture(t, "http://"+p.addr("http"), p.addr("mqtt"))

	var mqttAttempts, fileProbes, slowProbes int
	t.Run("mqtt", func(t *testing.T) { mqttAttempts = attackMQTT(t, fx) })
	t.Run("files", func(t *testing.T) { fileProbes = attackFiles(t, fx) })
	t.Run("slow clients", func(t *testing.T) { slowProbes = attackSlowClients(t, fx) })
	t.Run("token scope", func(t *testing.T) { attackTokenScope(t, fx) })
	var sweep sweepTotals
	t.Run("http sweep", func(t *testing.T) { sweep = attackHTTP(t, fx) })
	t.Logf("attack suite: %d route×method pairs, %d HTTP requests (%d with forged or no credentials), "+
		"%d file probes, %d slow-client probes, %d MQTT attempts, in %v",
		sweep.ops, sweep.requests, sweep.forged, fileProbes, slowProbes, mqttAttempts, time.Since(start).Round(time.Millisecond))
}

func newAttackFixture(t *testing.T, base, mqttAddr string) *attackFixture {
	t.Helper()
	fx := &attackFixture{base: base, mqttAddr: mqttAddr}
	var sess struct {
		AccessToken string
		User        struct{ ID string }
	}
	if code := apiCall(t, base, "POST", "/api/v1/auth/register", "", map[string]string{"username": "admin", "password": "attack suite passphrase"}, &sess); code != 201 {
		t.Fatalf("register: %d", code)
	}
	fx.admin.AccessToken, fx.admin.UserID = sess.AccessToken, sess.User.ID
	var pr struct{ ID string }
	apiCall(t, base, "POST", "/api/v1/projects", fx.admin.AccessToken, map[string]string{"name": "Target"}, &pr)
	fx.projectID = pr.ID
	var tok struct{ Token string }
	apiCall(t, base, "POST", "/api/v1/me/tokens", fx.admin.AccessToken, map[string]string{"name": "scoped", "projectId": pr.ID}, &tok)
	fx.scopedToken = tok.Token
	if code := apiCall(t, base, "POST", "/api/v1/products", fx.admin.AccessToken, map[string]string{"name": "meter", "projectId": pr.ID}, nil); code != 201 {
		t.Fatalf("product: %d", code)
	}
	var d struct{ Secret string }
	apiCall(t, base, "POST", "/api/v1/products/meter/devices", fx.admin.AccessToken, map[string]any{"name": "k1"}, &d)
	fx.k1 = d.Secret
	apiCall(t, base, "POST", "/api/v1/products/meter/devices", fx.admin.AccessToken, map[string]any{"name": "k12", "tags": []string{"beta"}}, &d)
	fx.k12 = d.Secret
	fx.fileKey = attackUpload(t, fx)
	if fx.k1 == "" || fx.k12 == "" || fx.scopedToken == "" || fx.fileKey == "" {
		t.Fatalf("fixture incomplete: %+v", fx)
	}
	return fx
}

// attackUpload uploads a small file and returns its storage key.
func attackUpload(t *testing.T, fx *attackFixture) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	w, _ := mw.CreateFormFile("file", "page.html")
	w.Write([]byte("<script>alert(document.domain)</script>"))
	mw.Close()
	req, _ := http.NewRequest("POST", fx.base+"/api/v1/projects/"+fx.projectID+"/files", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+fx.admin.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct{ Data struct{ Key string } }
	json.NewDecoder(resp.Body).Decode(&env)
	return env.Data.Key
}

// forgedTokens are access tokens that must all be refused: each differs
// from a real one in one way.
func forgedTokens(t *testing.T, userID string) map[string]string {
	t.Helper()
	now := time.Now()
	claims := func(mut func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"iss": "hoist", "sub": userID, "iat": now.Unix(), "nbf": now.Unix(),
			"exp": now.Add(time.Hour).Unix(), "typ": "access", "ver": 1}
		if mut != nil {
			mut(c)
		}
		return c
	}
	sign := func(m jwt.SigningMethod, key any, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	right := []byte(attackSecret)
	return map[string]string{
		"alg none":       sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil)),
		"wrong key":      sign(jwt.SigningMethodHS256, []byte("not-the-secret-not-the-secret-000"), claims(nil)),
		"HS512":          sign(jwt.SigningMethodHS512, right, claims(nil)),
		"expired":        sign(jwt.SigningMethodHS256, right, claims(func(c jwt.MapClaims) { c["exp"], c["iat"] = now.Add(-time.Hour).Unix(), now.Add(-2*time.Hour).Unix() })),
		"no expiry":      sign(jwt.SigningMethodHS256, right, claims(func(c jwt.MapClaims) { delete(c, "exp") })),
		"refresh typ":    sign(jwt.SigningMethodHS256, right, claims(func(c jwt.MapClaims) { c["typ"] = "refresh" })),
		"old version":    sign(jwt.SigningMethodHS256, right, claims(func(c jwt.MapClaims) { c["ver"] = 0 })),
		"other issuer":   sign(jwt.SigningMethodHS256, right, claims(func(c jwt.MapClaims) { c["iss"] = "evil" })),
		"unknown user":   sign(jwt.SigningMethodHS256, right, claims(func(c jwt.MapClaims) { c["sub"] = strings.Repeat("0", 32) })),
		"garbage bearer": "garbage.garbage.garbage",
		"api token typo": "hst_" + strings.Repeat("A", 40),
	}
}

type sweepTotals struct{ ops, requests, forged int }

// attackHTTP sweeps every operation of docs/swagger.json.
func attackHTTP(t *testing.T, fx *attackFixture) sweepTotals {
	raw, err := os.ReadFile("../../docs/swagger.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Security []any `json:"security"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	forged := forgedTokens(t, fx.admin.UserID)
	forgedNames := make([]string, 0, len(forged))
	for k := range forged {
		forgedNames = append(forgedNames, k)
	}
	sort.Strings(forgedNames)
	type auth struct{ name, header string }
	auths := []auth{{"none", ""}, {"basic", "Basic YWRtaW46YWRtaW4="}, {"admin", "Bearer " + fx.admin.AccessToken},
		{"scoped token", "Bearer " + fx.scopedToken}}
	for _, n := range forgedNames {
		auths = append(auths, auth{n, "Bearer " + forged[n]})
	}
	type body struct{ ct, text string }
	bodies := []body{
		{"application/json", ""}, {"application/json", "{}"}, {"application/json", "[]"}, {"application/json", "null"},
		{"application/json", `{"a":`}, {"application/json", "\x00\xff\xfe\u202e"},
		{"application/json", strings.Repeat("[", 20000)},
		{"application/json", `{"name":"` + strings.Repeat("x", 5000) + `","id":-1,"versionCode":1e309,"tags":[null,{}],` +
			`"target":{"device":["a"]},"projectId":{"$ne":""},"password":123,"type":99,"url":"javascript:alert(1)"}`},
		{"text/plain", `{"name":"plain"}`},
	}
	fill := map[string]string{"id": fx.projectID, "userId": fx.admin.UserID, "product": "meter", "device": "k1",
		"code": "nope", "requestId": strings.Repeat("a", 32), "tag": "beta", "key": fx.fileKey}
	pathVariants := func(tmpl string) []string {
		if !strings.Contains(tmpl, "{") {
			return []string{tmpl}
		}
		var out []string
		for _, v := range []string{"", "x", "..%2F..%2Fetc%2Fpasswd", strings.Repeat("a", 3000), "%E2%80%AEgnp%00"} {
			p := tmpl
			for k, def := range fill {
				val := v
				if v == "" {
					val = def
				}
				p = strings.ReplaceAll(p, "{"+k+"}", val)
			}
			out = append(out, p)
		}
		return out
	}

	type probe struct {
		method, path, ct, body, authName, authHeader string
		secured                                      bool
	}
	var probes []probe
	ops := 0
	paths := make([]string, 0, len(doc.Paths))
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, tmpl := range paths {
		for method, op := range doc.Paths[tmpl] {
			ops++
			m := strings.ToUpper(method)
			secured := len(op.Security) > 0
			bs := bodies
			if m == "GET" || m == "HEAD" {
				bs = []body{{"", ""}}
			}
			for i, path := range pathVariants(tmpl) {
				for _, b := range bs {
					for _, a := range auths {
						probes = append(probes, probe{m, path, b.ct, b.text, a.name, a.header, secured})
					}
				}
				if i == 0 && m != "GET" && m != "HEAD" { // one 2 MB body per operation
					probes = append(probes, probe{m, path, "application/json", `{"x":"` + strings.Repeat("x", 2<<20) + `"}`, "none", "", secured})
				}
			}
		}
	}
	// Methods nobody defined, on a known and an unknown path.
	for i := range 20 {
		probes = append(probes, probe{fmt.Sprintf("M%03d", i), "/api/", "", "", "none", "", false},
			probe{fmt.Sprintf("PROPFIND%d", i), "/nope", "", "", "none", "", false})
	}

	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	var failures atomic.Int64
	fail := func(format string, args ...any) {
		if failures.Add(1) <= 40 {
			t.Errorf(format, args...)
		}
	}
	var forgedCount atomic.Int64
	work := make(chan probe)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for pr := range work {
				req, err := http.NewRequest(pr.method, fx.base+pr.path, strings.NewReader(pr.body))
				if err != nil {
					continue // a path Go itself refuses to send
				}
				if pr.ct != "" {
					req.Header.Set("Content-Type", pr.ct)
				}
				if pr.authHeader != "" {
					req.Header.Set("Authorization", pr.authHeader)
				}
				resp, err := client.Do(req)
				if err != nil {
					fail("%s %s (%s): %v", pr.method, pr.path, pr.authName, err)
					continue
				}
				data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
				resp.Body.Close()
				where := fmt.Sprintf("%s %.80s [%s, %.20q]", pr.method, pr.path, pr.authName, pr.body)
				if resp.StatusCode >= 500 {
					fail("%s: %d %.200s", where, resp.StatusCode, data)
					continue
				}
				if resp.StatusCode >= 400 && pr.method != "HEAD" {
					checkEnvelope(fail, where, resp, data)
				}
				_, isForged := forged[pr.authName]
				if pr.secured && (isForged || pr.authName == "none" || pr.authName == "basic") {
					forgedCount.Add(1)
					switch s := resp.StatusCode; {
					case s == 401, s == 404, s == 413:
					case s == 400 && pr.ct == "text/plain":
					default:
						fail("%s: unauthenticated request answered %d %.200s", where, s, data)
					}
				}
			}
		}()
	}
	for _, pr := range probes {
		work <- pr
	}
	close(work)
	wg.Wait()

	// No request above may have added a metrics series of its own.
	resp, err := client.Get(fx.base + "/metrics")
	if err == nil {
		m, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(m), `method="M0`) || strings.Contains(string(m), `method="PROPFIND`) {
			t.Error("unknown methods appear as metric labels")
		}
	}
	return sweepTotals{ops: ops, requests: len(probes), forged: int(forgedCount.Load())}
}

// checkEnvelope asserts an error answer is the JSON envelope of PROTOCOLS §1.
func checkEnvelope(fail func(string, ...any), where string, resp *http.Response, data []byte) {
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		fail("%s: %d without a JSON envelope (%s): %.120s", where, resp.StatusCode, resp.Header.Get("Content-Type"), data)
		return
	}
	var env struct {
		Success    *bool  `json:"success"`
		StatusCode int    `json:"statusCode"`
		Code       string `json:"code"`
		Message    string `json:"message"`
	}
	if err := json.Unmarshal(data, &env); err != nil || env.Success == nil || *env.Success ||
		env.StatusCode != resp.StatusCode || env.Code == "" || env.Message == "" {
		fail("%s: %d bad envelope %.200s", where, resp.StatusCode, data)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		fail("%s: no nosniff", where)
	}
}

// rawGet sends a request line exactly as given (no client-side cleaning)
// and returns the status and body.
func rawGet(t *testing.T, addr, target string, headers ...string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n%s\r\n", target, strings.Join(headers, ""))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// attackFiles tries to read outside the files root and to serve an
// uploaded page as part of the origin.
func attackFiles(t *testing.T, fx *attackFixture) int {
	addr := strings.TrimPrefix(fx.base, "http://")
	targets := []string{
		"/files/../jwt.secret", "/files/..%2fjwt.secret", "/files/%2e%2e/hoist.db", "/files/%2e%2e%2fhoist.db",
		"/files/..%5choist.db", "/files/..\\hoist.db", "/files/....//hoist.db", "/files//etc/passwd",
		"/files/%2fetc%2fpasswd", "/files/./../hoist.db", "/files/%00", "/files/a%00.bin", "/files/" + fx.fileKey + "/..%2f..%2f..%2fhoist.db",
		"/files/%252e%252e%252fhoist.db", "/files/" + strings.Repeat("../", 40) + "etc/passwd", "/files/" + strings.Repeat("a", 8000),
		"/files/..;/hoist.db", "/files/%c0%ae%c0%ae/hoist.db",
	}
	for _, target := range targets {
		code, body := rawGet(t, addr, target)
		if code == 200 || code >= 500 || code == 0 || strings.Contains(body, attackSecret) || strings.Contains(body, "SQLite format 3") ||
			strings.Contains(body, "root:") {
			t.Errorf("GET %.100s: %d %.100q", target, code, body)
		}
	}
	// The uploaded page is served, but sandboxed and never sniffed.
	resp, err := http.Get(fx.base + "/files/" + fx.fileKey)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("uploaded file: %d %v", resp.StatusCode, resp.Header)
	}
	// Many ranges, overlapping ranges, nonsense ranges.
	ranges := []string{"bytes=" + strings.TrimSuffix(strings.Repeat("0-0,", 500), ","), "bytes=-1,-1,-1,0-", "bytes=999999-", "bytes=5-1", "bytes=abc"}
	for _, r := range ranges {
		if code, _ := rawGet(t, addr, "/files/"+fx.fileKey, "Range: "+r+"\r\n"); code >= 500 || code == 0 {
			t.Errorf("Range %.40s: %d", r, code)
		}
	}
	return len(targets) + 1 + len(ranges)
}

// attackSlowClients holds connections open without sending what they
// promise: each is answered or closed within seconds.
func attackSlowClients(t *testing.T, fx *attackFixture) int {
	addr := strings.TrimPrefix(fx.base, "http://")
	closedWithin := func(what string, c net.Conn, d time.Duration) {
		t.Helper()
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(d))
		_, err := io.Copy(io.Discard, c)
		var ne net.Error
		if err != nil && errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("%s: still open after %v", what, d)
		}
	}
	dial := func(a string) net.Conn {
		c, err := net.Dial("tcp", a)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := dial(addr)
	fmt.Fprintf(c, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
	closedWithin("HTTP body that stops", c, 6*time.Second)
	c = dial(addr)
	fmt.Fprintf(c, "GET /api/ HTTP/1.1\r\nHost: x\r\nX-Slow: ")
	closedWithin("HTTP headers that stop", c, 6*time.Second)
	closedWithin("MQTT connection without CONNECT", dial(fx.mqttAddr), 6*time.Second)
	code, body := rawGet(t, addr, "/api/", "X-Big: "+strings.Repeat("b", 100<<10)+"\r\n")
	if code != 431 || !strings.Contains(body, `"statusCode":431`) {
		t.Errorf("large headers: %d %.100s", code, body)
	}
	return 4
}

// attackTokenScope: a project-scoped API token stays in its project and
// cannot touch the account that issued it.
func attackTokenScope(t *testing.T, fx *attackFixture) {
	// Each body is valid for its route (the native API refuses fields a
	// request does not take with a 400), so only the scope can refuse it.
	name := map[string]string{"name": "x"}
	for _, c := range []struct {
		method, path string
		body         map[string]string
	}{
		{"GET", "/api/v1/me/tokens", nil}, {"POST", "/api/v1/me/tokens", name}, {"DELETE", "/api/v1/me/tokens/" + strings.Repeat("0", 32), nil},
		{"PATCH", "/api/v1/me", map[string]string{"email": "evil@example.com"}},
		{"PUT", "/api/v1/me/password", map[string]string{"currentPassword": "attack suite passphrase", "newPassword": "taken over at last"}},
		{"GET", "/api/v1/logs/login", nil}, {"GET", "/api/v1/users", nil},
		{"POST", "/api/v1/projects", name},
	} {
		var body any
		if c.body != nil {
			body = c.body
		}
		if code := apiCall(t, fx.base, c.method, c.path, fx.scopedToken, body, nil); code != 403 {
			t.Errorf("scoped token %s %s: %d, want 403", c.method, c.path, code)
		}
	}
}
