package stats_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/release"
	"github.com/hoist-ota/hoist/internal/stats"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

var day = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func totalChecks(t *testing.T, st stats.Store, project string) int64 {
	t.Helper()
	r, err := st.Report(context.Background(), project, "2026-11-01", "2026-11-30", "")
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, d := range r.ChecksPerDay {
		n += d.Count
	}
	return n
}

// Counts recorded right up to shutdown are written by Run's final flush.
func TestRunFlushesOnShutdown(t *testing.T) {
	for _, d := range storetest.Drivers() {
		t.Run(d, func(t *testing.T) {
			st := storetest.MustOpen(t, d).Stats()
			rec := stats.NewRecorder(st, stats.Options{FlushEvery: time.Hour}, discard())
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error)
			go func() { done <- rec.Run(ctx) }()
			for i := 0; i < 1000; i++ {
				rec.Record(release.Outcome{ProjectID: "p1", Platform: "android", WgtVersionCode: int64(i % 3), Result: release.ApplyWgt,
					WgtID: "w1", UUID: fmt.Sprint("u", i%10), SystemInfo: []byte(`{"uuid":"x"}`), Time: day})
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if n := totalChecks(t, st, "p1"); n != 1000 {
				t.Fatalf("%d of 1000 checks written", n)
			}
			r, _ := st.Report(context.Background(), "p1", "2026-11-21", "2026-11-21", "")
			if len(r.Offers) != 1 || r.Offers[0].Count != 1000 || len(r.NewDevicesPerDay) != 1 || r.NewDevicesPerDay[0].Count != 10 {
				t.Fatalf("offers %+v devices %+v", r.Offers, r.NewDevicesPerDay)
			}
		})
	}
}

// A store that fails: nothing counted is lost, the next flush writes it.
type flaky struct {
	stats.Store
	fail bool
}

func (f *flaky) AddChecks(ctx context.Context, cs []stats.CheckCount) error {
	if f.fail {
		return errors.New("database down")
	}
	return f.Store.AddChecks(ctx, cs)
}

func TestFailedFlushKeepsCounts(t *testing.T) {
	st := storetest.MustOpen(t, "sqlite").Stats()
	f := &flaky{Store: st, fail: true}
	rec := stats.NewRecorder(f, stats.Options{}, discard())
	rec.Record(release.Outcome{ProjectID: "p", Platform: "ios", Time: day, WgtID: "w", Result: release.ApplyWgt})
	if err := rec.Flush(context.Background()); err == nil {
		t.Fatal("failure not reported")
	}
	rec.Record(release.Outcome{ProjectID: "p", Platform: "ios", Time: day})
	f.fail = false
	if err := rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := totalChecks(t, st, "p"); n != 2 {
		t.Fatalf("%d checks after recovery, want 2", n)
	}
	// Offers succeeded the first time and must not be counted twice.
	r, _ := st.Report(context.Background(), "p", "2026-11-21", "2026-11-21", "")
	if len(r.Offers) != 1 || r.Offers[0].Count != 1 {
		t.Fatalf("offers %+v", r.Offers)
	}
}

func TestDeviceQueueIsBounded(t *testing.T) {
	for _, driver := range storetest.Drivers() {
		t.Run(driver, func(t *testing.T) { testDeviceQueueIsBounded(t, storetest.MustOpen(t, driver).Stats()) })
	}
}

// The new-device counts come from the rows really inserted, on every
// database (MariaDB reports an ignored repeat as no row affected).
func testDeviceQueueIsBounded(t *testing.T, st stats.Store) {
	rec := stats.NewRecorder(st, stats.Options{DeviceQueue: 5}, discard())
	for i := 0; i < 8; i++ {
		rec.Record(release.Outcome{ProjectID: "p", Platform: "android", UUID: fmt.Sprint("dev", i), Time: day})
	}
	rec.Record(release.Outcome{ProjectID: "p", Platform: "android", UUID: "dev0", Time: day}) // known: not queued again
	if rec.Dropped() != 3 {
		t.Fatalf("dropped %d, want 3", rec.Dropped())
	}
	if err := rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	r, _ := st.Report(context.Background(), "p", "2026-11-21", "2026-11-21", "")
	if r.NewDevicesPerDay[0].Count != 5 {
		t.Fatalf("devices %+v", r.NewDevicesPerDay)
	}
	// A device already in the database is not counted again by another node.
	rec2 := stats.NewRecorder(st, stats.Options{}, discard())
	rec2.Record(release.Outcome{ProjectID: "p", Platform: "android", UUID: "dev1", Time: day.Add(24 * time.Hour)})
	rec2.Flush(context.Background())
	r, _ = st.Report(context.Background(), "p", "2026-11-01", "2026-11-30", "")
	if len(r.NewDevicesPerDay) != 1 {
		t.Fatalf("a known device was counted as new again: %+v", r.NewDevicesPerDay)
	}
}

// capture records the devices written, on top of the real store.
type capture struct {
	stats.Store
	devices []stats.NewDevice
}

func (c *capture) AddDevices(ctx context.Context, ds []stats.NewDevice) error {
	c.devices = append(c.devices, ds...)
	return c.Store.AddDevices(ctx, ds)
}

