package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// A scripted population of 200 devices on a fake clock: every 20 minutes each
// device checks, downloads what it is offered, and (if healthy) runs it at
// its next check. A release that 30 % of devices never apply halts at its
// first stage; a healthy one reaches 100 % by itself.
func TestStagedRolloutSimulation(t *testing.T) {
	for _, tc := range []struct {
		name        string
		failing     int // devices in ten that never apply the release
		wantState   string
		wantPercent int
	}{
		{"healthy", 0, "completed", 100},
		{"30% not applied", 3, "halted", 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newTestClock()
			ts := mustServer(t, func(s *testSetup) { s.Now = clk.Now })
			f := newUpdateFixture(t, ts)
			pid, tok := f.project.ID, f.maintainer.AccessToken
			wgt := ts.mustUpload(t, tok, pid, "new.wgt", wgtBytes(t))
			r := ts.mustResource(t, tok, pid, map[string]any{"type": 1, "version": "1.1.2", "versionCode": 112,
				"nativeVersionCode": 110, "storageKey": wgt.Key, "updateType": 1})
			rc := newHookReceiver(t)
			ts.mustWebhook(t, tok, pid, webhookBody(rc.URL+"/hook", "rollout.advanced", "rollout.halted", "rollout.completed"))
			var plan planView
			ts.mustOK(t, 200, "PUT", "/api/v1/resources/"+r.ID+"/rollout-plan", tok, map[string]any{
				"stages": []map[string]any{{"percent": 10, "minMinutes": 60}, {"percent": 50, "minMinutes": 60}, {"percent": 100}},
				"gates":  map[string]any{"minDownloaded": 5, "minAppliedPercent": 50, "maxNotAppliedPercent": 10}}, &plan)
			if plan.State != "running" || plan.Percent != 10 || len(plan.Events) != 1 || plan.Events[0].Action != "started" {
				t.Fatalf("plan %+v", plan)
			}

			const devices = 200
			installed := make([]int, devices)
			for i := range installed {
				installed[i] = 111
			}
			offered := map[int]bool{}
			// Rounds go on while the plan runs, and once more after it.
			for round, more := 0, true; round < 20 && more; round++ {
				more = plan.State == "running"
				for i := range devices {
					o := ts.check(t, "/api/basic/update", checkBody(pid, "android", installed[i], 110, fmt.Sprint("sim-", i)))
					if o.Wgt == nil || o.Wgt.ID != r.ID {
						continue
					}
					offered[i] = true
					rec, _ := ts.do(t, "GET", strings.TrimPrefix(o.Wgt.URL, "http://example.com"), nil)
					if rec.Code != http.StatusFound {
						t.Fatalf("download: %d %s", rec.Code, rec.Body)
					}
					if i%10 >= tc.failing {
						installed[i] = 112 // runs it from its next launch on
					}
				}
				if err := ts.funnel.Flush(t.Context()); err != nil {
					t.Fatal(err)
				}
				clk.Advance(20 * time.Minute)
				if err := ts.rollouts.Tick(t.Context()); err != nil {
					t.Fatal(err)
				}
				ts.mustOK(t, 200, "GET", "/api/v1/resources/"+r.ID+"/rollout-plan", tok, nil, &plan)
			}
			if plan.State != tc.wantState || plan.Percent != tc.wantPercent {
				t.Fatalf("plan ended %s at %d %%, want %s at %d %%; events %+v", plan.State, plan.Percent, tc.wantState, tc.wantPercent, plan.Events)
			}
			var res resourceView
			ts.mustOK(t, 200, "GET", "/api/v1/resources/"+r.ID, tok, nil, &res)
			if res.RolloutPercent != tc.wantPercent {
				t.Fatalf("the release is at %d %%, the plan at %d %%", res.RolloutPercent, tc.wantPercent)
			}
			last := plan.Events[0]
			if last.Actor != "hoist" || last.Numbers.Downloaded == 0 || last.Reason == "" {
				t.Fatalf("the deciding event does not say who and why: %+v", last)
			}
			if tc.failing > 0 && (len(offered) > devices/10+devices/20 || plan.Stage != 1) {
				t.Fatalf("halted at stage %d after offering %d devices", plan.Stage, len(offered))
			}
			// Every change the controller made reached the webhook.
			ts.deliverWebhooks(t)
			var events []string
			rc.mu.Lock()
			for _, raw := range rc.body {
				var e struct{ Event string }
				json.Unmarshal(raw, &e)
				events = append(events, e.Event)
			}
			rc.mu.Unlock()
			slices.Sort(events) // deliveries are concurrent: in no set order
			want := map[string]string{"healthy": "[rollout.advanced rollout.completed]", "30% not applied": "[rollout.halted]"}[tc.name]
			if fmt.Sprint(events) != want {
				t.Fatalf("webhook events %v, want %s", events, want)
			}
			if tc.failing == 0 {
				for i, v := range installed {
					if v != 112 {
						t.Fatalf("device %d never got the release at 100 %%", i)
					}
				}
			}
		})
	}
}

