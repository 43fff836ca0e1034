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
	"github.com/hoist-ota/hoist/internal/release"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
	"github.com/hoist-ota/hoist/internal/testwait"
)

// outageServer is a test server on MariaDB behind a proxy that can be cut.
func outageServer(t *testing.T) (*testServer, *netfault.Proxy) {
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
	return mustServer(t, func(s *testSetup) { s.store = st }), p
}

// While MariaDB is unreachable, a device keeps getting the last compiled
// answer and can download what it offers; what this node never loaded is
// a 503, never a 500.
func TestCheckAndDownloadDuringADatabaseOutage(t *testing.T) {
	ts, p := outageServer(t)
	f := newUpdateFixture(t, ts)
	// Another node publishes a project this node never compiles.
	node2 := mustServer(t, func(s *testSetup) { s.shared = ts })
	other := node2.mustProject(t, f.owner.AccessToken, "Other")
	apk := node2.mustUpload(t, f.owner.AccessToken, other.ID, "o.apk", apkBytes(t))
	otherApk := node2.mustResource(t, f.owner.AccessToken, other.ID, map[string]any{"type": 3, "version": "1.0.0", "versionCode": 100,
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

// A CodePush report is acknowledged only once committed: while MariaDB is
// unreachable it is a 503 (the SDK keeps it and sends it again), and once
// the database is back the same report is counted once.
func TestCodePushReportDuringADatabaseOutage(t *testing.T) {
	ts, p := outageServer(t)
	f := newReleaseFixture(t, ts)
	var chs []channelView
	ts.mustOK(t, 200, "GET", "/api/v1/projects/"+f.project.ID+"/channels", f.owner.AccessToken, nil, &chs)
	key := chs[0].DeploymentKeys[release.PlatformIOS]
	zip := ts.mustUpload(t, f.owner.AccessToken, f.project.ID, "b.zip", bundleZip(t, "1", nil))
	v1 := ts.mustResource(t, f.owner.AccessToken, f.project.ID, map[string]any{"type": 7, "version": "1.0.0", "versionCode": 1,
		"storageKey": zip.Key, "targetBinaryRange": "1.x", "updateType": 1})
	report := map[string]any{"deployment_key": key, "label": v1.Label, "client_unique_id": "d1"}
	// The deployment is compiled on this node before the outage.
	if rec, _ := ts.do(t, "GET", "/v0.1/public/codepush/update_check?deployment_key="+key+"&app_version=1.0.0", nil); rec.Code != 200 {
		t.Fatalf("check %d %s", rec.Code, rec.Body)
	}
	p.Down()
	rec, env := ts.call(t, "POST", "/v0.1/public/codepush/report_status/download", "", report)
	mustErrorEnvelope(t, rec, env, http.StatusServiceUnavailable, apperr.Unavailable)
	p.Up()
	testwait.For(t, "the report accepted again", func() bool {
		rec, _ := ts.call(t, "POST", "/v0.1/public/codepush/report_status/download", "", report)
		return rec.Code == 200
	})
	var m codePushMetricsView
	ts.mustOK(t, 200, "GET", "/api/v1/resources/"+v1.ID+"/codepush-metrics", f.owner.AccessToken, nil, &m)
	if m.Downloaded != 1 {
		t.Fatalf("downloaded %d after one refused and one acknowledged report", m.Downloaded)
	}
}
