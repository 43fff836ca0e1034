package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/event"
	"github.com/hoist-ota/hoist/internal/ota"
	"github.com/hoist-ota/hoist/internal/store/storetest"
	"github.com/hoist-ota/hoist/internal/testwait"
)

// recordingSink stands in for the webhooks: it keeps the events the OTA
// service emits.
type recordingSink struct {
	mu     sync.Mutex
	events []event.Event
}

func (r *recordingSink) Emit(_ context.Context, e event.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return nil
}

// seen returns "type wave status" of each event so far, in order.
func (r *recordingSink) seen(tb testing.TB) []string {
	tb.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.events))
	for i, e := range r.events {
		var d ota.EventData
		if err := json.Unmarshal(e.Data.(json.RawMessage), &d); err != nil {
			tb.Fatal(err)
		}
		out[i] = fmt.Sprintf("%s %d %s", e.Type, d.Wave, d.Status)
	}
	return out
}

// wavesFixture is an OTA fixture with devices w00..w{n-1}; those listed in
// canary carry the tag canary.
func newWavesFixture(tb testing.TB, ts *testServer, n int, canary ...string) otaFixture {
	tb.Helper()
	fx := newOTAFixture(tb, ts)
	for i := range n {
		name := fmt.Sprintf("w%02d", i)
		var tags []string
		if slices.Contains(canary, name) {
			tags = []string{"canary"}
		}
		ts.mustDevice(tb, fx.maintainer.AccessToken, "thermo", name, tags...)
	}
	return fx
}

// sentTo returns the devices of the ota_upgrade commands published since
// the last call, sorted.
func (ts *testServer) sentTo(tb testing.TB) []string {
	tb.Helper()
	var out []string
	for _, m := range ts.pub.take() {
		parts := strings.Split(m.Topic, "/")
		if parts[0] != "cmd" || parts[3] != ota.CommandUpgrade {
			tb.Fatalf("published on %s, want one device's command topic", m.Topic)
		}
		out = append(out, parts[2])
	}
	slices.Sort(out)
	return out
}

