package oss

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash/crc64"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeOSS stands in for an OSS endpoint (path-style, as the SDK addresses an
// IP endpoint). It checks what clients send — bucket and key in the path, a
// V1 "Authorization: OSS {ak}:{sig}" header whose signature it recomputes,
// or a signed URL's query, Content-MD5 when sent — and answers like OSS:
// ETag and x-oss-hash-crc64ecma on PUT, XML errors, x-oss-err on HEAD.
type fakeOSS struct {
	t      testing.TB
	bucket string
	ak, sk string
	srv    *httptest.Server

	mu       sync.Mutex
	objects  map[string]fakeObject
	requests []fakeRequest
	inflight int           // handlers running
	idle     chan struct{} // closed while inflight is 0
}

type fakeObject struct {
	data        []byte
	contentType string
	modTime     time.Time
}

// fakeRequest is what the fake saw of one request.
type fakeRequest struct {
	Method        string
	Key           string
	Header        http.Header
	Query         string
	ContentLength int64
	Chunked       bool
	BodyLen       int
	Aborted       bool // the body ended in an error
	Status        int
}

func newFakeOSS(tb testing.TB, bucket, ak, sk string) *fakeOSS {
	tb.Helper()
	f := &fakeOSS{t: tb, bucket: bucket, ak: ak, sk: sk, objects: map[string]fakeObject{}, idle: make(chan struct{})}
	close(f.idle)
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.srv.Close)
	return f
}

func (f *fakeOSS) object(key string) (fakeObject, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objects[key]
	return o, ok
}

func (f *fakeOSS) seen() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.requests...)
}

func (f *fakeOSS) record(r fakeRequest) {
	f.mu.Lock()
	f.requests = append(f.requests, r)
	f.mu.Unlock()
}

func (f *fakeOSS) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	if f.inflight == 0 {
		f.idle = make(chan struct{})
	}
	f.inflight++
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		if f.inflight--; f.inflight == 0 {
			close(f.idle)
		}
		f.mu.Unlock()
	}()
	rec := &fakeRequest{Method: r.Method, Header: r.Header.Clone(), Query: r.URL.RawQuery,
		ContentLength: r.ContentLength, Chunked: len(r.TransferEncoding) > 0 && r.TransferEncoding[0] == "chunked"}
	// The request is recorded before its answer goes out, so a client that
	// has its answer finds it in seen().
	rw := &recordingWriter{ResponseWriter: w, f: f, rec: rec}
	defer rw.flush()
	w = rw
	w.Header().Set("x-oss-request-id", "5C3D9175B6FC201293AD"+strconv.Itoa(len(f.seen())))
	w.Header().Set("Server", "AliyunOSS")

	key, ok := strings.CutPrefix(r.URL.Path, "/"+f.bucket+"/")
	if !ok || key == "" {
		f.fail(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist.")
		return
	}
	rec.Key = key
	if code, msg := f.checkAuth(r, key); code != "" {
		io.Copy(io.Discard, r.Body)
		f.fail(w, r, http.StatusForbidden, code, msg)
		return
	}

	switch r.Method {
	case http.MethodPut:
		body, err := io.ReadAll(r.Body)
		rec.BodyLen = len(body)
		if err != nil {
			rec.Aborted = true // the client gave up mid-body: OSS stores nothing
			return
		}
		sum := md5.Sum(body)
		if cm := r.Header.Get("Content-MD5"); cm != "" && cm != base64.StdEncoding.EncodeToString(sum[:]) {
			f.fail(w, r, http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified is not valid.")
			return
		}
		if r.ContentLength >= 0 && int64(len(body)) != r.ContentLength {
			f.fail(w, r, http.StatusBadRequest, "IncompleteBody", "The request body is incomplete.")
			return
		}
		f.mu.Lock()
		f.objects[key] = fakeObject{data: body, contentType: r.Header.Get("Content-Type"), modTime: time.Now().UTC().Truncate(time.Second)}
		f.mu.Unlock()
		w.Header().Set("ETag", `"`+strings.ToUpper(hex.EncodeToString(sum[:]))+`"`)
		w.Header().Set("x-oss-hash-crc64ecma", strconv.FormatUint(crc64.Checksum(body, crc64.MakeTable(crc64.ECMA)), 10))
		w.Header().Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
		w.WriteHeader(http.StatusOK)
	case http.MethodHead, http.MethodGet:
		o, ok := f.object(key)
		if !ok {
			f.fail(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
			return
		}
		sum := md5.Sum(o.data)
		h := w.Header()
		h.Set("Content-Type", o.contentType)
		h.Set("ETag", `"`+strings.ToUpper(hex.EncodeToString(sum[:]))+`"`)
		h.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
		h.Set("x-oss-object-type", "Normal")
		h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(crc64.Checksum(o.data, crc64.MakeTable(crc64.ECMA)), 10))
		http.ServeContent(w, r, "", o.modTime, bytes.NewReader(o.data))
	case http.MethodDelete:
		f.mu.Lock()
		delete(f.objects, key)
		f.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		f.fail(w, r, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
	}
}

// settle waits until no handler runs, for requests whose handler ends after
// the client has moved on (an upload abandoned mid-body), and returns the
// recorded requests.
func (f *fakeOSS) settle(tb testing.TB) []fakeRequest {
	tb.Helper()
	f.mu.Lock()
	idle := f.idle
	f.mu.Unlock()
	select {
	case <-idle:
		return f.seen()
	case <-time.After(5 * time.Second):
		f.mu.Lock()
		n := f.inflight
		f.mu.Unlock()
		tb.Fatalf("fake OSS still has %d requests running", n)
		return nil
	}
}

// checkAuth verifies a V1 header signature or a signed URL's query and
// returns an OSS error code and message when it does not hold.
func (f *fakeOSS) checkAuth(r *http.Request, key string) (code, msg string) {
	resource := "/" + f.bucket + "/" + key
	if q := r.URL.Query(); q.Has("Signature") {
		if q.Get("OSSAccessKeyId") != f.ak {
			return "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records."
		}
		exp, err := strconv.ParseInt(q.Get("Expires"), 10, 64)
		if err != nil || time.Now().Unix() > exp {
			return "AccessDenied", "Request has expired."
		}
		if q.Get("Signature") != f.sign(r.Method+"\n\n\n"+q.Get("Expires")+"\n"+resource) {
			return "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."
		}
		return "", ""
	}
	auth := r.Header.Get("Authorization")
	cred, ok := strings.CutPrefix(auth, "OSS "+f.ak+":")
	if !ok {
		return "AccessDenied", "Authorization header missing or not OSS " + f.ak
	}
	if r.Header.Get("Date") == "" {
		return "AccessDenied", "Date header missing"
	}
	var ossHeaders []string
	for k, v := range r.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-oss-") {
			ossHeaders = append(ossHeaders, lk+":"+v[0]+"\n")
		}
	}
	sort.Strings(ossHeaders)
	toSign := r.Method + "\n" + r.Header.Get("Content-MD5") + "\n" + r.Header.Get("Content-Type") + "\n" +
		r.Header.Get("Date") + "\n" + strings.Join(ossHeaders, "") + resource
	if cred != f.sign(toSign) {
		return "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."
	}
	return "", ""
}

