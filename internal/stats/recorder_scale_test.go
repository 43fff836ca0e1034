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

// BenchmarkNewDevicesAt10kPerSecond records 1 000 000 checks of distinct
// devices at 10 000 new devices a second of real time (HOIST_BENCH_DEVICES
// to change the number), with the recorder's own flush loop writing to
// SQLite, and reports how many first-seen devices were dropped, how many
// the database holds, and the live heap of the recorder's memory of
// known devices. Run by make bench-scale (HOIST_BENCH_SCALE=1).
func BenchmarkNewDevicesAt10kPerSecond(b *testing.B) {
	if os.Getenv("HOIST_BENCH_SCALE") == "" {
		b.Skip("set HOIST_BENCH_SCALE=1 (make bench-scale)")
	}
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("HOIST_BENCH_DEVICES")); err == nil {
		n = v
	}
	for range b.N {
		st := storetest.MustOpen(b, config.DriverSQLite)
		r := stats.NewRecorder(st.Stats(), stats.Options{}, storetest.Logger())
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- r.Run(ctx) }()
		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
		for i := range n {
			uuid := "device-" + strconv.Itoa(i)
			r.Record(release.Outcome{ProjectID: "p", Platform: release.PlatformAndroid, UUID: uuid,
				DeviceHash: release.DeviceHash(uuid), Time: now})
			if (i+1)%10_000 == 0 { // pace: 10 000 a second
				if d := time.Until(start.Add(time.Duration((i+1)/10_000) * time.Second)); d > 0 {
					time.Sleep(d)
				}
			}
		}
		var after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(r)
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		rep, err := st.Stats().Report(context.Background(), "p", "2026-12-04", "2026-12-04", "")
		if err != nil {
			b.Fatal(err)
		}
		var stored int64
		for _, d := range rep.NewDevicesPerDay {
			stored += d.Count
		}
		b.ReportMetric(float64(r.Dropped()), "dropped")
		b.ReportMetric(float64(stored), "stored")
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), "MiB-heap")
	}
}