// settle runs what the OTA loop runs: every unfinished campaign settled.
// A wave it starts is published before it returns.
func (ts *testServer) settle(tb testing.TB) {
	tb.Helper()
	if err := ts.otaSvc.Settle(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

// waveDevices returns each wave's devices (1-based), from the device list.
func (ts *testServer) waveDevices(tb testing.TB, token, id string) map[int][]string {
	tb.Helper()
	var l listView[campaignDeviceView]
	ts.mustOK(tb, 200, "GET", "/api/v1/ota/campaigns/"+id+"/devices?pageSize=100", token, nil, &l)
	out := map[int][]string{}
	for _, d := range l.Records {
		out[d.Wave] = append(out[d.Wave], d.Device)
	}
	for _, ds := range out {
		slices.Sort(ds)
	}
	return out
}

// campaignEvents returns "kind wave by" of a campaign's events, oldest
// first; by is "user" for the given user id.
func (ts *testServer) campaignEvents(tb testing.TB, token, id, user string) []string {
	tb.Helper()
	var l listView[campaignEventView]
	ts.mustOK(tb, 200, "GET", "/api/v1/ota/campaigns/"+id+"/events?order=ASC&pageSize=100", token, nil, &l)
	out := make([]string, len(l.Records))
	for i, e := range l.Records {
		by := e.By
		if by == user {
			by = "user"
		}
		out[i] = fmt.Sprintf("%s %d %s", e.Kind, e.Wave, by)
	}
	return out
}

func mustStrings(tb testing.TB, what string, got, want []string) {
	tb.Helper()
	if !slices.Equal(got, want) {
		tb.Fatalf("%s:\n got %q\nwant %q", what, got, want)
	}
}

// A canary tag wave, a percent wave and the rest: each wave is sent the
// command only once the one before succeeded to the threshold.
func TestCampaignWavesStartInTurn(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newWavesFixture(t, ts, 10, "w03", "w07")
		tok := fx.maintainer.AccessToken
		ts.setFirmware(t, "w09", "2.0") // already there: skipped, counts as succeeded in its wave
		c := ts.mustCampaign(t, tok, map[string]any{"resourceId": fx.firmware.ID, "product": "thermo", "target": map[string]any{"all": true},
			"waves": []map[string]any{{"tag": "canary"}, {"percent": 30}}, "successThreshold": 100, "errorThreshold": 50})
		w := c.Waves
		if w == nil || w.Current != 1 || w.SuccessThreshold != 100 || w.ErrorThreshold != 50 || len(w.List) != 3 || c.Status != "active" {
			t.Fatalf("campaign %+v waves %+v", c, w)
		}
		for i, want := range []waveView{{Number: 1, Tag: "canary", Size: 2, Status: "running"}, {Number: 2, Percent: 30, Size: 3, Status: "waiting"},
			{Number: 3, Rest: true, Size: 5, Status: "waiting"}} {
			got := w.List[i]
			if got.Number != want.Number || got.Tag != want.Tag || got.Percent != want.Percent || got.Rest != want.Rest ||
				got.Size != want.Size || got.Status != want.Status || len(got.Counts) != len(ota.AllStates()) {
				t.Fatalf("wave %d: %+v, want %+v", i+1, got, want)
			}
		}
		waves := ts.waveDevices(t, tok, c.ID)
		mustStrings(t, "wave 1", waves[1], []string{"w03", "w07"})
		if len(waves[2]) != 3 || len(waves[3]) != 5 || len(waves[0]) != 0 {
			t.Fatalf("waves %v", waves)
		}
		mustCounts(t, c, map[ota.State]int64{ota.StateSent: 2, ota.StateWaiting: 7, ota.StateSkipped: 1})
		mustStrings(t, "published at creation", ts.sentTo(t), []string{"w03", "w07"}) // per device, never the tag

		// One canary succeeded: the wave is at 50 %, below 100.
		ts.report(t, "w03", `{"state":"succeeded"}`)
		ts.settle(t)
		mustStrings(t, "published after half the canaries", ts.sentTo(t), nil)
		if got := ts.getCampaign(t, tok, c.ID); got.Waves.Current != 1 || got.Waves.List[0].Succeeded != 1 {
			t.Fatalf("after one canary: %+v", got.Waves)
		}
		// The second: wave 2 starts, its devices (less a skipped one) get the command.
		ts.report(t, "w07", `{"state":"succeeded"}`)
		ts.settle(t)
		want2 := slices.DeleteFunc(slices.Clone(waves[2]), func(d string) bool { return d == "w09" })
		mustStrings(t, "wave 2", ts.sentTo(t), want2)
		got := ts.getCampaign(t, tok, c.ID)
		if got.Waves.Current != 2 || got.Waves.List[0].Status != "done" || got.Waves.List[1].Status != "running" || got.Status != "active" {
			t.Fatalf("after the canaries: %+v", got.Waves)
		}
		ts.settle(t) // settling again starts nothing
		mustStrings(t, "published by a second settle", ts.sentTo(t), nil)

		for _, d := range want2 {
			ts.report(t, d, `{"state":"succeeded"}`)
		}
		ts.settle(t)
		want3 := slices.DeleteFunc(slices.Clone(waves[3]), func(d string) bool { return d == "w09" })
		mustStrings(t, "wave 3", ts.sentTo(t), want3)
		for _, d := range want3 {
			ts.report(t, d, `{"currentVersion":"2.0"}`)
		}
		ts.settle(t)
		got = ts.getCampaign(t, tok, c.ID)
		if got.Status != "completed" || got.Waves.Current != 3 || got.Counts["succeeded"] != 9 || got.Counts["skipped"] != 1 {
			t.Fatalf("at the end: %+v", got)
		}
		mustStrings(t, "events", ts.campaignEvents(t, tok, c.ID, fx.maintainer.User.ID),
			[]string{"wave_started 1 user", "wave_started 2 system", "wave_started 3 system", "finished 3 system"})
	})
}

