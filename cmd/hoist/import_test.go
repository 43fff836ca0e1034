package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
	"github.com/hoist-ota/hoist/internal/upushyimport"
	"github.com/hoist-ota/hoist/internal/upushyimport/upushytest"
)

// An upushy 0.6 installation moves to Hoist with one command built from
// upushy's own env.production.yaml: a dry run first (nothing written), then
// the import (twice, the second time changing nothing). Its users log in
// with their old passwords (renamed ones under the name the report shows),
// and for every project, platform and device state the stock client does
// with Hoist's answer exactly what it did with upushy's.
func TestImportUpushyThenServe(t *testing.T) {
	for _, driver := range storetest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			upushyDSN := upushytest.DSN(t)
			upushyConfig := upushytest.Config(t, upushyDSN)
			db := storetest.DB(t, driver)
			env := baseEnv(t, "HOIST_DB_DRIVER="+driver, "HOIST_DB_DSN="+db.DSN,
				"HOIST_JWT_SECRET="+strings.Repeat("s", 40), "HOIST_AUTH_CAPTCHA=off")
			imp := []string{"import", "upushy", "--upushy-config", upushyConfig, "--owner", "alice"}

			// Without the bucket or an owner: exit 2, saying what to pass.
			code, _, stderr := runHoist(t, env, "import", "upushy", "--dsn", upushyDSN)
			if code != exitConfig || !strings.Contains(stderr, "12 of 12 wgt/apk resources store an OSS object key") ||
				!strings.Contains(stderr, "--upushy-config") || !strings.Contains(stderr, "--oss-bucket and --oss-endpoint") ||
				!strings.Contains(stderr, "pass --owner USERNAME") {
				t.Fatalf("no base, no owner: %d %q", code, stderr)
			}
			// A dry run needs a current schema, and then writes nothing.
			if code, _, stderr := runHoist(t, env, append(imp, "--dry-run")...); code != exitConfig || !strings.Contains(stderr, "hoist migrate") {
				t.Fatalf("dry run before migrate: %d %q", code, stderr)
			}
			if code, out, stderr := runHoist(t, env, "migrate"); code != 0 {
				t.Fatalf("migrate: %d %s%s", code, out, stderr)
			}
			before := dumpDB(t, driver, db.DSN)
			code, out, stderr := runHoist(t, env, append(imp, "--dry-run")...)
			if code != 0 || !strings.Contains(out, "dry run: nothing was written") ||
				!strings.Contains(out, "resources: 13 imported, 0 already present, 1 skipped") ||
				!strings.Contains(out, "skipped  user     "+upushytest.CarolID+" carol: the password hash") {
				t.Fatalf("dry run: %d\n%s%s", code, out, stderr)
			}
			if after := dumpDB(t, driver, db.DSN); !slices.Equal(before, after) {
				t.Fatalf("the dry run changed the database:\n%s", diffLines(before, after))
			}

			code, out, stderr = runHoist(t, env, imp...)
			if code != 0 || !strings.Contains(out, "users: 4 imported, 0 already present, 1 skipped") ||
				!strings.Contains(out, "projects: 4 imported, 0 already present, 0 skipped") ||
				!strings.Contains(out, "resources: 13 imported, 0 already present, 1 skipped") ||
				!strings.Contains(out, "imported user     "+upushytest.LiLeiID+" 李雷 → upushy-c83ba5ec") ||
				!strings.Contains(out, "owned by alice (--owner)") ||
				!strings.Contains(out, "skipped  resource "+upushytest.DupWgtID) ||
				!strings.Contains(out, "OSS object keys under: "+upushytest.OSSBase) ||
				!strings.Contains(out, "times: TIMESTAMP columns") {
				t.Fatalf("import: %d\n%s%s", code, out, stderr)
			}
			imported := dataTables(dumpDB(t, driver, db.DSN))
			code, out, stderr = runHoist(t, env, append(imp, "--json")...)
			var rep struct {
				Entries []struct{ Kind, ID, Outcome, Reason string }
				Changed []string `json:"changedProjects"`
			}
			if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || len(rep.Entries) != 23 || len(rep.Changed) != 0 {
				t.Fatalf("second import: %d %v\n%s%s", code, err, out, stderr)
			}
			for _, e := range rep.Entries {
				if e.Outcome == "imported" {
					t.Errorf("imported again: %+v", e)
				}
			}
			if again := dataTables(dumpDB(t, driver, db.DSN)); !slices.Equal(imported, again) {
				t.Fatalf("the second import changed data:\n%s", diffLines(imported, again))
			}

			p := startServe(t, env)
			base := "http://" + p.addr("http")
			var sess struct {
				AccessToken string
				User        struct{ ID, Role string }
			}
			login := map[string]string{"username": "alice", "password": upushytest.AlicePassword}
			if code := apiCall(t, base, "POST", "/api/v1/auth/login", "", login, &sess); code != 200 ||
				sess.User.ID != upushytest.AliceID || sess.User.Role != "admin" {
				t.Fatalf("alice's login with her upushy password: %d %+v", code, sess)
			}
			var li struct{ AccessToken string }
			login = map[string]string{"username": "upushy-c83ba5ec", "password": upushytest.LiLeiPassword}
			if code := apiCall(t, base, "POST", "/api/v1/auth/login", "", login, &li); code != 200 {
				t.Fatalf("李雷's login under his new name: %d", code)
			}
			if code := apiCall(t, base, "POST", "/api/v1/auth/login", "", map[string]string{"username": "bob", "password": "wrong"}, nil); code != 401 {
				t.Fatalf("wrong password: %d", code)
			}
			var last struct {
				DryRun  bool
				Entries []struct{ ID, Outcome string }
			}
			if code := apiCall(t, base, "GET", "/api/v1/imports/upushy/last", sess.AccessToken, nil, &last); code != 200 || last.DryRun || len(last.Entries) != 23 {
				t.Fatalf("last import's report: %d %+v", code, last)
			}
			if code := apiCall(t, base, "GET", "/api/v1/imports/upushy/last", li.AccessToken, nil, nil); code != 403 {
				t.Fatalf("report for a user: %d", code)
			}

			compareUpdateChecks(t, base, upushytest.Rows(t, upushyDSN))
			if code, _ := p.stop(t); code != 0 {
				t.Fatalf("exit %d", code)
			}

			// The login replaced alice's upushy hash; bob (no login) keeps his.
			st := mustHoistStore(t, driver, db.DSN)
			alice, _ := st.Accounts().UserByID(context.Background(), upushytest.AliceID)
			bob, _ := st.Accounts().UserByID(context.Background(), upushytest.BobID)
			if !strings.HasPrefix(alice.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") || !strings.HasPrefix(bob.PasswordHash, "upushy-md5:$argon2id$") {
				t.Fatalf("hashes after login: alice %q, bob %q", alice.PasswordHash, bob.PasswordHash)
			}
		})
	}
}