func (f *fakeOSS) sign(s string) string {
	mac := hmac.New(sha1.New, []byte(f.sk))
	mac.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// fail writes an OSS error: an XML body, or for HEAD (which has no body) the
// same XML base64-encoded in x-oss-err.
func (f *fakeOSS) fail(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	type ossError struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string   `xml:"Code"`
		Message   string   `xml:"Message"`
		RequestID string   `xml:"RequestId"`
		HostID    string   `xml:"HostId"`
		EC        string   `xml:"EC"`
	}
	body, err := xml.Marshal(ossError{Code: code, Message: msg, RequestID: w.Header().Get("x-oss-request-id"),
		HostID: f.bucket + ".oss-cn-hangzhou.aliyuncs.com", EC: "0026-00000001"})
	if err != nil {
		f.t.Errorf("fake OSS: %v", err)
	}
	body = append([]byte(xml.Header), body...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-oss-ec", "0026-00000001")
	if r.Method == http.MethodHead {
		w.Header().Set("x-oss-err", base64.StdEncoding.EncodeToString(body))
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// recordingWriter records its request once, when the answer starts or, for
// a request never answered, when the handler ends.
type recordingWriter struct {
	http.ResponseWriter
	f        *fakeOSS
	rec      *fakeRequest
	recorded bool
}

func (rw *recordingWriter) WriteHeader(code int) {
	if !rw.recorded {
		rw.rec.Status = code
		rw.flush()
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *recordingWriter) Write(b []byte) (int, error) {
	if !rw.recorded {
		rw.WriteHeader(http.StatusOK)
	}
	return rw.ResponseWriter.Write(b)
}

func (rw *recordingWriter) flush() {
	if !rw.recorded {
		rw.recorded = true
		rw.f.record(*rw.rec)
	}
}

// String summarises a request for test failures.
func (r fakeRequest) String() string {
	return fmt.Sprintf("%s %s -> %d (len %d, chunked %v, body %d, aborted %v)",
		r.Method, r.Key, r.Status, r.ContentLength, r.Chunked, r.BodyLen, r.Aborted)
}