// The error threshold pauses a campaign; resume goes on with the next
// wave; a failure more pauses it again; abort cancels what is left. Events
// are recorded with who made them and sent to the sink.
func TestCampaignWavesPauseResumeAbort(t *testing.T) {
	sink := &recordingSink{}
	eachDB(t, func(o *testSetup) { sink = &recordingSink{}; o.otaEvents = sink }, func(t *testing.T, ts *testServer) {
		fx := newWavesFixture(t, ts, 6)
		tok := fx.maintainer.AccessToken
		c := ts.mustCampaign(t, tok, map[string]any{"resourceId": fx.firmware.ID, "product": "thermo", "target": map[string]any{"all": true},
			"waves": []map[string]any{{"count": 2}, {"count": 2}}, "successThreshold": 50, "errorThreshold": 10})
		waves := ts.waveDevices(t, tok, c.ID)
		mustStrings(t, "wave 1 published", ts.sentTo(t), waves[1])
		base := "/api/v1/ota/campaigns/" + c.ID

		// One of two fails: 50 % succeeded would start wave 2, but 50 % failed is above 10 %.
		ts.report(t, waves[1][0], `{"state":"failed","error":"flash write"}`)
		ts.report(t, waves[1][1], `{"state":"succeeded"}`)
		ts.settle(t)
		got := ts.getCampaign(t, tok, c.ID)
		if got.Status != "paused" || got.Waves.PausedAt == nil || !strings.Contains(got.Waves.PauseReason, "above the error threshold of 10%") ||
			got.Waves.Current != 1 || got.Waves.Failures != 1 || got.Waves.Started != 2 {
			t.Fatalf("not paused: %s %+v", got.Status, got.Waves)
		}
		mustStrings(t, "published while paused", ts.sentTo(t), nil)
		var again campaignView
		ts.mustOK(t, 200, "POST", base+"/pause", tok, nil, &again) // pausing a paused campaign changes nothing
		if again.Status != "paused" || !again.Waves.PausedAt.Equal(*got.Waves.PausedAt) {
			t.Fatalf("paused twice: %+v", again.Waves)
		}

		// Resume: the failure is accepted, and wave 1 has ended: wave 2 starts.
		var res resumeView
		ts.mustOK(t, 200, "POST", base+"/resume", tok, nil, &res)
		if res.Campaign.Status != "active" || res.Campaign.Waves.Current != 2 || res.Campaign.Waves.FailuresAcked != 1 || res.Resent != 0 {
			t.Fatalf("resume: %+v %+v", res, res.Campaign.Waves)
		}
		mustStrings(t, "wave 2 on resume", ts.sentTo(t), waves[2])

		// One more failure, 2 of 4 started: paused again.
		ts.report(t, waves[2][0], `{"state":"rejected"}`)
		ts.settle(t)
		if got := ts.getCampaign(t, tok, c.ID); got.Status != "paused" || got.Waves.Failures != 2 {
			t.Fatalf("not paused again: %s %+v", got.Status, got.Waves)
		}

		// Abort: what is open, wave 3's waiting devices included, is cancelled; nothing is sent.
		var ab campaignView
		ts.mustOK(t, 200, "POST", base+"/abort", tok, nil, &ab)
		if ab.Status != "cancelled" || ab.Counts["cancelled"] != 3 || ab.Counts["waiting"] != 0 || ab.Waves.List[2].Counts["cancelled"] != 2 {
			t.Fatalf("abort: %+v", ab)
		}
		mustStrings(t, "published by abort", ts.sentTo(t), nil)
		ts.mustOK(t, 200, "POST", base+"/abort", tok, nil, &ab) // twice: unchanged
		ts.mustOK(t, 200, "POST", base+"/cancel", tok, nil, &ab)
		for _, action := range []string{"pause", "advance"} {
			rec, env := ts.call(t, "POST", base+"/"+action, tok, nil)
			mustErrorEnvelope(t, rec, env, 409, apperr.Conflict)
		}
		ts.settle(t)

		mustStrings(t, "events", ts.campaignEvents(t, tok, c.ID, fx.maintainer.User.ID), []string{
			"wave_started 1 user", "paused 1 system", "resumed 1 user", "wave_started 2 user", "paused 2 system", "finished 2 user"})
		mustStrings(t, "sent to the sink", sink.seen(t), []string{
			event.WaveStarted + " 1 active", event.CampaignPaused + " 1 paused", event.WaveStarted + " 2 active",
			event.CampaignPaused + " 2 paused", event.CampaignFinished + " 2 cancelled"})
		var l listView[campaignEventView]
		ts.mustOK(t, 200, "GET", base+"/events", tok, nil, &l) // newest first by default
		var d ota.EventData
		if err := json.Unmarshal(l.Records[4].Data, &d); err != nil || l.Total != 6 || l.Records[0].Kind != "finished" ||
			d.Kind != "paused" || d.Stats == nil || d.Stats.Failures != 1 || d.Stats.Started != 2 || d.CampaignID != c.ID ||
			d.By != "system" || d.Counts[ota.StateFailed] != 1 {
			t.Fatalf("events %+v, data of the first pause %+v (%v)", l, d, err)
		}
	})
}

