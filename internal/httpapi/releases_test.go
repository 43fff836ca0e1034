package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/netlimit"
)

func TestUploadAndDownloadLocalFile(t *testing.T) {
	ts := mustServer(t, nil)
	fx := newReleaseFixture(t, ts)
	data := wgtBytes(t)
	f := ts.mustUpload(t, fx.maintainer.AccessToken, fx.project.ID, "app.wgt", data)
	if f.Size != int64(len(data)) || f.MD5 != md5hex(data) || f.SHA256 != sha256hex(data) || f.Kind != "zip" || f.Name != "app.wgt" ||
		!strings.HasPrefix(f.Key, fx.project.ID+"/") || !strings.HasSuffix(f.Key, ".wgt") || f.URL != "http://example.com/files/"+f.Key {
		t.Fatalf("file %+v", f)
	}
	path := strings.TrimPrefix(f.URL, "http://example.com")
	rec, _ := ts.do(t, "GET", path, nil)
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), data) || rec.Header().Get("ETag") != `"`+f.MD5+`"` {
		t.Fatalf("download: %d %v", rec.Code, rec.Header())
	}
	rec, _ = ts.do(t, "GET", path, nil, "Range", "bytes=10-19")
	if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), data[10:20]) ||
		rec.Header().Get("Content-Range") != fmt.Sprintf("bytes 10-19/%d", len(data)) {
		t.Fatalf("range: %d %v %q", rec.Code, rec.Header(), rec.Body.Bytes())
	}
	rec, _ = ts.do(t, "GET", path, nil, "If-None-Match", `"`+f.MD5+`"`)
	if rec.Code != http.StatusNotModified {
		t.Fatalf("conditional: %d", rec.Code)
	}
	for _, bad := range []string{"/files/../etc/passwd", "/files/" + fx.project.ID + "/nope.wgt", "/files/.tmp/x"} {
		rec, env := ts.do(t, "GET", bad, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
	}
}

func TestUploadIsCheckedAndLeavesNothingWhenRefused(t *testing.T) {
	ts := mustServer(t, func(s *testSetup) { s.Release.MaxUploadBytes = 64 << 10 })
	fx := newReleaseFixture(t, ts)
	tok, pid := fx.maintainer.AccessToken, fx.project.ID

	cases := []struct {
		name, file, query string
		data              []byte
		status            int
		code              apperr.Code
	}{
		{"text renamed to .wgt", "app.wgt", "", []byte("just some text, not a zip"), 400, apperr.Invalid},
		{"zip declared as apk", "app.bin", "?type=3", wgtBytes(t), 400, apperr.Invalid},
		{"zip named .apk", "app.apk", "", wgtBytes(t), 400, apperr.Invalid},
		{"too large", "big.wgt", "", bytes.Repeat([]byte("x"), 65<<10), 413, apperr.TooLarge},
		{"bad type", "app.wgt", "?type=4", wgtBytes(t), 400, apperr.Invalid},
		{"type not a number", "app.wgt", "?type=wgt", wgtBytes(t), 400, apperr.Invalid},
	}
	for _, c := range cases {
		rec, env := ts.upload(t, tok, pid, c.file, c.data, c.query)
		if rec.Code != c.status || env.Code != string(c.code) {
			t.Errorf("%s: %d %s", c.name, rec.Code, rec.Body)
		}
	}
	rec, env := ts.upload(t, fx.viewer.AccessToken, pid, "app.wgt", wgtBytes(t), "")
	mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
	rec, env = ts.upload(t, fx.stranger.AccessToken, pid, "app.wgt", wgtBytes(t), "")
	mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
	rec, env = ts.call(t, "POST", "/api/v1/projects/"+pid+"/files", tok, map[string]string{"file": "x"})
	mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
	if files := ts.storedFiles(t); len(files) != 0 {
		t.Fatalf("refused uploads left files: %v", files)
	}

	// A firmware image is any binary; an apk with a manifest is an apk.
	if f := ts.mustUpload(t, tok, pid, "fw.bin", []byte{0, 1, 2, 3}); f.Kind != "binary" {
		t.Fatalf("firmware kind %s", f.Kind)
	}
	if f := ts.mustUpload(t, tok, pid, "app.apk", apkBytes(t)); f.Kind != "apk" {
		t.Fatalf("apk kind %s", f.Kind)
	}
}

