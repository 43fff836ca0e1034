package stats_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/release"
	"github.com/hoist-ota/hoist/internal/stats"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

// BenchmarkFunnelMillionDevices feeds the funnel one check of each of
// 1 000 000 distinct devices offered one release (a tenth of them
// downloading it), flushing to SQLite every 50 000 checks (5 s at 10 000
// new devices per second), and reports the live heap at the end of the
// fullest window (what the funnel holds for 1 M devices) and the estimate's
// error.
func BenchmarkFunnelMillionDevices(b *testing.B) {
	if os.Getenv("HOIST_BENCH_SCALE") == "" {
		b.Skip("set HOIST_BENCH_SCALE=1 (make bench-scale)")
	}
	const devices, window = 1_000_000, 50_000
	st := storetest.MustOpen(b, config.DriverSQLite)
	for range b.N {
		f := stats.NewFunnel(st.Funnel(), stats.FunnelOptions{FlushEvery: time.Hour}, storetest.Logger())
		var base, peak runtime.MemStats
		now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
		for i := range devices {
			h := release.DeviceHash("device-" + strconv.Itoa(i))
			f.Record(release.Outcome{ProjectID: "p", WgtID: "r1", DeviceHash: h, Time: now})
			if i%10 == 0 {
				f.Downloaded("r1", h, now)
			}
			if (i+1)%window == 0 {
				if i+1 == window {
					runtime.GC()
					runtime.ReadMemStats(&peak)
				}
				if err := f.Flush(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&base) // the funnel between windows
		got, err := f.Read(context.Background(), "r1", now, now)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(int64(peak.HeapAlloc)-int64(base.HeapAlloc))/(1<<20), "MiB-window")
		b.ReportMetric(100*float64(got.Offered-devices)/devices, "%err-offered")
		b.ReportMetric(100*float64(got.Downloaded-devices/10)/(devices/10), "%err-downloaded")
	}
}