// Advance starts the next wave by hand; a wave that ends below the
// success threshold pauses the campaign; the last wave has no next.
func TestCampaignWavesAdvanceByHand(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newWavesFixture(t, ts, 4)
		tok := fx.maintainer.AccessToken
		c := ts.mustCampaign(t, tok, map[string]any{"resourceId": fx.firmware.ID, "product": "thermo", "target": map[string]any{"all": true},
			"waves": []map[string]any{{"count": 2}}, "errorThreshold": 100}) // default success threshold 95 %
		if c.Waves.SuccessThreshold != ota.DefaultSuccessThreshold || len(c.Waves.List) != 2 {
			t.Fatalf("waves %+v", c.Waves)
		}
		waves := ts.waveDevices(t, tok, c.ID)
		ts.sentTo(t)
		ts.report(t, waves[1][0], `{"state":"succeeded"}`)
		ts.report(t, waves[1][1], `{"state":"failed"}`)
		ts.settle(t)
		got := ts.getCampaign(t, tok, c.ID)
		if got.Status != "paused" || !strings.Contains(got.Waves.PauseReason, "wave 1 ended with 1 of 2 devices succeeded (50%), below the success threshold of 95%") {
			t.Fatalf("a wave below the threshold: %s %+v", got.Status, got.Waves)
		}
		var adv campaignView
		ts.mustOK(t, 200, "POST", "/api/v1/ota/campaigns/"+c.ID+"/advance", tok, nil, &adv)
		if adv.Status != "active" || adv.Waves.Current != 2 || adv.Waves.PausedAt != nil {
			t.Fatalf("advance: %s %+v", adv.Status, adv.Waves)
		}
		mustStrings(t, "wave 2", ts.sentTo(t), waves[2])
		rec, env := ts.call(t, "POST", "/api/v1/ota/campaigns/"+c.ID+"/advance", tok, nil)
		mustErrorEnvelope(t, rec, env, 409, apperr.Conflict)
		if !strings.Contains(env.Message, "last wave") {
			t.Fatalf("advance past the last wave: %s", env.Message)
		}
		mustStrings(t, "events", ts.campaignEvents(t, tok, c.ID, fx.maintainer.User.ID),
			[]string{"wave_started 1 user", "paused 1 system", "wave_started 2 user"})
	})
}