// Operators pause, resume, advance and abort; the states refuse what they
// do not allow, and bad plans are 400s that change nothing.
func TestRolloutPlanActions(t *testing.T) {
	ts := mustServer(t, nil)
	f := newUpdateFixture(t, ts)
	tok, base := f.maintainer.AccessToken, "/api/v1/resources/"+f.wgt111.ID+"/rollout-plan"
	for _, bad := range []map[string]any{
		{"stages": []map[string]any{}},
		{"stages": []map[string]any{{"percent": 50}, {"percent": 20}, {"percent": 100}}},
		{"stages": []map[string]any{{"percent": 10}}},
		{"stages": []map[string]any{{"percent": 100}}, "gates": map[string]any{"maxNotAppliedPercent": 120}},
		{"stages": []map[string]any{{"percent": 100, "minMinutes": -1}}},
	} {
		rec, env := ts.call(t, "PUT", base, tok, bad)
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
	}
	rec, env := ts.call(t, "GET", base, tok, nil)
	mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
	rec, env = ts.call(t, "PUT", base, f.viewer.AccessToken, map[string]any{"stages": []map[string]any{{"percent": 100}}})
	if rec.Code != http.StatusForbidden && rec.Code != http.StatusNotFound {
		t.Fatalf("a viewer set a plan: %d %s", rec.Code, rec.Body)
	}
	_ = env

	var p planView
	ts.mustOK(t, 200, "PUT", base, tok, map[string]any{"stages": []map[string]any{{"percent": 5, "minMinutes": 600}, {"percent": 100}}}, &p)
	for _, step := range []struct {
		action, state string
		percent, code int
	}{
		{"resume", "", 0, 409},
		{"pause", "paused", 5, 200},
		{"pause", "", 0, 409},
		{"resume", "running", 5, 200},
		{"jump", "", 0, 400},
		{"advance", "completed", 100, 200},
		{"abort", "", 0, 409},
	} {
		if step.code != 200 {
			rec, _ := ts.call(t, "POST", base+"/"+step.action, tok, nil)
			if rec.Code != step.code {
				t.Fatalf("%s: %d %s", step.action, rec.Code, rec.Body)
			}
			continue
		}
		ts.mustOK(t, 200, "POST", base+"/"+step.action, tok, nil, &p)
		if p.State != step.state || p.Percent != step.percent || p.Events[0].Actor != f.maintainer.User.ID {
			t.Fatalf("%s: %+v", step.action, p)
		}
	}
	var res resourceView
	ts.mustOK(t, 200, "GET", "/api/v1/resources/"+f.wgt111.ID, tok, nil, &res)
	if res.RolloutPercent != 100 {
		t.Fatalf("release at %d %%", res.RolloutPercent)
	}
}

// TestCodePushPlanNeverNarrowsARollout: a CodePush release's rollout only
// grows, plans included: a plan starting below its percent is refused and
// changes nothing; one starting at or above it is taken.
func TestCodePushPlanNeverNarrowsARollout(t *testing.T) {
	ts := mustServer(t, nil)
	f := newReleaseFixture(t, ts)
	tok, pid := f.maintainer.AccessToken, f.project.ID
	zip := ts.mustUpload(t, tok, pid, "b.zip", mustZip(t, "CodePush/index.android.bundle"))
	r := ts.mustResource(t, tok, pid, map[string]any{"type": 6, "storageKey": zip.Key, "targetBinaryRange": "1.x", "updateType": 1,
		"rolloutPercent": 50})
	base := "/api/v1/resources/" + r.ID + "/rollout-plan"
	rec, env := ts.call(t, "PUT", base, tok, map[string]any{"stages": []map[string]any{{"percent": 10, "minMinutes": 60}, {"percent": 100}}})
	mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
	if f := fieldsOf(env); len(f) != 1 || f[0] != "stages[0].percent" {
		t.Fatalf("fields %v: %s", f, rec.Body)
	}
	var got resourceView
	ts.mustOK(t, 200, "GET", "/api/v1/resources/"+r.ID, tok, nil, &got)
	if got.RolloutPercent != 50 {
		t.Fatalf("a refused plan changed the rollout to %d", got.RolloutPercent)
	}
	rec, _ = ts.call(t, "GET", base, tok, nil)
	if rec.Code != http.StatusNotFound {
		t.Fatalf("a refused plan was stored: %d %s", rec.Code, rec.Body)
	}
	ts.mustOK(t, 200, "PUT", base, tok, map[string]any{"stages": []map[string]any{{"percent": 50, "minMinutes": 60}, {"percent": 100}}}, nil)
}
