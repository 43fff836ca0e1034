package httpapi

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/release"
)

// bundleZip builds a React Native bundle folder as a zip: a ~2 MB JS
// bundle (its version string in the middle) and 40 assets of 20 KB.
func bundleZip(tb testing.TB, version string, extra map[string]string) []byte {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var js strings.Builder
	for js.Len() < 2<<20 {
		js.WriteString("function f")
		js.WriteString(strings.Repeat(string(rune('a'+rng.IntN(26))), 1+rng.IntN(6)))
		js.WriteString("(){return ")
		js.WriteString(strings.Repeat("x", rng.IntN(30)))
		js.WriteString(";}\n")
		if js.Len() > 1<<20 && js.Len() < 1<<20+100 {
			js.WriteString("var VERSION='" + version + "';\n")
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, b []byte) {
		w, err := zw.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(b)
	}
	add("CodePush/index.android.bundle", []byte(js.String()))
	for i := range 40 {
		asset := make([]byte, 20<<10)
		for j := range asset {
			asset[j] = byte(rng.Uint32())
		}
		add("CodePush/assets/img"+string(rune('a'+i%26))+string(rune('0'+i/26))+".png", asset)
	}
	for n, b := range extra {
		add(n, []byte(b))
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// codePushDriver runs testdata/codepush/driver.cjs (the stock code-push
// SDK) with args; it skips when Node.js or the package is missing.
func codePushDriver(tb testing.TB) func(args map[string]any) string {
	tb.Helper()
	node, err := exec.LookPath("node")
	dir, _ := filepath.Abs("../../cmd/hoist/testdata/codepush")
	if _, serr := os.Stat(filepath.Join(dir, "node_modules", "code-push")); err != nil || serr != nil {
		tb.Skip("needs Node.js and cmd/hoist/testdata/codepush/node_modules (npm ci there)")
	}
	return func(args map[string]any) string {
		tb.Helper()
		b, _ := json.Marshal(args)
		cmd := exec.Command(node, "driver.cjs", string(b))
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			tb.Fatalf("driver %s: %v\n%s", b, err, out)
		}
		return strings.TrimSpace(string(out))
	}
}

type remotePackage struct {
	Label, PackageHash, DownloadURL, AppVersion string
	IsMandatory, UpdateAppVersion               bool
	PackageSize                                 int64
}

func mustGetBytes(tb testing.TB, url string) []byte {
	tb.Helper()
	res, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		tb.Fatalf("GET %s: %d %s", url, res.StatusCode, b)
	}
	return b
}

// overlay applies a diff zip to a package as the client does.
func overlay(tb testing.TB, base, diff []byte) []byte {
	tb.Helper()
	files := map[string][]byte{}
	read := func(z []byte) *zip.Reader {
		zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
		if err != nil {
			tb.Fatal(err)
		}
		return zr
	}
	for _, f := range read(base).File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
	}
	var meta struct{ DeletedFiles []string }
	for _, f := range read(diff).File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		if f.Name == "hotcodepush.json" {
			json.Unmarshal(b, &meta)
			continue
		}
		files[f.Name] = b
	}
	for _, d := range meta.DeletedFiles {
		delete(files, d)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, b := range files {
		w, _ := zw.Create(n)
		w.Write(b)
	}
	zw.Close()
	return buf.Bytes()
}

// TestCodePushWithTheStockSDK drives the code-push 4.2.3 acquisition SDK
// against Hoist: first install, mandatory chain with a diff, a rollout split
// over 1,000 ids, rollback, reports; on every available database.
func TestCodePushWithTheStockSDK(t *testing.T) {
	drive := codePushDriver(t)
	eachDB(t, nil, func(t *testing.T, ts *testServer) { testCodePushSDK(t, ts, drive) })
}

