package httpapi

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hoist-ota/hoist/internal/release"
	"github.com/hoist-ota/hoist/internal/storage/oss"
)

// sdkInstalls is the upushy uni-app SDK's own rule for "download and
// install" (else it opens the URL in the browser on iOS).
var sdkInstalls = regexp.MustCompile(`(?i)\.wgt$`)

// publishPair publishes an android native 100 and a wgt 101 built for it,
// returning the wgt's bytes.
func publishPair(tb testing.TB, ts *testServer, f releaseFixture, wgtRollout int) []byte {
	tb.Helper()
	tok, pid := f.maintainer.AccessToken, f.project.ID
	apk := ts.mustUpload(tb, tok, pid, "app.apk", apkBytes(tb))
	wgtData := wgtBytes(tb)
	wgt := ts.mustUpload(tb, tok, pid, "app.wgt", wgtData)
	ts.mustResource(tb, tok, pid, map[string]any{"type": 3, "version": "1.0.0", "versionCode": 100, "storageKey": apk.Key, "updateType": 1})
	ts.mustResource(tb, tok, pid, map[string]any{"type": 1, "version": "1.0.1 beta", "versionCode": 101, "nativeVersionCode": 100,
		"storageKey": wgt.Key, "updateType": 1, "rolloutPercent": wgtRollout})
	return wgtData
}

// fetchVia follows the stable link as a client would: the redirect, then
// the storage URL (on the test server itself, or an outside server).
func fetchVia(tb testing.TB, ts *testServer, link string) []byte {
	tb.Helper()
	u, _ := url.Parse(link)
	rec, _ := ts.do(tb, "GET", u.RequestURI(), nil)
	if rec.Code != http.StatusFound {
		tb.Fatalf("GET %s: %d %s", link, rec.Code, rec.Body)
	}
	loc := rec.Header().Get("Location")
	if strings.HasPrefix(loc, "http://example.com/") { // this server's own /files/
		lu, _ := url.Parse(loc)
		rec, _ = ts.do(tb, "GET", lu.RequestURI(), nil)
		if rec.Code != 200 {
			tb.Fatalf("GET %s: %d %s", loc, rec.Code, rec.Body)
		}
		return rec.Body.Bytes()
	}
	resp, err := http.Get(loc)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		tb.Fatalf("GET %s: %d %s", loc, resp.StatusCode, b)
	}
	return b
}

func TestUpdateURLsEndInTheFileExtension(t *testing.T) {
	for _, signed := range []bool{false, true} {
		ts := mustServer(t, func(s *testSetup) { s.signedFiles = signed })
		f := newReleaseFixture(t, ts)
		wgtData := publishPair(t, ts, f, 100)
		o := ts.check(t, "/api/basic/update", checkBody(f.project.ID, "android", 100, 100, "dev-1"))
		if o.Wgt == nil || o.Native == nil {
			t.Fatalf("signed=%v: offer %+v", signed, o)
		}
		if !sdkInstalls.MatchString(o.Wgt.URL) || !strings.HasSuffix(o.Native.URL, ".apk") {
			t.Fatalf("signed=%v: the SDK would open these in a browser: %s %s", signed, o.Wgt.URL, o.Native.URL)
		}
		dev := string(release.AppendDeviceToken(nil, release.DeviceHash("dev-1")))
		if want := "http://example.com/d/" + o.Wgt.ID + "/" + dev + "/1.0.1_beta.wgt"; o.Wgt.URL != want {
			t.Fatalf("wgt url %s, want %s", o.Wgt.URL, want)
		}
		if got := fetchVia(t, ts, o.Wgt.URL); !bytes.Equal(got, wgtData) {
			t.Fatalf("signed=%v: downloaded %d bytes, not the wgt", signed, len(got))
		}
		// Counted, and shown in the statistics.
		if err := ts.downloads.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		var r statsView
		ts.mustOK(t, 200, "GET", "/api/v1/projects/"+f.project.ID+"/stats?from=2026-11-01&to=2026-11-30", f.viewer.AccessToken, nil, &r)
		if len(r.Downloads) != 1 || r.Downloads[0].Key != o.Wgt.ID || r.Downloads[0].Count != 1 {
			t.Fatalf("downloads %+v", r.Downloads)
		}
		// Disabled: the link stops at once.
		ts.mustOK(t, 200, "PATCH", "/api/v1/resources/"+o.Wgt.ID, f.maintainer.AccessToken, map[string]any{"status": 0}, nil)
		u, _ := url.Parse(o.Wgt.URL)
		rec, env := ts.do(t, "GET", u.Path, nil)
		mustErrorEnvelope(t, rec, env, 404, "not_found")
	}
}

