package httpapi

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/upushyimport"
)

// The last upushy import's report, as `hoist import upushy` keeps it, is
// shown to administrators only.
func TestUpushyLastImport(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		admin := ts.mustRegister(t, "root")
		user := ts.mustRegister(t, "someone")
		rec, env := ts.call(t, "GET", "/api/v1/imports/upushy/last", admin.AccessToken, nil)
		if rec.Code != 200 || string(env.Data) != "null" {
			t.Fatalf("before any import: %d %s", rec.Code, env.Data)
		}

		const report = `{"time":"2026-12-04T07:00:00Z","dryRun":false,"source":"db:3306/upushy","urlBase":"https://b.oss-cn-hangzhou.aliyuncs.com",` +
			`"entries":[{"kind":"user","id":"c83ba5ec5150e2d56f38bb205b1d673f","name":"李雷","outcome":"imported","reason":"renamed","newName":"upushy-c83ba5ec"}],"changedProjects":[]}`
		if err := ts.store.PutSetting(context.Background(), upushyimport.LastReportSetting, report); err != nil {
			t.Fatal(err)
		}
		var got importReportView
		ts.mustOK(t, 200, "GET", "/api/v1/imports/upushy/last", admin.AccessToken, nil, &got)
		if len(got.Entries) != 1 || got.Entries[0].NewName != "upushy-c83ba5ec" || got.Entries[0].Name != "李雷" ||
			got.Source != "db:3306/upushy" || got.Time.IsZero() {
			t.Fatalf("report %+v", got)
		}
		rec, env = ts.call(t, "GET", "/api/v1/imports/upushy/last", user.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, 403, apperr.Forbidden)

		// An import of an empty database keeps null lists, and a report of
		// an earlier version has no totals: the answer has empty lists, as
		// the API document says.
		const empty = `{"time":"2026-12-04T07:00:00Z","dryRun":true,"entries":null,"changedProjects":null}`
		if err := ts.store.PutSetting(context.Background(), upushyimport.LastReportSetting, empty); err != nil {
			t.Fatal(err)
		}
		rec, env = ts.call(t, "GET", "/api/v1/imports/upushy/last", admin.AccessToken, nil)
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(env.Data, &raw); rec.Code != 200 || err != nil {
			t.Fatalf("empty report: %d %s %v", rec.Code, env.Data, err)
		}
		for _, k := range []string{"totals", "entries", "changedProjects"} {
			if string(raw[k]) != "[]" {
				t.Errorf("empty report: %s = %s, want []", k, raw[k])
			}
		}
	})
}
