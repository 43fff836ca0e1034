package ota_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/device"
	"github.com/hoist-ota/hoist/internal/ota"
	"github.com/hoist-ota/hoist/internal/page"
	"github.com/hoist-ota/hoist/internal/project"
	"github.com/hoist-ota/hoist/internal/release"
	"github.com/hoist-ota/hoist/internal/storage/local"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

// counter stands in for the MQTT bridge (the service's outside edge): it
// keeps what was sent.
type counter struct {
	mu   sync.Mutex
	sent []ota.Outbound
}

func (c *counter) Send(_ context.Context, m ota.Outbound) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, m)
	return nil
}

func (c *counter) take() []ota.Outbound {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.sent
	c.sent = nil
	return out
}

// world is an OTA service on a real store with one owner, project,
// product "thermo" and firmware resource (version 2.0).
type world struct {
	svc      *ota.Service
	st       *store.Store
	devices  *device.Service
	owner    account.Principal
	firmware release.Resource
	pub      *counter
}

func mustWorld(tb testing.TB, st *store.Store, opts ota.Options) world {
	tb.Helper()
	ctx := context.Background()
	log := storetest.Logger()
	now := time.Now().UTC()
	u := account.User{ID: "0123456789abcdef0123456789abcdef", Username: "owner", Role: account.RoleUser,
		PasswordHash: "x", TokenVersion: 1, CreatedTime: now, UpdatedTime: now}
	if err := st.Accounts().CreateUser(ctx, &u, func(int64) error { return nil }); err != nil {
		tb.Fatal(err)
	}
	owner := account.Principal{UserID: u.ID, Username: u.Username, Role: u.Role}
	projects := project.NewService(st.Projects(), time.Now, log)
	name := "Fleet"
	pr, err := projects.Create(ctx, owner, project.Fields{Name: &name})
	if err != nil {
		tb.Fatal(err)
	}
	devices := device.NewService(st.Devices(), projects, []byte("device-key"), time.Now, log)
	if _, err := devices.CreateProduct(ctx, owner, device.ProductFields{Name: "thermo", ProjectID: pr.ID}); err != nil {
		tb.Fatal(err)
	}
	blob, err := local.New(local.Config{Dir: tb.TempDir(), Signed: true, SignKey: []byte("sign-key-sign-key-sign-key-sign-key")})
	if err != nil {
		tb.Fatal(err)
	}
	releases := release.NewService(st.Releases(), projects, blob, nil, release.Options{MaxUploadBytes: 1 << 20, URLTTL: time.Hour}, time.Now, log)
	f, err := releases.Upload(ctx, owner, pr.ID, "fw.bin", bytes.NewReader([]byte("firmware 2.0")), release.TypeFirmware)
	if err != nil {
		tb.Fatal(err)
	}
	fw, err := releases.Create(ctx, owner, pr.ID, release.NewResource{Type: release.TypeFirmware, Version: "2.0", VersionCode: 1,
		StorageKey: f.Key, UpdateType: release.UpdateConsent, Product: "thermo"})
	if err != nil {
		tb.Fatal(err)
	}
	opts.PublicBaseURL = "https://hoist.example.com"
	pub := &counter{}
	svc := ota.NewService(st.OTA(), ota.Deps{Projects: projects, Devices: devices, Releases: releases, Blob: blob,
		Sender: pub}, opts, time.Now, log)
	return world{svc: svc, st: st, devices: devices, owner: owner, firmware: fw, pub: pub}
}

// mustTagged creates n devices named d00000... with tag.
func (w world) mustTagged(tb testing.TB, n int, tag string) {
	tb.Helper()
	ns := make([]device.NewDevice, n)
	for i := range ns {
		ns[i] = device.NewDevice{Name: fmt.Sprintf("d%05d", i), Tags: []string{tag}}
	}
	if _, err := w.devices.CreateDevices(context.Background(), w.owner, "thermo", ns); err != nil {
		tb.Fatal(err)
	}
}

