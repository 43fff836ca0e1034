package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkCheckDuringRepublish measures update checks of a project of
// 10 000 wgt releases (HOIST_BENCH_RESOURCES) while a maintainer edits one
// of them every 250 ms: each edit makes the project's answer be compiled
// again. It reports the checks' p50, p99 and worst latency; before answers
// were rebuilt beside the readers, every edit held all checks of the
// project for a full rebuild. It also reports the slowest edit request:
// the edit is applied to the compiled answer in that request
// (RefreshResource), where it used to compile the whole catalog. Run by
// make bench-scale (HOIST_BENCH_SCALE=1).
func BenchmarkCheckDuringRepublish(b *testing.B) {
	if os.Getenv("HOIST_BENCH_SCALE") == "" {
		b.Skip("set HOIST_BENCH_SCALE=1 (make bench-scale)")
	}
	n := 10_000
	fmt.Sscan(os.Getenv("HOIST_BENCH_RESOURCES"), &n)
	ts := mustServer(b, nil)
	fx := newReleaseFixture(b, ts)
	tok, pid := fx.owner.AccessToken, fx.project.ID
	apk := ts.mustUpload(b, tok, pid, "app.apk", apkBytes(b))
	wgt := ts.mustUpload(b, tok, pid, "app.wgt", wgtBytes(b))
	ts.mustResource(b, tok, pid, map[string]any{"type": 3, "version": "1.0.0", "versionCode": 100, "storageKey": apk.Key, "updateType": 1})
	var last resourceView
	for i := range n {
		last = ts.mustResource(b, tok, pid, map[string]any{"type": 1, "version": fmt.Sprintf("1.0.%d", i), "versionCode": 1000 + i,
			"nativeVersionCode": 100, "storageKey": wgt.Key, "updateType": 1, "rolloutPercent": 50})
	}
	body, _ := json.Marshal(checkBody(pid, "android", 1000, 100, "bench-device"))
	h := ts.Handler()
	check := func() time.Duration {
		start := time.Now()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/api/basic/update", bytes.NewReader(body)))
		if rec.Code != 200 {
			b.Fatalf("check: %d %s", rec.Code, rec.Body)
		}
		return time.Since(start)
	}
	check()
	b.ResetTimer()
	for range b.N {
		var (
			mu    sync.Mutex
			lat   []time.Duration
			stop  atomic.Bool
			wg    sync.WaitGroup
			edits int
		)
		for range 2 {
			wg.Go(func() {
				var mine []time.Duration
				for !stop.Load() {
					mine = append(mine, check())
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
		}
		var editMax time.Duration
		for edits = 0; edits < 8; edits++ {
			time.Sleep(250 * time.Millisecond) // the pace of the edits, not a wait for an event
			start := time.Now()
			ts.mustOK(b, 200, "PATCH", "/api/v1/resources/"+last.ID, tok, map[string]any{"changelog": fmt.Sprint("edit ", edits)}, nil)
			editMax = max(editMax, time.Since(start))
		}
		stop.Store(true)
		wg.Wait()
		slices.Sort(lat)
		q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
		b.ReportMetric(q(0.5), "p50-µs")
		b.ReportMetric(q(0.99), "p99-µs")
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-µs")
		b.ReportMetric(float64(len(lat)), "checks")
		b.ReportMetric(float64(editMax.Microseconds())/1000, "edit-max-ms")
	}
}
