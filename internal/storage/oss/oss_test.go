package oss

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/storage"
	"github.com/hoist-ota/hoist/internal/storage/storagetest"
)

const (
	testBucket = "hoist-files"
	testAK     = "LTAI5tTestAccessKey"
	testSK     = "test-secret-never-in-errors"
)

func mustOSS(tb testing.TB, cfg Config) *Bucket {
	tb.Helper()
	o, err := New(cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return o
}

// newTestOSS returns a fake OSS and an OSS backend pointed at it.
func newTestOSS(tb testing.TB, signed bool) (*fakeOSS, *Bucket) {
	tb.Helper()
	fake := newFakeOSS(tb, testBucket, testAK, testSK)
	return fake, mustOSS(tb, Config{Endpoint: fake.srv.URL, Bucket: testBucket,
		AccessKeyID: testAK, AccessKeySecret: testSK, Signed: signed})
}

// assertServerCall checks a request reached the fake as expected.
func assertServerCall(tb testing.TB, r fakeRequest, method, key string, status int) {
	tb.Helper()
	if r.Method != method || r.Key != key || r.Status != status {
		tb.Fatalf("request = %v, want %s %s -> %d", r, method, key, status)
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "OSS "+testAK+":") {
		tb.Fatalf("%s %s: Authorization = %q, want OSS %s:...", method, key, r.Header.Get("Authorization"), testAK)
	}
}

func TestOSSPutStatOpenDelete(t *testing.T) {
	ctx := context.Background()
	fake, o := newTestOSS(t, false)
	data := storagetest.Payload(300_000+17, 5)
	key := storage.NewKey("p1", time.Now(), ".apk")
	const ct = "application/vnd.android.package-archive"

	obj, err := o.Put(ctx, key, bytes.NewReader(data), storage.PutOptions{MaxSize: 1 << 20, ContentType: ct})
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	wantMD5, wantSHA := md5.Sum(data), sha256.Sum256(data)
	if obj.Key != key || obj.Size != int64(len(data)) || obj.MD5 != hex.EncodeToString(wantMD5[:]) ||
		obj.SHA256 != hex.EncodeToString(wantSHA[:]) || obj.ContentType != ct || obj.ModTime.IsZero() {
		t.Fatalf("Put = %+v", obj)
	}
	stored, ok := fake.object(key)
	if !ok || !bytes.Equal(stored.data, data) || stored.contentType != ct {
		t.Fatalf("fake holds %d bytes of %q (ok %v), want the payload as %s", len(stored.data), stored.contentType, ok, ct)
	}
	reqs := fake.seen()
	if len(reqs) != 1 {
		t.Fatalf("requests = %v, want one PUT", reqs)
	}
	put := reqs[0]
	assertServerCall(t, put, http.MethodPut, key, http.StatusOK)
	// The size is not known up front: the body is streamed chunked, or else
	// Content-Length must be exact (the fake enforces it).
	if !put.Chunked && put.ContentLength != int64(len(data)) {
		t.Fatalf("PUT neither chunked nor with Content-Length %d: %v", len(data), put)
	}
	if put.Header.Get("Content-Type") != ct {
		t.Fatalf("PUT Content-Type = %q", put.Header.Get("Content-Type"))
	}

	st, err := o.Stat(ctx, key)
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if st.Size != obj.Size || st.MD5 != obj.MD5 || st.SHA256 != "" || st.ContentType != ct || !st.ModTime.Equal(stored.modTime) {
		t.Fatalf("Stat = %+v, want size %d md5 %s", st, obj.Size, obj.MD5)
	}
	assertServerCall(t, fake.seen()[1], http.MethodHead, key, http.StatusOK)

	// Open reads through ranged GETs, good enough for http.ServeContent.
	f, fobj, err := o.Open(ctx, key)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/files/"+key, nil)
	req.Header.Set("Range", "bytes=1000-1999")
	http.ServeContent(rec, req, key, fobj.ModTime, f)
	f.Close()
	if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), data[1000:2000]) {
		t.Fatalf("range read = %d with %d bytes, want 206 with data[1000:2000]", rec.Code, rec.Body.Len())
	}
	reqs = fake.seen()
	get := reqs[len(reqs)-1]
	assertServerCall(t, get, http.MethodGet, key, http.StatusPartialContent)
	if want := "bytes=1000-" + strconv.Itoa(len(data)-1); get.Header.Get("Range") != want {
		t.Fatalf("GET Range = %q, want %q", get.Header.Get("Range"), want)
	}

	dg, err := storage.Digest(ctx, o, key)
	if err != nil || dg.MD5 != obj.MD5 || dg.SHA256 != obj.SHA256 || dg.Size != obj.Size {
		t.Fatalf("Digest = %+v, %v; want the digests of Put", dg, err)
	}

	if err := o.Delete(ctx, key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	reqs = fake.seen()
	assertServerCall(t, reqs[len(reqs)-1], http.MethodDelete, key, http.StatusNoContent)
	if _, ok := fake.object(key); ok {
		t.Fatal("object still stored after Delete")
	}
	if _, err := o.Stat(ctx, key); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("Stat after Delete = %v, want not_found", err)
	}
	reqs = fake.seen()
	assertServerCall(t, reqs[len(reqs)-1], http.MethodHead, key, http.StatusNotFound)
	if _, _, err := o.Open(ctx, key); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("Open after Delete = %v, want not_found", err)
	}
	if err := o.Delete(ctx, key); err != nil {
		t.Fatalf("Delete of a missing key = %v, want nil", err)
	}
}

