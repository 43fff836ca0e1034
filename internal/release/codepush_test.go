package release

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"testing"
)

// cp builds a CodePush release for the selection tables.
func cp(code int64, rng string, opts ...func(*Resource)) Resource {
	r := Resource{ID: "r" + strconv.FormatInt(code, 10), Type: TypeCodePushAndroid, VersionCode: code,
		Label: "v" + strconv.FormatInt(code, 10), TargetBinaryRange: rng, PackageHash: "h" + strconv.FormatInt(code, 10),
		Status: StatusEnabled, UpdateType: UpdateConsent, RolloutPercent: 100, StorageKey: "k"}
	for _, o := range opts {
		o(&r)
	}
	return r
}

func cpMandatory(r *Resource) { r.UpdateType = UpdateForced }
func cpDisabled(r *Resource)  { r.Status = StatusDisabled }
func cpRollout(p int) func(*Resource) {
	return func(r *Resource) { r.RolloutPercent = p }
}

// TestCodePushDecide follows the reference server's acquisition tests
// (getUpdatePackageInfo) case by case.
func TestCodePushDecide(t *testing.T) {
	type want struct {
		label            string // "" when no update is available
		mandatory        bool
		updateAppVersion bool
		shouldRunBinary  bool
		appVersion       string
		diffBase         string
	}
	cases := []struct {
		name string
		rs   []Resource
		q    CodePushQuery
		want want
	}{
		{"empty deployment", nil, CodePushQuery{AppVersion: "1.0.0"}, want{shouldRunBinary: true}},
		{"first install gets the latest", []Resource{cp(1, "1.0.0"), cp(2, "1.0.0")},
			CodePushQuery{AppVersion: "1.0.0"}, want{label: "v2", appVersion: "1.0.0"}},
		{"up to date by hash", []Resource{cp(1, "1.0.0"), cp(2, "1.0.0")},
			CodePushQuery{AppVersion: "1.0.0", PackageHash: "h2"}, want{}},
		{"up to date by label", []Resource{cp(1, "1.0.0"), cp(2, "1.0.0")},
			CodePushQuery{AppVersion: "1.0.0", Label: "v2", PackageHash: "h2"}, want{}},
		{"update with a diff base", []Resource{cp(1, "1.0.0"), cp(2, "1.0.0")},
			CodePushQuery{AppVersion: "1.0.0", Label: "v1", PackageHash: "h1"}, want{label: "v2", appVersion: "1.0.0", diffBase: "r1"}},
		{"mandatory is transitive over skipped releases", []Resource{cp(1, "1.0.0"), cp(2, "1.0.0", cpMandatory), cp(3, "1.0.0")},
			CodePushQuery{AppVersion: "1.0.0", Label: "v1", PackageHash: "h1"}, want{label: "v3", mandatory: true, appVersion: "1.0.0", diffBase: "r1"}},
		{"a mandatory release the device runs already does not count", []Resource{cp(1, "1.0.0", cpMandatory), cp(2, "1.0.0")},
			CodePushQuery{AppVersion: "1.0.0", Label: "v1", PackageHash: "h1"}, want{label: "v2", appVersion: "1.0.0", diffBase: "r1"}},
		{"a mandatory release for another binary does not count", []Resource{cp(1, "1.0.0"), cp(2, "2.0.0", cpMandatory), cp(3, "1.0.0")},
			CodePushQuery{AppVersion: "1.0.0", Label: "v1", PackageHash: "h1"}, want{label: "v3", appVersion: "1.0.0", diffBase: "r1"}},
		{"disabled latest is skipped", []Resource{cp(1, "1.0.0"), cp(2, "1.0.0", cpDisabled)},
			CodePushQuery{AppVersion: "1.0.0"}, want{label: "v1", appVersion: "1.0.0"}},
		{"running a disabled release stops the scan", []Resource{cp(1, "1.0.0", cpMandatory), cp(2, "1.0.0", cpDisabled), cp(3, "1.0.0")},
			CodePushQuery{AppVersion: "1.0.0", Label: "v2", PackageHash: "h2"}, want{label: "v3", appVersion: "1.0.0", diffBase: "r2"}},
		{"all disabled", []Resource{cp(1, "1.0.0", cpDisabled)}, CodePushQuery{AppVersion: "1.0.0"}, want{shouldRunBinary: true}},
		{"binary newer than every range", []Resource{cp(1, "1.0.0")}, CodePushQuery{AppVersion: "2.0.0"},
			want{shouldRunBinary: true, appVersion: "1.0.0"}},
		{"binary older than the latest range: store update", []Resource{cp(1, "2.0.0")}, CodePushQuery{AppVersion: "1.0.0"},
			want{shouldRunBinary: true, updateAppVersion: true, appVersion: "2.0.0"}},
		{"older binary still served by an older release", []Resource{cp(1, "1.x"), cp(2, "2.x")},
			CodePushQuery{AppVersion: "1.5.0"}, want{label: "v1", appVersion: "1.5.0"}},
		{"up to date on an older range, latest is for a newer binary", []Resource{cp(1, "1.x"), cp(2, "2.x")},
			CodePushQuery{AppVersion: "1.5.0", PackageHash: "h1"}, want{updateAppVersion: true, appVersion: "2.x"}},
		{"normalised plain integer is echoed", []Resource{cp(1, "1.x")}, CodePushQuery{AppVersion: "1"},
			want{label: "v1", appVersion: "1"}},
		{"normalised missing patch is echoed", []Resource{cp(1, "^2.0.0-0")}, CodePushQuery{AppVersion: "2.0-beta"},
			want{label: "v1", appVersion: "2.0-beta"}},
		{"companion ignores ranges", []Resource{cp(1, "9.0.0")}, CodePushQuery{AppVersion: "1.0.0", IsCompanion: true},
			want{label: "v1", appVersion: "1.0.0"}},
		{"ranges: hyphen", []Resource{cp(1, "1.2.3 - 1.4.0")}, CodePushQuery{AppVersion: "1.3.7"}, want{label: "v1", appVersion: "1.3.7"}},
		{"no client id gets the original of a rollout", []Resource{cp(1, "*"), cp(2, "*", cpRollout(50))},
			CodePushQuery{AppVersion: "1.0.0", Label: "v1", PackageHash: "h1"}, want{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDeployment("p", DefaultChannel, PlatformAndroid, tc.rs)
			a, err := d.Decide(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			got := want{mandatory: a.IsMandatory, updateAppVersion: a.UpdateAppVersion, shouldRunBinary: a.ShouldRunBinaryVersion,
				appVersion: a.AppVersion}
			if a.Release != nil {
				got.label = a.Release.Label
			}
			if a.IsAvailable != (a.Release != nil) {
				t.Fatalf("IsAvailable %v with release %v", a.IsAvailable, a.Release)
			}
			if a.DiffBase != nil {
				got.diffBase = a.DiffBase.ID
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCodePushDecideRejectsNonSemver(t *testing.T) {
	d := NewDeployment("p", DefaultChannel, PlatformAndroid, []Resource{cp(1, "*")})
	for _, v := range []string{"", "abc", "1.2.3.4", "01.0.0"} {
		if _, err := d.Decide(CodePushQuery{AppVersion: v}); err == nil {
			t.Errorf("app version %q accepted", v)
		}
	}
}

// TestRolloutHash checks values computed with the reference server's
// getHashCode under Node.js.
func TestRolloutHash(t *testing.T) {
	for s, want := range map[string]int64{"": 0, "a": 97, "device-1-v1": 2703853230,
		"0f8fad5b-d9cb-469f-a165-70867728950e-v12":                        -7411604104,
		"an-extremely-long-client-unique-identifier-to-overflow-int32-v3": 5397604546, "日本-v1": -892871647} {
		if got := RolloutHash(s); got != want {
			t.Errorf("RolloutHash(%q) = %d, Node.js says %d", s, got, want)
		}
	}
	n := 0
	for i := range 1000 {
		if SelectedForRollout("client-"+strconv.Itoa(i), 30, "v2") {
			n++
		}
	}
	if n != 302 { // Node.js: 302 of client-0 … client-999 at 30 %
		t.Errorf("%d of 1000 selected at 30%%, Node.js selects 302", n)
	}
}

func TestCodePushRolloutSplit(t *testing.T) {
	d := NewDeployment("p", DefaultChannel, PlatformAndroid, []Resource{cp(1, "*"), cp(2, "*", cpRollout(30))})
	n := 0
	for i := range 1000 {
		id := "client-" + strconv.Itoa(i)
		a, err := d.Decide(CodePushQuery{AppVersion: "1.0.0", Label: "v1", PackageHash: "h1", ClientUniqueID: id})
		if err != nil {
			t.Fatal(err)
		}
		if a.Release != nil {
			n++
			if !SelectedForRollout(id, 30, "v2") {
				t.Fatalf("%s got the rollout outside it", id)
			}
		}
	}
	if n != 302 {
		t.Errorf("%d devices got the 30%% rollout, want 302", n)
	}
}

func mustZip(tb testing.TB, files map[string]string) []byte {
	tb.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		io.WriteString(w, body)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func TestBundlePackageHash(t *testing.T) {
	z := mustZip(t, map[string]string{"index.android.bundle": "console.log(1)", "assets/a.png": "PNG", "assets/\"qé.txt": "x",
		"__MACOSX/._a": "junk", ".DS_Store": "junk", "assets/.DS_Store": "junk", ".codepushrelease": "jwt"})
	got, err := BundlePackageHash(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	// Node.js: the reference PackageManifest.computePackageHash.
	if want := "a288b450f4e24d81d3b9f9771b9d15a5c888c530f11a295136e353229eda7e39"; got != want {
		t.Errorf("package hash %s, the reference algorithm gives %s", got, want)
	}
	if _, err := BundlePackageHash(bytes.NewReader([]byte("not a zip")), 9); err == nil {
		t.Error("a non-zip was hashed")
	}
}

func TestWriteBundleDiff(t *testing.T) {
	oldZ := mustZip(t, map[string]string{"index.bundle": "v1", "assets/same.png": "same", "assets/gone.png": "gone"})
	newZ := mustZip(t, map[string]string{"index.bundle": "v2", "assets/same.png": "same", "assets/new.png": "new"})
	var b bytes.Buffer
	if err := WriteBundleDiff(&b, bytes.NewReader(oldZ), int64(len(oldZ)), bytes.NewReader(newZ), int64(len(newZ))); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		body, _ := io.ReadAll(rc)
		got[f.Name] = string(body)
	}
	var meta struct{ DeletedFiles []string }
	json.Unmarshal([]byte(got["hotcodepush.json"]), &meta)
	if len(got) != 3 || got["index.bundle"] != "v2" || got["assets/new.png"] != "new" ||
		len(meta.DeletedFiles) != 1 || meta.DeletedFiles[0] != "assets/gone.png" {
		t.Errorf("diff holds %v", got)
	}
}
