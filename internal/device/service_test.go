package device_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/device"
	"github.com/hoist-ota/hoist/internal/page"
	"github.com/hoist-ota/hoist/internal/project"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

// fleet is a device service on a real store with one user owning one
// project with product "thermo".
type fleet struct {
	svc   *device.Service
	st    *store.Store
	owner account.Principal
}

func mustFleet(t testing.TB, st *store.Store) fleet {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	u := account.User{ID: "0123456789abcdef0123456789abcdef", Username: "owner", Role: account.RoleUser,
		PasswordHash: "x", TokenVersion: 1, CreatedTime: now, UpdatedTime: now}
	if err := st.Accounts().CreateUser(ctx, &u, func(int64) error { return nil }); err != nil {
		t.Fatal(err)
	}
	projects := project.NewService(st.Projects(), time.Now, storetest.Logger())
	owner := account.Principal{UserID: u.ID, Username: u.Username, Role: u.Role}
	pr, err := projects.Create(ctx, owner, project.Fields{Name: ptr("Fleet")})
	if err != nil {
		t.Fatal(err)
	}
	svc := device.NewService(st.Devices(), projects, []byte("device-key"), time.Now, storetest.Logger())
	if _, err := svc.CreateProduct(ctx, owner, device.ProductFields{Name: "thermo", ProjectID: pr.ID}); err != nil {
		t.Fatal(err)
	}
	return fleet{svc: svc, st: st, owner: owner}
}

func ptr[T any](v T) *T { return &v }

func TestVerifySecret(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := mustFleet(t, st)
		d, err := f.svc.CreateDevice(ctx, f.owner, "thermo", device.NewDevice{Name: "dev-1", Tags: []string{"b", "a", "b"}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(d.Secret, device.SecretPrefix) || strings.Join(d.Tags, ",") != "a,b" || d.MQTTUsername() != "thermo/dev-1" {
			t.Fatalf("created %+v", d)
		}
		got, err := f.svc.VerifySecret(ctx, "thermo", "dev-1", d.Secret)
		if err != nil || got.Name != "dev-1" || strings.Join(got.Tags, ",") != "a,b" {
			t.Fatalf("verify: %+v, %v", got, err)
		}
		stored, err := st.Devices().Device(ctx, "thermo", "dev-1")
		if err != nil || len(stored.SecretHash) != 64 || strings.Contains(stored.SecretHash, d.Secret[4:]) || got.SecretHash != "" || d.SecretHash != "" {
			t.Fatalf("secret hash: stored %q, returned %q %q, %v", stored.SecretHash, got.SecretHash, d.SecretHash, err)
		}
		bad := []struct{ product, device, secret string }{
			{"thermo", "dev-1", d.Secret + "x"}, {"thermo", "dev-1", ""}, {"thermo", "dev-2", d.Secret},
			{"other", "dev-1", d.Secret}, {"thermo/dev-1", "", d.Secret}, {"thermo", "dev-1", strings.Repeat("x", 4096)},
		}
		for _, b := range bad {
			_, err := f.svc.VerifySecret(ctx, b.product, b.device, b.secret)
			if !apperr.Is(err, apperr.Unauthorized) || err.Error() != "unauthorized: bad device credentials" {
				t.Errorf("%+v: %v", b, err)
			}
		}

		rotated, err := f.svc.RotateSecret(ctx, f.owner, "thermo", "dev-1")
		if err != nil || rotated.Secret == d.Secret {
			t.Fatalf("rotate: %v", err)
		}
		if _, err := f.svc.VerifySecret(ctx, "thermo", "dev-1", d.Secret); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("old secret after rotation: %v", err)
		}
		if _, err := f.svc.VerifySecret(ctx, "thermo", "dev-1", rotated.Secret); err != nil {
			t.Fatalf("new secret: %v", err)
		}
		if tags, err := f.svc.Tags(ctx, "thermo", "dev-1"); err != nil || strings.Join(tags, ",") != "a,b" {
			t.Fatalf("tags %v, %v", tags, err)
		}
		if _, err := f.svc.Tags(ctx, "thermo", "nope"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("tags of a missing device: %v", err)
		}
		// A secret is bound to its device: another device's hash does not verify it.
		other, _ := f.svc.CreateDevice(ctx, f.owner, "thermo", device.NewDevice{Name: "dev-2"})
		if _, err := f.svc.VerifySecret(ctx, "thermo", "dev-2", rotated.Secret); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("cross-device secret: %v", err)
		}
		if _, err := f.svc.VerifySecret(ctx, "thermo", "dev-2", other.Secret); err != nil {
			t.Fatal(err)
		}
	})
}

func TestOnlineStateAndStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := mustFleet(t, st)
		created, err := f.svc.CreateDevice(ctx, f.owner, "thermo", device.NewDevice{Name: "dev-1"})
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Date(2026, 5, 1, 10, 0, 0, 123456789, time.UTC)
		if err := f.svc.MarkOnline(ctx, "thermo", "dev-1", "10.0.0.7:51234", t0); err != nil {
			t.Fatal(err)
		}
		// Marking online twice with the same values is no error (MySQL
		// reports no changed row).
		if err := f.svc.MarkOnline(ctx, "thermo", "dev-1", "10.0.0.7", t0); err != nil {
			t.Fatal(err)
		}
		d := mustLookup(t, f, "dev-1")
		if !d.Online || d.LastIP != "10.0.0.7" || d.LastSeenAt == nil || !d.LastSeenAt.Equal(t0.Truncate(time.Millisecond)) ||
			!d.UpdatedTime.Equal(created.UpdatedTime) {
			t.Fatalf("online: %+v (updated %v, created %v)", d, d.UpdatedTime, created.UpdatedTime)
		}
		total, online, err := st.Devices().CountDevices(ctx, "thermo")
		if err != nil || total != 1 || online != 1 {
			t.Fatalf("counts %d %d %v", total, online, err)
		}

		// A status report with a version sets the firmware version and
		// moves last seen forward, never back.
		t1 := t0.Add(time.Minute)
		if err := f.svc.RecordStatus(ctx, "thermo", "dev-1", json.RawMessage(`{ "version": "1.4.2", "temp": 21.5 }`), t1); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.RecordStatus(ctx, "thermo", "dev-1", json.RawMessage(`{"temp":22}`), t0); err != nil {
			t.Fatal(err)
		}
		d = mustLookup(t, f, "dev-1")
		if string(d.LastStatus) != `{"temp":22}` || d.FirmwareVersion != "1.4.2" || !d.LastSeenAt.Equal(t1.Truncate(time.Millisecond)) {
			t.Fatalf("status: %s %q %v", d.LastStatus, d.FirmwareVersion, d.LastSeenAt)
		}
		if err := f.svc.RecordStatus(ctx, "thermo", "dev-1", json.RawMessage(`{"firmwareVersion":"2.0.0"}`), t1); err != nil {
			t.Fatal(err)
		}
		if d = mustLookup(t, f, "dev-1"); d.FirmwareVersion != "2.0.0" {
			t.Fatalf("firmwareVersion: %q", d.FirmwareVersion)
		}
		for _, bad := range []string{`[1]`, `"x"`, `null`, `{`, `{"a":1} x`, `{"pad":"` + strings.Repeat("x", device.MaxStatusBytes) + `"}`} {
			if err := f.svc.RecordStatus(ctx, "thermo", "dev-1", json.RawMessage(bad), t1); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("status %.20q: %v", bad, err)
			}
		}

		// A disconnect older than the last sign of life is stale.
		if err := f.svc.MarkOffline(ctx, "thermo", "dev-1", t0); err != nil {
			t.Fatal(err)
		}
		if d = mustLookup(t, f, "dev-1"); !d.Online {
			t.Fatal("a stale disconnect set the device offline")
		}
		t2 := t1.Add(time.Second)
		if err := f.svc.MarkOffline(ctx, "thermo", "dev-1", t2); err != nil {
			t.Fatal(err)
		}
		if d = mustLookup(t, f, "dev-1"); d.Online || !d.LastSeenAt.Equal(t2.Truncate(time.Millisecond)) || d.LastIP != "10.0.0.7" {
			t.Fatalf("offline: %+v", d)
		}

		for _, call := range []func() error{
			func() error { return f.svc.MarkOnline(ctx, "thermo", "nope", "1.2.3.4", t0) },
			func() error { return f.svc.MarkOffline(ctx, "thermo", "nope", t0) },
			func() error { return f.svc.RecordStatus(ctx, "thermo", "nope", json.RawMessage(`{}`), t0) },
			func() error { return f.svc.MarkOnline(ctx, "a/b", "nope", "1.2.3.4", t0) },
		} {
			if err := call(); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("missing device: %v", err)
			}
		}
	})
}