// A wave timeout expires the devices that did not finish in time: they are
// failures, and pause the campaign. The clock is the service's.
func TestCampaignWaveTimeout(t *testing.T) {
	clk := &clock{t: time.Now().UTC()}
	eachDB(t, func(o *testSetup) { o.otaNow = clk.now }, func(t *testing.T, ts *testServer) {
		fx := newWavesFixture(t, ts, 4)
		tok := fx.maintainer.AccessToken
		c := ts.mustCampaign(t, tok, map[string]any{"resourceId": fx.firmware.ID, "product": "thermo", "target": map[string]any{"all": true},
			"waves": []map[string]any{{"count": 2}}, "waveTimeoutSeconds": 600, "successThreshold": 50, "errorThreshold": 40, "ttlSeconds": 3600})
		if c.Waves.WaveDeadline == nil || c.Waves.WaveDeadline.Sub(c.CreatedTime) != 10*time.Minute || c.Waves.WaveTimeoutSeconds != 600 {
			t.Fatalf("deadline %+v", c.Waves)
		}
		waves := ts.waveDevices(t, tok, c.ID)
		ts.report(t, waves[1][0], `{"state":"downloading","progress":30}`)
		clk.add(9 * time.Minute)
		ts.settle(t)
		if got := ts.getCampaign(t, tok, c.ID); got.Counts["expired"] != 0 || got.Status != "active" {
			t.Fatalf("before the deadline: %+v", got)
		}
		clk.add(2 * time.Minute)
		if n, err := ts.otaSvc.ExpireDue(context.Background()); err != nil || n != 2 {
			t.Fatalf("ExpireDue: %d %v", n, err)
		}
		ts.settle(t)
		got := ts.getCampaign(t, tok, c.ID)
		if got.Counts["expired"] != 2 || got.Status != "paused" || got.Waves.WaveDeadline != nil || got.Waves.Current != 1 {
			t.Fatalf("after the deadline: %s %v %+v", got.Status, got.Counts, got.Waves)
		}
		states := ts.campaignStates(t, tok, c.ID, "&state=expired")
		if len(states) != 2 {
			t.Fatalf("expired devices %v", states)
		}
		var l listView[campaignDeviceView]
		ts.mustOK(t, 200, "GET", "/api/v1/ota/campaigns/"+c.ID+"/devices?state=expired", tok, nil, &l)
		if l.Records[0].Error != "no final report within the wave timeout" {
			t.Fatalf("expired device %+v", l.Records[0])
		}
		// A late report moves nothing; the waiting wave was never sent anything.
		ts.report(t, waves[1][0], `{"state":"succeeded"}`)
		if got := ts.getCampaign(t, tok, c.ID); got.Counts["expired"] != 2 || got.Counts["waiting"] != 2 {
			t.Fatalf("after a late report: %v", got.Counts)
		}
		// Resume accepts the failures; the wave has ended, so wave 2 starts with a new deadline.
		var res resumeView
		ts.mustOK(t, 200, "POST", "/api/v1/ota/campaigns/"+c.ID+"/resume", tok, nil, &res)
		if w := res.Campaign.Waves; w.Current != 2 || w.WaveDeadline == nil || !w.WaveDeadline.Equal(clk.now().Truncate(time.Millisecond).Add(10*time.Minute)) {
			t.Fatalf("resumed: %+v", w)
		}
	})
}