// An upload whose declared size exceeds the limit is refused before any
// byte is read.
func TestOversizedUploadIsRefusedUpFront(t *testing.T) {
	ts := mustServer(t, func(s *testSetup) { s.Release.MaxUploadBytes = 64 << 10 })
	fx := newReleaseFixture(t, ts)
	req := strings.NewReader(strings.Repeat("x", 3<<20))
	rec, env := ts.do(t, "POST", "/api/v1/projects/"+fx.project.ID+"/files", req,
		"Authorization", "Bearer "+fx.owner.AccessToken, "Content-Type", "multipart/form-data; boundary=x")
	mustErrorEnvelope(t, rec, env, http.StatusRequestEntityTooLarge, apperr.TooLarge)
}

func TestResourceVersionRules(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newReleaseFixture(t, ts)
		tok, pid := fx.maintainer.AccessToken, fx.project.ID
		apk := ts.mustUpload(t, tok, pid, "app.apk", apkBytes(t))
		wgt := ts.mustUpload(t, tok, pid, "app.wgt", wgtBytes(t))

		native := ts.mustResource(t, tok, pid, map[string]any{"type": 3, "version": "1.0.0", "versionCode": 100, "storageKey": apk.Key, "updateType": 1, "changelog": "first"})
		if native.Size != apk.Size || native.MD5 != apk.MD5 || native.Status != 1 || native.RolloutPercent != 100 || native.URL != "http://example.com/d/"+native.ID+"/1.0.0.apk" {
			t.Fatalf("native %+v", native)
		}
		w := ts.mustResource(t, tok, pid, map[string]any{"type": 1, "version": "1.0.1", "versionCode": 101, "nativeVersionCode": 100, "storageKey": wgt.Key, "updateType": 3, "rolloutPercent": 30})
		if w.NativeVersionCode != 100 || w.RolloutPercent != 30 {
			t.Fatalf("wgt %+v", w)
		}

		bad := []struct {
			name   string
			body   map[string]any
			status int
			field  string
		}{
			{"versionCode not greater", map[string]any{"type": 1, "version": "x", "versionCode": 101, "nativeVersionCode": 100, "storageKey": wgt.Key, "updateType": 1}, 409, "versionCode"},
			{"native of nothing", map[string]any{"type": 1, "version": "x", "versionCode": 102, "nativeVersionCode": 110, "storageKey": wgt.Key, "updateType": 1}, 400, "nativeVersionCode"},
			{"ios native for android wgt", map[string]any{"type": 2, "version": "x", "versionCode": 1, "nativeVersionCode": 100, "storageKey": wgt.Key, "updateType": 1}, 400, "nativeVersionCode"},
			{"native with nativeVersionCode", map[string]any{"type": 3, "version": "x", "versionCode": 200, "nativeVersionCode": 5, "storageKey": apk.Key, "updateType": 1}, 400, "nativeVersionCode"},
			{"zip as apk", map[string]any{"type": 3, "version": "x", "versionCode": 200, "storageKey": wgt.Key, "updateType": 1}, 400, "storageKey"},
			{"no file", map[string]any{"type": 1, "version": "x", "versionCode": 200, "nativeVersionCode": 100, "updateType": 1}, 400, "storageKey"},
			{"unknown file", map[string]any{"type": 1, "version": "x", "versionCode": 200, "nativeVersionCode": 100, "storageKey": pid + "/2026-11/nope.wgt", "updateType": 1}, 400, "storageKey"},
			{"ios without https link", map[string]any{"type": 4, "version": "x", "versionCode": 1, "url": "http://apps.apple.com/app/id1", "updateType": 1}, 400, "url"},
			{"firmware without product", map[string]any{"type": 5, "version": "x", "versionCode": 1, "storageKey": wgt.Key, "updateType": 1}, 400, "product"},
			{"bad enums", map[string]any{"type": 1, "version": "", "versionCode": 0, "nativeVersionCode": 100, "storageKey": wgt.Key, "updateType": 9, "rolloutPercent": 0}, 400, "version"},
			{"type 9", map[string]any{"type": 9, "version": "x", "versionCode": 1, "updateType": 1}, 400, "type"},
		}
		for _, b := range bad {
			rec, env := ts.call(t, "POST", "/api/v1/projects/"+pid+"/resources", tok, b.body)
			if rec.Code != b.status || len(env.Errors) == 0 || env.Errors[0].Field != b.field {
				t.Errorf("%s: %d %s", b.name, rec.Code, rec.Body)
			}
		}
		rec, env := ts.call(t, "POST", "/api/v1/projects/"+pid+"/resources", tok, bad[0].body)
		if env.Message != "versionCode must be greater than 101" {
			t.Errorf("message %q", env.Message)
		}
		rec, env = ts.call(t, "POST", "/api/v1/projects/"+pid+"/resources", tok, bad[9].body)
		if got := strings.Join(fieldsOf(env), ","); got != "version,updateType,rolloutPercent,versionCode" {
			t.Errorf("every bad field named: %s (%s)", got, rec.Body)
		}

		// A file uploaded to another project cannot be used here.
		other := ts.mustProject(t, tok, "Other")
		otherFile := ts.mustUpload(t, tok, other.ID, "o.wgt", wgtBytes(t))
		rec, env = ts.call(t, "POST", "/api/v1/projects/"+pid+"/resources", tok, map[string]any{"type": 1, "version": "x", "versionCode": 300, "nativeVersionCode": 100, "storageKey": otherFile.Key, "updateType": 1})
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)

		ios := ts.mustResource(t, tok, pid, map[string]any{"type": 4, "version": "1.0.0", "versionCode": 100, "url": "https://apps.apple.com/app/id123", "updateType": 2})
		if ios.URL != "https://apps.apple.com/app/id123" || ios.Size != 0 {
			t.Fatalf("ios %+v", ios)
		}
		fw := ts.mustUpload(t, tok, pid, "fw.bin", []byte("firmware image"))
		ts.mustOK(t, 201, "POST", "/api/v1/products", tok, map[string]string{"name": "lock-v1", "projectId": pid}, nil)
		ts.mustResource(t, tok, pid, map[string]any{"type": 5, "version": "2.0", "versionCode": 1, "storageKey": fw.Key, "updateType": 1, "product": "lock-v1"})

		var latest nativeLatestView
		ts.mustOK(t, 200, "GET", "/api/v1/projects/"+pid+"/resources/native/latest", fx.viewer.AccessToken, nil, &latest)
		if latest.Android == nil || *latest.Android != 100 || latest.IOS == nil || *latest.IOS != 100 {
			t.Fatalf("latest %+v", latest)
		}
	})
}

