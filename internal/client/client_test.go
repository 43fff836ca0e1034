package client_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/client"
	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/device"
	"github.com/hoist-ota/hoist/internal/dict"
	"github.com/hoist-ota/hoist/internal/httpapi"
	"github.com/hoist-ota/hoist/internal/kv"
	"github.com/hoist-ota/hoist/internal/ota"
	"github.com/hoist-ota/hoist/internal/project"
	"github.com/hoist-ota/hoist/internal/ratelimit"
	"github.com/hoist-ota/hoist/internal/release"
	"github.com/hoist-ota/hoist/internal/stats"
	"github.com/hoist-ota/hoist/internal/storage/local"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

// acceptAll is the broker: it takes every command.
type acceptAll struct{}

func (acceptAll) Send(context.Context, ota.Outbound) error { return nil }

// mustServer starts a real httpapi server with real services on a fresh
// SQLite database and returns its URL.
func mustServer(t *testing.T) string {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st := storetest.MustOpen(t, config.DriverSQLite)
	secret := []byte("client-test-secret-client-test-secret")
	mem := kv.NewMemory(nil)
	accounts := account.NewService(st.Accounts(), account.Options{Secret: secret, AccessTTL: 15 * time.Minute,
		RefreshTTL: time.Hour, RegistrationOpen: true, Argon2: account.Argon2Params{Memory: 64, Time: 1, Threads: 1}}, time.Now, log)
	projects := project.NewService(st.Projects(), time.Now, log)
	accounts.SetProjectChecker(projects)
	devices := device.NewService(st.Devices(), projects, secret, time.Now, log)
	disk, err := local.New(local.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	releases := release.NewService(st.Releases(), projects, disk, nil, release.Options{MaxUploadBytes: 1 << 20, URLTTL: time.Hour}, time.Now, log)
	releases.SetProductOwner(devices)
	checker := release.NewChecker(releases, release.CheckerOptions{})
	releases.OnChange(checker.Invalidate)
	srv, err := httpapi.New(httpapi.Options{
		Config: config.Default().HTTP, Version: "v0.0.0-test", DB: st,
		Accounts: accounts, Projects: projects, Dicts: dict.NewService(st.Dicts(), time.Now, log),
		Releases: releases, Checker: checker, Devices: devices, LocalFiles: disk, MaxUploadBytes: 1 << 20,
		OTA: ota.NewService(st.OTA(), ota.Deps{Projects: projects, Devices: devices, Releases: releases, Blob: disk,
			Sender: acceptAll{}}, ota.Options{}, time.Now, log),
		Stats:     stats.NewRecorder(st.Stats(), stats.Options{FlushEvery: time.Hour}, log),
		Downloads: stats.NewDownloads(st.Downloads(), time.Hour, log),
		Reports:   stats.NewService(st.Stats(), projects, time.Now),
		Limits: httpapi.Limits{
			Login:    ratelimit.New(mem, "login", 100, time.Minute),
			Register: ratelimit.New(mem, "register", 100, time.Minute),
			Captcha:  ratelimit.New(mem, "captcha", 100, time.Minute),
		},
		Log: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return hs.URL
}

// recorder keeps the data of the last JSON answer, so that a test can
// compare it with the typed result the client made of it.
type recorder struct {
	mu   sync.Mutex
	last json.RawMessage
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	json.Unmarshal(b, &env)
	r.mu.Lock()
	r.last = env.Data
	r.mu.Unlock()
	return resp, nil
}

// mustMirror fails unless got, encoded again, is exactly what the server
// sent: a field the server has and the client lacks (or names otherwise)
// shows up here. For lists, sent is the page and got its records.
func (r *recorder) mustMirror(t *testing.T, what string, got any) {
	t.Helper()
	r.mu.Lock()
	sent := r.last
	r.mu.Unlock()
	var want any
	if err := json.Unmarshal(sent, &want); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if page, ok := want.(map[string]any); ok && reflect.TypeOf(got).Kind() == reflect.Slice {
		want = page["records"]
	}
	b, _ := json.Marshal(got)
	var have any
	json.Unmarshal(b, &have)
	if !reflect.DeepEqual(have, want) {
		t.Fatalf("%s: the client's struct differs from the server's answer\nserver: %s\nclient: %s", what, sent, b)
	}
}

// Every call the CLI makes, against the real server: the typed results
// carry every field the server sends, and the requests are understood.
func TestClientMirrorsTheServer(t *testing.T) {
	base := mustServer(t)
	ctx := context.Background()
	rec := &recorder{}
	c := client.New(base+"/", client.Options{HTTP: &http.Client{Transport: rec}, UserAgent: "client-test"})

	sess, err := c.Register(ctx, client.Registration{Username: "alice", Password: "correct horse battery"})
	if err != nil || sess.AccessToken == "" || sess.User.Username != "alice" {
		t.Fatalf("register: %+v %v", sess, err)
	}
	rec.mustMirror(t, "register", sess)
	if sess, err = c.Login(ctx, "alice", "correct horse battery"); err != nil || c.Token() != sess.AccessToken {
		t.Fatalf("login: %v", err)
	}
	rec.mustMirror(t, "login", sess)
	again, err := c.Refresh(ctx)
	if err != nil || again.RefreshToken == sess.RefreshToken || c.Token() != again.AccessToken {
		t.Fatalf("refresh: %+v %v", again, err)
	}
	rec.mustMirror(t, "refresh", again)
	p, err := c.CreateProject(ctx, "Meters", "")
	if err != nil {
		t.Fatal(err)
	}
	rec.mustMirror(t, "create project", p)
	tok, err := c.CreateAPIToken(ctx, client.NewAPIToken{Name: "ci"})
	if err != nil || !strings.HasPrefix(tok.Token, "hst_") {
		t.Fatalf("token: %+v %v", tok, err)
	}
	rec.mustMirror(t, "create token", tok)
	prod, err := c.CreateProduct(ctx, client.NewProduct{Name: "meter", ProjectID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	rec.mustMirror(t, "create product", prod)
	dev, err := c.CreateDevice(ctx, "meter", client.NewDevice{Name: "m-1", Tags: []string{"floor-2"}})
	if err != nil || dev.Secret == "" || dev.MQTT.Username != "meter/m-1" {
		t.Fatalf("device: %+v %v", dev, err)
	}
	rec.mustMirror(t, "create device", dev)

	// From here on, the API token, as the CLI sends it.
	c.SetToken(tok.Token)
	me, err := c.Me(ctx)
	if err != nil || me.Username != "alice" {
		t.Fatalf("me: %+v %v", me, err)
	}
	rec.mustMirror(t, "me", me)
	ps, err := c.Projects(ctx)
	if err != nil || len(ps) != 1 || ps[0].ID != p.ID {
		t.Fatalf("projects: %+v %v", ps, err)
	}
	rec.mustMirror(t, "projects", ps)

	fw := bytes.Repeat([]byte("firmware"), 1024)
	f, err := c.Upload(ctx, p.ID, client.TypeFirmware, "meter-2.0.0.bin", bytes.NewReader(fw), int64(len(fw)))
	if err != nil || f.Size != int64(len(fw)) || f.Key == "" {
		t.Fatalf("upload: %+v %v", f, err)
	}
	rec.mustMirror(t, "upload", f)
	fifty := 50
	r, err := c.CreateResource(ctx, p.ID, client.NewResource{Type: client.TypeFirmware, Version: "2.0.0", VersionCode: 200,
		UpdateType: 1, StorageKey: f.Key, Product: "meter", RolloutPercent: &fifty, Changelog: "faster"})
	if err != nil || r.RolloutPercent != 50 || r.Product != "meter" || r.Size != int64(len(fw)) {
		t.Fatalf("create resource: %+v %v", r, err)
	}
	rec.mustMirror(t, "create resource", r)
	hundred := 100
	if r, err = c.UpdateResource(ctx, r.ID, client.ResourcePatch{RolloutPercent: &hundred}); err != nil || r.RolloutPercent != 100 {
		t.Fatalf("update resource: %+v %v", r, err)
	}
	rec.mustMirror(t, "update resource", r)
	if r, err = c.Resource(ctx, r.ID); err != nil || r.Version != "2.0.0" {
		t.Fatalf("resource: %+v %v", r, err)
	}
	rec.mustMirror(t, "resource", r)
	rs, err := c.Resources(ctx, p.ID, client.ResourceFilter{Type: client.TypeFirmware, Status: "1", Channel: "production", SortKey: "createdTime", Order: "DESC"})
	if err != nil || len(rs) != 1 || rs[0].ID != r.ID {
		t.Fatalf("resources: %+v %v", rs, err)
	}
	rec.mustMirror(t, "resources", rs)
	if rs, err = c.Resources(ctx, p.ID, client.ResourceFilter{Status: "0"}); err != nil || rs == nil || len(rs) != 0 {
		t.Fatalf("no disabled resources: %#v %v", rs, err)
	}

	// A CodePush release and a change of its range.
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("CodePush/index.android.bundle")
	w.Write([]byte("console.log('v1')"))
	zw.Close()
	zf, err := c.Upload(ctx, p.ID, client.TypeCodePushAndroid, "bundle.zip", bytes.NewReader(zb.Bytes()), int64(zb.Len()))
	if err != nil {
		t.Fatal(err)
	}
	cpr, err := c.CreateResource(ctx, p.ID, client.NewResource{Type: client.TypeCodePushAndroid, StorageKey: zf.Key,
		TargetBinaryRange: "1.x", UpdateType: 1})
	if err != nil || cpr.Label != "v1" {
		t.Fatalf("create codepush: %+v %v", cpr, err)
	}
	rng := "^1.2.0"
	if cpr, err = c.UpdateResource(ctx, cpr.ID, client.ResourcePatch{TargetBinaryRange: &rng}); err != nil || cpr.TargetBinaryRange != rng {
		t.Fatalf("update range: %+v %v", cpr, err)
	}
	rec.mustMirror(t, "update range", cpr)

	cp, err := c.CreateCampaign(ctx, client.NewCampaign{ResourceID: r.ID, Product: "meter",
		Target: client.CampaignTarget{Tag: "floor-2"}, TTLSeconds: 3600})
	if err != nil || cp.Total != 1 || cp.Target.Tag != "floor-2" {
		t.Fatalf("campaign: %+v %v", cp, err)
	}
	rec.mustMirror(t, "create campaign", cp)
	if cp, err = c.Campaign(ctx, cp.ID); err != nil || cp.Counts["sent"] != 1 {
		t.Fatalf("campaign: %+v %v", cp, err)
	}
	rec.mustMirror(t, "campaign", cp)
	res, err := c.ResumeCampaign(ctx, cp.ID)
	if err != nil || res.Campaign.ID != cp.ID {
		t.Fatalf("resume: %+v %v", res, err)
	}
	rec.mustMirror(t, "resume", res)

	// A campaign in waves: its first wave is the tag, the rest is empty.
	ninety := 90
	wv, err := c.CreateCampaign(ctx, client.NewCampaign{ResourceID: r.ID, Product: "meter", Target: client.CampaignTarget{All: true},
		Waves: []client.WaveSpec{{Tag: "floor-2"}}, SuccessThreshold: &ninety, WaveTimeoutSeconds: 600})
	if err != nil || wv.Waves == nil || wv.Waves.Current != 1 || len(wv.Waves.List) != 1 || wv.Waves.SuccessThreshold != 90 ||
		wv.Waves.List[0].Tag != "floor-2" || wv.Waves.WaveDeadline == nil {
		t.Fatalf("campaign in waves: %+v %v", wv, err)
	}
	rec.mustMirror(t, "create campaign in waves", wv)
	if wv, err = c.PauseCampaign(ctx, wv.ID); err != nil || wv.Status != "paused" || wv.Waves.PausedAt == nil {
		t.Fatalf("pause: %+v %v", wv, err)
	}
	rec.mustMirror(t, "pause", wv)
	if res, err = c.ResumeCampaign(ctx, wv.ID); err != nil || res.Campaign.Status != "active" || res.Resent != 1 {
		t.Fatalf("resume in waves: %+v %v", res, err)
	}
	rec.mustMirror(t, "resume in waves", res)
	var ce *client.Error
	if _, err = c.AdvanceCampaign(ctx, wv.ID); !errors.As(err, &ce) || ce.Status != http.StatusConflict || ce.Code != "conflict" {
		t.Fatalf("advance past the last wave: %v", err)
	}
	if wv, err = c.AbortCampaign(ctx, wv.ID); err != nil || wv.Status != "cancelled" {
		t.Fatalf("abort: %+v %v", wv, err)
	}
	rec.mustMirror(t, "abort", wv)
	evs, err := c.CampaignEvents(ctx, wv.ID)
	if err != nil || len(evs) != 4 || evs[0].Kind != "wave_started" || evs[3].Kind != "finished" {
		t.Fatalf("events: %+v %v", evs, err)
	}
	rec.mustMirror(t, "events", evs)
}

// Error answers become *client.Error with the envelope's status, code,
// message and field errors; a server that is not Hoist is named as such.
func TestClientErrors(t *testing.T) {
	base := mustServer(t)
	ctx := context.Background()
	c := client.New(base, client.Options{Token: "hst_notavalidtoken"})
	_, err := c.Projects(ctx)
	var e *client.Error
	if !errors.As(err, &e) || e.Status != 401 || e.Code != "unauthorized" || !client.IsStatus(err, 401) ||
		!strings.Contains(err.Error(), "(unauthorized, HTTP 401)") {
		t.Fatalf("wrong token: %#v", err)
	}

	anon := client.New(base, client.Options{})
	_, err = anon.Register(ctx, client.Registration{Username: "x"})
	if !errors.As(err, &e) || e.Status != 400 || e.Code != "invalid" || len(e.Fields) == 0 ||
		!strings.Contains(err.Error(), "\n  "+e.Fields[0].Field+": ") {
		t.Fatalf("invalid registration: %#v", err)
	}

	notHoist := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "teapot", http.StatusTeapot)
	}))
	defer notHoist.Close()
	_, err = client.New(notHoist.URL, client.Options{}).Me(ctx)
	if !errors.As(err, &e) || e.Status != http.StatusTeapot || e.Code != "" || !strings.Contains(err.Error(), "is not Hoist's API") {
		t.Fatalf("not Hoist: %#v", err)
	}

	_, err = client.New("http://127.0.0.1:1", client.Options{}).Me(ctx)
	if err == nil || !strings.Contains(err.Error(), "cannot reach the server") {
		t.Fatalf("no server: %v", err)
	}
}