// Bad plans are refused with field errors and create nothing; pause and
// advance need waves.
func TestCampaignWavesInput(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newWavesFixture(t, ts, 3, "w00")
		tok := fx.maintainer.AccessToken
		body := func(extra map[string]any) map[string]any {
			b := map[string]any{"resourceId": fx.firmware.ID, "product": "thermo", "target": map[string]any{"all": true}}
			for k, v := range extra {
				b[k] = v
			}
			return b
		}
		cases := []struct {
			name   string
			extra  map[string]any
			fields []string
		}{
			{"two specs", map[string]any{"waves": []map[string]any{{"count": 1, "percent": 5}}}, []string{"waves[0]"}},
			{"empty wave", map[string]any{"waves": []map[string]any{{}}}, []string{"waves[0]"}},
			{"tag nobody has", map[string]any{"waves": []map[string]any{{"tag": "ghost"}}}, []string{"waves[0].tag"}},
			{"unknown field", map[string]any{"waves": []map[string]any{{"size": 3}}}, []string{"size"}},
			{"thresholds", map[string]any{"waves": []map[string]any{{"count": 1}}, "successThreshold": 101, "errorThreshold": -1},
				[]string{"errorThreshold", "successThreshold"}},
			{"no waves", map[string]any{"errorThreshold": 5, "waveTimeoutSeconds": 600}, []string{"errorThreshold", "waveTimeoutSeconds"}},
			{"one device", map[string]any{"target": map[string]any{"device": "w01"}, "waves": []map[string]any{{"count": 1}}}, []string{"waves"}},
		}
		for _, tc := range cases {
			rec, env := ts.call(t, "POST", "/api/v1/ota/campaigns", tok, body(tc.extra))
			mustErrorEnvelope(t, rec, env, 400, apperr.Invalid)
			got := fieldsOf(env)
			slices.Sort(got)
			mustStrings(t, tc.name, got, tc.fields)
		}
		var l listView[campaignView]
		ts.mustOK(t, 200, "GET", "/api/v1/ota/campaigns", tok, nil, &l)
		if l.Total != 0 || len(ts.pub.take()) != 0 {
			t.Fatalf("bad input left %d campaigns", l.Total)
		}

		// A campaign without waves: no waves in its JSON, nothing to pause or advance.
		plain := ts.mustCampaign(t, tok, body(nil))
		_, env := ts.call(t, "GET", "/api/v1/ota/campaigns/"+plain.ID, tok, nil)
		if strings.Contains(string(env.Data), `"waves"`) || !strings.Contains(string(env.Data), `"waiting":0`) {
			t.Fatalf("a campaign without waves: %s", env.Data)
		}
		for _, action := range []string{"pause", "advance"} {
			rec, env := ts.call(t, "POST", "/api/v1/ota/campaigns/"+plain.ID+"/"+action, tok, nil)
			mustErrorEnvelope(t, rec, env, 409, apperr.Conflict)
		}

		// A viewer reads the events but may not pause, resume, advance or abort; a stranger sees nothing.
		waved := ts.mustCampaign(t, tok, body(map[string]any{"waves": []map[string]any{{"tag": "canary"}}}))
		base := "/api/v1/ota/campaigns/" + waved.ID
		ts.mustOK(t, 200, "GET", base+"/events", fx.viewer.AccessToken, nil, nil)
		for _, action := range []string{"pause", "resume", "advance", "abort"} {
			rec, env := ts.call(t, "POST", base+"/"+action, fx.viewer.AccessToken, nil)
			mustErrorEnvelope(t, rec, env, 403, apperr.Forbidden)
			rec, env = ts.call(t, "POST", base+"/"+action, fx.stranger.AccessToken, nil)
			mustErrorEnvelope(t, rec, env, 404, apperr.NotFound)
		}
		rec, env := ts.call(t, "GET", base+"/events", fx.stranger.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, 404, apperr.NotFound)
		if got := ts.getCampaign(t, tok, waved.ID); got.Status != "active" || got.Waves.PausedAt != nil {
			t.Fatalf("refused changes changed the campaign: %+v", got.Waves)
		}
	})
}

