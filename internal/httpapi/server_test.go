package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/captcha"
	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/device"
	"github.com/hoist-ota/hoist/internal/dict"
	"github.com/hoist-ota/hoist/internal/event"
	"github.com/hoist-ota/hoist/internal/kv"
	"github.com/hoist-ota/hoist/internal/mqtt"
	"github.com/hoist-ota/hoist/internal/ota"
	"github.com/hoist-ota/hoist/internal/project"
	"github.com/hoist-ota/hoist/internal/ratelimit"
	"github.com/hoist-ota/hoist/internal/release"
	"github.com/hoist-ota/hoist/internal/stats"
	"github.com/hoist-ota/hoist/internal/storage"
	"github.com/hoist-ota/hoist/internal/storage/local"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
	"github.com/hoist-ota/hoist/internal/webhook"
)

var fixedNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

type testServer struct {
	*Server
	store     *store.Store
	kv        *kv.Memory
	logs      *bytes.Buffer
	filesDir  string       // the local storage root
	blob      storage.Blob // the storage behind the release service
	stats     *stats.Recorder
	downloads *stats.Downloads
	funnel    *stats.Funnel
	log       *slog.Logger
	otaSvc    *ota.Service
	checker   *release.Checker
	pub       *recordingPublisher // what the OTA service published
	webhooks  *webhook.Service    // its worker runs only when a test runs it

	mu      sync.Mutex
	changes []string // project ids of release change events, in order
}

func (ts *testServer) recordChange(projectID string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.changes = append(ts.changes, projectID)
}

// takeChanges returns and clears the recorded change events.
func (ts *testServer) takeChanges() []string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	out := ts.changes
	ts.changes = nil
	return out
}

// testSecret signs the test servers' access tokens.
var testSecret = []byte("test-secret-test-secret-test-secret!")

// cheapArgon2 keeps password hashing fast under the race detector; the
// production parameters have their own test in package account.
var cheapArgon2 = account.Argon2Params{Memory: 64, Time: 1, Threads: 1}

// testSetup is what a test may change before the server is built.
type testSetup struct {
	Options
	Account     account.Options
	withCaptcha bool // captchas on, answers in the test server's kv
	Release     release.Options
	signedFiles bool             // local storage signs download URLs
	blob        storage.Blob     // nil: local storage in a temp dir
	sts         release.STS      // nil: no direct uploads
	shared      *testServer      // another node: share its database and files
	store       *store.Store     // nil: a fresh database of the driver
	publisher   ota.Sender       // nil: a recordingPublisher
	otaNow      func() time.Time // the OTA service's clock; nil: time.Now
	otaEvents   event.Sink       // where the OTA service's campaign events go; nil: dropped
	accountNow  func() time.Time // the account service's clock; nil: time.Now
	webhookOpts webhook.Options
}

// testClock is a clock a test moves by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

// newTestClock starts at a whole second (JWT times have second precision).
func newTestClock() *testClock { return &testClock{now: time.Now().Truncate(time.Second)} }

// Now returns the clock's time.
func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// mustServer builds a server on a fresh SQLite store with real services.
func mustServer(tb testing.TB, mutate func(*testSetup)) *testServer {
	return mustServerOn(tb, config.DriverSQLite, mutate)
}