// compareUpdateChecks asks Hoist's /api/basic/update, for every project,
// platform and device state the rows name, and checks that the stock
// client acts on the answer as it did on upushy 0.6's.
func compareUpdateChecks(t *testing.T, base string, rows []upushytest.Row) {
	t.Helper()
	type offer struct {
		ID                             string
		VersionCode, NativeVersionCode int64
		UpdateType                     int
		URL                            string
	}
	toOffer := func(o *offer) *upushytest.Offer {
		if o == nil {
			return nil
		}
		return &upushytest.Offer{ID: o.ID, VersionCode: o.VersionCode, NativeVersionCode: o.NativeVersionCode, UpdateType: o.UpdateType, URL: o.URL}
	}
	compared, updates := 0, 0
	for _, project := range []string{upushytest.ShopProject, upushytest.BobsProject, upushytest.LiLeiProject, upushytest.CarolProject} {
		for _, platform := range []string{"android", "ios"} {
			uw, un := upushytest.UpushyAnswer(rows, upushytest.OSSBase, project, platform)
			for _, s := range upushytest.DeviceStates(rows, project, platform) {
				var got struct{ Wgt, Native *offer }
				body := map[string]any{"projectId": project, "platform": platform, "wgtVersion": "x", "wgtVersionCode": s[1],
					"nativeVersion": "x", "nativeVersionCode": s[0], "systemInfo": map[string]any{"uuid": "device-1"}}
				if code := apiCall(t, base, "POST", "/api/basic/update", "", body, &got); code != 200 {
					t.Fatalf("%s %s %v: %d", project, platform, s, code)
				}
				want := upushytest.ClientAction(uw, un, s[0], s[1])
				if have := upushytest.ClientAction(toOffer(got.Wgt), toOffer(got.Native), s[0], s[1]); have != want {
					t.Errorf("%s %s, device native %d wgt %d: Hoist → %s; upushy → %s", project, platform, s[0], s[1], have, want)
				}
				compared++
				if want != "nothing" {
					updates++
				}
			}
		}
	}
	if compared < 25 || updates < 15 {
		t.Fatalf("compared %d device states, %d with an update", compared, updates)
	}
	t.Logf("compared %d device states (%d with an update)", compared, updates)
}

