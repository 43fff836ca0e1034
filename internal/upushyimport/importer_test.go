package upushyimport_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/page"
	"github.com/hoist-ota/hoist/internal/release"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
	"github.com/hoist-ota/hoist/internal/upushyimport"
	"github.com/hoist-ota/hoist/internal/upushyimport/upushytest"
)

func readDSN(t *testing.T, dsn string, loc *time.Location) upushyimport.Data {
	t.Helper()
	ctx := context.Background()
	db, err := upushyimport.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d, err := upushyimport.Read(ctx, db, loc)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func find[T any](xs []T, ok func(T) bool) T {
	for _, x := range xs {
		if ok(x) {
			return x
		}
	}
	var zero T
	return zero
}

// upushy's TIMESTAMP columns come out in UTC whatever time zone the upushy
// server ran in (the fixture writes them as Asia/Shanghai wall-clock time).
func TestReadUpushyDatabase(t *testing.T) {
	d := readDSN(t, upushytest.DSN(t), nil)
	if len(d.Users) != 5 || len(d.Projects) != 4 || len(d.Sources) != 14 {
		t.Fatalf("read %d users, %d projects, %d sources", len(d.Users), len(d.Projects), len(d.Sources))
	}
	native := find(d.Sources, func(s upushyimport.Source) bool { return s.ID == upushytest.NativeID })
	want := time.Date(2021, 2, 7, 14, 49, 25, 538e6, time.UTC)
	if native.Type != 3 || native.VersionCode != 1119 || !native.CreatedTime.Equal(want) || !strings.Contains(native.Changelog, "\nbuild:1119") ||
		native.URL != "2021-2-7/1612709287834.__UNI__B843CC0_0207224602.apk" {
		t.Fatalf("native %+v", native)
	}
	if !strings.Contains(d.Times, "TIMESTAMP") {
		t.Fatalf("times %q", d.Times)
	}
}

// DATETIME columns hold wall-clock time: --time-zone says which.
func TestReadDatetimeColumnsInTimeZone(t *testing.T) {
	dsn := upushytest.DSN(t)
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Params = map[string]string{"time_zone": "'+08:00'"}
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"app_user", "app_project", "app_source"} {
		// Converted in the session's zone: Asia/Shanghai wall-clock time.
		if _, err := db.Exec("ALTER TABLE " + table + " MODIFY created_time DATETIME(6) NOT NULL, MODIFY updated_time DATETIME(6) NOT NULL"); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	shanghai, err := upushyimport.ParseTimeZone("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2021, 2, 7, 14, 49, 25, 538e6, time.UTC)
	d := readDSN(t, dsn, shanghai)
	native := find(d.Sources, func(s upushyimport.Source) bool { return s.ID == upushytest.NativeID })
	alice := find(d.Users, func(u upushyimport.User) bool { return u.ID == upushytest.AliceID })
	if !native.CreatedTime.Equal(want) || !alice.CreatedTime.Equal(time.Date(2020, 7, 5, 9, 0, 0, 0, time.UTC)) ||
		!strings.Contains(d.Times, "DATETIME") || !strings.Contains(d.Times, "Asia/Shanghai") {
		t.Fatalf("in Asia/Shanghai: native %v, alice %v, %q", native.CreatedTime, alice.CreatedTime, d.Times)
	}
	d = readDSN(t, dsn, nil)
	native = find(d.Sources, func(s upushyimport.Source) bool { return s.ID == upushytest.NativeID })
	if !native.CreatedTime.Equal(want.Add(8 * time.Hour)) {
		t.Fatalf("as UTC: %v", native.CreatedTime)
	}
	if _, err := upushyimport.ParseTimeZone("Mars/Olympus"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("unknown zone: %v", err)
	}
}

// want is the expected outcome of a record and a part of its reason.
type want struct {
	outcome upushyimport.Outcome
	reason  string
}

func check(t *testing.T, rep upushyimport.Report, wants map[string]want) {
	t.Helper()
	seen := map[string]bool{}
	for _, e := range rep.Entries {
		seen[e.ID] = true
		w, ok := wants[e.ID]
		if !ok {
			if e.Outcome != upushyimport.Imported && e.Outcome != upushyimport.Present {
				t.Errorf("unexpected entry %+v", e)
			}
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

func stores(st *store.Store) upushyimport.Stores {
	return upushyimport.Stores{Accounts: st.Accounts(), Projects: st.Projects(), Releases: st.Releases()}
}

var now = func() time.Time { return time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC) }

func TestImportKeepsIdsAndIsIdempotent(t *testing.T) {
	d := readDSN(t, upushytest.DSN(t), nil)
	opts := upushyimport.Options{URLBase: upushytest.OSSBase, Owner: "alice"}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		rep, err := upushyimport.NewImporter(stores(st), opts, now).Import(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		first := map[string]want{
			upushytest.AliceID:      {upushyimport.Imported, "admin: the first user"},
			upushytest.BobID:        {upushyimport.Imported, `email "bob at example" dropped`},
			upushytest.LiLeiID:      {upushyimport.Imported, `username "李雷" is not allowed in Hoist (3 to 50 of A-Za-z0-9_.-): signs in as "upushy-c83ba5ec"`},
			upushytest.DaveID:       {upushyimport.Imported, `signs in as "dave_smith"`},
			upushytest.CarolID:      {upushyimport.Skipped, "password hash"},
			upushytest.CarolProject: {upushyimport.Imported, "its upushy owner (user 8f965a13a5f49864dc8eeb955b52396f) is not in Hoist: owned by alice (--owner)"},
			upushytest.LiLeiProject: {upushyimport.Imported, ""},
			upushytest.DupWgtID:     {upushyimport.Skipped, "duplicate: resource " + upushytest.WgtID + " has the same versionCode 1125"},
		}
		check(t, rep, first)
		if len(rep.Projects) != 4 || rep.Count(upushyimport.KindResource, upushyimport.Imported) != 13 || rep.Count(upushyimport.KindUser, upushyimport.Imported) != 4 {
			t.Fatalf("changed projects %v, %d resources", rep.Projects, rep.Count(upushyimport.KindResource, upushyimport.Imported))
		}
		renamed := map[string]string{}
		for _, e := range rep.Entries {
			if e.NewName != "" {
				renamed[e.Name] = e.NewName
			}
			if e.ID == upushytest.CarolProject && e.Owner != "alice" {
				t.Errorf("carol's project: owner %q", e.Owner)
			}
		}
		if len(renamed) != 2 || renamed["李雷"] != "upushy-c83ba5ec" || renamed["dave smith"] != "dave_smith" {
			t.Fatalf("renamed %v", renamed)
		}

		// What Hoist holds: the ids, roles, names and the legacy password mark.
		alice, err := st.Accounts().UserByID(ctx, upushytest.AliceID)
		if err != nil || alice.Role != account.RoleAdmin || alice.Email != "alice@example.com" || alice.Nickname != "Alice" ||
			!strings.HasPrefix(alice.PasswordHash, "upushy-md5:$argon2i$v=19$m=4096,t=3,p=1$") || !alice.CreatedTime.Equal(time.Date(2020, 7, 5, 9, 0, 0, 0, time.UTC)) {
			t.Fatalf("alice %+v %v", alice, err)
		}
		li, err := st.Accounts().UserByUsernameKey(ctx, "upushy-c83ba5ec")
		if err != nil || li.ID != upushytest.LiLeiID || li.Nickname != "李雷" || li.Role != account.RoleUser ||
			!strings.HasPrefix(li.PasswordHash, "upushy-md5:$argon2id$v=19$m=4096,t=3,p=1$") {
			t.Fatalf("李雷 %+v %v", li, err)
		}
		kiosk, err := st.Projects().Project(ctx, upushytest.CarolProject)
		if err != nil || kiosk.OwnerID != upushytest.AliceID {
			t.Fatalf("carol's project %+v %v", kiosk, err)
		}
		if role, err := st.Projects().MemberRole(ctx, upushytest.CarolProject, upushytest.AliceID); err != nil || role != "owner" {
			t.Fatalf("alice's role in carol's project: %q %v", role, err)
		}
		if role, err := st.Projects().MemberRole(ctx, upushytest.LiLeiProject, upushytest.LiLeiID); err != nil || role != "owner" {
			t.Fatalf("李雷's role in his project: %q %v", role, err)
		}
		wgt, err := st.Releases().Resource(ctx, upushytest.WgtID)
		if err != nil || wgt.ProjectID != upushytest.ShopProject || wgt.Type != release.TypeWgtAndroid || wgt.URL != upushytest.WgtURL ||
			wgt.StorageKey != "" || wgt.NativeVersionCode != 1119 || wgt.Status != release.StatusEnabled || wgt.RolloutPercent != 100 ||
			wgt.CreatedBy != upushytest.AliceID || !wgt.CreatedTime.Equal(time.Date(2021, 2, 28, 8, 47, 0, 112e6, time.UTC)) {
			t.Fatalf("wgt %+v %v", wgt, err)
		}
		if _, err := st.Releases().Resource(ctx, upushytest.DupWgtID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("the duplicate upushy never served: %v", err)
		}
		store4, _ := st.Releases().Resource(ctx, upushytest.AppStoreID)
		if store4.URL != upushytest.AppStoreURL || store4.Type != release.TypeIOS {
			t.Fatalf("App Store link %+v", store4)
		}
		off, _ := st.Releases().Resource(ctx, upushytest.DisabledWgtID)
		if off.Status != release.StatusDisabled || off.UpdateType != release.UpdateForced || off.Remark != "held back" {
			t.Fatalf("disabled wgt %+v", off)
		}

		// Again: nothing changes, everything is reported as present, and
		// the skipped records are skipped for the same reasons.
		again, err := upushyimport.NewImporter(stores(st), opts, now).Import(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		second := map[string]want{}
		for id, w := range first {
			if w.outcome == upushyimport.Imported {
				w = want{upushyimport.Present, "already in Hoist"}
			}
			second[id] = w
		}
		check(t, again, second)
		if len(again.Projects) != 0 || again.Count(upushyimport.KindResource, upushyimport.Imported)+again.Count(upushyimport.KindUser, upushyimport.Imported) != 0 {
			t.Fatalf("second run changed %v", again.Projects)
		}
		for _, e := range again.Entries {
			if e.ID == upushytest.LiLeiID && e.NewName != "upushy-c83ba5ec" {
				t.Errorf("second run: 李雷 %+v", e)
			}
		}
		users, total, _ := st.Accounts().ListUsers(ctx, "", page.Request{Num: 1, Size: 10, Sort: "createdTime"})
		if total != 4 || len(users) != 4 {
			t.Fatalf("%d users after two imports", total)
		}
	})
}

// Without the OSS base or an owner the import stops before writing and
// says what to pass.
func TestImportStopsWithoutBaseOrOwner(t *testing.T) {
	d := readDSN(t, upushytest.DSN(t), nil)
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		_, err := upushyimport.NewImporter(stores(st), upushyimport.Options{}, now).Import(ctx, d)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		for _, part := range []string{"12 of 12 wgt/apk resources store an OSS object key", "--upushy-config", "--oss-bucket and --oss-endpoint",
			"1 project(s) belong to upushy users who cannot be imported", upushytest.CarolProject, "--owner"} {
			if !apperr.Is(err, apperr.Invalid) || !strings.Contains(msg, part) {
				t.Errorf("want %q in %v", part, err)
			}
		}
		_, err = upushyimport.NewImporter(stores(st), upushyimport.Options{URLBase: upushytest.OSSBase, Owner: "nobody"}, now).Import(ctx, d)
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), `--owner "nobody" is not a Hoist user`) {
			t.Fatalf("unknown owner: %v", err)
		}
		// Check writes nothing; the owner is looked up after the users, so
		// the command runs the import in a transaction.
		_, err = upushyimport.NewImporter(stores(st), upushyimport.Options{URLBase: upushytest.OSSBase}, now).Import(ctx, d)
		if !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("no owner: %v", err)
		}
		if _, total, _ := st.Accounts().ListUsers(ctx, "", page.Request{Num: 1, Size: 10, Sort: "createdTime"}); total != 4 {
			t.Fatalf("%d users", total) // from the "nobody" run, which the command would have rolled back
		}
	})
}
