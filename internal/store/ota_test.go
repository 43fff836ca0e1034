package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/ota"
	"github.com/hoist-ota/hoist/internal/page"
	"github.com/hoist-ota/hoist/internal/project"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

const (
	otaUser    = "0123456789abcdef0123456789abcdef"
	otaProject = "fedcba9876543210fedcba9876543210"
)

// mustOTAProject creates the user and project campaigns belong to.
func mustOTAProject(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	u := account.User{ID: otaUser, Username: "owner", Role: account.RoleUser, PasswordHash: "x", TokenVersion: 1, CreatedTime: now, UpdatedTime: now}
	if err := s.Accounts().CreateUser(ctx, &u, func(int64) error { return nil }); err != nil {
		t.Fatal(err)
	}
	err := s.Projects().CreateProject(ctx, project.Project{ID: otaProject, Name: "P", OwnerID: otaUser, CreatedTime: now, UpdatedTime: now},
		project.Member{ProjectID: otaProject, UserID: otaUser, Role: project.RoleOwner, CreatedTime: now})
	if err != nil {
		t.Fatal(err)
	}
}

// mustStoredCampaign stores a campaign over n devices d0000... (all sent).
func mustStoredCampaign(t *testing.T, o ota.Store, id string, n int, expires time.Time) ota.Campaign {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Millisecond)
	c := ota.Campaign{ID: id, ProjectID: otaProject, Product: "thermo", ResourceID: "r", Version: "2.0", TargetKind: ota.TargetAll,
		RequestID: "req-" + id, ExpiresAt: expires, CreatedBy: otaUser, CreatedTime: now, UpdatedTime: now}
	es := make([]ota.Entry, n)
	for i := range es {
		es[i] = ota.Entry{CampaignID: id, Product: "thermo", Device: fmt.Sprintf("d%04d", i), State: ota.StateSent, UpdatedTime: now}
	}
	if err := o.CreateCampaign(context.Background(), c, es); err != nil {
		t.Fatal(err)
	}
	return c
}

func allPages() page.Request { return page.Request{Num: 1, Size: 100, Sort: "device"} }

func TestOTACampaignsInBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mustOTAProject(t, s)
		o := s.OTA()
		future := time.Now().UTC().Add(time.Hour).Truncate(time.Millisecond)
		c := mustStoredCampaign(t, o, "c1", 1234, future) // several INSERTs on either database
		got, err := o.Campaign(ctx, "c1")
		if err != nil || got.RequestID != "req-c1" || !got.ExpiresAt.Equal(future) || got.CancelledAt != nil || got.Counts != nil {
			t.Fatalf("campaign %+v %v", got, err)
		}
		counts, err := o.CountStates(ctx, []string{"c1", "none"})
		if err != nil || counts["c1"][ota.StateSent] != 1234 || len(counts) != 1 {
			t.Fatalf("counts %v %v", counts, err)
		}
		// A campaign whose insert fails leaves nothing behind.
		if err := o.CreateCampaign(ctx, c, nil); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("duplicate campaign: %v", err)
		}

		// A failed publish of some devices: in chunks, open ones only.
		names := make([]string, 600)
		for i := range names {
			names[i] = fmt.Sprintf("d%04d", i)
		}
		n, err := o.SetOpenEntries(ctx, "c1", names, ota.StateFailed, "not published", time.Now().UTC())
		if err != nil || n != 600 {
			t.Fatalf("SetOpenEntries = %d, %v", n, err)
		}
		if n, _ := o.SetOpenEntries(ctx, "c1", names[:10], ota.StateExpired, "", time.Now().UTC()); n != 0 {
			t.Fatalf("final entries moved: %d", n)
		}
		es, total, err := o.ListEntries(ctx, "c1", ota.StateFailed, page.Request{Num: 1, Size: 5, Sort: "device"})
		if err != nil || total != 600 || len(es) != 5 || es[0].Device != "d0000" || es[0].Error != "not published" || es[0].LastReport != nil {
			t.Fatalf("failed entries %d %+v %v", total, es, err)
		}

		// Cancel: open devices only, once.
		at := time.Now().UTC().Truncate(time.Millisecond)
		cc, err := o.CancelCampaign(ctx, "c1", at, func(ota.Campaign) error { return nil })
		if err != nil || cc.CancelledAt == nil || !cc.CancelledAt.Equal(at) {
			t.Fatalf("cancel %+v %v", cc, err)
		}
		counts, _ = o.CountStates(ctx, []string{"c1"})
		if counts["c1"][ota.StateCancelled] != 634 || counts["c1"][ota.StateFailed] != 600 {
			t.Fatalf("after cancel %v", counts)
		}
		if err := o.DeleteCampaign(ctx, "c1"); err != nil {
			t.Fatal(err)
		}
		if _, err := o.Campaign(ctx, "c1"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("deleted campaign: %v", err)
		}
		if counts, _ := o.CountStates(ctx, []string{"c1"}); len(counts) != 0 {
			t.Fatalf("deleted campaign's devices: %v", counts)
		}
	})
}