func mustHoistStore(t *testing.T, driver, dsn string) *store.Store {
	t.Helper()
	cfg := config.Default().DB
	cfg.Driver, cfg.DSN = driver, dsn
	st, err := store.Open(context.Background(), cfg, storetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// dumpDB returns every row of every table of Hoist's database, one line
// each ("table: values"), sorted.
func dumpDB(t *testing.T, driver, dsn string) []string {
	t.Helper()
	st := mustHoistStore(t, driver, dsn)
	var db *sql.DB
	for _, p := range st.Pools() {
		db = p
	}
	q := "SHOW TABLES"
	if driver == config.DriverSQLite {
		q = "SELECT name FROM sqlite_master WHERE type = 'table'"
	}
	tables := queryLines(t, db, q, "")
	var out []string
	for _, table := range tables {
		out = append(out, queryLines(t, db, "SELECT * FROM "+table, table+": ")...)
	}
	slices.Sort(out)
	st.Close()
	return out
}

func queryLines(t *testing.T, db *sql.DB, q, prefix string) []string {
	t.Helper()
	rs, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var out []string
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			parts[i] = fmt.Sprint(v)
		}
		out = append(out, prefix+strings.Join(parts, "|"))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// dataTables drops the settings row of the last import's report, the one
// thing a second import rewrites.
func dataTables(lines []string) []string {
	return slices.DeleteFunc(slices.Clone(lines), func(l string) bool {
		return strings.HasPrefix(l, "settings: "+upushyimport.LastReportSetting+"|")
	})
}

func diffLines(a, b []string) string {
	var sb strings.Builder
	for _, l := range a {
		if !slices.Contains(b, l) {
			sb.WriteString("- " + l + "\n")
		}
	}
	for _, l := range b {
		if !slices.Contains(a, l) {
			sb.WriteString("+ " + l + "\n")
		}
	}
	return sb.String()
}

func TestImportCommandLine(t *testing.T) {
	env := baseEnv(t)
	if code, _, stderr := runHoist(t, env, "import", "upushy"); code != exitConfig || !strings.Contains(stderr, "--upushy-config") {
		t.Fatalf("no database: %d %q", code, stderr)
	}
	if code, _, stderr := runHoist(t, env, "import", "nacos", "--dsn", "x"); code != exitConfig || !strings.Contains(stderr, "import upushy") {
		t.Fatalf("unknown source: %d %q", code, stderr)
	}
	if code, _, stderr := runHoist(t, env, "import", "upushy", "--dsn", "root@tcp(127.0.0.1:1)/upushy", "--time-zone", "Mars/Olympus"); code != exitConfig || !strings.Contains(stderr, "Mars/Olympus") {
		t.Fatalf("unknown time zone: %d %q", code, stderr)
	}
	if code, _, stderr := runHoist(t, env, "import", "upushy", "--dsn", "root@tcp(127.0.0.1:1)/upushy", "--oss-bucket", "b"); code != exitConfig || !strings.Contains(stderr, "OSS endpoint") {
		t.Fatalf("bucket without endpoint: %d %q", code, stderr)
	}
	code, _, stderr := runHoist(t, env, "import", "upushy", "--dsn", "root@tcp(127.0.0.1:1)/upushy")
	if code != exitFail || !strings.Contains(stderr, "connect to upushy") {
		t.Fatalf("unreachable upushy database: %d %q", code, stderr)
	}
}
