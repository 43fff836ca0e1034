package ota_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/device"
	"github.com/hoist-ota/hoist/internal/kv"
	"github.com/hoist-ota/hoist/internal/ota"
	"github.com/hoist-ota/hoist/internal/page"
	"github.com/hoist-ota/hoist/internal/project"
	"github.com/hoist-ota/hoist/internal/release"
	"github.com/hoist-ota/hoist/internal/storage"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

// counter stands in for the MQTT bridge (the service's outside edge): it
// counts publishes and keeps their topics.
type counter struct {
	mu     sync.Mutex
	topics []string
}

func (c *counter) Publish(_ context.Context, topic string, _ []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.topics = append(c.topics, topic)
	return nil
}

func (c *counter) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.topics
	c.topics = nil
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

func mustWorld(tb testing.TB, st *store.Store, latest ota.LatestStore, opts ota.Options) world {
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
	blob, err := storage.NewLocal(storage.LocalConfig{Dir: tb.TempDir(), Signed: true, SignKey: []byte("sign-key-sign-key-sign-key-sign-key")})
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
	if latest == nil {
		latest = st.OTALatest()
	}
	opts.PublicBaseURL = "https://hoist.example.com"
	pub := &counter{}
	svc := ota.NewService(st.OTA(), ota.Deps{Projects: projects, Devices: devices, Releases: releases, Blob: blob,
		Publisher: pub, Latest: latest}, opts, time.Now, log)
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

// redisStore returns a kv.Store on the test Redis under a fresh prefix, or
// skips.
func redisStore(t *testing.T) kv.Store {
	addr := os.Getenv("HOIST_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("redis: skipped (set HOIST_TEST_REDIS_ADDR)")
	}
	c := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { c.Close() })
	var b [6]byte
	rand.Read(b[:])
	return kv.NewRedis(c, "hoist-test-"+hex.EncodeToString(b[:])+":")
}

func TestLatestProgress(t *testing.T) {
	backends := map[string]func(t *testing.T, st *store.Store) ota.LatestStore{
		"db":     func(_ *testing.T, st *store.Store) ota.LatestStore { return st.OTALatest() },
		"memory": func(*testing.T, *store.Store) ota.LatestStore { return ota.NewKVLatest(kv.NewMemory(nil)) },
		"redis":  func(t *testing.T, _ *store.Store) ota.LatestStore { return ota.NewKVLatest(redisStore(t)) },
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		for name, mk := range backends {
			t.Run(name, func(t *testing.T) {
				ctx := context.Background()
				latest := mk(t, st)
				if _, ok, err := latest.Latest(ctx, "thermo", "d1"); ok || err != nil {
					t.Fatalf("none yet: %v %v", ok, err)
				}
				at := time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)
				l := ota.Latest{Product: "thermo", Device: "d1", CampaignID: "c1", RequestID: "r1", State: ota.StateDownloading,
					Progress: 40, Report: json.RawMessage(`{"progress":40,"z":1,"a":2}`), ReceivedAt: at}
				for _, v := range []ota.Latest{{Product: "thermo", Device: "d1", Report: json.RawMessage(`{}`), ReceivedAt: at}, l} {
					if err := latest.SetLatest(ctx, v); err != nil {
						t.Fatal(err)
					}
				}
				got, ok, err := latest.Latest(ctx, "thermo", "d1")
				if err != nil || !ok || got.CampaignID != "c1" || got.State != ota.StateDownloading || got.Progress != 40 ||
					string(got.Report) != `{"progress":40,"z":1,"a":2}` || !got.ReceivedAt.Equal(at) {
					t.Fatalf("latest %+v %v %v", got, ok, err)
				}
				if _, ok, _ := latest.Latest(ctx, "thermo", "d2"); ok {
					t.Fatal("another device's progress")
				}
			})
		}
	})
}

// With Redis the latest progress lives under seed 000's key.
func TestLatestProgressRedisKey(t *testing.T) {
	kvs := redisStore(t)
	st := storetest.MustOpen(t, "sqlite")
	w := mustWorld(t, st, ota.NewKVLatest(kvs), ota.Options{})
	ctx := context.Background()
	if err := w.svc.HandleProgress(ctx, "thermo", "d9", "m1", []byte(`{"progress":7}`), time.Time{}); err != nil {
		t.Fatal(err)
	}
	v, ok, err := kvs.Get(ctx, "ota_progress/thermo/d9")
	if err != nil || !ok || !strings.Contains(v, `"report":{"progress":7}`) || !strings.Contains(v, `"state":"downloading"`) {
		t.Fatalf("redis value %q %v %v", v, ok, err)
	}
	if _, ok, _ := st.OTALatest().Latest(ctx, "thermo", "d9"); ok {
		t.Fatal("written to the database too")
	}
}

// The history is written in batches: not before a flush, all of it after,
// and a full batch makes Run write at once; Run's end writes the rest.
func TestHistoryWriter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := mustWorld(t, st, nil, ota.Options{FlushEvery: time.Hour, SweepEvery: time.Hour, HistoryBatch: 50})
		w.mustTagged(t, 3, "lab")
		c := w.mustTagCampaign(t, "lab")
		history := func() int64 {
			_, n, err := st.OTA().History(ctx, c.ID, "", page.Request{Num: 1, Size: 1, Desc: true})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		report := func(i int) {
			p := fmt.Sprintf(`{"requestId":%q,"progress":%d}`, c.RequestID, i%100)
			if err := w.svc.HandleProgress(ctx, "thermo", fmt.Sprintf("d%05d", i%3), "m", []byte(p), time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 10 {
			report(i)
		}
		if n := history(); n != 0 {
			t.Fatalf("%d written before a flush", n)
		}
		if err := w.svc.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if n := history(); n != 10 {
			t.Fatalf("%d written after a flush", n)
		}

		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- w.svc.Run(runCtx) }()
		for i := range 50 { // a full batch: written without waiting an hour
			report(i)
		}
		deadline := time.Now().Add(10 * time.Second)
		for history() != 60 {
			if time.Now().After(deadline) {
				t.Fatalf("a full batch was not written: %d", history())
			}
			time.Sleep(10 * time.Millisecond)
		}
		for i := range 7 {
			report(i)
		}
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if n := history(); n != 67 {
			t.Fatalf("%d written after Run ended, want 67", n)
		}
		hs, _, _ := st.OTA().History(ctx, c.ID, "d00001", page.Request{Num: 1, Size: 100, Desc: true})
		if len(hs) != 22 || hs[0].CampaignID != c.ID || hs[0].Product != "thermo" || !json.Valid(hs[0].Raw) {
			t.Fatalf("history of d00001: %d %+v", len(hs), hs[0])
		}
	})
}

// Reports of one device arriving concurrently all count, and a final
// state wins over the progress reports racing it.
func TestConcurrentReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := mustWorld(t, st, nil, ota.Options{})
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
					errs <- w.svc.HandleProgress(ctx, "thermo", fmt.Sprintf("d%05d", d), "m", []byte(p), time.Time{})
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
		if err := w.svc.Flush(ctx); err != nil {
			t.Fatal(err)
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
	w := mustWorld(b, st, nil, ota.Options{})
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
		if topics := w.pub.take(); len(topics) != 1 {
			b.Fatalf("%d publishes", len(topics))
		}
	}
}