// Two publishers racing with the same versionCode: exactly one wins.
func TestConcurrentCreateSameVersionCode(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newReleaseFixture(t, ts)
		tok, pid := fx.maintainer.AccessToken, fx.project.ID
		apk := ts.mustUpload(t, tok, pid, "app.apk", apkBytes(t))
		const n = 6
		var wg sync.WaitGroup
		codes := make(chan int, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rec, _ := ts.call(t, "POST", "/api/v1/projects/"+pid+"/resources", tok,
					map[string]any{"type": 3, "version": fmt.Sprint("1.0.", i), "versionCode": 100, "storageKey": apk.Key, "updateType": 1})
				codes <- rec.Code
			}()
		}
		wg.Wait()
		close(codes)
		won, lost := 0, 0
		for c := range codes {
			switch c {
			case 201:
				won++
			case 409:
				lost++
			default:
				t.Errorf("unexpected status %d", c)
			}
		}
		if won != 1 || lost != n-1 {
			t.Fatalf("won %d lost %d", won, lost)
		}
	})
}

func TestResourceAccess(t *testing.T) {
	ts := mustServer(t, nil)
	fx := newReleaseFixture(t, ts)
	pid := fx.project.ID
	apk := ts.mustUpload(t, fx.owner.AccessToken, pid, "app.apk", apkBytes(t))
	body := map[string]any{"type": 3, "version": "1.0.0", "versionCode": 100, "storageKey": apk.Key, "updateType": 1}

	rec, env := ts.call(t, "POST", "/api/v1/projects/"+pid+"/resources", fx.viewer.AccessToken, body)
	mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
	rec, env = ts.call(t, "POST", "/api/v1/projects/"+pid+"/resources", fx.stranger.AccessToken, body)
	mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
	r := ts.mustResource(t, fx.owner.AccessToken, pid, body)

	ts.mustOK(t, 200, "GET", "/api/v1/resources/"+r.ID, fx.viewer.AccessToken, nil, nil)
	for _, m := range []string{"GET", "PATCH", "DELETE"} {
		rec, env := ts.call(t, m, "/api/v1/resources/"+r.ID, fx.stranger.AccessToken, map[string]any{"remark": "x"})
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
	}
	for _, m := range []string{"PATCH", "DELETE"} {
		rec, env := ts.call(t, m, "/api/v1/resources/"+r.ID, fx.viewer.AccessToken, map[string]any{"remark": "x"})
		mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
	}
	rec, env = ts.call(t, "GET", "/api/v1/projects/"+pid+"/resources", fx.stranger.AccessToken, nil)
	mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
}