// ingest runs fn in one ingest transaction, failing the test on error.
func ingest(t *testing.T, o ota.Store, fn func(tx ota.IngestTx) error) {
	t.Helper()
	if err := o.Ingest(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func TestOTAIngestEntriesAndExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mustOTAProject(t, s)
		o := s.OTA()
		now := time.Now().UTC().Truncate(time.Millisecond)
		old := mustStoredCampaign(t, o, "old", 2, now.Add(time.Hour))
		mustStoredCampaign(t, o, "new", 2, now.Add(time.Hour))
		gone := mustStoredCampaign(t, o, "gone", 2, now.Add(-time.Minute))
		dev := ota.DeviceKey{Product: "thermo", Device: "d0001"}

		ingest(t, o, func(tx ota.IngestTx) error {
			cs, err := tx.CampaignsByRequest(ctx, []string{old.RequestID, "req-unknown"})
			if err != nil || len(cs) != 1 || cs[old.RequestID].ID != "old" {
				t.Fatalf("by request %+v %v", cs, err)
			}
			es, err := tx.LockEntries(ctx, []ota.EntryKey{{CampaignID: "old", Device: "d0001"}, {CampaignID: "old", Device: "d0009"}})
			if err != nil || len(es) != 1 {
				t.Fatalf("locked %+v %v", es, err)
			}
			e := es[ota.EntryKey{CampaignID: "old", Device: "d0001"}]
			e.State, e.UpdatedTime, e.LastReport = ota.StateDownloading, now.Add(time.Second), json.RawMessage(`{"state":"downloading"}`)
			return tx.SaveEntries(ctx, []ota.Entry{e})
		})
		// Without a request id: the most recently updated open entry of an
		// unexpired campaign (old, just updated), never the expired one.
		open := func() ota.Campaign {
			var c ota.Campaign
			ingest(t, o, func(tx ota.IngestTx) error {
				cs, err := tx.OpenCampaigns(ctx, []ota.DeviceKey{dev, {Product: "thermo", Device: "d0009"}}, now)
				if err != nil || len(cs) != 1 {
					t.Fatalf("open %+v %v", cs, err)
				}
				c = cs[dev]
				return nil
			})
			return c
		}
		if c := open(); c.ID != "old" {
			t.Fatalf("most recent open: %s", c.ID)
		}
		ingest(t, o, func(tx ota.IngestTx) error {
			es, _ := tx.LockEntries(ctx, []ota.EntryKey{{CampaignID: "old", Device: "d0001"}})
			e := es[ota.EntryKey{CampaignID: "old", Device: "d0001"}]
			e.State, e.UpdatedTime = ota.StateSucceeded, now.Add(3*time.Second)
			return tx.SaveEntries(ctx, []ota.Entry{e})
		})
		if c := open(); c.ID != "new" { // old is final now
			t.Fatalf("next open: %s", c.ID)
		}

		// Dedupe marks: MarkNew adds only what is not marked yet and says
		// which; sweeping removes old ones.
		keys := []ota.MessageKey{{Product: "thermo", Device: "d0001", MessageID: "m1"}, {Product: "thermo", Device: "d0002", MessageID: "m1"}}
		ingest(t, o, func(tx ota.IngestTx) error {
			added, err := tx.MarkNew(ctx, keys, []ota.MessageKind{ota.KindProgress, ota.KindStatus}, now)
			if err != nil || len(added) != 2 {
				t.Fatalf("first marks %v %v", added, err)
			}
			return nil
		})
		ingest(t, o, func(tx ota.IngestTx) error {
			m2 := ota.MessageKey{Product: "thermo", Device: "d0001", MessageID: "m2"}
			added, err := tx.MarkNew(ctx, []ota.MessageKey{keys[0], m2}, []ota.MessageKind{ota.KindProgress, ota.KindProgress}, now)
			if err != nil || len(added) != 1 || !added[m2] {
				t.Fatalf("second marks %v %v", added, err)
			}
			return nil
		})
		if n, err := o.SweepMessages(ctx, now.Add(time.Millisecond)); err != nil || n != 3 {
			t.Fatalf("swept %d %v", n, err)
		}

		ids, err := o.ExpiredCampaigns(ctx, now)
		if err != nil || len(ids) != 1 || ids[0] != gone.ID {
			t.Fatalf("expired %v %v", ids, err)
		}
		if n, err := o.SetOpenEntries(ctx, gone.ID, nil, ota.StateExpired, "", now); err != nil || n != 2 {
			t.Fatalf("expire %d %v", n, err)
		}
		if ids, _ := o.ExpiredCampaigns(ctx, now); len(ids) != 0 {
			t.Fatalf("expired again %v", ids)
		}
	})
}

func TestOTAHistoryInBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := s.OTA()
		base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		hs := make([]ota.HistoryEntry, 1050) // several INSERTs on either database
		for i := range hs {
			hs[i] = ota.HistoryEntry{CampaignID: "c1", Product: "thermo", Device: fmt.Sprintf("d%d", i%3), State: ota.StateDownloading,
				Raw: json.RawMessage(fmt.Sprintf(`{"progress":%d,"desc":"%s"}`, i%100, "x")), ReceivedAt: base.Add(time.Duration(i) * time.Millisecond)}
		}
		hs[5].CampaignID = "" // matched no campaign
		ingest(t, o, func(tx ota.IngestTx) error { return tx.AddHistory(ctx, hs) })
		got, total, err := o.History(ctx, "c1", "", page.Request{Num: 1, Size: 3, Sort: "receivedAt", Desc: true})
		if err != nil || total != 1049 || len(got) != 3 || !got[0].ReceivedAt.Equal(hs[1049].ReceivedAt) ||
			string(got[0].Raw) != string(hs[1049].Raw) || got[0].CampaignID != "c1" || got[0].ID == 0 {
			t.Fatalf("history %d %+v %v", total, got, err)
		}
		if _, n, _ := o.History(ctx, "c1", "d1", allPages()); n != 350 {
			t.Fatalf("history of d1: %d", n)
		}
		ingest(t, o, func(tx ota.IngestTx) error { return tx.AddHistory(ctx, nil) })
	})
}

func TestOTACommands(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := s.OTA()
		now := time.Now().UTC().Truncate(time.Millisecond)
		c := ota.Command{RequestID: "r1", Product: "thermo", Tag: "hall", Name: "lock", Encoding: "plain", Data: `{"a":1}`,
			ExpiresAt: now.Add(time.Minute), CreatedBy: otaUser, CreatedTime: now}
		if err := o.CreateCommand(ctx, c); err != nil {
			t.Fatal(err)
		}
		if got, err := o.Command(ctx, "r1"); err != nil || got != c {
			t.Fatalf("command %+v %v", got, err)
		}
		for i, d := range []string{"b", "a", "b", "c"} {
			r := ota.Reply{RequestID: "r1", Device: d, Payload: []byte{byte(i), 0xff}, ReceivedAt: now.Add(time.Duration(i) * time.Second)}
			if err := o.PutReply(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		rs, total, err := o.Replies(ctx, "r1", 2)
		if err != nil || total != 3 || len(rs) != 2 || rs[0].Device != "a" || rs[1].Device != "b" || rs[1].Payload[0] != 2 ||
			!rs[1].ReceivedAt.Equal(now.Add(2*time.Second)) {
			t.Fatalf("replies %d %+v %v", total, rs, err)
		}
		if err := o.DeleteCommand(ctx, "r1"); err != nil {
			t.Fatal(err)
		}
		if _, err := o.Command(ctx, "r1"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("deleted: %v", err)
		}
		if _, n, _ := o.Replies(ctx, "r1", 10); n != 0 {
			t.Fatalf("replies of a deleted command: %d", n)
		}
	})
}
