package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/storage/oss"
)

// sdkOutcome is what the stock uni-app SDK did (cmd/hoist/testdata/unipushy).
type sdkOutcome struct {
	StatusCode int
	Installed  *string
	Opened     *string
	End        string
	Download   *struct {
		URL, FinalURL string
		Status, Bytes int
		SHA256        string
	}
	Requests []string
}

// uniPushyDriver runs the harness against the SDK named by
// HOIST_UNIPUSHY_SDK (a directory holding the published package's src/).
// The SDK (@limm/uni-pushy-client) is not on the npm registry this machine
// reaches, so the test is skipped without it; `make sdk-test` documents how
// to provide it.
func uniPushyDriver(tb testing.TB) func(args map[string]any) sdkOutcome {
	tb.Helper()
	sdk := os.Getenv("HOIST_UNIPUSHY_SDK")
	node, err := exec.LookPath("node")
	if _, serr := os.Stat(filepath.Join(sdk, "src", "index.js")); sdk == "" || err != nil || serr != nil {
		tb.Skip("needs Node.js and HOIST_UNIPUSHY_SDK: a directory with the upushy uni-app SDK's src/ (see README)")
	}
	dir, _ := filepath.Abs("../../cmd/hoist/testdata/unipushy")
	return func(args map[string]any) sdkOutcome {
		tb.Helper()
		args["sdk"] = sdk
		b, _ := json.Marshal(args)
		cmd := exec.Command(node, "harness.mjs", string(b))
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			tb.Fatalf("harness %s: %v\n%s", b, err, out)
		}
		var o sdkOutcome
		if err := json.Unmarshal(out, &o); err != nil {
			tb.Fatalf("harness output %s: %v", out, err)
		}
		return o
	}
}

// The unmodified upushy uni-app SDK drives its own update flow against
// Hoist: on local storage with and without signed URLs and on OSS signed
// URLs, for Android and iOS, for each updateType (consent accepted or
// declined, forced, silent), a native update and no update. A hot update
// must be downloaded and installed (never opened in the browser, the
// SDK's iOS fallback for URLs not ending in .wgt), byte for byte.
func TestStockUniAppSDK(t *testing.T) {
	drive := uniPushyDriver(t)
	fake := &minimalOSS{objects: map[string][]byte{}}
	ossSrv := httptest.NewServer(fake)
	defer ossSrv.Close()
	storages := map[string]func(*testSetup){
		"local":        nil,
		"local signed": func(s *testSetup) { s.signedFiles = true },
		"oss signed": func(s *testSetup) {
			bucket, err := oss.New(oss.Config{Endpoint: ossSrv.URL, Bucket: "hoist", AccessKeyID: "ak", AccessKeySecret: "sk", Signed: true})
			if err != nil {
				t.Fatal(err)
			}
			s.blob = bucket
		},
	}
	scenarios := 0
	for name, setup := range storages {
		ts := mustServer(t, setup)
		srv := httptest.NewServer(ts.Handler())
		defer srv.Close()
		f := newReleaseFixture(t, ts)
		for _, updateType := range []int{1, 2, 3} {
			tok := f.owner.AccessToken
			pid := ts.mustProject(t, tok, fmt.Sprint("updateType ", updateType)).ID
			wgtData := wgtBytes(t)
			sum := sha256.Sum256(wgtData)
			apk := ts.mustUpload(t, tok, pid, "app.apk", apkBytes(t))
			ts.mustResource(t, tok, pid, map[string]any{"type": 3, "version": "1.0.0", "versionCode": 100, "storageKey": apk.Key, "updateType": 1})
			ts.mustResource(t, tok, pid, map[string]any{"type": 4, "version": "1.0.0", "versionCode": 100, "url": "https://apps.apple.com/app/id1", "updateType": 1})
			for _, typ := range []int{1, 2} { // a wgt per platform
				w := ts.mustUpload(t, tok, pid, fmt.Sprint("app", typ, ".wgt"), wgtData)
				ts.mustResource(t, tok, pid, map[string]any{"type": typ, "version": "1.0.1", "versionCode": 101, "nativeVersionCode": 100,
					"storageKey": w.Key, "updateType": updateType})
			}
			device := func(platform string, wgt, native int, consent bool) map[string]any {
				return map[string]any{"updateUrl": srv.URL, "projectId": pid, "platform": platform, "wgtVersion": "1.0.0",
					"wgtVersionCode": wgt, "nativeVersion": "1.0.0", "nativeVersionCode": native,
					"uuid": "uuid-" + platform, "deviceId": "id-" + platform, "consent": consent}
			}
			for _, platform := range []string{"android", "ios"} {
				where := fmt.Sprintf("%s, updateType %d, %s", name, updateType, platform)
				consents := []bool{true}
				if updateType == 1 {
					consents = append(consents, false)
				}
				for _, consent := range consents {
					o := drive(device(platform, 100, 100, consent))
					scenarios++
					switch {
					case o.StatusCode != 252:
						t.Errorf("%s: status %d, want 252 (wgt update); %+v", where, o.StatusCode, o)
					case o.Opened != nil:
						t.Errorf("%s: the SDK opened %s in the browser instead of installing it", where, *o.Opened)
					case !consent && (o.Installed != nil || o.Download != nil):
						t.Errorf("%s: declined, yet downloaded or installed: %+v", where, o)
					case consent && (o.Installed == nil || !strings.HasSuffix(*o.Installed, ".wgt") || o.Download == nil ||
						o.Download.SHA256 != hex.EncodeToString(sum[:])):
						t.Errorf("%s: not installed byte for byte: %+v", where, o)
					}
				}
				if updateType != 1 {
					continue
				}
				// An older native build: Android downloads and installs the
				// apk, iOS opens the App Store (the right thing there).
				o := drive(device(platform, 100, 90, true))
				scenarios++
				if o.StatusCode != 251 || (platform == "android" && (o.Installed == nil || !strings.HasSuffix(*o.Installed, ".apk"))) ||
					(platform == "ios" && (o.Opened == nil || *o.Opened != "https://apps.apple.com/app/id1")) {
					t.Errorf("%s, native update: %+v", where, o)
				}
				// Up to date: nothing.
				o = drive(device(platform, 101, 100, true))
				scenarios++
				if o.StatusCode != 253 || o.Installed != nil || o.Opened != nil {
					t.Errorf("%s, up to date: %+v", where, o)
				}
			}
		}
	}
	t.Logf("%d scenarios with the stock SDK", scenarios)
}