func (w world) mustTagCampaign(tb testing.TB, tag string) ota.Campaign {
	tb.Helper()
	c, err := w.svc.CreateCampaign(context.Background(), w.owner, ota.NewCampaign{ResourceID: w.firmware.ID, Product: "thermo",
		Target: ota.Target{Tag: tag}})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestLatestProgress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := mustWorld(t, st, ota.Options{})
		w.mustTagged(t, 2, "lab")
		c := w.mustTagCampaign(t, "lab")
		if _, ok, err := w.svc.Latest(ctx, w.owner, "thermo", "d00000"); ok || err != nil {
			t.Fatalf("none yet: %v %v", ok, err)
		}
		at := time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)
		for i, p := range []string{`{}`, fmt.Sprintf(`{"requestId":%q,"progress":40,"z":1,"a":2}`, c.RequestID)} {
			if err := w.svc.HandleProgress(ctx, "thermo", "d00000", fmt.Sprint("m", i), []byte(p), at.Add(time.Duration(i)*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		got, ok, err := w.svc.Latest(ctx, w.owner, "thermo", "d00000")
		if err != nil || !ok || got.CampaignID != c.ID || got.State != ota.StateDownloading || got.Progress != 40 ||
			!strings.Contains(string(got.Report), `"progress":40`) || !got.ReceivedAt.Equal(at.Add(time.Second)) {
			t.Fatalf("latest %+v %v %v", got, ok, err)
		}
		if _, ok, _ := w.svc.Latest(ctx, w.owner, "thermo", "d00001"); ok {
			t.Fatal("another device's progress")
		}
	})
}

// A report is in the history, the campaign and the latest progress as
// soon as HandleProgress returns: nothing waits in memory. A message id
// seen before is dropped (ErrDuplicate) and changes nothing.
func TestIngestIsCommittedWhenItReturns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := mustWorld(t, st, ota.Options{SweepEvery: time.Hour})
		w.mustTagged(t, 3, "lab")
		c := w.mustTagCampaign(t, "lab")
		history := func() int64 {
			_, n, err := st.OTA().History(ctx, c.ID, "", page.Request{Num: 1, Size: 1, Desc: true})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		for i := range 10 {
			p := fmt.Sprintf(`{"requestId":%q,"progress":%d}`, c.RequestID, i*10)
			if err := w.svc.HandleProgress(ctx, "thermo", fmt.Sprintf("d%05d", i%3), fmt.Sprint("m", i), []byte(p), time.Time{}); err != nil {
				t.Fatal(err)
			}
			if n := history(); n != int64(i+1) {
				t.Fatalf("after report %d the history has %d", i, n)
			}
		}
		err := w.svc.HandleProgress(ctx, "thermo", "d00000", "m0", []byte(`{"state":"failed"}`), time.Time{})
		if !errors.Is(err, ota.ErrDuplicate) {
			t.Fatalf("a repeated message id: %v", err)
		}
		got, _ := w.svc.Campaign(ctx, w.owner, c.ID)
		if n := history(); n != 10 || got.Counts[ota.StateFailed] != 0 || got.Counts[ota.StateDownloading] != 3 {
			t.Fatalf("the duplicate changed something: history %d, counts %v", n, got.Counts)
		}

		// One batch: duplicates within it and against the database, an
		// invalid report and a status of an unknown device are dropped;
		// the rest is applied in order.
		msgs := []ota.Message{
			{Kind: ota.KindProgress, Product: "thermo", Device: "d00001", MessageID: "b1", Payload: []byte(fmt.Sprintf(`{"requestId":%q,"state":"installing"}`, c.RequestID))},
			{Kind: ota.KindProgress, Product: "thermo", Device: "d00001", MessageID: "b1", Payload: []byte(`{"state":"failed"}`)},
			{Kind: ota.KindProgress, Product: "thermo", Device: "d00001", MessageID: "m1", Payload: []byte(`{"state":"failed"}`)},
			{Kind: ota.KindProgress, Product: "thermo", Device: "d00001", MessageID: "b2", Payload: []byte(`{"progress":"x"}`)},
			{Kind: ota.KindStatus, Product: "thermo", Device: "nobody", MessageID: "b3", Payload: []byte(`{"version":"1"}`)},
			{Kind: ota.KindProgress, Product: "thermo", Device: "d00001", MessageID: "b4", Payload: []byte(fmt.Sprintf(`{"requestId":%q,"state":"succeeded","currentVersion":"2.0"}`, c.RequestID))},
			{Kind: ota.KindStatus, Product: "thermo", Device: "d00002", MessageID: "b5", Payload: []byte(`{"version":"1.5"}`)},
		}
		out, err := w.svc.Ingest(ctx, msgs)
		if err != nil {
			t.Fatal(err)
		}
		if out[0] != nil || !errors.Is(out[1], ota.ErrDuplicate) || !errors.Is(out[2], ota.ErrDuplicate) ||
			!apperr.Is(out[3], apperr.Invalid) || !apperr.Is(out[4], apperr.NotFound) || out[5] != nil || out[6] != nil {
			t.Fatalf("outcomes %v", out)
		}
		got, _ = w.svc.Campaign(ctx, w.owner, c.ID)
		if n := history(); n != 12 || got.Counts[ota.StateSucceeded] != 1 || got.Counts[ota.StateFailed] != 0 {
			t.Fatalf("after the batch: history %d, counts %v", n, got.Counts)
		}
		for name, want := range map[string]string{"d00001": "2.0", "d00002": "1.5"} {
			d, err := w.devices.Lookup(ctx, "thermo", name)
			if err != nil || d.FirmwareVersion != want {
				t.Fatalf("%s firmware %q %v, want %q", name, d.FirmwareVersion, err, want)
			}
		}
		// A redelivered batch changes nothing.
		out, err = w.svc.Ingest(ctx, msgs)
		if err != nil {
			t.Fatal(err)
		}
		for i, o := range out {
			if !errors.Is(o, ota.ErrDuplicate) && i != 3 && i != 4 {
				t.Fatalf("redelivered message %d: %v", i, o)
			}
		}
		if n := history(); n != 12 {
			t.Fatalf("redelivery added history: %d", n)
		}
	})
}