// mustServerOn builds a server with real services on a fresh database of
// the given driver: captchas off, open registration, 10 logins a minute.
func mustServerOn(tb testing.TB, driver string, mutate func(*testSetup)) *testServer {
	tb.Helper()
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	mem := kv.NewMemory(nil)
	ts := testSetup{
		Options: Options{
			Config:  config.Default().HTTP,
			Version: "v0.0.0-test",
			Limits: Limits{
				Login:    ratelimit.New(mem, "login", 10, time.Minute),
				Register: ratelimit.New(mem, "register", 10, time.Minute),
				Captcha:  ratelimit.New(mem, "captcha", 60, time.Minute),
			},
			Log: log,
			Now: func() time.Time { return fixedNow },
		},
		Account: account.Options{Secret: testSecret, AccessTTL: 15 * time.Minute, RefreshTTL: time.Hour,
			RegistrationOpen: true, Argon2: cheapArgon2},
		Release: release.Options{MaxUploadBytes: 1 << 20, URLTTL: time.Hour},
	}
	if mutate != nil {
		mutate(&ts)
	}
	var st *store.Store
	switch {
	case ts.shared != nil:
		st, ts.blob = ts.shared.store, ts.shared.blob
	case ts.store != nil:
		st = ts.store
	default:
		st = storetest.MustOpen(tb, driver)
	}
	ts.DB = st
	if ts.withCaptcha {
		ts.Captcha = captcha.NewService(mem)
	}
	if ts.accountNow == nil {
		ts.accountNow = time.Now
	}
	accounts := account.NewService(st.Accounts(), ts.Account, ts.accountNow, log)
	projects := project.NewService(st.Projects(), time.Now, log)
	accounts.SetProjectChecker(projects)
	ts.Options.Accounts, ts.Options.Projects = accounts, projects
	ts.Options.Dicts = dict.NewService(st.Dicts(), time.Now, log)
	ts.Options.Devices = device.NewService(st.Devices(), projects, testSecret, time.Now, log)
	// The broker hooks exist only when a test sets HookSecret.
	ts.Options.BrokerAuth = mqtt.NewAuth(ts.Options.Devices, testBrokerAccount)
	filesDir := tb.TempDir()
	if ts.blob == nil {
		disk, err := local.New(local.Config{Dir: filesDir, Signed: ts.signedFiles, SignKey: testSecret})
		if err != nil {
			tb.Fatal(err)
		}
		ts.blob, ts.LocalFiles = disk, disk
	}
	ts.MaxUploadBytes = ts.Release.MaxUploadBytes
	ts.Releases = release.NewService(st.Releases(), projects, ts.blob, ts.sts, ts.Release, time.Now, log)
	ts.Releases.SetProductOwner(ts.Options.Devices)
	ts.Webhooks = webhook.NewService(st.Webhooks(), projects, ts.webhookOpts, time.Now, log)
	ts.Releases.SetEventSink(ts.Webhooks)
	ts.Stats = stats.NewRecorder(st.Stats(), stats.Options{FlushEvery: time.Hour}, log)
	ts.Reports = stats.NewService(st.Stats(), projects, func() time.Time { return fixedNow })
	ts.Downloads = stats.NewDownloads(st.Downloads(), time.Hour, log)
	ts.Funnel = stats.NewFunnel(st.Funnel(), stats.FunnelOptions{FlushEvery: time.Hour}, log)
	ts.CodePushMetrics = release.NewCodePushMetrics(st.Releases())
	out := &testServer{store: st, kv: mem, logs: logs, filesDir: filesDir, blob: ts.blob, stats: ts.Stats, downloads: ts.Downloads, funnel: ts.Funnel, log: log}
	out.pub = &recordingPublisher{}
	if ts.publisher == nil {
		ts.publisher = out.pub
	}
	if ts.otaNow == nil {
		ts.otaNow = time.Now
	}
	ts.OTA = ota.NewService(st.OTA(), ota.Deps{Projects: projects, Devices: ts.Devices, Releases: ts.Releases, Blob: ts.blob,
		Sender: ts.publisher, Events: ts.otaEvents}, ota.Options{PublicBaseURL: ts.PublicBaseURL}, ts.otaNow, log)
	out.otaSvc = ts.OTA
	out.webhooks = ts.Webhooks
	ts.Releases.OnChange(out.recordChange)
	recorders := []release.Recorder{ts.Stats, ts.Funnel}
	if ts.Metrics != nil {
		recorders = append(recorders, ts.Metrics)
	}
	ts.Rollouts = release.NewRollouts(st.Rollouts(), ts.Releases, ts.Funnel, ts.Webhooks, ts.Now, log)
	ts.Checker = release.NewChecker(ts.Releases, release.CheckerOptions{Recorders: recorders, Now: ts.Now, Keys: ts.Releases})
	ts.Releases.OnResourceChange(ts.Checker.RefreshResource)
	out.checker = ts.Checker
	srv, err := New(ts.Options)
	if err != nil {
		tb.Fatal(err)
	}
	out.Server = srv
	return out
}

type envelope struct {
	Success    bool                `json:"success"`
	StatusCode int                 `json:"statusCode"`
	Message    string              `json:"message"`
	Code       string              `json:"code"`
	Data       json.RawMessage     `json:"data"`
	Errors     []apperr.FieldError `json:"errors"`
}

func (ts *testServer) do(tb testing.TB, method, target string, body io.Reader, headers ...string) (*httptest.ResponseRecorder, envelope) {
	tb.Helper()
	req := httptest.NewRequest(method, target, body)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	ts.Handler().ServeHTTP(rec, req)
	var env envelope
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			tb.Fatalf("%s %s: body is not an envelope: %v\n%s", method, target, err, rec.Body)
		}
	}
	return rec, env
}

func mustErrorEnvelope(tb testing.TB, rec *httptest.ResponseRecorder, env envelope, status int, code apperr.Code) {
	tb.Helper()
	if rec.Code != status || env.StatusCode != status || env.Success || env.Code != string(code) || env.Message == "" {
		tb.Fatalf("want %d %s envelope, got HTTP %d %+v\n%s", status, code, rec.Code, env, rec.Body)
	}
}

