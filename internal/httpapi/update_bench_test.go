package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchProject publishes a project of 50 resources: 2 natives per
// platform, 20 wgt per platform spread over them, some rolled out.
func benchProject(tb testing.TB, ts *testServer) string {
	tb.Helper()
	fx := newReleaseFixture(tb, ts)
	tok, pid := fx.owner.AccessToken, fx.project.ID
	apk := ts.mustUpload(tb, tok, pid, "app.apk", apkBytes(tb))
	wgt := ts.mustUpload(tb, tok, pid, "app.wgt", wgtBytes(tb))
	n := 0
	for i, code := range []int{100, 110} {
		ts.mustResource(tb, tok, pid, map[string]any{"type": 3, "version": fmt.Sprint(code), "versionCode": code, "storageKey": apk.Key, "updateType": 1})
		ts.mustResource(tb, tok, pid, map[string]any{"type": 4, "version": fmt.Sprint(code), "versionCode": code, "url": "https://apps.apple.com/app/id1", "updateType": 1})
		n += 2
		for j := 0; j < 11; j++ {
			for _, typ := range []int{1, 2} {
				body := map[string]any{"type": typ, "version": fmt.Sprintf("%d.%d", code, j), "versionCode": 1000*(i+1) + j,
					"nativeVersionCode": code, "storageKey": wgt.Key, "updateType": 1, "changelog": "fixes and improvements"}
				if j%4 == 3 {
					body["rolloutPercent"] = 25
				}
				if n < 50 {
					ts.mustResource(tb, tok, pid, body)
					n++
				}
			}
		}
	}
	return pid
}

func BenchmarkUpdateCheck(b *testing.B) {
	ts := mustServer(b, nil)
	pid := benchProject(b, ts)
	body, _ := json.Marshal(map[string]any{
		"projectId": pid, "platform": "android", "wgtVersion": "100.3", "wgtVersionCode": 1003,
		"nativeVersion": "100", "nativeVersionCode": 100,
		"systemInfo": map[string]any{"uuid": "8c1f0c9a-7a1d-4e0b-9a52-1f4d6f0e2b11", "brand": "xiaomi", "model": "M2012K11AC",
			"platform": "android", "system": "Android 13", "language": "zh-CN", "pixelRatio": 2.75, "screenWidth": 393,
			"screenHeight": 873, "windowWidth": 393, "windowHeight": 873, "statusBarHeight": 29, "appName": "shop",
			"appVersion": "1.0.0", "appVersionCode": 100, "uniPlatform": "app", "osName": "android", "osVersion": "13"},
	})
	h := ts.Handler()
	// Warm the cache and check the answer once.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/api/basic/update", bytes.NewReader(body)))
	if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), []byte(`"wgt":{`)) {
		b.Fatalf("warm-up: %d %s", rec.Code, rec.Body)
	}
	// One request and one writer, reset each time, as net/http would give
	// the handler: what is counted is the handler's own work.
	w := &benchWriter{h: http.Header{}}
	rd := &rewindReader{b: body}
	req := httptest.NewRequest("POST", "/api/basic/update", nil)
	req.Body = rd
	req.RemoteAddr = "203.0.113.9:40000"
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rd.i = 0
		clear(w.h)
		w.status, w.n = 0, 0
		h.ServeHTTP(w, req)
	}
	b.StopTimer()
	if w.status != 200 || w.n < 100 {
		b.Fatalf("status %d, %d bytes", w.status, w.n)
	}
}

type benchWriter struct {
	h         http.Header
	status, n int
}

func (w *benchWriter) Header() http.Header { return w.h }
func (w *benchWriter) WriteHeader(s int)   { w.status = s }
func (w *benchWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = 200
	}
	w.n += len(b)
	return len(b), nil
}

type rewindReader struct {
	b []byte
	i int
}

func (r *rewindReader) Read(p []byte) (int, error) {
	if r.i >= len(r.b) {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.i:])
	r.i += n
	return n, nil
}
func (r *rewindReader) Close() error { return nil }