// Reports of one device arriving concurrently all count, and a final
// state wins over the progress reports racing it.
func TestConcurrentReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := mustWorld(t, st, ota.Options{})
		w.mustTagged(t, 4, "lab")
		c := w.mustTagCampaign(t, "lab")
		var wg sync.WaitGroup
		errs := make(chan error, 80)
		for i := range 20 {
			for d := range 4 {
				wg.Go(func() {
					p := fmt.Sprintf(`{"requestId":%q,"progress":%d}`, c.RequestID, i)
					if i == 10 {
						p = fmt.Sprintf(`{"requestId":%q,"state":"failed"}`, c.RequestID)
					}
					errs <- w.svc.HandleProgress(ctx, "thermo", fmt.Sprintf("d%05d", d), fmt.Sprint("m", i), []byte(p), time.Time{})
				})
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		got, err := w.svc.Campaign(ctx, w.owner, c.ID)
		if err != nil || got.Counts[ota.StateFailed] != 4 {
			t.Fatalf("counts %v %v", got.Counts, err)
		}
		if _, n, _ := st.OTA().History(ctx, c.ID, "", page.Request{Num: 1, Size: 1}); n != 80 {
			t.Fatalf("history %d, want 80", n)
		}
	})
}

// BenchmarkTagCampaign10k times creating a tag campaign to 10 000 devices
// and publishing it (one publish), on SQLite. The devices are set up once,
// untimed; every iteration is a new campaign over all of them.
func BenchmarkTagCampaign10k(b *testing.B) {
	st := storetest.MustOpen(b, "sqlite")
	w := mustWorld(b, st, ota.Options{})
	w.mustTagged(b, 10_000, "fleet")
	ctx := context.Background()
	for b.Loop() {
		c, err := w.svc.CreateCampaign(ctx, w.owner, ota.NewCampaign{ResourceID: w.firmware.ID, Product: "thermo",
			Target: ota.Target{Tag: "fleet"}})
		if err != nil {
			b.Fatal(err)
		}
		if c.Counts[ota.StateSent] != 10_000 {
			b.Fatalf("counts %v", c.Counts)
		}
		if sent := w.pub.take(); len(sent) != 1 {
			b.Fatalf("%d publishes", len(sent))
		}
	}
}

// BenchmarkIngest applies batches of 500 progress reports of a campaign's
// devices (the committer's unit of work) on SQLite and, with
// HOIST_TEST_MYSQL_DSN, MariaDB; it reports reports/s.
func BenchmarkIngest(b *testing.B) {
	for _, driver := range storetest.Drivers() {
		b.Run(driver, func(b *testing.B) {
			st := storetest.MustOpen(b, driver)
			w := mustWorld(b, st, ota.Options{})
			w.mustTagged(b, 1000, "fleet")
			c := w.mustTagCampaign(b, "fleet")
			ctx := context.Background()
			seq := 0
			b.ResetTimer()
			for b.Loop() {
				msgs := make([]ota.Message, 500)
				for i := range msgs {
					seq++
					msgs[i] = ota.Message{Kind: ota.KindProgress, Product: "thermo", Device: fmt.Sprintf("d%05d", seq%1000),
						MessageID: fmt.Sprint("m", seq), Payload: []byte(fmt.Sprintf(`{"requestId":%q,"progress":%d}`, c.RequestID, seq%100))}
				}
				if _, err := w.svc.Ingest(ctx, msgs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(500*b.N)/b.Elapsed().Seconds(), "reports/s")
		})
	}
}