func TestHealthzAndReadyz(t *testing.T) {
	ts := mustServer(t, nil)
	rec, env := ts.do(t, "GET", "/healthz", nil)
	if rec.Code != 200 || !env.Success || env.StatusCode != 200 || env.Message != "ok" || string(env.Data) != `{"status":"ok"}` {
		t.Fatalf("healthz: %d %s", rec.Code, rec.Body)
	}
	rec, env = ts.do(t, "GET", "/readyz", nil)
	if rec.Code != 200 || string(env.Data) != `{"status":"ready","checks":{"database":"up"}}` {
		t.Fatalf("readyz: %d %s", rec.Code, rec.Body)
	}

	ts.store.Close()
	rec, env = ts.do(t, "GET", "/readyz", nil)
	mustErrorEnvelope(t, rec, env, http.StatusServiceUnavailable, apperr.Unavailable)
	if len(env.Errors) != 1 || env.Errors[0].Field != "database" || !strings.Contains(env.Message, "database") {
		t.Errorf("readyz does not name the database: %s", rec.Body)
	}
	if strings.Contains(rec.Body.String(), "closed") {
		t.Errorf("readyz leaks the cause: %s", rec.Body)
	}
	if !strings.Contains(ts.logs.String(), "database is closed") {
		t.Errorf("cause not logged: %s", ts.logs)
	}
}

func TestHelloAndBasicConfig(t *testing.T) {
	ts := mustServer(t, nil)
	rec, env := ts.do(t, "GET", "/api/", nil)
	if rec.Code != 200 || string(env.Data) != fmt.Sprintf(`{"msg":"Hoist is running","timestamp":%d}`, fixedNow.UnixMilli()) {
		t.Fatalf("hello: %d %s", rec.Code, rec.Body)
	}
	rec, env = ts.do(t, "GET", "/api/basic/config", nil)
	var cfg basicConfigView
	if err := json.Unmarshal(env.Data, &cfg); err != nil || rec.Code != 200 {
		t.Fatalf("config: %d %s", rec.Code, rec.Body)
	}
	want := basicConfigView{ServiceTime: fixedNow.UnixMilli(), UpdateURLSuffix: "/api/basic/update", RegistrationOpen: true,
		SetupRequired: true, Version: "v0.0.0-test", Broker: brokerView{Mode: "off"}}
	if cfg != want {
		t.Fatalf("config = %+v, want %+v", cfg, want)
	}
	ts.mustRegister(t, "first")
	_, env = ts.do(t, "GET", "/api/basic/config", nil)
	json.Unmarshal(env.Data, &cfg)
	if cfg.SetupRequired {
		t.Fatal("setupRequired after the first account")
	}
}

func TestUnknownRoutesAnswer404Envelope(t *testing.T) {
	ts := mustServer(t, nil)
	for _, c := range []struct{ method, path string }{
		{"GET", "/nope"}, {"POST", "/healthz"}, {"DELETE", "/api/basic/config"}, {"GET", "/api/v1/nothing"},
	} {
		rec, env := ts.do(t, c.method, c.path, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
	}
}

func TestRequestIDIsEchoedOrMade(t *testing.T) {
	ts := mustServer(t, nil)
	rec, _ := ts.do(t, "GET", "/healthz", nil, HeaderRequestID, "abc-123")
	if got := rec.Header().Get(HeaderRequestID); got != "abc-123" {
		t.Fatalf("echo: %q", got)
	}
	rec, _ = ts.do(t, "GET", "/healthz", nil, HeaderRequestID, "evil\nline")
	if got := rec.Header().Get(HeaderRequestID); len(got) != 24 || strings.Contains(got, "evil") {
		t.Fatalf("unsafe id accepted: %q", got)
	}
}

func TestAccessLogLineMasksSecrets(t *testing.T) {
	ts := mustServer(t, nil)
	ts.do(t, "GET", "/api/basic/config?token=s3cr3t&sig=abc&page=2", nil, HeaderRequestID, "rid-1")
	line := ts.logs.String()
	if strings.Contains(line, "s3cr3t") || strings.Contains(line, "abc&") {
		t.Fatalf("secret logged: %s", line)
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(line)), &entry); err != nil {
		t.Fatalf("want exactly one JSON access line, got %q", line)
	}
	if entry["msg"] != "http" || entry["status"] != 200.0 || entry["requestId"] != "rid-1" || entry["path"] != "/api/basic/config" {
		t.Fatalf("access line: %v", entry)
	}
	if q, _ := entry["query"].(string); !strings.Contains(q, "page=2") || !strings.Contains(q, "token=%2A%2A%2A") {
		t.Fatalf("query: %q", q)
	}
}