// What is stored of a new device's systemInfo is a few known fields,
// each cut to 64 characters: never the whole free-form object.
func TestNewDeviceSystemInfoIsBounded(t *testing.T) {
	c := &capture{Store: storetest.MustOpen(t, "sqlite").Stats()}
	rec := stats.NewRecorder(c, stats.Options{}, discard())
	long := strings.Repeat("m", 300)
	info := `{"uuid":"u1","brand":"Xiaomi","model":"` + long + `","platform":"android","osVersion":14,` +
		`"junk":"` + strings.Repeat("j", 4000) + `","nested":{"a":1},"brand2":true}`
	rec.Record(release.Outcome{ProjectID: "p", Platform: "android", UUID: "u1", SystemInfo: []byte(info), Time: day})
	rec.Record(release.Outcome{ProjectID: "p", Platform: "android", UUID: "u2", SystemInfo: []byte(`[1,2]`), Time: day})
	rec.Record(release.Outcome{ProjectID: "p", Platform: "android", UUID: "u3", SystemInfo: []byte(`{"model":{"x":1}}`), Time: day})
	if err := rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range c.devices {
		got[d.UUID] = string(d.SystemInfo)
	}
	want := map[string]string{
		"u1": `{"brand":"Xiaomi","model":"` + long[:64] + `","osVersion":"14","platform":"android"}`,
		"u2": "", "u3": "",
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: stored %s\nwant %s", id, got[id], w)
		}
	}
}

// One client address creates at most NewDevicesPerIPPerMinute devices a
// minute; the others are not marked seen, so a later check records them.
func TestNewDevicesAreLimitedPerAddress(t *testing.T) {
	c := &capture{Store: storetest.MustOpen(t, "sqlite").Stats()}
	rec := stats.NewRecorder(c, stats.Options{NewDevicesPerIPPerMinute: 3}, discard())
	for i := range 5 {
		rec.Record(release.Outcome{ProjectID: "p", Platform: "android", UUID: fmt.Sprint("a", i), ClientIP: "10.0.0.1", Time: day})
	}
	rec.Record(release.Outcome{ProjectID: "p", Platform: "android", UUID: "b0", ClientIP: "10.0.0.2", Time: day})
	rec.Record(release.Outcome{ProjectID: "p", Platform: "android", UUID: "c0", Time: day}) // no address known: not limited
	if rec.Dropped() != 2 {
		t.Errorf("dropped %d, want 2", rec.Dropped())
	}
	rec.Record(release.Outcome{ProjectID: "p", Platform: "android", UUID: "a4", ClientIP: "10.0.0.1", Time: day.Add(time.Minute)})
	if err := rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range c.devices {
		ids = append(ids, d.UUID)
	}
	if strings.Join(ids, ",") != "a0,a1,a2,b0,c0,a4" {
		t.Fatalf("stored %v", ids)
	}
}

// TestMadeUpVersionCodesAddNoRowsWithoutEnd: a client sending a new
// versionCode with every check adds at most MaxVersionsPerDay versions to
// a project's day; the checks past it are counted as OtherVersions, and
// the total is exact. The next day has its own allowance.
func TestMadeUpVersionCodesAddNoRowsWithoutEnd(t *testing.T) {
	st := storetest.MustOpen(t, "sqlite").Stats()
	rec := stats.NewRecorder(st, stats.Options{}, discard())
	extra := 150
	for i := range stats.MaxVersionsPerDay + extra {
		rec.Record(release.Outcome{ProjectID: "p", Platform: "android", Time: day, WgtVersionCode: int64(10_000 + i), NativeVersionCode: 100})
		rec.Record(release.Outcome{ProjectID: "p", Platform: "android", Time: day, WgtVersionCode: 100, NativeVersionCode: 100})
	}
	rec.Record(release.Outcome{ProjectID: "p", Platform: "android", Time: day.Add(24 * time.Hour), WgtVersionCode: 99_999, NativeVersionCode: 100})
	if err := rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	r, err := st.Report(context.Background(), "p", "2026-11-21", "2026-11-21", "")
	if err != nil {
		t.Fatal(err)
	}
	var total, other int64
	for _, v := range r.WgtVersions {
		total += v.Count
		if v.VersionCode == stats.OtherVersions {
			other = v.Count
		}
	}
	// The real version (100) takes one of the allowance.
	if len(r.WgtVersions) != stats.MaxVersionsPerDay+1 || other != int64(extra+1) || total != int64(2*(stats.MaxVersionsPerDay+extra)) {
		t.Fatalf("%d versions, %d other, %d checks; want %d, %d, %d", len(r.WgtVersions), other, total,
			stats.MaxVersionsPerDay+1, extra+1, 2*(stats.MaxVersionsPerDay+extra))
	}
	next, _ := st.Report(context.Background(), "p", "2026-11-22", "2026-11-22", "")
	if len(next.WgtVersions) != 1 || next.WgtVersions[0].VersionCode != 99_999 {
		t.Fatalf("the next day: %+v", next.WgtVersions)
	}
}