func TestOSSPutTooLarge(t *testing.T) {
	fake, o := newTestOSS(t, false)
	_, err := o.Put(context.Background(), "p1/big.bin", bytes.NewReader(storagetest.Payload(500_000, 6)), storage.PutOptions{MaxSize: 100_000})
	if !apperr.Is(err, apperr.TooLarge) {
		t.Fatalf("Put over the limit = %v, want too_large", err)
	}
	assertNothingStored(t, fake, "p1/big.bin")
}

func TestOSSPutReaderFails(t *testing.T) {
	fake, o := newTestOSS(t, false)
	boom := errors.New("connection reset by client")
	r := &storagetest.FailingReader{R: bytes.NewReader(storagetest.Payload(300_000, 7)), N: 150_000, Err: boom}
	_, err := o.Put(context.Background(), "p1/x.bin", r, storage.PutOptions{MaxSize: 1 << 20})
	if !errors.Is(err, boom) {
		t.Fatalf("Put = %v, want the reader's error", err)
	}
	assertNothingStored(t, fake, "p1/x.bin")
}

func TestOSSPutCancelled(t *testing.T) {
	fake, o := newTestOSS(t, false)
	ctx, cancel := context.WithCancel(context.Background())
	r := &storagetest.CancelingReader{R: bytes.NewReader(storagetest.Payload(300_000, 8)), Cancel: cancel}
	_, err := o.Put(ctx, "p1/x.bin", r, storage.PutOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Put = %v, want context.Canceled", err)
	}
	assertNothingStored(t, fake, "p1/x.bin")
}

// assertNothingStored checks a failed Put left no object: a clean-up DELETE
// of the key was sent before Put returned, and any PUT that reached the fake
// was abandoned mid-body.
func assertNothingStored(tb testing.TB, fake *fakeOSS, key string) {
	tb.Helper()
	reqs := fake.seen()
	deleted := false
	for _, r := range reqs {
		deleted = deleted || r.Method == http.MethodDelete && r.Key == key
	}
	if !deleted {
		tb.Fatalf("requests when Put returned = %v, want a DELETE of %s", reqs, key)
	}
	reqs = fake.settle(tb)
	for _, r := range reqs {
		if r.Method == http.MethodPut && !r.Aborted {
			tb.Fatalf("a PUT was not abandoned: %v", reqs)
		}
	}
	if _, ok := fake.object(key); ok {
		tb.Fatalf("object %s stored after a failed Put", key)
	}
}