func TestResourceEditListAndDelete(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newReleaseFixture(t, ts)
		tok, pid := fx.maintainer.AccessToken, fx.project.ID
		apk := ts.mustUpload(t, tok, pid, "app.apk", apkBytes(t))
		wgt := ts.mustUpload(t, tok, pid, "app.wgt", wgtBytes(t))
		ts.takeChanges()

		native := ts.mustResource(t, tok, pid, map[string]any{"type": 3, "version": "1.0.0", "versionCode": 100, "storageKey": apk.Key, "updateType": 1})
		w1 := ts.mustResource(t, tok, pid, map[string]any{"type": 1, "version": "1.0.1", "versionCode": 101, "nativeVersionCode": 100, "storageKey": wgt.Key, "updateType": 1})
		w2 := ts.mustResource(t, tok, pid, map[string]any{"type": 1, "version": "1.0.2", "versionCode": 102, "nativeVersionCode": 100, "storageKey": wgt.Key, "updateType": 1, "status": 0})
		if got := ts.takeChanges(); len(got) != 3 || got[0] != pid {
			t.Fatalf("create events %v", got)
		}

		// Type and versionCode are not editable: naming them is a 400, not
		// silently ignored.
		rec, env := ts.call(t, "PATCH", "/api/v1/resources/"+w1.ID, tok, map[string]any{"changelog": "fixes", "type": 3})
		if fs := fieldsOf(env); rec.Code != 400 || len(fs) != 1 || fs[0] != "type" {
			t.Fatalf("patching the type: %s", rec.Body)
		}
		var patched resourceView
		ts.mustOK(t, 200, "PATCH", "/api/v1/resources/"+w1.ID, tok, map[string]any{"changelog": "fixes", "rolloutPercent": 50, "updateType": 2}, &patched)
		if patched.Changelog != "fixes" || patched.RolloutPercent != 50 || patched.UpdateType != 2 || patched.Type != 1 || patched.VersionCode != 101 {
			t.Fatalf("patched %+v", patched)
		}
		rec, env = ts.call(t, "PATCH", "/api/v1/resources/"+w1.ID, tok, map[string]any{"rolloutPercent": 101, "changelog": "never saved"})
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		ts.mustOK(t, 200, "GET", "/api/v1/resources/"+w1.ID, tok, nil, &patched)
		if patched.Changelog != "fixes" {
			t.Fatal("a refused patch changed something")
		}
		if got := ts.takeChanges(); len(got) != 1 {
			t.Fatalf("patch events %v", got)
		}

		var list struct {
			Total   int64          `json:"total"`
			Records []resourceView `json:"records"`
		}
		ts.mustOK(t, 200, "GET", "/api/v1/projects/"+pid+"/resources?type=1&sortKey=versionCode&order=ASC", fx.viewer.AccessToken, nil, &list)
		if list.Total != 2 || list.Records[0].ID != w1.ID || list.Records[1].ID != w2.ID {
			t.Fatalf("wgt list %+v", list)
		}
		ts.mustOK(t, 200, "GET", "/api/v1/projects/"+pid+"/resources?status=1&pageSize=1", fx.viewer.AccessToken, nil, &list)
		if list.Total != 2 || len(list.Records) != 1 {
			t.Fatalf("enabled page %+v", list)
		}
		rec, env = ts.call(t, "GET", "/api/v1/projects/"+pid+"/resources?status=x", tok, nil)
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)

		// The native build cannot go while an enabled wgt is built on it.
		rec, env = ts.call(t, "DELETE", "/api/v1/resources/"+native.ID, tok, nil)
		mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict)
		if !strings.Contains(env.Message, w1.ID) || strings.Contains(env.Message, w2.ID) {
			t.Fatalf("conflict must name the enabled dependents only: %s", env.Message)
		}
		ts.mustOK(t, 200, "PATCH", "/api/v1/resources/"+w1.ID, tok, map[string]any{"status": 0}, nil)
		ts.mustOK(t, 200, "DELETE", "/api/v1/resources/"+native.ID, tok, nil, nil)

		// A file goes with the last resource using it.
		filesBefore := len(ts.storedFiles(t))
		ts.mustOK(t, 200, "DELETE", "/api/v1/resources/"+w1.ID, tok, nil, nil)
		if len(ts.storedFiles(t)) != filesBefore {
			t.Fatal("a file still used by w2 was deleted")
		}
		ts.mustOK(t, 200, "DELETE", "/api/v1/resources/"+w2.ID, tok, nil, nil)
		if files := ts.storedFiles(t); len(files) != filesBefore-1 {
			t.Fatalf("unused file kept: %v", files)
		}
		rec, env = ts.call(t, "GET", "/api/v1/resources/"+w2.ID, tok, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
	})
}

