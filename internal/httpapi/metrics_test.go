package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/metrics"
)

func TestMetrics(t *testing.T) {
	ts := mustServer(t, func(s *testSetup) { s.Metrics, s.MetricsToken = metrics.New(), "scrape-me" })
	f := newUpdateFixture(t, ts)
	ts.check(t, "/api/basic/update", checkBody(f.project.ID, "android", 100, 100, "d1"))
	ts.check(t, "/api/basic/update", checkBody(f.project.ID, "android", 100, 100, "d1"))
	ts.do(t, "GET", "/nope", nil)
	for i := range 5 {
		ts.do(t, fmt.Sprintf("M%d", i), "/nope", nil)
	}

	rec, env := ts.do(t, "GET", "/metrics", nil)
	mustErrorEnvelope(t, rec, env, http.StatusUnauthorized, apperr.Unauthorized)
	rec, _ = ts.do(t, "GET", "/metrics", nil, "Authorization", "Bearer scrape-me")
	body := rec.Body.String()
	for _, want := range []string{
		`hoist_http_requests_total{method="POST",route="/api/basic/update",status="200"} 2`,
		`hoist_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`hoist_http_requests_total{method="other",route="unmatched",status="404"} 5`,
		`hoist_http_request_duration_seconds_bucket{method="POST",route="/api/basic/update"`,
		`hoist_update_checks_total{project="` + f.project.ID + `",result="native"} 2`,
		`hoist_update_cache_hits_total 1`,
		`hoist_update_cache_loads_total 1`,
		`hoist_stats_devices_dropped_total 0`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, `method="M`) {
		t.Error("unknown methods become label values")
	}
	if strings.Contains(body, `route="/nope"`) {
		t.Error("raw paths leak into labels")
	}
}

// The hot paths' access log is sampled (one in http.publicLogSample
// answered requests); errors are always logged, other routes always.
func TestHotPathAccessLogIsSampled(t *testing.T) {
	ts := mustServer(t, func(s *testSetup) { s.Config.PublicLogSample = 100 })
	f := newUpdateFixture(t, ts)
	for range 250 {
		ts.check(t, "/api/basic/update", checkBody(f.project.ID, "android", 100, 100, "d1"))
	}
	ts.call(t, "POST", "/api/basic/update", "", map[string]any{"projectId": "nope"})
	var checks, errors int
	for _, line := range strings.Split(ts.logs.String(), "\n") {
		if strings.Contains(line, `"path":"/api/basic/update"`) {
			if strings.Contains(line, `"status":200`) {
				checks++
			} else {
				errors++
			}
		}
	}
	if checks != 2 || errors != 1 {
		t.Fatalf("logged %d of 250 checks (want 2) and %d of 1 failed ones", checks, errors)
	}
}