func TestOSSBadKeysMakeNoRequest(t *testing.T) {
	ctx := context.Background()
	fake, o := newTestOSS(t, true)
	for _, key := range []string{"", "/abs", "../x", "a//b", `a\b`, ".hidden", "a?b"} {
		if _, err := o.Put(ctx, key, strings.NewReader("x"), storage.PutOptions{}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Put(%q) = %v, want invalid", key, err)
		}
		if _, err := o.Stat(ctx, key); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Stat(%q) = %v, want invalid", key, err)
		}
		if _, _, err := o.Open(ctx, key); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Open(%q) = %v, want invalid", key, err)
		}
		if err := o.Delete(ctx, key); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Delete(%q) = %v, want invalid", key, err)
		}
		if _, err := o.URL(ctx, key, time.Minute); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("URL(%q) = %v, want invalid", key, err)
		}
	}
	if reqs := fake.seen(); len(reqs) != 0 {
		t.Fatalf("bad keys reached OSS: %v", reqs)
	}
}

func TestOSSServiceErrorIsUnavailable(t *testing.T) {
	fake := newFakeOSS(t, testBucket, testAK, testSK)
	o := mustOSS(t, Config{Endpoint: fake.srv.URL, Bucket: testBucket, AccessKeyID: testAK, AccessKeySecret: "wrong-secret"})
	_, err := o.Stat(context.Background(), "p1/x.bin")
	if !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("Stat with a wrong secret = %v, want unavailable", err)
	}
	if strings.Contains(err.Error(), "wrong-secret") {
		t.Fatalf("error leaks the secret: %v", err)
	}
	if reqs := fake.seen(); len(reqs) != 1 || reqs[0].Status != http.StatusForbidden {
		t.Fatalf("requests = %v, want one refused HEAD", reqs)
	}
}

func TestOSSSignedURL(t *testing.T) {
	ctx := context.Background()
	fake, o := newTestOSS(t, true)
	key := "p1/2024-05/0123456789abcdef0123456789abcdef.bin"
	data := storagetest.Payload(4096, 9)
	if _, err := o.Put(ctx, key, bytes.NewReader(data), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}

	before := time.Now().Unix()
	raw, err := o.URL(ctx, key, 15*time.Minute)
	if err != nil {
		t.Fatalf("URL: %v", err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if want := fake.srv.URL + "/" + testBucket + "/"; !strings.HasPrefix(raw, want) {
		t.Fatalf("signed URL %q does not start with %q", raw, want)
	}
	if u.Path != "/"+testBucket+"/"+key {
		t.Fatalf("signed URL path = %q", u.Path)
	}
	q := u.Query()
	exp, err := strconv.ParseInt(q.Get("Expires"), 10, 64)
	if q.Get("OSSAccessKeyId") != testAK || q.Get("Signature") == "" || err != nil ||
		exp < before+900 || exp > time.Now().Unix()+900 {
		t.Fatalf("signed URL query = %v, want OSSAccessKeyId, Expires about now+900, Signature", q)
	}
	if strings.Contains(raw, testSK) {
		t.Fatal("signed URL contains the secret")
	}

	// The fake verifies the signature: the URL must actually work.
	resp, err := http.Get(raw)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, data) {
		t.Fatalf("GET signed URL = %d with %d bytes, want 200 with the object", resp.StatusCode, len(body))
	}
	q.Set("Expires", strconv.FormatInt(exp+1, 10))
	u.RawQuery = q.Encode()
	if resp, err := http.Get(u.String()); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("GET with a tampered Expires = %v, %v; want 403", resp.Status, err)
	}

	if _, err := o.URL(ctx, key, 0); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("URL with ttl 0 = %v, want invalid", err)
	}
}