// echoRoute adds a JSON route behind the body limit, the way API groups use it.
func echoRoute(ts *testServer, limit int64) {
	ts.engine.POST("/t/echo", ts.limitBody(limit), func(c *gin.Context) {
		var v map[string]any
		if err := c.ShouldBindJSON(&v); err != nil {
			ts.respondError(c, err)
			return
		}
		respondOK(c, http.StatusOK, v)
	})
}

func TestBodyLimit(t *testing.T) {
	ts := mustServer(t, nil)
	echoRoute(ts, 2048)
	big := `{"x":"` + strings.Repeat("a", 4096) + `"}`

	rec, env := ts.do(t, "POST", "/t/echo", strings.NewReader(big), "Content-Type", "application/json")
	mustErrorEnvelope(t, rec, env, http.StatusRequestEntityTooLarge, apperr.TooLarge)

	// Without a declared length the limit still holds while reading.
	req := httptest.NewRequest("POST", "/t/echo", io.MultiReader(strings.NewReader(big)))
	req.ContentLength = -1
	r2 := httptest.NewRecorder()
	ts.Handler().ServeHTTP(r2, req)
	if r2.Code != http.StatusRequestEntityTooLarge || !strings.Contains(r2.Body.String(), `"code":"too_large"`) {
		t.Fatalf("chunked oversize: %d %s", r2.Code, r2.Body)
	}

	rec, env = ts.do(t, "POST", "/t/echo", strings.NewReader(`{"x":"small"}`), "Content-Type", "application/json")
	if rec.Code != 200 || string(env.Data) != `{"x":"small"}` {
		t.Fatalf("small body: %d %s", rec.Code, rec.Body)
	}
}

func TestPanicBecomes500WithoutDetail(t *testing.T) {
	ts := mustServer(t, nil)
	ts.engine.GET("/t/panic", func(*gin.Context) { panic("secret detail") })
	rec, env := ts.do(t, "GET", "/t/panic", nil)
	mustErrorEnvelope(t, rec, env, http.StatusInternalServerError, apperr.Internal)
	if strings.Contains(rec.Body.String(), "secret detail") || env.Message != "internal server error" {
		t.Fatalf("detail leaked: %s", rec.Body)
	}
	if !strings.Contains(ts.logs.String(), "secret detail") {
		t.Fatal("panic not logged")
	}
}

func TestInternalErrorIsLoggedNotShown(t *testing.T) {
	ts := mustServer(t, nil)
	ts.engine.GET("/t/fail", func(c *gin.Context) { ts.respondError(c, io.ErrUnexpectedEOF) })
	rec, env := ts.do(t, "GET", "/t/fail", nil)
	mustErrorEnvelope(t, rec, env, http.StatusInternalServerError, apperr.Internal)
	if strings.Contains(rec.Body.String(), "unexpected EOF") || !strings.Contains(ts.logs.String(), "unexpected EOF") {
		t.Fatalf("body %s\nlogs %s", rec.Body, ts.logs)
	}
}

func TestCORS(t *testing.T) {
	ts := mustServer(t, func(o *testSetup) { o.Config.CORSOrigins = []string{"https://panel.example.com"} })
	rec, _ := ts.do(t, "GET", "/api/basic/config", nil, "Origin", "https://panel.example.com")
	if rec.Header().Get("Access-Control-Allow-Origin") != "https://panel.example.com" {
		t.Fatalf("allowed origin not echoed: %v", rec.Header())
	}
	rec, _ = ts.do(t, "OPTIONS", "/api/v1/projects", nil, "Origin", "https://panel.example.com", "Access-Control-Request-Method", "POST")
	if rec.Code != http.StatusNoContent || !strings.Contains(rec.Header().Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Fatalf("preflight: %d %v", rec.Code, rec.Header())
	}
	rec, env := ts.do(t, "OPTIONS", "/api/v1/projects", nil, "Origin", "https://evil.example.com", "Access-Control-Request-Method", "POST")
	mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
	rec, _ = ts.do(t, "GET", "/api/basic/config", nil, "Origin", "https://evil.example.com")
	if rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("disallowed origin got CORS headers")
	}
}

func TestPanelNotBuilt(t *testing.T) {
	ts := mustServer(t, nil)
	rec, _ := ts.do(t, "GET", "/", nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "make web") {
		t.Fatalf("/: %d %s", rec.Code, rec.Body)
	}
	rec, env := ts.do(t, "GET", "/projects", nil, "Accept", "text/html")
	mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
}

