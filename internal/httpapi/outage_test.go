package httpapi

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/netfault"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

// While MariaDB is unreachable, a device keeps getting the last compiled
// answer and can download what it offers; what this node never loaded is
// a 503, never a 500.
func TestCheckAndDownloadDuringADatabaseOutage(t *testing.T) {
	db := storetest.DB(t, config.DriverMySQL)
	storetest.Open(t, db) // migrate directly
	cfg, err := mysql.ParseDSN(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	p := netfault.Start(t, cfg.Addr)
	cfg.Addr, cfg.Timeout = p.Addr(), 2*time.Second
	db.DSN = cfg.FormatDSN()
	st, err := store.Open(context.Background(), db, storetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ts := mustServer(t, func(s *testSetup) { s.store = st })
	f := newUpdateFixture(t, ts)
	other := ts.mustProject(t, f.owner.AccessToken, "Other")
	apk := ts.mustUpload(t, f.owner.AccessToken, other.ID, "o.apk", apkBytes(t))
	otherApk := ts.mustResource(t, f.owner.AccessToken, other.ID, map[string]any{"type": 3, "version": "1.0.0", "versionCode": 100,
		"storageKey": apk.Key, "updateType": 1})
	body := checkBody(f.project.ID, "android", 100, 100, "dev-1")
	before := ts.check(t, "/api/basic/update", body)

	p.Cut()
	during := ts.check(t, "/api/basic/update", body)
	if idOf(during.Wgt) != idOf(before.Wgt) || idOf(during.Native) != idOf(before.Native) {
		t.Fatalf("stale answer %s/%s, before %s/%s", idOf(during.Wgt), idOf(during.Native), idOf(before.Wgt), idOf(before.Native))
	}
	for _, r := range []*resourceView{during.Wgt, during.Native} {
		path := strings.TrimPrefix(r.URL, "http://example.com")
		rec, _ := ts.do(t, "GET", path, nil)
		if rec.Code != http.StatusFound {
			t.Fatalf("download %s during the outage: %d %s", path, rec.Code, rec.Body)
		}
	}
	// Never compiled on this node: 503 for the check, the download too.
	rec, env := ts.call(t, "POST", "/api/basic/update", "", checkBody(other.ID, "android", 1, 1, ""))
	mustErrorEnvelope(t, rec, env, http.StatusServiceUnavailable, apperr.Unavailable)
	rec, env = ts.do(t, "GET", strings.TrimPrefix(otherApk.URL, "http://example.com"), nil)
	mustErrorEnvelope(t, rec, env, http.StatusServiceUnavailable, apperr.Unavailable)
}