func TestDownloadLinkChecksTheRolloutWhenItKnowsTheDevice(t *testing.T) {
	ts := mustServer(t, nil)
	f := newReleaseFixture(t, ts)
	publishPair(t, ts, f, 30)
	var in, out string
	var wgt *resourceView
	for i := 0; in == "" || out == ""; i++ {
		dev := "dev-" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26%26))
		o := ts.check(t, "/api/update", checkBody(f.project.ID, "android", 100, 100, dev))
		if o.Wgt != nil {
			in, wgt = dev, o.Wgt
		} else {
			out = dev
		}
	}
	u, _ := url.Parse(wgt.URL)
	if rec, _ := ts.do(t, "GET", u.Path+"?uuid="+in, nil); rec.Code != http.StatusFound {
		t.Fatalf("device in the rollout: %d", rec.Code)
	}
	rec, env := ts.do(t, "GET", u.Path+"?uuid="+out, nil)
	mustErrorEnvelope(t, rec, env, 403, "forbidden")
	if rec, _ := ts.do(t, "GET", u.Path, nil); rec.Code != http.StatusFound {
		t.Fatalf("the stock client (no device named): %d", rec.Code)
	}
	if rec, env := ts.do(t, "GET", "/d/0123456789abcdef0123456789abcdef/x.wgt", nil); rec.Code != 404 {
		mustErrorEnvelope(t, rec, env, 404, "not_found")
	}
}

// minimalOSS stands in for an OSS bucket: it keeps PUT objects and serves
// them to HEAD and GET, including signed-URL GETs. (Signatures are checked
// by the storage package's own fake.)
type minimalOSS struct {
	mu      sync.Mutex
	objects map[string][]byte
	gets    []string
}

func (m *minimalOSS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := r.URL.Path
	switch r.Method {
	case http.MethodPut:
		b, _ := io.ReadAll(r.Body)
		m.objects[key] = b
		w.Header().Set("ETag", `"`+strings.ToUpper(md5hex(b))+`"`)
	case http.MethodHead, http.MethodGet:
		b, ok := m.objects[key]
		if !ok {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(404)
			io.WriteString(w, `<Error><Code>NoSuchKey</Code></Error>`)
			return
		}
		if r.Method == http.MethodGet {
			m.gets = append(m.gets, r.URL.String())
		}
		w.Header().Set("ETag", `"`+strings.ToUpper(md5hex(b))+`"`)
		http.ServeContent(w, r, "", fixedNow, bytes.NewReader(b))
	case http.MethodDelete:
		delete(m.objects, key)
		w.WriteHeader(204)
	}
}

func TestDownloadLinkRedirectsToASignedOSSURL(t *testing.T) {
	fake := &minimalOSS{objects: map[string][]byte{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	ts := mustServer(t, func(s *testSetup) {
		bucket, err := oss.New(oss.Config{Endpoint: srv.URL, Bucket: "hoist", AccessKeyID: "ak", AccessKeySecret: "sk", Signed: true})
		if err != nil {
			t.Fatal(err)
		}
		s.blob = bucket
		s.PublicBaseURL = "https://hoist.example.com"
	})
	f := newReleaseFixture(t, ts)
	wgtData := publishPair(t, ts, f, 100)
	o := ts.check(t, "/api/basic/update", checkBody(f.project.ID, "ios", 100, 100, "dev-1"))
	if o.Wgt != nil {
		t.Fatalf("an android wgt offered to ios: %+v", o.Wgt)
	}
	o = ts.check(t, "/api/basic/update", checkBody(f.project.ID, "android", 100, 100, "dev-1"))
	if o.Wgt == nil || !sdkInstalls.MatchString(o.Wgt.URL) || !strings.HasPrefix(o.Wgt.URL, "https://hoist.example.com/d/") {
		t.Fatalf("offer %+v", o.Wgt)
	}
	u, _ := url.Parse(o.Wgt.URL)
	rec, _ := ts.do(t, "GET", u.Path, nil)
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusFound || !strings.HasPrefix(loc, srv.URL+"/hoist/") || !strings.Contains(loc, "Signature=") {
		t.Fatalf("redirect %d to %q", rec.Code, loc)
	}
	if got := fetchVia(t, ts, o.Wgt.URL); !bytes.Equal(got, wgtData) {
		t.Fatalf("downloaded %d bytes, not the wgt", len(got))
	}
	_ = release.TypeWgtAndroid
}