func TestProjectDeleteWithResources(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newReleaseFixture(t, ts)
		pid := fx.project.ID
		apk := ts.mustUpload(t, fx.owner.AccessToken, pid, "app.apk", apkBytes(t))
		ts.mustResource(t, fx.owner.AccessToken, pid, map[string]any{"type": 3, "version": "1", "versionCode": 1, "storageKey": apk.Key, "updateType": 1})

		rec, env := ts.call(t, "DELETE", "/api/v1/projects/"+pid, fx.owner.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict)
		rec, env = ts.call(t, "DELETE", "/api/v1/projects/"+pid+"?force=true", fx.maintainer.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
		ts.mustOK(t, 200, "DELETE", "/api/v1/projects/"+pid+"?force=true", fx.owner.AccessToken, nil, nil)
		if files := ts.storedFiles(t); len(files) != 0 {
			t.Fatalf("files left: %v", files)
		}
		rec, env = ts.call(t, "GET", "/api/v1/projects/"+pid, fx.owner.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
	})
}

func TestSignedDownloadURLs(t *testing.T) {
	ts := mustServer(t, func(s *testSetup) { s.signedFiles = true })
	fx := newReleaseFixture(t, ts)
	data := wgtBytes(t)
	f := ts.mustUpload(t, fx.owner.AccessToken, fx.project.ID, "app.wgt", data)
	u, err := url.Parse(f.URL)
	if err != nil || u.Query().Get("sig") == "" || u.Query().Get("expires") == "" {
		t.Fatalf("unsigned URL %q", f.URL)
	}
	rec, _ := ts.do(t, "GET", u.RequestURI(), nil)
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), data) {
		t.Fatalf("signed download: %d", rec.Code)
	}
	for _, bad := range []string{u.Path, u.Path + "?expires=" + u.Query().Get("expires") + "&sig=00", u.Path + "?expires=1&sig=" + u.Query().Get("sig")} {
		rec, env := ts.do(t, "GET", bad, nil)
		mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
	}
}

