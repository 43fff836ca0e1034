package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// The adoption funnel from the devices' side: checks offer a wgt, the
// link the check wrote is downloaded, a later check reports it installed
// (applied) or keeps being offered it (not applied after two), over one
// flush window or several.
func TestAdoptionFunnel(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		f := newUpdateFixture(t, ts)
		pid, tok := f.project.ID, f.viewer.AccessToken
		flush := func() {
			t.Helper()
			if err := ts.funnel.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		download := func(url string) {
			t.Helper()
			rec, _ := ts.do(t, "GET", strings.TrimPrefix(url, "http://example.com"), nil)
			if rec.Code != http.StatusFound {
				t.Fatalf("download %s: %d %s", url, rec.Code, rec.Body)
			}
		}
		// a: offered, downloads, installs (all in one window).
		o := ts.check(t, "/api/basic/update", checkBody(pid, "android", 110, 110, "dev-a"))
		if idOf(o.Wgt) != "1.1.1" {
			t.Fatalf("offered %s", idOf(o.Wgt))
		}
		download(o.Wgt.URL)
		ts.check(t, "/api/basic/update", checkBody(pid, "android", 111, 110, "dev-a"))
		// b: offered, downloads, then twice more still on 110 (a flush between
		// each step: the wait goes through the database).
		o = ts.check(t, "/api/basic/update", checkBody(pid, "android", 110, 110, "dev-b"))
		flush()
		download(o.Wgt.URL)
		flush()
		ts.check(t, "/api/basic/update", checkBody(pid, "android", 110, 110, "dev-b"))
		flush()
		ts.check(t, "/api/basic/update", checkBody(pid, "android", 110, 110, "dev-b"))
		// c: offered only, twice; d: downloads and has had one further check.
		ts.check(t, "/api/basic/update", checkBody(pid, "android", 110, 110, "dev-c"))
		ts.check(t, "/api/basic/update", checkBody(pid, "android", 110, 110, "dev-c"))
		o = ts.check(t, "/api/basic/update", checkBody(pid, "android", 110, 110, "dev-d"))
		download(o.Wgt.URL)
		ts.check(t, "/api/basic/update", checkBody(pid, "android", 110, 110, "dev-d"))
		// A link without the device segment downloads and is not counted.
		download("/d/" + o.Wgt.ID + "/1.1.1.wgt")
		flush()

		var got funnelView
		ts.mustOK(t, 200, "GET", "/api/v1/resources/"+f.wgt111.ID+"/funnel", tok, nil, &got)
		if got.Offered != 4 || got.Downloaded != 3 || got.Applied != 1 || got.NotApplied != 1 {
			t.Fatalf("funnel %+v, want offered 4, downloaded 3, applied 1, not applied 1", got)
		}
		if len(got.Days) != 1 || got.Days[0].Offered != 4 || got.From != got.To {
			t.Fatalf("days %+v (%s..%s)", got.Days, got.From, got.To)
		}
		// Devices on each version: distinct devices, not checks (b checked
		// 110 three times, c twice).
		var st struct {
			WgtVersions       []codeCountView `json:"wgtVersions"`
			WgtVersionDevices []codeCountView `json:"wgtVersionDevices"`
		}
		ts.mustOK(t, 200, "GET", "/api/v1/projects/"+pid+"/stats?from="+got.From+"&to="+got.To, tok, nil, &st)
		if fmt.Sprint(st.WgtVersionDevices) != "[{110 4} {111 1}]" {
			t.Fatalf("devices per version %v (checks per version %v)", st.WgtVersionDevices, st.WgtVersions)
		}
		// The other wgt was never offered to these devices.
		var other funnelView
		ts.mustOK(t, 200, "GET", "/api/v1/resources/"+f.wgt102.ID+"/funnel", tok, nil, &other)
		if other.Offered != 0 || len(other.Days) != 0 {
			t.Fatalf("wgt 1.0.2 funnel %+v", other)
		}

		rec, env := ts.call(t, "GET", "/api/v1/resources/"+f.wgt111.ID+"/funnel?from=2026-13-01", tok, nil)
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		rec, env = ts.call(t, "GET", "/api/v1/resources/"+f.wgt111.ID+"/funnel", f.stranger.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
	})
}