func TestPanelServesFilesAndClientRoutes(t *testing.T) {
	panel := fstest.MapFS{
		"index.html":       {Data: []byte("<html>panel</html>")},
		"assets/app-1a.js": {Data: []byte("console.log(1)")},
	}
	ts := mustServer(t, func(o *testSetup) { o.Panel = panel })

	rec, _ := ts.do(t, "GET", "/", nil)
	if rec.Code != 200 || rec.Body.String() != "<html>panel</html>" || rec.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("/: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	rec, _ = ts.do(t, "GET", "/assets/app-1a.js", nil)
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
		t.Fatalf("asset: %d %v", rec.Code, rec.Header())
	}
	rec, _ = ts.do(t, "GET", "/projects/42", nil, "Accept", "text/html,application/xhtml+xml")
	if rec.Code != 200 || rec.Body.String() != "<html>panel</html>" {
		t.Fatalf("client route: %d %s", rec.Code, rec.Body)
	}
	rec, env := ts.do(t, "GET", "/nope", nil, "Accept", "*/*")
	mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
	rec, env = ts.do(t, "GET", "/api/nope", nil, "Accept", "text/html")
	mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
	rec, env = ts.do(t, "GET", "/assets/missing.js", nil)
	mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
}

func TestDocsListEveryRoute(t *testing.T) {
	ts := mustServer(t, nil)
	rec, _ := ts.do(t, "GET", "/docs/index.html", nil)
	if rec.Code != 200 {
		t.Fatalf("docs: %d", rec.Code)
	}
	rec, _ = ts.do(t, "GET", "/docs/doc.json", nil)
	var spec struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &spec); err != nil {
		t.Fatalf("doc.json: %v", err)
	}
	// Every registered route but the docs, the panel and test routes is documented.
	for _, r := range ts.engine.Routes() {
		if strings.HasPrefix(r.Path, "/docs") || r.Path == "/" || strings.HasPrefix(r.Path, "/t/") {
			continue
		}
		if _, ok := spec.Paths[swaggerPath(r.Path)][strings.ToLower(r.Method)]; !ok {
			t.Errorf("route %s %s is not in the OpenAPI docs", r.Method, r.Path)
		}
	}

	off := mustServer(t, func(o *testSetup) { o.Config.Docs = false })
	rec, _ = off.do(t, "GET", "/docs/index.html", nil)
	if rec.Code != 404 {
		t.Fatalf("docs off: %d", rec.Code)
	}
}

// swaggerPath turns gin's /a/:id/b into /a/{id}/b.
func swaggerPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

func TestMaskQuery(t *testing.T) {
	cases := map[string]string{
		"":                               "",
		"page=1":                         "page=1",
		"access_token=x&pageNum=2":       "access_token=%2A%2A%2A&pageNum=2",
		"sig=abc&expires=1":              "expires=1&sig=%2A%2A%2A",
		"apiKey=1&password=2&captcha=ok": "apiKey=%2A%2A%2A&captcha=ok&password=%2A%2A%2A",
		"%zz":                            "(unparsable)",
	}
	for in, want := range cases {
		if got := maskQuery(in); got != want {
			t.Errorf("maskQuery(%q) = %q, want %q", in, got, want)
		}
	}
}

// /readyz names every dependency; one that is not required (a cache) is
// reported without failing, a required one fails it.
func TestReadyzDependencies(t *testing.T) {
	brokerUp := true
	ts := mustServer(t, func(s *testSetup) {
		s.Options.Dependencies = []Dependency{
			{Name: "redis", Check: func(context.Context) error { return apperr.New(apperr.Unavailable, "redis unavailable") }},
			{Name: "broker", Required: true, Check: func(context.Context) error {
				if brokerUp {
					return nil
				}
				return apperr.New(apperr.Unavailable, "not connected to the MQTT broker")
			}},
		}
	})
	rec, env := ts.do(t, "GET", "/readyz", nil)
	if rec.Code != 200 || string(env.Data) != `{"status":"ready","checks":{"broker":"up","database":"up","redis":"down: redis unavailable"}}` {
		t.Fatalf("readyz: %d %s", rec.Code, rec.Body)
	}
	brokerUp = false
	rec, env = ts.do(t, "GET", "/readyz", nil)
	mustErrorEnvelope(t, rec, env, http.StatusServiceUnavailable, apperr.Unavailable)
	if len(env.Errors) != 1 || env.Errors[0].Field != "broker" {
		t.Fatalf("readyz with the broker down: %s", rec.Body)
	}
}
