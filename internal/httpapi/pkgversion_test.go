package httpapi

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// wgtWithVersion is a wgt whose manifest.json declares a version.
func wgtWithVersion(tb testing.TB, name, code string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("manifest.json")
	w.Write([]byte(`{"id":"__UNI__1","name":"demo","version":{"name":"` + name + `","code":"` + code + `"}}`))
	w, _ = zw.Create("www/index.html")
	w.Write([]byte("<html></html>"))
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestUploadReportsThePackageVersionAndResourcesMustAgree(t *testing.T) {
	ts := mustServer(t, nil)
	f := newReleaseFixture(t, ts)
	tok, pid := f.maintainer.AccessToken, f.project.ID
	apk := ts.mustUpload(t, tok, pid, "app.apk", apkBytes(t))
	ts.mustResource(t, tok, pid, map[string]any{"type": 3, "version": "1.0.0", "versionCode": 100, "storageKey": apk.Key, "updateType": 1})

	rec, env := ts.upload(t, tok, pid, "app.wgt", wgtWithVersion(t, "1.0.1", "101"), "")
	var up struct {
		fileView
		StorageKey string `json:"storageKey"`
	}
	json.Unmarshal(env.Data, &up)
	if rec.Code != 201 || up.Version != "1.0.1" || up.VersionCode != 101 || up.StorageKey != up.Key {
		t.Fatalf("upload answer %d %s", rec.Code, rec.Body)
	}
	body := map[string]any{"type": 1, "version": "1.0.1", "versionCode": 110, "nativeVersionCode": 100, "storageKey": up.Key, "updateType": 1}
	rec, env = ts.call(t, "POST", "/api/v1/projects/"+pid+"/resources", tok, body)
	mustErrorEnvelope(t, rec, env, 400, "invalid")
	if fs := fieldsOf(env); len(fs) != 1 || fs[0] != "versionCode" || !strings.Contains(env.Errors[0].Message, "101") {
		t.Fatalf("mismatch: %s", rec.Body)
	}
	body["version"], body["versionCode"] = "9.9.9", 101
	rec, env = ts.call(t, "POST", "/api/v1/projects/"+pid+"/resources", tok, body)
	if fs := fieldsOf(env); rec.Code != 400 || len(fs) != 1 || fs[0] != "version" {
		t.Fatalf("version name mismatch: %s", rec.Body)
	}
	body["force"] = true
	ts.mustResource(t, tok, pid, body)
	// What the package says is accepted as is.
	up2 := ts.mustUpload(t, tok, pid, "app.wgt", wgtWithVersion(t, "1.0.2", "102"))
	ts.mustResource(t, tok, pid, map[string]any{"type": 1, "version": "1.0.2", "versionCode": 102, "nativeVersionCode": 100, "storageKey": up2.Key, "updateType": 1})
}

func TestUploadOfAnArchiveWithTooManyEntriesIs400(t *testing.T) {
	ts := mustServer(t, func(s *testSetup) { s.Release.MaxUploadBytes = 8 << 20 })
	f := newReleaseFixture(t, ts)
	// A central directory of 50 000 one-letter entries, no data.
	const n = 50_000
	rec := make([]byte, 47)
	copy(rec, "PK\x01\x02")
	rec[28], rec[46] = 1, 'a'
	data := bytes.Repeat(rec, n)
	end := []byte("PK\x05\x06\x00\x00\x00\x00")
	end = append(end, byte(n&0xff), byte(n>>8), byte(n&0xff), byte(n>>8))
	size := len(data)
	end = append(end, byte(size), byte(size>>8), byte(size>>16), byte(size>>24), 0, 0, 0, 0, 0, 0)
	data = append(data, end...)
	r, env := ts.upload(t, f.maintainer.AccessToken, f.project.ID, "app.wgt", data, "")
	mustErrorEnvelope(t, r, env, 400, "invalid")
	if fs := fieldsOf(env); len(fs) != 1 || fs[0] != "file" || !strings.Contains(env.Errors[0].Message, "entries") {
		t.Fatalf("%s", r.Body)
	}
	if left := ts.storedFiles(t); len(left) != 0 {
		t.Fatalf("refused upload left files: %v", left)
	}
}
