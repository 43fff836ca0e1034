package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/ota"
	"github.com/hoist-ota/hoist/internal/page"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

// listAll reads every page of a campaign's devices (of state, unless
// empty) in the order pg asks for.
func listAll(t *testing.T, o ota.Store, id string, state ota.State, pg page.Request) []ota.Entry {
	t.Helper()
	var out []ota.Entry
	for pg.Num = 1; ; pg.Num++ {
		es, total, err := o.ListEntries(context.Background(), id, state, pg)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, es...)
		if int64(pg.Num*pg.Size) >= total {
			if int64(len(out)) != total {
				t.Fatalf("%d devices read, total %d", len(out), total)
			}
			return out
		}
	}
}

// TestCampaignCountsFollowEveryChange changes a campaign of 300 devices in
// waves from concurrent transactions (progress batches, a wave start,
// devices set failed, the wave timeout, the cancellation) and checks its
// kept counts against its devices counted one by one.
func TestCampaignCountsFollowEveryChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mustOTAProject(t, s)
		o := s.OTA()
		now := time.Now().UTC().Truncate(time.Millisecond)
		c := ota.Campaign{ID: "c1", ProjectID: otaProject, Product: "thermo", ResourceID: "r", Version: "2.0", TargetKind: ota.TargetAll,
			RequestID: "req-c1", ExpiresAt: now.Add(time.Hour), CreatedBy: otaUser, CreatedTime: now, UpdatedTime: now,
			Waves: []ota.Wave{{WaveSpec: ota.WaveSpec{Count: 100}, Size: 100}, {WaveSpec: ota.WaveSpec{Count: 100}, Size: 100}, {Size: 100}},
			Wave:  1, SuccessThreshold: 50, ErrorThreshold: 90}
		es := make([]ota.Entry, 300)
		for i := range es {
			es[i] = ota.Entry{CampaignID: "c1", Product: "thermo", Device: fmt.Sprintf("d%04d", i), Wave: i/100 + 1, State: ota.StateWaiting,
				UpdatedTime: now.Add(time.Duration(i%37) * time.Second)}
			if es[i].Wave == 1 {
				es[i].State = ota.StateSent
			}
		}
		if err := o.CreateCampaign(ctx, c, es); err != nil {
			t.Fatal(err)
		}
		counted := func() map[ota.WaveState]int64 {
			out := map[ota.WaveState]int64{}
			for _, e := range listAll(t, o, "c1", "", page.Request{Size: 100, Sort: "device"}) {
				out[ota.WaveState{Wave: e.Wave, State: e.State}]++
			}
			return out
		}
		kept := func() map[ota.WaveState]int64 {
			m, err := o.CountWaveStates(ctx, []string{"c1"})
			if err != nil {
				t.Fatal(err)
			}
			return m["c1"]
		}
		if got, want := kept(), counted(); !mapsEqual(got, want) {
			t.Fatalf("after create: kept %v, counted %v", got, want)
		}

		states := []ota.State{ota.StateAccepted, ota.StateDownloading, ota.StateInstalling, ota.StateSucceeded, ota.StateFailed}
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for g := range 6 { // progress batches over the first two waves
			wg.Go(func() {
				r := rand.New(rand.NewPCG(uint64(g), 1))
				for range 15 {
					keys := make([]ota.EntryKey, 0, 10)
					for range 10 {
						keys = append(keys, ota.EntryKey{CampaignID: "c1", Device: fmt.Sprintf("d%04d", r.IntN(200))})
					}
					err := o.Ingest(ctx, func(tx ota.IngestTx) error {
						got, err := tx.LockEntries(ctx, slices.Clone(keys))
						if err != nil {
							return err
						}
						var save []ota.Entry
						for _, e := range got {
							if e.State == ota.StateWaiting || e.State.Final() {
								continue
							}
							e.State, e.UpdatedTime = states[r.IntN(len(states))], time.Now().UTC()
							save = append(save, e)
						}
						if len(save) == 0 {
							return nil
						}
						return tx.SaveEntries(ctx, save)
					})
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Go(func() { // the operator's and the clock's changes meanwhile
			at := time.Now().UTC()
			steps := []func() error{
				func() error {
					_, err := o.StartWave(ctx, ota.WaveStart{CampaignID: "c1", From: 1, To: 2, At: at,
						Event: ota.CampaignEvent{CampaignID: "c1", ProjectID: otaProject, Kind: ota.EventWaveStarted, Wave: 2, At: at}})
					return err
				},
				func() error {
					_, err := o.SetOpenEntries(ctx, "c1", []string{"d0001", "d0002", "d0150", "d0250"}, ota.StateFailed, "gave up", at)
					return err
				},
				func() error {
					_, err := o.ExpireWaves(ctx, "c1", at.Add(time.Hour)) // no wave deadline: changes nothing
					return err
				},
			}
			for _, step := range steps {
				if err := step(); err != nil {
					errs <- err
					return
				}
			}
		})
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if got, want := kept(), counted(); !mapsEqual(got, want) {
			t.Fatalf("after concurrent changes: kept %v, counted %v", got, want)
		}
		if _, err := o.CancelCampaign(ctx, "c1", time.Now().UTC(), func(ota.Campaign) error { return nil }); err != nil {
			t.Fatal(err)
		}
		got, want := kept(), counted()
		if !mapsEqual(got, want) {
			t.Fatalf("after cancel: kept %v, counted %v", got, want)
		}
		var cancelled int64
		for k, n := range want {
			if k.State == ota.StateCancelled {
				cancelled += n
			}
		}
		if cancelled < 100 { // the third wave never started
			t.Fatalf("cancelled %d, want at least the 100 waiting devices: %v", cancelled, want)
		}
		if err := o.DeleteCampaign(ctx, "c1"); err != nil {
			t.Fatal(err)
		}
		if got := kept(); len(got) != 0 {
			t.Fatalf("a deleted campaign's counts remain: %v", got)
		}
	})
}

func mapsEqual[K comparable](a, b map[K]int64) bool {
	for k, n := range a {
		if b[k] != n {
			return false
		}
	}
	for k, n := range b {
		if a[k] != n {
			return false
		}
	}
	return true
}

// TestCampaignDevicePagesFromEitherEnd reads every page of a campaign's
// devices by update time, both orders, all and of one state: pages past
// the middle are read from the end and turned round, and together the
// pages must be exactly the sorted list, each device once.
func TestCampaignDevicePagesFromEitherEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mustOTAProject(t, s)
		o := s.OTA()
		mustStoredCampaign(t, o, "c1", 203, time.Now().Add(time.Hour))
		base := time.Now().UTC().Truncate(time.Second)
		for i := range 203 {
			st := ota.StateDownloading
			if i%3 == 0 {
				st = ota.StateSucceeded
			}
			// Many devices share an update time: the device name breaks ties.
			if _, err := o.SetOpenEntries(ctx, "c1", []string{fmt.Sprintf("d%04d", i)}, st, "", base.Add(time.Duration(i%17)*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		all := listAll(t, o, "c1", "", page.Request{Size: 500, Sort: "device"}) // one page: no turning round
		for _, late := range []int{1_000, 0} {                                  // far pages found by key first, or not
			restore := store.SetLateAfter(late)
			defer restore()
			for _, state := range []ota.State{"", ota.StateSucceeded} {
				for _, desc := range []bool{false, true} {
					var want []string
					for _, e := range all {
						if state == "" || e.State == state {
							want = append(want, e.Device)
						}
					}
					byTime := map[string]time.Time{}
					for _, e := range all {
						byTime[e.Device] = e.UpdatedTime
					}
					slices.SortFunc(want, func(a, b string) int {
						c := byTime[a].Compare(byTime[b])
						if c == 0 {
							c = strings.Compare(a, b)
						}
						if desc {
							return -c
						}
						return c
					})
					var got []string
					for _, e := range listAll(t, o, "c1", state, page.Request{Size: 7, Sort: "updatedTime", Desc: desc}) {
						got = append(got, e.Device)
					}
					if !slices.Equal(got, want) {
						t.Fatalf("late after %d, state %q desc %v: pages\n%v\nwant\n%v", late, state, desc, got, want)
					}
				}
			}
			restore()
		}
	})
}