func testCodePushSDK(t *testing.T, ts *testServer, drive func(map[string]any) string) {
	srv := httptest.NewServer(ts.Handler())
	defer srv.Close()
	f := newReleaseFixture(t, ts)
	tok, pid := f.owner.AccessToken, f.project.ID
	var chs []channelView
	ts.mustOK(t, 200, "GET", "/api/v1/projects/"+pid+"/channels", tok, nil, &chs)
	key := chs[0].DeploymentKeys[release.PlatformAndroid]
	if len(key) < 32 || chs[0].DeploymentKeys[release.PlatformIOS] == "" {
		t.Fatalf("deployment keys %v", chs[0].DeploymentKeys)
	}
	publish := func(version string, extra map[string]string, body map[string]any) (resourceView, []byte) {
		z := bundleZip(t, version, extra)
		fv := ts.mustUpload(t, tok, pid, "bundle.zip", z)
		b := map[string]any{"type": 6, "storageKey": fv.Key, "targetBinaryRange": "1.x", "updateType": 1}
		for k, v := range body {
			b[k] = v
		}
		return ts.mustResource(t, tok, pid, b), z
	}
	base := map[string]any{"serverUrl": srv.URL, "deploymentKey": key, "appVersion": "1.2.0", "clientUniqueId": "dev-1"}
	with := func(kv ...any) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	check := func(args map[string]any) *remotePackage {
		out := drive(args)
		if out == "null" {
			return nil
		}
		var p remotePackage
		if err := json.Unmarshal([]byte(out), &p); err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		return &p
	}

	// First install: nothing published, then v1.
	if p := check(with("op", "check")); p != nil {
		t.Fatalf("empty deployment offered %+v", p)
	}
	v1, z1 := publish("1", map[string]string{"CodePush/old.js": "gone in v3"}, nil)
	if v1.Label != "v1" || v1.PackageHash == "" {
		t.Fatalf("published %+v", v1)
	}
	p := check(with("op", "check"))
	if p == nil || p.Label != "v1" || p.PackageHash != v1.PackageHash || p.IsMandatory {
		t.Fatalf("first install got %+v", p)
	}
	if got := mustGetBytes(t, p.DownloadURL); !bytes.Equal(got, z1) {
		t.Fatal("the full package download differs from the upload")
	}
	cur1 := map[string]any{"label": "v1", "packageHash": v1.PackageHash}
	if p := check(with("op", "check", "current", cur1)); p != nil {
		t.Fatalf("up-to-date device offered %+v", p)
	}

	// Mandatory chain: v2 mandatory, v3 not; a device on v1 gets v3 as mandatory, as a diff.
	publish("2", nil, map[string]any{"updateType": 2})
	v3, z3 := publish("3", nil, nil)
	p = check(with("op", "check", "current", cur1))
	if p == nil || p.Label != "v3" || !p.IsMandatory {
		t.Fatalf("device on v1 got %+v, want v3 mandatory", p)
	}
	diff := mustGetBytes(t, p.DownloadURL)
	if int64(len(diff)) != p.PackageSize || !strings.Contains(p.DownloadURL, "/codepush/diff/") {
		t.Fatalf("diff %s: %d bytes, packageSize %d", p.DownloadURL, len(diff), p.PackageSize)
	}
	applied := overlay(t, z1, diff)
	if h, _ := release.BundlePackageHash(bytes.NewReader(applied), int64(len(applied))); h != v3.PackageHash {
		t.Fatalf("v1 + diff hashes to %s, v3 is %s", h, v3.PackageHash)
	}
	t.Logf("diff v1→v3: %d bytes, full v3: %d bytes (%.1f%%)", len(diff), len(z3), 100*float64(len(diff))/float64(len(z3)))

	// Rollout split over 1,000 ids.
	v4, _ := publish("4", nil, map[string]any{"rolloutPercent": 30})
	cur3 := map[string]any{"label": "v3", "packageHash": v3.PackageHash}
	var split struct{ Offered int }
	json.Unmarshal([]byte(drive(with("op", "split", "ids", 1000, "current", cur3))), &split)
	want := 0
	for i := range 1000 {
		if release.SelectedForRollout("client-"+itoa(i), 30, "v4") {
			want++
		}
	}
	if split.Offered != want || want < 250 || want > 350 {
		t.Fatalf("%d of 1000 offered v4 at 30%%, the reference hash selects %d", split.Offered, want)
	}

	// Rollback of v4: v3's content comes back as v5; devices on v4 move, devices on v3 stay.
	ts.mustOK(t, 200, "POST", "/api/v1/resources/"+v4.ID+"/rollback", tok, map[string]any{}, nil)
	cur4 := map[string]any{"label": "v4", "packageHash": v4.PackageHash}
	p = check(with("op", "check", "current", cur4))
	if p == nil || p.Label != "v5" || p.PackageHash != v3.PackageHash {
		t.Fatalf("device on v4 after rollback got %+v", p)
	}
	if p := check(with("op", "check", "current", cur3)); p != nil {
		t.Fatalf("device on v3 after rollback offered %+v", p)
	}

	// Reports are counted per label.
	pkg5 := map[string]any{"label": "v5", "appVersion": "1.2.0"}
	drive(with("op", "download", "package", pkg5, "clientUniqueId", "dev-x"))
	drive(with("op", "deploy", "package", pkg5, "status", "DeploymentSucceeded", "previous", "v4", "clientUniqueId", "dev-x"))
	drive(with("op", "deploy", "package", pkg5, "status", "DeploymentFailed", "clientUniqueId", "dev-y"))
	var rs struct{ Records []resourceView }
	ts.mustOK(t, 200, "GET", "/api/v1/projects/"+pid+"/resources?type=6&pageSize=50", tok, nil, &rs)
	var v5 resourceView
	for _, r := range rs.Records {
		if r.Label == "v5" {
			v5 = r
		}
	}
	var m codePushMetricsView
	ts.mustOK(t, 200, "GET", "/api/v1/resources/"+v5.ID+"/codepush-metrics", tok, nil, &m)
	if m.Downloaded != 1 || m.Installed != 1 || m.Failed != 1 || m.Active != 1 {
		t.Fatalf("v5 metrics %+v", m)
	}
	// The same reports and checks feed the release's adoption funnel (and
	// so its staged rollout's gates).
	if err := ts.funnel.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	var fu funnelView
	ts.mustOK(t, 200, "GET", "/api/v1/resources/"+v5.ID+"/funnel", tok, nil, &fu)
	if fu.Offered < 1 || fu.Downloaded != 1 || fu.Applied != 1 || fu.NotApplied != 1 {
		t.Fatalf("v5 funnel %+v", fu)
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestCodePushBadRequests(t *testing.T) {
	eachDB(t, nil, testCodePushBadRequests)
}

func testCodePushBadRequests(t *testing.T, ts *testServer) {
	f := newReleaseFixture(t, ts)
	var chs []channelView
	ts.mustOK(t, 200, "GET", "/api/v1/projects/"+f.project.ID+"/channels", f.owner.AccessToken, nil, &chs)
	key := chs[0].DeploymentKeys[release.PlatformIOS]
	for _, target := range []string{
		"/v0.1/public/codepush/update_check?app_version=1.0.0",
		"/v0.1/public/codepush/update_check?deployment_key=nosuchkeyatall&app_version=1.0.0",
		"/v0.1/public/codepush/update_check?deployment_key=" + key + "&app_version=banana",
		"/updateCheck?deploymentKey=" + key + "&appVersion=1.2.3.4",
	} {
		rec, _ := ts.do(t, "GET", target, nil)
		if rec.Code != 400 {
			t.Errorf("%s: %d %s", target, rec.Code, rec.Body)
		}
	}
	// Legacy path, camelCase; "1" is normalised and echoed.
	rec, _ := ts.do(t, "GET", "/updateCheck?deploymentKey="+key+"&appVersion=1", nil)
	var legacy struct {
		UpdateInfo map[string]any `json:"updateInfo"`
	}
	json.Unmarshal(rec.Body.Bytes(), &legacy)
	if rec.Code != 200 || legacy.UpdateInfo["isAvailable"] != false || legacy.UpdateInfo["shouldRunBinaryVersion"] != true {
		t.Fatalf("legacy answer %d %s", rec.Code, rec.Body)
	}
	// Reports: legacy camelCase paths, bad ones 400, an unknown key acknowledged.
	for _, tc := range []struct {
		path string
		body map[string]any
		code int
	}{
		{"/reportStatus/download", map[string]any{"deploymentKey": key, "label": "v1", "clientUniqueId": "d"}, 200},
		{"/reportStatus/deploy", map[string]any{"deploymentKey": key, "appVersion": "1.0.0", "label": "v1", "status": "DeploymentSucceeded",
			"previousLabelOrAppVersion": "1.0.0"}, 200},
		{"/reportStatus/deploy", map[string]any{"deploymentKey": key, "appVersion": "1.0.0"}, 200},
		{"/v0.1/public/codepush/report_status/deploy", map[string]any{"deployment_key": "nosuchkeyatall", "app_version": "1.0.0"}, 200},
		{"/v0.1/public/codepush/report_status/deploy", map[string]any{"deployment_key": key, "app_version": "1.0.0", "label": "v1"}, 400},
		{"/v0.1/public/codepush/report_status/deploy", map[string]any{"deployment_key": key, "app_version": "1.0.0", "label": "v1",
			"status": "Installed"}, 400},
		{"/v0.1/public/codepush/report_status/deploy", map[string]any{"app_version": "1.0.0"}, 400},
		{"/v0.1/public/codepush/report_status/download", map[string]any{"deployment_key": key}, 400},
	} {
		if rec, _ := ts.call(t, "POST", tc.path, "", tc.body); rec.Code != tc.code {
			t.Errorf("%s %v: %d, want %d: %s", tc.path, tc.body, rec.Code, tc.code, rec.Body)
		}
	}

	// Rotation: the old key is refused at once, the new one works.
	var rot struct{ DeploymentKey string }
	ts.mustOK(t, 200, "POST", "/api/v1/projects/"+f.project.ID+"/channels/production/deployment-keys/ios/rotate", f.owner.AccessToken, map[string]any{}, &rot)
	if rec, _ := ts.do(t, "GET", "/v0.1/public/codepush/update_check?deployment_key="+key+"&app_version=1.0.0", nil); rec.Code != 400 {
		t.Errorf("rotated-out key: %d", rec.Code)
	}
	if rec, _ := ts.do(t, "GET", "/v0.1/public/codepush/update_check?deployment_key="+rot.DeploymentKey+"&app_version=1.0.0", nil); rec.Code != 200 {
		t.Errorf("new key: %d %s", rec.Code, rec.Body)
	}
	// The answered checks (the legacy one and the new key's) are in the
	// statistics, under the deployment's channel and platform.
	if err := ts.stats.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	var st statsView
	day := func(d int) string { return fixedNow.AddDate(0, 0, d).Format(time.DateOnly) } // the checker's clock
	ts.mustOK(t, 200, "GET", "/api/v1/projects/"+f.project.ID+"/stats?from="+day(-1)+"&to="+day(1), f.owner.AccessToken, nil, &st)
	if len(st.Platforms) != 1 || st.Platforms[0].Key != "ios" || st.Platforms[0].Count != 2 ||
		len(st.Channels) != 1 || st.Channels[0].Key != "production" {
		t.Fatalf("statistics: platforms %+v channels %+v", st.Platforms, st.Channels)
	}
}

// TestWriteUpdateInfoMatchesJSON checks the hand-written answer against
// encoding/json on both paths, with strings that need escaping.
func TestWriteUpdateInfoMatchesJSON(t *testing.T) {
	in := codePushUpdateInfo{DownloadURL: "http://h/d/x/1.zip", Description: "fix \"quotes\"\n和 <tags>", IsAvailable: true,
		AppVersion: "1.0.0", PackageHash: "abc", Label: "v3", PackageSize: 12345, ShouldRunBinaryVersion: false,
		TargetBinaryRange: "1.0.0"}
	for _, snake := range []bool{true, false} {
		var b bytes.Buffer
		writeUpdateInfo(&b, &in, snake)
		var got, want any
		if err := json.Unmarshal(b.Bytes(), &got); err != nil {
			t.Fatalf("%s: %v", b.String(), err)
		}
		var ref []byte
		if snake {
			ref, _ = json.Marshal(map[string]any{"update_info": in})
		} else {
			ref, _ = json.Marshal(map[string]any{"updateInfo": codePushUpdateInfoLegacy(in)})
		}
		json.Unmarshal(ref, &want)
		if g, w := fmt.Sprint(got), fmt.Sprint(want); g != w {
			t.Errorf("snake=%v:\n got %s\nwant %s", snake, g, w)
		}
	}
}