// Two nodes settle the same campaign at once, many times: the next wave
// starts once, its devices get the command once, and its event is
// recorded and sent once.
func TestCampaignWaveStartsOnceOnTwoNodes(t *testing.T) {
	for _, driver := range storetest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			sinkA, sinkB := &recordingSink{}, &recordingSink{}
			a := mustServerOn(t, driver, func(o *testSetup) { o.otaEvents = sinkA })
			b := mustServerOn(t, driver, func(o *testSetup) { o.shared, o.otaEvents = a, sinkB })
			fx := newWavesFixture(t, a, 8)
			tok := fx.maintainer.AccessToken
			c := a.mustCampaign(t, tok, map[string]any{"resourceId": fx.firmware.ID, "product": "thermo", "target": map[string]any{"all": true},
				"waves": []map[string]any{{"count": 3}}, "successThreshold": 100})
			waves := b.waveDevices(t, tok, c.ID) // node B reads what node A created
			a.sentTo(t)
			for _, d := range waves[1] {
				b.report(t, d, `{"state":"succeeded"}`)
			}
			var wg sync.WaitGroup
			for i := range 16 {
				node := a
				if i%2 == 1 {
					node = b
				}
				wg.Go(func() {
					if err := node.otaSvc.Settle(context.Background()); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			sent := append(a.sentTo(t), b.sentTo(t)...)
			slices.Sort(sent)
			mustStrings(t, "wave 2 published by both nodes", sent, waves[2])
			mustStrings(t, "events", a.campaignEvents(t, tok, c.ID, fx.maintainer.User.ID), []string{"wave_started 1 user", "wave_started 2 system"})
			seen := append(sinkA.seen(t), sinkB.seen(t)...)
			slices.Sort(seen)
			mustStrings(t, "sent to the sinks", seen, []string{event.WaveStarted + " 1 active", event.WaveStarted + " 2 active"})
			if got := b.getCampaign(t, tok, c.ID); got.Waves.Current != 2 || got.Counts["sent"] != 5 || got.Counts["waiting"] != 0 {
				t.Fatalf("campaign %+v %v", got.Waves, got.Counts)
			}
		})
	}
}

// With the OTA loop running (as in serve), a wave's last success starts
// the next wave by itself: nobody calls Settle.
func TestCampaignWaveStartsFromTheOTALoop(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- ts.otaSvc.Run(ctx) }()
		defer func() { cancel(); <-done }()
		fx := newWavesFixture(t, ts, 3)
		tok := fx.maintainer.AccessToken
		c := ts.mustCampaign(t, tok, map[string]any{"resourceId": fx.firmware.ID, "product": "thermo", "target": map[string]any{"all": true},
			"waves": []map[string]any{{"count": 1}}})
		waves := ts.waveDevices(t, tok, c.ID)
		mustStrings(t, "wave 1", ts.sentTo(t), waves[1])
		ts.report(t, waves[1][0], `{"state":"succeeded"}`)
		var sent []string
		testwait.For(t, "wave 2 published", func() bool { sent = append(sent, ts.sentTo(t)...); return len(sent) >= 2 })
		slices.Sort(sent)
		mustStrings(t, "wave 2", sent, waves[2])
		for _, d := range waves[2] {
			ts.report(t, d, `{"state":"succeeded"}`)
		}
		testwait.For(t, "the campaign finished", func() bool {
			return len(ts.campaignEvents(t, tok, c.ID, "")) == 3
		})
		if got := ts.getCampaign(t, tok, c.ID); got.Status != "completed" {
			t.Fatalf("status %s", got.Status)
		}
	})
}

// A campaign without waves sends campaign.finished once, when its last
// device is final.
func TestCampaignWithoutWavesFinishes(t *testing.T) {
	sink := &recordingSink{}
	eachDB(t, func(o *testSetup) { sink = &recordingSink{}; o.otaEvents = sink }, func(t *testing.T, ts *testServer) {
		fx := newWavesFixture(t, ts, 2)
		tok := fx.maintainer.AccessToken
		c := ts.mustCampaign(t, tok, map[string]any{"resourceId": fx.firmware.ID, "product": "thermo", "target": map[string]any{"all": true}})
		ts.report(t, "w00", `{"state":"succeeded"}`)
		ts.settle(t)
		mustStrings(t, "events with a device open", sink.seen(t), []string{})
		ts.report(t, "w01", `{"state":"failed"}`)
		ts.settle(t)
		ts.settle(t)
		mustStrings(t, "events", sink.seen(t), []string{event.CampaignFinished + " 0 completed"})
		mustStrings(t, "recorded", ts.campaignEvents(t, tok, c.ID, ""), []string{"finished 0 system"})
	})
}
