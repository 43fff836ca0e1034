package httpapi

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"mime/multipart"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/storage"
)

// mustZip builds a zip archive holding the named files.
func mustZip(tb testing.TB, names ...string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			tb.Fatal(err)
		}
		w.Write([]byte("content of " + n + strings.Repeat(".", 200)))
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func wgtBytes(tb testing.TB) []byte { return mustZip(tb, "manifest.json", "www/index.html") }
func apkBytes(tb testing.TB) []byte {
	return mustZip(tb, "AndroidManifest.xml", "classes.dex", "assets/apps/__UNI__/www/manifest.json")
}

// upload posts a file as the panel does (multipart field "file").
func (ts *testServer) upload(tb testing.TB, token, projectID, name string, data []byte, query string) (*httptest.ResponseRecorder, envelope) {
	tb.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("note", "fields before the file are skipped")
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		tb.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	target := "/api/v1/projects/" + projectID + "/files" + query
	return ts.do(tb, "POST", target, &body, "Content-Type", mw.FormDataContentType(), "Authorization", "Bearer "+token)
}

func (ts *testServer) mustUpload(tb testing.TB, token, projectID, name string, data []byte) fileView {
	tb.Helper()
	rec, env := ts.upload(tb, token, projectID, name, data, "")
	if rec.Code != 201 {
		tb.Fatalf("upload %s: %d %s", name, rec.Code, rec.Body)
	}
	var f fileView
	json.Unmarshal(env.Data, &f)
	return f
}

// mustResource publishes a resource and returns it.
func (ts *testServer) mustResource(tb testing.TB, token, projectID string, body map[string]any) resourceView {
	tb.Helper()
	var r resourceView
	ts.mustOK(tb, 201, "POST", "/api/v1/projects/"+projectID+"/resources", token, body, &r)
	return r
}

// storedFiles lists the files under the local storage root, ignoring the
// directory of uploads in progress only if it is empty.
func (ts *testServer) storedFiles(tb testing.TB) []string {
	tb.Helper()
	var out []string
	filepath.WalkDir(ts.filesDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(ts.filesDir, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func md5hex(b []byte) string    { s := md5.Sum(b); return hex.EncodeToString(s[:]) }
func sha256hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// releaseFixture is a project with an owner, a maintainer and a viewer.
type releaseFixture struct {
	owner, maintainer, viewer, stranger session
	project                             projectView
}

func newReleaseFixture(tb testing.TB, ts *testServer) releaseFixture {
	tb.Helper()
	f := releaseFixture{owner: ts.mustRegister(tb, "owner"), maintainer: ts.mustRegister(tb, "maint"),
		viewer: ts.mustRegister(tb, "viewer"), stranger: ts.mustRegister(tb, "stranger")}
	f.project = ts.mustProject(tb, f.owner.AccessToken, "App")
	for _, m := range []struct {
		s    session
		role string
	}{{f.maintainer, "maintainer"}, {f.viewer, "viewer"}} {
		ts.mustOK(tb, 201, "POST", "/api/v1/projects/"+f.project.ID+"/members", f.owner.AccessToken,
			map[string]string{"userId": m.s.User.ID, "role": m.role}, nil)
	}
	return f
}

// releasesBlobPut stores an object in the test server's storage directly,
// as a browser's direct upload would.
func (ts *testServer) releasesBlobPut(key string, data []byte) (storage.Object, error) {
	return ts.blob.Put(context.Background(), key, bytes.NewReader(data), storage.PutOptions{})
}