func TestOSSPublicURL(t *testing.T) {
	ctx := context.Background()
	key := "p1/2024-05/a.wgt"
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Endpoint: "oss-cn-hangzhou.aliyuncs.com", PublicBaseURL: "https://cdn.example.com/"}, "https://cdn.example.com/" + key},
		{Config{Endpoint: "oss-cn-hangzhou.aliyuncs.com", PublicBaseURL: "https://cdn.example.com/hoist"}, "https://cdn.example.com/hoist/" + key},
		{Config{Endpoint: "oss-cn-hangzhou.aliyuncs.com"}, "https://" + testBucket + ".oss-cn-hangzhou.aliyuncs.com/" + key},
		{Config{Endpoint: "http://127.0.0.1:9000"}, "http://127.0.0.1:9000/" + testBucket + "/" + key},
	}
	for _, tt := range tests {
		tt.cfg.Bucket, tt.cfg.AccessKeyID, tt.cfg.AccessKeySecret = testBucket, testAK, testSK
		got, err := mustOSS(t, tt.cfg).URL(ctx, key, time.Minute)
		if err != nil || got != tt.want {
			t.Errorf("URL with %+v = %q, %v; want %q", tt.cfg.PublicBaseURL, got, err, tt.want)
		}
	}
	// Signing wins over a CDN base; without a scheme the endpoint is https.
	signed := mustOSS(t, Config{Endpoint: "oss-cn-hangzhou.aliyuncs.com", Bucket: testBucket, AccessKeyID: testAK,
		AccessKeySecret: testSK, PublicBaseURL: "https://cdn.example.com", Signed: true})
	got, err := signed.URL(ctx, key, time.Minute)
	if err != nil || !strings.HasPrefix(got, "https://"+testBucket+".oss-cn-hangzhou.aliyuncs.com/p1%2F2024-05%2Fa.wgt?") &&
		!strings.HasPrefix(got, "https://"+testBucket+".oss-cn-hangzhou.aliyuncs.com/p1/2024-05/a.wgt?") {
		t.Fatalf("signed URL = %q, %v", got, err)
	}
}

func TestOSSObjectHeaders(t *testing.T) {
	h := http.Header{}
	h.Set("Content-Length", "42")
	h.Set("ETag", `"5EB63BBBE01EEED093CB22BB8F5ACDC3"`)
	h.Set("Last-Modified", "Fri, 24 Feb 2012 06:07:48 GMT")
	if obj := ossObject("k.bin", h); obj.MD5 != "5eb63bbbe01eeed093cb22bb8f5acdc3" || obj.Size != 42 ||
		obj.ModTime.IsZero() || obj.ContentType != "application/octet-stream" {
		t.Errorf("object from a plain ETag = %+v", obj)
	}
	h.Set("ETag", `"5EB63BBBE01EEED093CB22BB8F5ACDC3-3"`) // multipart
	if obj := ossObject("k.bin", h); obj.MD5 != "" {
		t.Errorf("MD5 from a multipart ETag = %q, want empty", obj.MD5)
	}
	h.Set("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==")
	if obj := ossObject("k.bin", h); obj.MD5 != "d41d8cd98f00b204e9800998ecf8427e" {
		t.Errorf("MD5 from Content-MD5 = %q", obj.MD5)
	}
}

func TestNewOSSRejectsBadConfig(t *testing.T) {
	ok := Config{Endpoint: "oss-cn-hangzhou.aliyuncs.com", Bucket: "b", AccessKeyID: "a", AccessKeySecret: "s"}
	for name, mut := range map[string]func(*Config){
		"no endpoint":     func(c *Config) { c.Endpoint = "" },
		"no bucket":       func(c *Config) { c.Bucket = "" },
		"no key":          func(c *Config) { c.AccessKeyID = "" },
		"no secret":       func(c *Config) { c.AccessKeySecret = "" },
		"bad public base": func(c *Config) { c.PublicBaseURL = "cdn.example.com" },
	} {
		cfg := ok
		mut(&cfg)
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}
