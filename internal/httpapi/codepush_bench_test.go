package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/release"
)

// BenchmarkCodePushCheck measures the CodePush update check through the
// router (a deployment of 20 releases, the device on the one before last),
// next to BenchmarkUpdateCheck.
func BenchmarkCodePushCheck(b *testing.B) {
	ts := mustServer(b, nil)
	f := newReleaseFixture(b, ts)
	tok, pid := f.owner.AccessToken, f.project.ID
	var chs []channelView
	ts.mustOK(b, 200, "GET", "/api/v1/projects/"+pid+"/channels", tok, nil, &chs)
	key := chs[0].DeploymentKeys[release.PlatformAndroid]
	var prev resourceView
	for i := range 20 {
		fv := ts.mustUpload(b, tok, pid, "b.zip", mustZip(b, "CodePush/index.android.bundle", "CodePush/v"+itoa(i)))
		r := ts.mustResource(b, tok, pid, map[string]any{"type": 6, "storageKey": fv.Key, "targetBinaryRange": "^1.0.0", "updateType": 1})
		if i == 18 {
			prev = r
		}
	}
	target := "/v0.1/public/codepush/update_check?deployment_key=" + key + "&app_version=1.2.0&label=" + prev.Label +
		"&client_unique_id=dev-1"
	h := ts.Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"label":"v20"`) {
		b.Fatalf("warm-up: %d %s", rec.Code, rec.Body)
	}
	// One request and one writer, reset each time, as in
	// BenchmarkUpdateCheck: what is counted is the handler's own work.
	w := &benchWriter{h: http.Header{}}
	req := httptest.NewRequest("GET", target, nil)
	req.RemoteAddr = "203.0.113.9:40000"
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		clear(w.h)
		w.status, w.n = 0, 0
		h.ServeHTTP(w, req)
	}
	b.StopTimer()
	if w.status != 200 {
		b.Fatalf("status %d", w.status)
	}
}
