package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
	"github.com/hoist-ota/hoist/internal/upushy/upushytest"
)

// An upushy installation moves to Hoist: the import copies it (twice, the
// second time changing nothing), its users log in with their old passwords
// (re-hashed on the way), and its apps' update checks, with the old
// projectId, get the old resources.
func TestImportUpushyThenServe(t *testing.T) {
	for _, driver := range storetest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			upushyDSN := upushytest.DSN(t)
			db := storetest.DB(t, driver)
			env := baseEnv(t, "HOIST_DB_DRIVER="+driver, "HOIST_DB_DSN="+db.DSN,
				"HOIST_JWT_SECRET="+strings.Repeat("s", 40), "HOIST_AUTH_CAPTCHA=off")

			code, out, stderr := runHoist(t, env, "import", "upushy", "--dsn", upushyDSN)
			if code != 0 || !strings.Contains(out, "users: 2 imported, 0 already present, 2 skipped") ||
				!strings.Contains(out, "projects: 2 imported, 0 already present, 2 skipped") ||
				!strings.Contains(out, "resources: 4 imported, 0 already present, 4 skipped") ||
				!strings.Contains(out, "skipped  resource 1c89cb43e15780541b5364046d267f41") {
				t.Fatalf("import: %d\n%s%s", code, out, stderr)
			}
			code, out, stderr = runHoist(t, env, "import", "upushy", "--dsn", upushyDSN, "--json")
			var rep struct {
				Entries []struct{ Kind, ID, Outcome, Reason string }
				Changed []string `json:"changedProjects"`
			}
			if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || len(rep.Entries) != 16 || len(rep.Changed) != 0 {
				t.Fatalf("second import: %d %v\n%s%s", code, err, out, stderr)
			}
			for _, e := range rep.Entries {
				if e.Outcome == "imported" {
					t.Errorf("imported again: %+v", e)
				}
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
			if code := apiCall(t, base, "POST", "/api/v1/auth/login", "", map[string]string{"username": "bob", "password": "wrong"}, nil); code != 401 {
				t.Fatalf("wrong password: %d", code)
			}
			var projects struct{ Records []struct{ ID string } }
			apiCall(t, base, "GET", "/api/v1/projects", sess.AccessToken, nil, &projects)
			if len(projects.Records) != 2 {
				t.Fatalf("alice (admin) sees %d projects", len(projects.Records))
			}

			var o struct {
				Wgt    *struct{ ID, URL string } `json:"wgt"`
				Native *struct {
					ID          string
					VersionCode int64
				} `json:"native"`
			}
			check := map[string]any{"projectId": upushytest.ShopProject, "platform": "android",
				"wgtVersionCode": "1100", "nativeVersionCode": 1119, "systemInfo": map[string]any{"uuid": "device-1"}}
			if code := apiCall(t, base, "POST", "/api/update", "", check, &o); code != 200 || o.Wgt == nil || o.Native == nil ||
				o.Wgt.ID != upushytest.WgtID || o.Wgt.URL != upushytest.WgtURL || o.Native.ID != upushytest.NativeID || o.Native.VersionCode != 1119 {
				t.Fatalf("update check: %d %+v %+v", code, o.Wgt, o.Native)
			}
			if code, _ := p.stop(t); code != 0 {
				t.Fatalf("exit %d", code)
			}

			// The login replaced alice's upushy hash; bob (no login) keeps his.
			cfg := config.Default().DB
			cfg.Driver, cfg.DSN = driver, db.DSN
			st, err := store.Open(context.Background(), cfg, storetest.Logger())
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			alice, _ := st.Accounts().UserByID(context.Background(), upushytest.AliceID)
			bob, _ := st.Accounts().UserByID(context.Background(), upushytest.BobID)
			if !strings.HasPrefix(alice.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") || !strings.HasPrefix(bob.PasswordHash, "upushy-md5:$argon2id$") {
				t.Fatalf("hashes after login: alice %q, bob %q", alice.PasswordHash, bob.PasswordHash)
			}
		})
	}
}

func TestImportCommandLine(t *testing.T) {
	env := baseEnv(t)
	if code, _, stderr := runHoist(t, env, "import", "upushy"); code != exitConfig || !strings.Contains(stderr, "--dsn") {
		t.Fatalf("no dsn: %d %q", code, stderr)
	}
	if code, _, stderr := runHoist(t, env, "import", "nacos", "--dsn", "x"); code != exitConfig || !strings.Contains(stderr, "import upushy") {
		t.Fatalf("unknown source: %d %q", code, stderr)
	}
	code, _, stderr := runHoist(t, env, "import", "upushy", "--dsn", "root@tcp(127.0.0.1:1)/upushy")
	if code != exitFail || !strings.Contains(stderr, "connect to upushy") {
		t.Fatalf("unreachable upushy database: %d %q", code, stderr)
	}
}