func mustLookup(t *testing.T, f fleet, name string) device.Device {
	t.Helper()
	d, err := f.svc.Lookup(context.Background(), "thermo", name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestListFiltersAndBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := mustFleet(t, st)
		var batch []device.NewDevice
		for i := range 1200 { // more than two insert chunks
			n := device.NewDevice{Name: fmt.Sprintf("dev-%04d", i)}
			if i%3 == 0 {
				n.Tags = []string{"east", "t3"}
			}
			batch = append(batch, n)
		}
		created, err := f.svc.CreateDevices(ctx, f.owner, "thermo", batch)
		if err != nil || len(created) != 1200 || created[1199].Name != "dev-1199" || created[0].Secret == created[1].Secret {
			t.Fatalf("batch: %d, %v", len(created), err)
		}
		if err := f.svc.MarkOnline(ctx, "thermo", "dev-0003", "1.2.3.4", time.Now()); err != nil {
			t.Fatal(err)
		}
		pg := page.Request{Num: 1, Size: 100, Sort: "name"}
		list := func(fl device.DeviceFilter) ([]device.Device, int64) {
			t.Helper()
			ds, total, err := f.svc.ListDevices(ctx, f.owner, "thermo", fl, pg)
			if err != nil {
				t.Fatal(err)
			}
			return ds, total
		}
		if ds, total := list(device.DeviceFilter{Tag: "east"}); total != 400 || len(ds) != 100 || ds[0].Name != "dev-0000" || ds[1].Name != "dev-0003" ||
			strings.Join(ds[0].Tags, ",") != "east,t3" {
			t.Fatalf("tag east: %d, first %+v", total, ds[0])
		}
		if ds, total := list(device.DeviceFilter{Online: ptr(true)}); total != 1 || ds[0].Name != "dev-0003" {
			t.Fatalf("online: %d", total)
		}
		if _, total := list(device.DeviceFilter{Online: ptr(false), Tag: "east"}); total != 399 {
			t.Fatalf("offline east: %d", total)
		}
		if ds, total := list(device.DeviceFilter{Search: "dev-01"}); total != 100 || ds[0].Name != "dev-0100" || len(ds[0].Tags) != 0 {
			t.Fatalf("prefix: %d %+v", total, ds[0])
		}
		if _, total := list(device.DeviceFilter{Search: "DEV-"}); total != 0 {
			t.Fatalf("prefix search is case-sensitive, got %d", total)
		}

		// Duplicates: nothing is created.
		_, err = f.svc.CreateDevices(ctx, f.owner, "thermo", []device.NewDevice{{Name: "new-1"}, {Name: "dev-0001"}, {Name: "dev-0002"}})
		if !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "dev-0001, dev-0002") {
			t.Fatalf("existing: %v", err)
		}
		if _, err := f.svc.Lookup(ctx, "thermo", "new-1"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a refused batch created new-1: %v", err)
		}
	})
}

// BenchmarkCreateDevices10000 measures the largest batch on SQLite: 10 000
// secrets made and hashed, checked for duplicates and inserted in one
// transaction.
func BenchmarkCreateDevices10000(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		st := storetest.MustOpen(b, "sqlite")
		f := mustFleet(b, st)
		batch := make([]device.NewDevice, device.MaxBatch)
		for j := range batch {
			batch[j] = device.NewDevice{Name: fmt.Sprintf("dev-%05d", j), Tags: []string{"fleet", "b1"}}
		}
		b.StartTimer()
		out, err := f.svc.CreateDevices(ctx, f.owner, "thermo", batch)
		if err != nil || len(out) != device.MaxBatch {
			b.Fatalf("%d, %v", len(out), err)
		}
	}
}