func TestDirectUploadNeedsOSS(t *testing.T) {
	ts := mustServer(t, nil)
	fx := newReleaseFixture(t, ts)
	rec, env := ts.call(t, "GET", "/api/v1/projects/"+fx.project.ID+"/upload-credentials", fx.owner.AccessToken, nil)
	mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict)
	if env.Message != "direct upload needs OSS storage" {
		t.Fatalf("message %q", env.Message)
	}
}

// Registering a directly uploaded object: it must exist under the
// project's prefix; size and md5 come from storage, not the client.
func TestRegisterDirectUpload(t *testing.T) {
	ts := mustServer(t, nil)
	fx := newReleaseFixture(t, ts)
	pid, tok := fx.project.ID, fx.maintainer.AccessToken
	data := wgtBytes(t)
	key := pid + "/2026-11/0123456789abcdef0123456789abcdef.wgt"
	// The object arrives in the bucket without Hoist (the browser's upload).
	if _, err := ts.releasesBlobPut(key, data); err != nil {
		t.Fatal(err)
	}
	var f fileView
	ts.mustOK(t, 201, "POST", "/api/v1/projects/"+pid+"/files/register", tok, map[string]any{"key": key, "name": "app.wgt", "sha256": sha256hex(data)}, &f)
	if f.Size != int64(len(data)) || f.MD5 != md5hex(data) || f.SHA256 != sha256hex(data) || f.Kind != "zip" {
		t.Fatalf("registered %+v", f)
	}
	key2 := pid + "/2026-11/1123456789abcdef0123456789abcdef.wgt"
	ts.releasesBlobPut(key2, data)
	rec, env := ts.call(t, "POST", "/api/v1/projects/"+pid+"/files/register", tok, map[string]any{"key": key2, "sha256": strings.Repeat("0", 64)})
	mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
	if fieldsOf(env)[0] != "sha256" {
		t.Fatalf("fields %v", fieldsOf(env))
	}
	for _, body := range []map[string]any{
		{"key": "otherproject/2026-11/x.wgt"},
		{"key": pid + "/2026-11/missing.wgt"},
		{"key": key, "sha256": "not-hex"},
	} {
		rec, env := ts.call(t, "POST", "/api/v1/projects/"+pid+"/files/register", tok, body)
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
	}
}

// TestDownloadWithoutAFileSlotIsA503: with every file slot taken, a
// download that cannot wait for one (its client went away here; else after
// 30 s) is a 503 with Retry-After, never a 500; once a slot is free it is
// served.
func TestDownloadWithoutAFileSlotIsA503(t *testing.T) {
	slots := netlimit.New(1)
	ts := mustServer(t, func(s *testSetup) { s.FileSlots = slots })
	fx := newReleaseFixture(t, ts)
	data := wgtBytes(t)
	f := ts.mustUpload(t, fx.maintainer.AccessToken, fx.project.ID, "app.wgt", data)
	path := strings.TrimPrefix(f.URL, "http://example.com")
	if err := slots.Acquire(context.Background()); err != nil { // another download holds the only slot
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("GET", path, nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	ts.Handler().ServeHTTP(rec, req)
	var env envelope
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	mustErrorEnvelope(t, rec, env, http.StatusServiceUnavailable, apperr.Unavailable)
	if rec.Header().Get("Retry-After") == "" {
		t.Fatal("a 503 without Retry-After")
	}
	slots.Release()
	rec, _ = ts.do(t, "GET", path, nil)
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), data) || slots.InUse() != 0 {
		t.Fatalf("with a free slot: %d, %d slots in use", rec.Code, slots.InUse())
	}
}
