package upushy_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/page"
	"github.com/hoist-ota/hoist/internal/release"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
	"github.com/hoist-ota/hoist/internal/upushy"
	"github.com/hoist-ota/hoist/internal/upushy/upushytest"
)

func readFixture(t *testing.T) upushy.Data {
	t.Helper()
	ctx := context.Background()
	db, err := upushy.Open(ctx, upushytest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d, err := upushy.Read(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestReadUpushyDatabase(t *testing.T) {
	d := readFixture(t)
	if len(d.Users) != 4 || len(d.Projects) != 4 || len(d.Sources) != 8 {
		t.Fatalf("read %d users, %d projects, %d sources", len(d.Users), len(d.Projects), len(d.Sources))
	}
	var native upushy.Source
	for _, s := range d.Sources {
		if s.ID == upushytest.NativeID {
			native = s
		}
	}
	want := time.Date(2021, 2, 7, 14, 49, 25, 538e6, time.UTC)
	if native.Type != 3 || native.VersionCode != 1119 || !native.CreatedTime.Equal(want) || !strings.Contains(native.Changelog, "\nbuild:1119") {
		t.Fatalf("native %+v", native)
	}
}

// want is the expected outcome of a record and a part of its reason.
type want struct {
	outcome upushy.Outcome
	reason  string
}

func check(t *testing.T, rep upushy.Report, wants map[string]want) {
	t.Helper()
	seen := map[string]bool{}
	for _, e := range rep.Entries {
		seen[e.ID] = true
		w, ok := wants[e.ID]
		if !ok {
			t.Errorf("unexpected entry %+v", e)
			continue
		}
		if e.Outcome != w.outcome || !strings.Contains(e.Reason, w.reason) {
			t.Errorf("%s %s: %s %q, want %s %q", e.Kind, e.Name, e.Outcome, e.Reason, w.outcome, w.reason)
		}
	}
	for id := range wants {
		if !seen[id] {
			t.Errorf("%s not reported", id)
		}
	}
}

func TestImportKeepsIdsAndIsIdempotent(t *testing.T) {
	d := readFixture(t)
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		stores := upushy.Stores{Accounts: st.Accounts(), Projects: st.Projects(), Releases: st.Releases()}
		now := func() time.Time { return time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC) }
		rep, err := upushy.NewImporter(stores, upushy.Options{}, now).Import(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		first := map[string]want{
			upushytest.AliceID:                     {upushy.Imported, "admin: the first user"},
			upushytest.BobID:                       {upushy.Imported, `email "bob at example" dropped`},
			"c83ba5ec5150e2d56f38bb205b1d673f":     {upushy.Skipped, `username "李雷" is not allowed`},
			"8f965a13a5f49864dc8eeb955b52396f":     {upushy.Skipped, "password hash"},
			upushytest.ShopProject:                 {upushy.Imported, ""},
			upushytest.BobsProject:                 {upushy.Imported, ""},
			"4f9925e00ecd7de6bb97376c57f286ad":     {upushy.Skipped, "owner (user c83ba5ec5150e2d56f38bb205b1d673f) is not in Hoist"},
			"2b1d54c3-6c1e-4a4e-9a49-5f0b7c2d8e11": {upushy.Skipped, "not 32 lowercase hex"},
			upushytest.NativeID:                    {upushy.Imported, ""},
			upushytest.WgtID:                       {upushy.Imported, ""},
			upushytest.DisabledWgtID:               {upushy.Imported, ""},
			"02b3a7f4a5ddc2faff756a92d264f3e3":     {upushy.Skipped, "another wgt-android resource of the project has versionCode 1125"},
			upushytest.RelativeWgtID:               {upushy.Skipped, "--url-base"},
			"2e9c888d518106f218a0cb8f860aa6d9":     {upushy.Imported, ""},
			"4dfdb3e3c60ff3e0b0d0084dfa04a35c":     {upushy.Skipped, "type 7"},
			"236a517dd4e1bde89c14cb06046b4b48":     {upushy.Skipped, "project 4f9925e00ecd7de6bb97376c57f286ad is not in Hoist"},
		}
		check(t, rep, first)
		if len(rep.Projects) != 2 || rep.Count(upushy.KindResource, upushy.Imported) != 4 {
			t.Fatalf("changed projects %v, %d resources", rep.Projects, rep.Count(upushy.KindResource, upushy.Imported))
		}

		// What Hoist holds: the ids, roles and the legacy password mark.
		alice, err := st.Accounts().UserByID(ctx, upushytest.AliceID)
		if err != nil || alice.Role != account.RoleAdmin || alice.Email != "alice@example.com" || alice.Nickname != "Alice" ||
			!strings.HasPrefix(alice.PasswordHash, "upushy-md5:$argon2i$") || !alice.CreatedTime.Equal(time.Date(2021, 1, 5, 9, 0, 0, 0, time.UTC)) {
			t.Fatalf("alice %+v %v", alice, err)
		}
		bob, _ := st.Accounts().UserByID(ctx, upushytest.BobID)
		if bob.Role != account.RoleUser || bob.Email != "" || !strings.HasPrefix(bob.PasswordHash, "upushy-md5:$argon2id$") {
			t.Fatalf("bob %+v", bob)
		}
		role, err := st.Projects().MemberRole(ctx, upushytest.ShopProject, upushytest.AliceID)
		if err != nil || role != "owner" {
			t.Fatalf("alice's role in her project: %q %v", role, err)
		}
		wgt, err := st.Releases().Resource(ctx, upushytest.WgtID)
		if err != nil || wgt.ProjectID != upushytest.ShopProject || wgt.Type != release.TypeWgtAndroid || wgt.URL != upushytest.WgtURL ||
			wgt.StorageKey != "" || wgt.NativeVersionCode != 1119 || wgt.Status != release.StatusEnabled || wgt.RolloutPercent != 100 ||
			wgt.CreatedBy != upushytest.AliceID || !wgt.CreatedTime.Equal(time.Date(2021, 2, 28, 8, 46, 59, 793e6, time.UTC)) {
			t.Fatalf("wgt %+v %v", wgt, err)
		}
		off, _ := st.Releases().Resource(ctx, upushytest.DisabledWgtID)
		if off.Status != release.StatusDisabled || off.UpdateType != release.UpdateForced || off.Remark != "held back" {
			t.Fatalf("disabled wgt %+v", off)
		}
		enabled, _ := st.Releases().EnabledResources(ctx, upushytest.ShopProject)
		if len(enabled) != 3 {
			t.Fatalf("%d enabled resources", len(enabled))
		}

		// Again: nothing changes, everything is reported as present, and
		// the skipped records are skipped for the same reasons.
		again, err := upushy.NewImporter(stores, upushy.Options{}, now).Import(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		second := map[string]want{}
		for id, w := range first {
			if w.outcome == upushy.Imported {
				w = want{upushy.Present, "already in Hoist"}
			}
			second[id] = w
		}
		check(t, again, second)
		if len(again.Projects) != 0 {
			t.Fatalf("second run changed %v", again.Projects)
		}
		users, total, _ := st.Accounts().ListUsers(ctx, "", page.Request{Num: 1, Size: 10, Sort: "createdTime"})
		if total != 2 || len(users) != 2 {
			t.Fatalf("%d users after two imports", total)
		}

		// With a base for upushy's own uploads, the relative one comes in.
		third, err := upushy.NewImporter(stores, upushy.Options{URLBase: "https://upushy.example.com/"}, now).Import(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if third.Count(upushy.KindResource, upushy.Imported) != 1 || len(third.Projects) != 1 {
			t.Fatalf("third run: %+v", third)
		}
		rel, err := st.Releases().Resource(ctx, upushytest.RelativeWgtID)
		if err != nil || rel.URL != "https://upushy.example.com/upload/2021-03/__UNI__B843CC0.wgt" || rel.Type != release.TypeWgtIOS {
			t.Fatalf("relative wgt %+v %v", rel, err)
		}
	})
}
