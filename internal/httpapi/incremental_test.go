package httpapi

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestEditsAreAppliedWithoutCompilingTheCatalog makes 60 random changes of
// single releases (publish, edit, rollout, disable, enable, delete, in two
// channels) through the API. Each must reach the update check without the
// project's catalog being compiled again (the change is applied to the
// compiled answer), and the answers to a spread of devices must be exactly
// those of a full compilation.
func TestEditsAreAppliedWithoutCompilingTheCatalog(t *testing.T) {
	ts := mustServer(t, nil)
	fx := newReleaseFixture(t, ts)
	tok, pid := fx.owner.AccessToken, fx.project.ID
	ts.mustChannel(t, tok, pid, "beta")
	apk := ts.mustUpload(t, tok, pid, "app.apk", apkBytes(t))
	ts.mustResource(t, tok, pid, map[string]any{"type": 3, "version": "1.0.0", "versionCode": 100, "storageKey": apk.Key, "updateType": 1})

	// answers asks the update check for 24 devices: 2 channels × 3
	// installed versions × 4 uuids, and returns the raw answers.
	answers := func() []string {
		var out []string
		for _, ch := range []string{"production", "beta"} {
			for _, installed := range []int{100, 1005, 1020} {
				for u := range 4 {
					body := checkBody(pid, "android", installed, 100, fmt.Sprintf("device-%d", u))
					rec, env := ts.call(t, "POST", "/api/basic/update?channel="+ch, "", body)
					if rec.Code != 200 {
						t.Fatalf("check: %d %s", rec.Code, rec.Body)
					}
					out = append(out, string(env.Data))
				}
			}
		}
		return out
	}
	answers() // the project's answer is compiled once

	r := rand.New(rand.NewPCG(7, 7))
	type rel struct {
		id      string
		enabled bool
	}
	var rels []rel
	code := 1000
	for step := range 60 {
		loads, applied := ts.checker.Loads(), ts.checker.Applied()
		var what string
		switch op := r.IntN(6); {
		case op <= 1 || len(rels) == 0:
			code += 1 + r.IntN(5)
			ch := []string{"production", "beta"}[r.IntN(2)]
			wgt := ts.mustUpload(t, tok, pid, "app.wgt", wgtBytes(t)) // a deleted release takes its file along
			res := ts.mustResource(t, tok, pid, map[string]any{"type": 1, "version": fmt.Sprintf("1.0.%d", code), "versionCode": code,
				"nativeVersionCode": 100, "storageKey": wgt.Key, "updateType": 1 + r.IntN(2), "rolloutPercent": []int{10, 50, 100}[r.IntN(3)],
				"channel": ch})
			rels = append(rels, rel{res.ID, true})
			what = "publish " + res.Version + " to " + ch
		case op == 2:
			i := r.IntN(len(rels))
			p := []int{1, 25, 75, 100}[r.IntN(4)]
			ts.mustOK(t, 200, "PATCH", "/api/v1/resources/"+rels[i].id, tok, map[string]any{"rolloutPercent": p, "changelog": fmt.Sprint("step ", step)}, nil)
			what = fmt.Sprintf("rollout %d%% of %s", p, rels[i].id)
		case op == 3:
			i := r.IntN(len(rels))
			rels[i].enabled = !rels[i].enabled
			status := 0
			if rels[i].enabled {
				status = 1
			}
			ts.mustOK(t, 200, "PATCH", "/api/v1/resources/"+rels[i].id, tok, map[string]any{"status": status}, nil)
			what = fmt.Sprintf("status %d of %s", status, rels[i].id)
		default:
			i := r.IntN(len(rels))
			ts.mustOK(t, 200, "DELETE", "/api/v1/resources/"+rels[i].id, tok, nil, nil)
			what = "delete " + rels[i].id
			rels = append(rels[:i], rels[i+1:]...)
		}
		if got := ts.checker.Loads(); got != loads {
			t.Fatalf("step %d (%s): the catalog was compiled again (%d loads)", step, what, got-loads)
		}
		if got := ts.checker.Applied(); got != applied+1 {
			t.Fatalf("step %d (%s): %d changes applied, want 1", step, what, got-applied)
		}
		incremental := answers()
		ts.checker.Refresh(pid) // a full compilation
		full := answers()
		for i := range full {
			if incremental[i] != full[i] {
				t.Fatalf("step %d (%s), device %d: applied answer\n%s\nfull compilation\n%s", step, what, i, incremental[i], full[i])
			}
		}
	}
}
