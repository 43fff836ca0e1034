package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/mqtt"
	"github.com/hoist-ota/hoist/internal/ota"
)

// published is one message the OTA service published.
type published struct {
	Topic   string
	Payload []byte
}

// recordingPublisher stands in for the MQTT bridge, the outside edge of
// the OTA service: it records what would go to the broker, on the topic
// the bridge would encode (mqtt.CommandTopic). fail, when set, decides per
// topic whether the broker refuses it.
type recordingPublisher struct {
	mu   sync.Mutex
	msgs []published
	fail func(topic string) error
}

func (p *recordingPublisher) Send(_ context.Context, m ota.Outbound) error {
	topic, payload := mqtt.CommandTopic(m), m.Payload
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		if err := p.fail(topic); err != nil {
			return err
		}
	}
	p.msgs = append(p.msgs, published{Topic: topic, Payload: append([]byte(nil), payload...)})
	return nil
}

// take returns and clears what was published, sorted by topic.
func (p *recordingPublisher) take() []published {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.msgs
	p.msgs = nil
	slices.SortFunc(out, func(a, b published) int { return strings.Compare(a.Topic, b.Topic) })
	return out
}

func (p *recordingPublisher) setFail(fn func(string) error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail = fn
}

// otaFixture is a device fixture with a firmware resource (version 2.0)
// for product "thermo".
type otaFixture struct {
	deviceFixture
	firmware resourceView
	fwBytes  []byte
}

func newOTAFixture(tb testing.TB, ts *testServer) otaFixture {
	tb.Helper()
	fx := otaFixture{deviceFixture: newDeviceFixture(tb, ts), fwBytes: []byte("firmware image 2.0")}
	tok := fx.maintainer.AccessToken
	f := ts.mustUpload(tb, tok, fx.project.ID, "fw.bin", fx.fwBytes)
	fx.firmware = ts.mustResource(tb, tok, fx.project.ID, map[string]any{"type": 5, "version": "2.0", "versionCode": 20,
		"storageKey": f.Key, "updateType": 1, "product": "thermo"})
	return fx
}

// report feeds a progress report to the service as the bridge would.
func (ts *testServer) report(tb testing.TB, device, payload string) {
	tb.Helper()
	// A zero receive time is "now" on the service's clock.
	id := fmt.Sprintf("m-%s-%d", device, time.Now().UnixNano())
	if err := ts.otaSvc.HandleProgress(context.Background(), "thermo", device, id, []byte(payload), time.Time{}); err != nil {
		tb.Fatalf("HandleProgress(%s, %s): %v", device, payload, err)
	}
}

// setFirmware records a status report with a firmware version.
func (ts *testServer) setFirmware(tb testing.TB, device, version string) {
	tb.Helper()
	err := ts.Server.devices.RecordStatus(context.Background(), "thermo", device, json.RawMessage(`{"firmwareVersion":"`+version+`"}`), time.Now())
	if err != nil {
		tb.Fatal(err)
	}
}

func (ts *testServer) mustCampaign(tb testing.TB, token string, body map[string]any) campaignView {
	tb.Helper()
	var c campaignView
	ts.mustOK(tb, 201, "POST", "/api/v1/ota/campaigns", token, body, &c)
	return c
}

func (ts *testServer) getCampaign(tb testing.TB, token, id string) campaignView {
	tb.Helper()
	var c campaignView
	ts.mustOK(tb, 200, "GET", "/api/v1/ota/campaigns/"+id, token, nil, &c)
	return c
}

// campaignStates returns device → state of a campaign (every page).
func (ts *testServer) campaignStates(tb testing.TB, token, id, query string) map[string]string {
	tb.Helper()
	out := map[string]string{}
	for pg := 1; ; pg++ {
		var l listView[campaignDeviceView]
		ts.mustOK(tb, 200, "GET", fmt.Sprintf("/api/v1/ota/campaigns/%s/devices?pageSize=100&pageNum=%d%s", id, pg, query), token, nil, &l)
		for _, d := range l.Records {
			out[d.Device] = d.State
		}
		if len(l.Records) < 100 {
			return out
		}
	}
}

// mustCounts checks a campaign's counts: every state present, the given
// ones as said, the others zero.
func mustCounts(tb testing.TB, c campaignView, want map[ota.State]int64) {
	tb.Helper()
	if len(c.Counts) != len(ota.AllStates()) {
		tb.Fatalf("counts have %d keys, want every state: %v", len(c.Counts), c.Counts)
	}
	var total int64
	for _, s := range ota.AllStates() {
		n, ok := c.Counts[string(s)]
		if !ok || n != want[s] {
			tb.Fatalf("counts %v, want %v", c.Counts, want)
		}
		total += n
	}
	if c.Total != total {
		tb.Fatalf("total %d, counts add up to %d", c.Total, total)
	}
}

// upgradeMessage is the ota_upgrade payload of PROTOCOLS §3.
type upgradeMessage struct {
	URL       string `json:"url"`
	Version   string `json:"version"`
	Size      int64  `json:"size"`
	MD5       string `json:"md5"`
	SHA256    string `json:"sha256"`
	Type      string `json:"type"`
	RequestID string `json:"requestId"`
	ExpiresAt int64  `json:"expiresAt"`
}

func TestTagCampaignPublishesOnceAndRecordsTaggedDevices(t *testing.T) {
	eachDB(t, func(o *testSetup) { o.signedFiles = true }, func(t *testing.T, ts *testServer) {
		fx := newOTAFixture(t, ts)
		tok := fx.maintainer.AccessToken
		for i := range 5 {
			ts.mustDevice(t, tok, "thermo", fmt.Sprintf("t%d", i), "floor-2")
		}
		ts.mustDevice(t, tok, "thermo", "other", "floor-3")
		ts.mustDevice(t, tok, "thermo", "untagged")
		ts.setFirmware(t, "t4", "2.0") // already there: skipped

		before := time.Now()
		c := ts.mustCampaign(t, tok, map[string]any{"resourceId": fx.firmware.ID, "product": "thermo",
			"target": map[string]any{"tag": "floor-2"}, "ttlSeconds": 3600})
		if c.Target.Tag != "floor-2" || c.Target.Device != "" || c.Target.All || c.Version != "2.0" || c.Status != "active" ||
			c.ProjectID != fx.project.ID || c.ResourceID != fx.firmware.ID || c.CreatedBy != fx.maintainer.User.ID || len(c.RequestID) != 32 {
			t.Fatalf("campaign %+v", c)
		}
		if d := c.ExpiresAt.Sub(before); d < time.Hour || d > time.Hour+5*time.Second || c.ExpiresAt.Nanosecond() != 0 {
			t.Fatalf("expiresAt %v (created %v)", c.ExpiresAt, before)
		}
		mustCounts(t, c, map[ota.State]int64{ota.StateSent: 4, ota.StateSkipped: 1})

		msgs := ts.pub.take()
		wantTopic := fmt.Sprintf("tags/thermo/floor-2/cmd/ota_upgrade/plain/%s/%d", c.RequestID, c.ExpiresAt.Unix())
		if len(msgs) != 1 || msgs[0].Topic != wantTopic {
			t.Fatalf("published %v, want once on %s", msgs, wantTopic)
		}
		var m upgradeMessage
		if err := json.Unmarshal(msgs[0].Payload, &m); err != nil {
			t.Fatal(err)
		}
		if m.Version != "2.0" || m.Size != int64(len(fx.fwBytes)) || m.MD5 != md5hex(fx.fwBytes) || m.SHA256 != sha256hex(fx.fwBytes) ||
			m.Type != "firmware" || m.RequestID != c.RequestID || m.ExpiresAt != c.ExpiresAt.Unix() {
			t.Fatalf("payload %s", msgs[0].Payload)
		}
		if !strings.HasPrefix(string(msgs[0].Payload), `{"url":`) {
			t.Errorf("field order: %s", msgs[0].Payload)
		}
		// The URL is absolute, signed, and valid for the whole campaign.
		if !strings.HasPrefix(m.URL, "http://example.com/files/") || !strings.Contains(m.URL, "sig=") {
			t.Fatalf("url %s", m.URL)
		}
		rec, _ := ts.do(t, "GET", strings.TrimPrefix(m.URL, "http://example.com"), nil)
		if rec.Code != 200 || rec.Body.String() != string(fx.fwBytes) {
			t.Fatalf("download: %d", rec.Code)
		}
		var exp int64
		fmt.Sscanf(m.URL[strings.Index(m.URL, "expires=")+len("expires="):], "%d", &exp)
		if exp < c.ExpiresAt.Unix() {
			t.Fatalf("url expires %d before the campaign %d", exp, c.ExpiresAt.Unix())
		}

		states := ts.campaignStates(t, fx.viewer.AccessToken, c.ID, "")
		want := map[string]string{"t0": "sent", "t1": "sent", "t2": "sent", "t3": "sent", "t4": "skipped"}
		if fmt.Sprint(states) != fmt.Sprint(want) {
			t.Fatalf("devices %v, want exactly the tagged ones %v", states, want)
		}
		if got := ts.campaignStates(t, tok, c.ID, "&state=skipped"); len(got) != 1 || got["t4"] != "skipped" {
			t.Fatalf("state filter: %v", got)
		}
		// Tagging a device later does not add it: the list is fixed.
		ts.mustOK(t, 200, "PATCH", "/api/v1/products/thermo/devices/other", tok, map[string]any{"tags": []string{"floor-2"}}, nil)
		if got := ts.campaignStates(t, tok, c.ID, ""); len(got) != 5 {
			t.Fatalf("devices after tagging another: %v", got)
		}
	})
}

func TestDeviceAndAllCampaignsPublishPerDevice(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newOTAFixture(t, ts)
		tok := fx.maintainer.AccessToken
		for _, n := range []string{"a", "b", "c"} {
			ts.mustDevice(t, tok, "thermo", n, "x")
		}
		ts.setFirmware(t, "c", "2.0")
		ts.setFirmware(t, "b", "1.0")

		c := ts.mustCampaign(t, tok, map[string]any{"resourceId": fx.firmware.ID, "product": "thermo", "target": map[string]any{"device": "b"}})
		if c.Target.Device != "b" || c.ExpiresAt.Sub(c.CreatedTime) < 24*time.Hour-time.Second {
			t.Fatalf("device campaign %+v", c)
		}
		mustCounts(t, c, map[ota.State]int64{ota.StateSent: 1})
		msgs := ts.pub.take()
		if len(msgs) != 1 || msgs[0].Topic != fmt.Sprintf("cmd/thermo/b/ota_upgrade/plain/%s/%d", c.RequestID, c.ExpiresAt.Unix()) {
			t.Fatalf("device campaign published %v", msgs)
		}

		all := ts.mustCampaign(t, tok, map[string]any{"resourceId": fx.firmware.ID, "product": "thermo", "target": map[string]any{"all": true}})
		mustCounts(t, all, map[ota.State]int64{ota.StateSent: 2, ota.StateSkipped: 1})
		msgs = ts.pub.take()
		var topics []string
		for _, m := range msgs {
			topics = append(topics, m.Topic)
		}
		suffix := fmt.Sprintf("/ota_upgrade/plain/%s/%d", all.RequestID, all.ExpiresAt.Unix())
		if want := []string{"cmd/thermo/a" + suffix, "cmd/thermo/b" + suffix}; !slices.Equal(topics, want) {
			t.Fatalf("all: published %v, want %v (skipped c gets nothing)", topics, want)
		}
		if got := ts.campaignStates(t, tok, all.ID, ""); fmt.Sprint(got) != "map[a:sent b:sent c:skipped]" {
			t.Fatalf("all: %v", got)
		}

		// A device already on the version: nothing to send, all skipped.
		c2 := ts.mustCampaign(t, tok, map[string]any{"resourceId": fx.firmware.ID, "product": "thermo", "target": map[string]any{"device": "c"}})
		mustCounts(t, c2, map[ota.State]int64{ota.StateSkipped: 1})
		if c2.Status != "completed" || len(ts.pub.take()) != 0 {
			t.Fatalf("skipped-only campaign %+v", c2)
		}

		var l listView[campaignView]
		ts.mustOK(t, 200, "GET", "/api/v1/ota/campaigns?product=thermo", fx.viewer.AccessToken, nil, &l)
		if l.Total != 3 || len(l.Records) != 3 || l.Records[0].ID != c2.ID || len(l.Records[2].Counts) != len(ota.AllStates()) {
			t.Fatalf("list %+v", l)
		}
		ts.mustOK(t, 200, "GET", "/api/v1/ota/campaigns", fx.stranger.AccessToken, nil, &l)
		if l.Total != 0 {
			t.Fatalf("a stranger sees %d campaigns", l.Total)
		}
		ts.mustOK(t, 200, "GET", "/api/v1/ota/campaigns?projectId="+fx.project.ID+"&pageSize=1", fx.owner.AccessToken, nil, &l)
		if l.Total != 3 || len(l.Records) != 1 {
			t.Fatalf("by project %+v", l)
		}
	})
}

func TestProgressMovesStatesAndFinalStaysFinal(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newOTAFixture(t, ts)
		tok := fx.maintainer.AccessToken
		for _, n := range []string{"a", "b", "c", "d"} {
			ts.mustDevice(t, tok, "thermo", n, "lab")
		}
		c := ts.mustCampaign(t, tok, map[string]any{"resourceId": fx.firmware.ID, "product": "thermo", "target": map[string]any{"tag": "lab"}})
		rid := c.RequestID

		ts.report(t, "a", `{"requestId":"`+rid+`","state":"accepted"}`)
		ts.report(t, "a", `{"requestId":"`+rid+`","progress":40}`)
		ts.report(t, "a", `{"requestId":"`+rid+`","progress":40}`) // a duplicate: harmless
		ts.report(t, "b", `{"progress":100}`)                      // no requestId: the open campaign
		ts.report(t, "c", `{"requestId":"`+rid+`","state":"installing"}`)
		ts.report(t, "c", `{"requestId":"`+rid+`","currentVersion":"2.0"}`) // confirms success
		ts.report(t, "c", `{"requestId":"`+rid+`","state":"downloading"}`)  // late: final stays final
		ts.report(t, "d", `{"requestId":"`+rid+`","progress":-2}`)          // download failed
		ts.report(t, "d", `{"requestId":"`+rid+`","state":"succeeded"}`)    // final stays final

		got := ts.getCampaign(t, fx.viewer.AccessToken, c.ID)
		mustCounts(t, got, map[ota.State]int64{ota.StateDownloading: 1, ota.StateDownloaded: 1, ota.StateSucceeded: 1, ota.StateFailed: 1})
		var l listView[campaignDeviceView]
		ts.mustOK(t, 200, "GET", "/api/v1/ota/campaigns/"+c.ID+"/devices?sortKey=device&order=ASC", tok, nil, &l)
		a, cc, d := l.Records[0], l.Records[2], l.Records[3]
		if a.State != "downloading" || a.Progress != 40 || string(a.LastReport) != `{"requestId":"`+rid+`","progress":40}` {
			t.Fatalf("a %+v", a)
		}
		if cc.State != "succeeded" || cc.Progress != 100 || !strings.Contains(string(cc.LastReport), "currentVersion") {
			t.Fatalf("c %+v (a late report must not touch a final entry)", cc)
		}
		if d.State != "failed" || d.Error != "download failed" {
			t.Fatalf("d %+v", d)
		}

		// Every report is in the history, raw, as soon as it was taken.
		var h listView[historyView]
		ts.mustOK(t, 200, "GET", "/api/v1/ota/campaigns/"+c.ID+"/history?device=c&order=ASC", tok, nil, &h)
		if h.Total != 3 || h.Records[0].State != "installing" || h.Records[2].State != "downloading" ||
			string(h.Records[2].Report) != `{"requestId":"`+rid+`","state":"downloading"}` || h.Records[0].CampaignID != c.ID {
			t.Fatalf("history of c %+v", h)
		}
		ts.mustOK(t, 200, "GET", "/api/v1/ota/campaigns/"+c.ID+"/history", tok, nil, &h)
		if h.Total != 9 {
			t.Fatalf("history total %d", h.Total)
		}

		// Bad reports are refused (permanently) and change nothing.
		for _, bad := range []string{`not json`, `{"state":"exploded"}`, `[1]`} {
			err := ts.otaSvc.HandleProgress(context.Background(), "thermo", "a", "bad-"+bad, []byte(bad), time.Now())
			if !apperr.Is(err, apperr.Invalid) {
				t.Errorf("%s: %v", bad, err)
			}
		}
		if err := ts.otaSvc.HandleProgress(context.Background(), "thermo", "a/b", "m", []byte(`{}`), time.Now()); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("bad device name: %v", err)
		}
	})
}

func TestCancelCampaign(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newOTAFixture(t, ts)
		tok := fx.maintainer.AccessToken
		for _, n := range []string{"a", "b", "c"} {
			ts.mustDevice(t, tok, "thermo", n)
		}
		c := ts.mustCampaign(t, tok, map[string]any{"resourceId": fx.firmware.ID, "product": "thermo", "target": map[string]any{"all": true}})
		ts.pub.take()
		ts.report(t, "a", `{"requestId":"`+c.RequestID+`","state":"succeeded"}`)
		ts.report(t, "b", `{"requestId":"`+c.RequestID+`","state":"installing"}`)

		rec, env := ts.call(t, "POST", "/api/v1/ota/campaigns/"+c.ID+"/cancel", fx.viewer.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
		var got campaignView
		ts.mustOK(t, 200, "POST", "/api/v1/ota/campaigns/"+c.ID+"/cancel", tok, nil, &got)
		if got.Status != "cancelled" || got.CancelledAt == nil {
			t.Fatalf("cancelled %+v", got)
		}
		mustCounts(t, got, map[ota.State]int64{ota.StateSucceeded: 1, ota.StateCancelled: 2})
		if msgs := ts.pub.take(); len(msgs) != 0 {
			t.Fatalf("cancel published %v", msgs)
		}
		// A device that was installing finishes: recorded, moves nothing.
		ts.report(t, "b", `{"requestId":"`+c.RequestID+`","state":"succeeded"}`)
		if s := ts.campaignStates(t, tok, c.ID, ""); s["b"] != "cancelled" {
			t.Fatalf("b after cancel: %v", s)
		}
		var h listView[historyView]
		ts.mustOK(t, 200, "GET", "/api/v1/ota/campaigns/"+c.ID+"/history?device=b", tok, nil, &h)
		if h.Total != 2 || h.Records[0].State != "succeeded" {
			t.Fatalf("history of b %+v", h)
		}
		// Cancelling again changes nothing.
		var again campaignView
		ts.mustOK(t, 200, "POST", "/api/v1/ota/campaigns/"+c.ID+"/cancel", tok, nil, &again)
		if !again.CancelledAt.Equal(*got.CancelledAt) || again.Status != "cancelled" {
			t.Fatalf("second cancel %+v", again)
		}
	})
}

// clock is a settable clock for the OTA service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestCampaignExpiry(t *testing.T) {
	clk := &clock{t: time.Now().UTC()}
	eachDB(t, func(o *testSetup) { o.otaNow = clk.now }, func(t *testing.T, ts *testServer) {
		fx := newOTAFixture(t, ts)
		tok := fx.maintainer.AccessToken
		for _, n := range []string{"a", "b", "c"} {
			ts.mustDevice(t, tok, "thermo", n)
		}
		lazy := ts.mustCampaign(t, tok, map[string]any{"resourceId": fx.firmware.ID, "product": "thermo", "target": map[string]any{"all": true}, "ttlSeconds": 60})
		swept := ts.mustCampaign(t, tok, map[string]any{"resourceId": fx.firmware.ID, "product": "thermo", "target": map[string]any{"device": "a"}, "ttlSeconds": 60})
		ts.report(t, "a", `{"requestId":"`+lazy.RequestID+`","state":"succeeded"}`)
		ts.report(t, "b", `{"requestId":"`+lazy.RequestID+`","progress":10}`)
		clk.add(2 * time.Minute)

		// The sweep ends open devices of expired campaigns...
		n, err := ts.otaSvc.ExpireDue(context.Background())
		if err != nil || n != 3 {
			t.Fatalf("ExpireDue = %d, %v", n, err)
		}
		got := ts.getCampaign(t, tok, swept.ID)
		mustCounts(t, got, map[ota.State]int64{ota.StateExpired: 1})
		got = ts.getCampaign(t, tok, lazy.ID)
		mustCounts(t, got, map[ota.State]int64{ota.StateSucceeded: 1, ota.StateExpired: 2})
		if got.Status != "expired" {
			t.Fatalf("status %s", got.Status)
		}
		// ...and a late report moves nothing.
		ts.report(t, "b", `{"requestId":"`+lazy.RequestID+`","state":"succeeded"}`)
		if s := ts.campaignStates(t, tok, lazy.ID, ""); s["b"] != "expired" {
			t.Fatalf("b %v", s)
		}
		rec, env := ts.call(t, "POST", "/api/v1/ota/campaigns/"+lazy.ID+"/cancel", tok, nil)
		mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict)

		// Reads expire lazily, before any sweep.
		lazy2 := ts.mustCampaign(t, tok, map[string]any{"resourceId": fx.firmware.ID, "product": "thermo", "target": map[string]any{"device": "c"}, "ttlSeconds": 60})
		clk.add(61 * time.Second)
		if s := ts.campaignStates(t, tok, lazy2.ID, ""); s["c"] != "expired" {
			t.Fatalf("lazy expiry on list: %v", s)
		}
		// A report without requestId after expiry belongs to no campaign.
		ts.report(t, "c", `{"state":"downloading"}`)
		var p map[string]any
		ts.mustOK(t, 200, "GET", "/ota/thermo/c", tok, nil, &p)
		if p["campaignId"] != nil || p["state"] != "downloading" {
			t.Fatalf("latest %v", p)
		}
	})
}

func TestCampaignInputAndAccess(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newOTAFixture(t, ts)
		tok, pid := fx.maintainer.AccessToken, fx.project.ID
		ts.mustDevice(t, tok, "thermo", "d1", "lab")
		ts.mustOK(t, 201, "POST", "/api/v1/products", tok, map[string]string{"name": "lamp", "projectId": pid}, nil)
		ts.mustDevice(t, tok, "lamp", "l1")
		wgt := ts.mustUpload(t, tok, pid, "a.apk", apkBytes(t))
		apk := ts.mustResource(t, tok, pid, map[string]any{"type": 3, "version": "1.0", "versionCode": 1, "storageKey": wgt.Key, "updateType": 1})
		fw := ts.mustUpload(t, tok, pid, "fw2.bin", []byte("v3"))
		disabled := ts.mustResource(t, tok, pid, map[string]any{"type": 5, "version": "3.0", "versionCode": 30, "storageKey": fw.Key,
			"updateType": 1, "product": "thermo", "status": 0})
		other := ts.mustProject(t, fx.owner.AccessToken, "Other")
		ofw := ts.mustUpload(t, fx.owner.AccessToken, other.ID, "o.bin", []byte("other"))
		ts.mustOK(t, 201, "POST", "/api/v1/products", fx.owner.AccessToken, map[string]string{"name": "gadget", "projectId": other.ID}, nil)
		foreign := ts.mustResource(t, fx.owner.AccessToken, other.ID, map[string]any{"type": 5, "version": "9", "versionCode": 1,
			"storageKey": ofw.Key, "updateType": 1, "product": "gadget"})

		ok := func(mut func(map[string]any)) map[string]any {
			b := map[string]any{"resourceId": fx.firmware.ID, "product": "thermo", "target": map[string]any{"device": "d1"}}
			mut(b)
			return b
		}
		cases := []struct {
			name   string
			body   map[string]any
			status int
			field  string
		}{
			// the owner can read both projects' resources
			// (A firmware is always for a product of its own project.)
			{"other project's firmware", ok(func(b map[string]any) { b["resourceId"], b["token"] = foreign.ID, fx.owner.AccessToken }), 400, "product"},
			{"no target", ok(func(b map[string]any) { b["target"] = map[string]any{} }), 400, "target"},
			{"two targets", ok(func(b map[string]any) { b["target"] = map[string]any{"device": "d1", "tag": "lab"} }), 400, "target"},
			{"bad tag", ok(func(b map[string]any) { b["target"] = map[string]any{"tag": "a/b"} }), 400, "target.tag"},
			{"unused tag", ok(func(b map[string]any) { b["target"] = map[string]any{"tag": "nobody"} }), 400, "target.tag"},
			{"ttl too short", ok(func(b map[string]any) { b["ttlSeconds"] = 59 }), 400, "ttlSeconds"},
			{"ttl too long", ok(func(b map[string]any) { b["ttlSeconds"] = 2592001 }), 400, "ttlSeconds"},
			{"ttl negative", ok(func(b map[string]any) { b["ttlSeconds"] = -1 }), 400, "ttlSeconds"},
			{"ttl huge", ok(func(b map[string]any) { b["ttlSeconds"] = int64(1) << 62 }), 400, "ttlSeconds"},
			{"no resource", ok(func(b map[string]any) { delete(b, "resourceId") }), 400, "resourceId"},
			{"not firmware", ok(func(b map[string]any) { b["resourceId"] = apk.ID }), 400, "resourceId"},
			{"disabled", ok(func(b map[string]any) { b["resourceId"] = disabled.ID }), 400, "resourceId"},
			{"product mismatch", ok(func(b map[string]any) {
				b["product"], b["target"] = "lamp", map[string]any{"device": "l1"}
			}), 400, "product"},
			{"unknown device", ok(func(b map[string]any) { b["target"] = map[string]any{"device": "ghost"} }), 404, ""},
			{"unknown product", ok(func(b map[string]any) { b["product"] = "ghost" }), 404, ""},
			{"unknown resource", ok(func(b map[string]any) { b["resourceId"] = strings.Repeat("a", 32) }), 404, ""},
		}
		for _, c := range cases {
			token := tok
			if other, ok := c.body["token"].(string); ok {
				token = other
				delete(c.body, "token")
			}
			rec, env := ts.call(t, "POST", "/api/v1/ota/campaigns", token, c.body)
			if rec.Code != c.status || (c.field != "" && !slices.Contains(fieldsOf(env), c.field)) {
				t.Errorf("%s: %d %s", c.name, rec.Code, rec.Body)
			}
		}
		if msgs := ts.pub.take(); len(msgs) != 0 {
			t.Fatalf("rejected campaigns published %v", msgs)
		}

		body := ok(func(map[string]any) {})
		rec, env := ts.call(t, "POST", "/api/v1/ota/campaigns", fx.viewer.AccessToken, body)
		mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
		rec, env = ts.call(t, "POST", "/api/v1/ota/campaigns", fx.stranger.AccessToken, body)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		rec, env = ts.call(t, "POST", "/api/v1/ota/campaigns", "", body)
		mustErrorEnvelope(t, rec, env, http.StatusUnauthorized, apperr.Unauthorized)

		c := ts.mustCampaign(t, tok, body)
		for _, path := range []string{"", "/devices", "/history"} {
			rec, env = ts.call(t, "GET", "/api/v1/ota/campaigns/"+c.ID+path, fx.stranger.AccessToken, nil)
			mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
			ts.mustOK(t, 200, "GET", "/api/v1/ota/campaigns/"+c.ID+path, fx.viewer.AccessToken, nil, nil)
		}
		rec, env = ts.call(t, "POST", "/api/v1/ota/campaigns/"+c.ID+"/cancel", fx.stranger.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		rec, env = ts.call(t, "GET", "/api/v1/ota/campaigns/"+strings.Repeat("0", 32), tok, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		rec, env = ts.call(t, "GET", "/api/v1/ota/campaigns/"+c.ID+"/devices?state=bogus", tok, nil)
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		rec, env = ts.call(t, "GET", "/api/v1/ota/campaigns?product=thermo", fx.stranger.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
	})
}

func TestCampaignPublishFailures(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newOTAFixture(t, ts)
		tok := fx.maintainer.AccessToken
		for _, n := range []string{"a", "b", "c"} {
			ts.mustDevice(t, tok, "thermo", n, "lab")
		}
		body := map[string]any{"resourceId": fx.firmware.ID, "product": "thermo", "target": map[string]any{"tag": "lab"}}

		// The broker takes nothing: 503 and no campaign left behind.
		ts.pub.setFail(func(string) error { return errors.New("connection refused") })
		rec, env := ts.call(t, "POST", "/api/v1/ota/campaigns", tok, body)
		mustErrorEnvelope(t, rec, env, http.StatusServiceUnavailable, apperr.Unavailable)
		if strings.Contains(rec.Body.String(), "refused") {
			t.Errorf("cause leaked: %s", rec.Body)
		}
		var l listView[campaignView]
		ts.mustOK(t, 200, "GET", "/api/v1/ota/campaigns", tok, nil, &l)
		if l.Total != 0 {
			t.Fatalf("%d campaigns after a failed publish", l.Total)
		}

		// Per device, the broker refuses one: the campaign stands, that
		// device is failed, the others are sent.
		ts.pub.setFail(func(topic string) error {
			if strings.HasPrefix(topic, "cmd/thermo/b/") {
				return errors.New("refused")
			}
			return nil
		})
		var c campaignView
		ts.mustOK(t, 201, "POST", "/api/v1/ota/campaigns", tok, map[string]any{"resourceId": fx.firmware.ID, "product": "thermo",
			"target": map[string]any{"all": true}}, &c)
		if c.Counts["failed"] != 1 || c.Counts["sent"] != 2 || len(ts.pub.take()) != 2 {
			t.Fatalf("partly published %v", c.Counts)
		}
		var dl listView[campaignDeviceView]
		ts.mustOK(t, 200, "GET", "/api/v1/ota/campaigns/"+c.ID+"/devices?state=failed", tok, nil, &dl)
		if dl.Total != 1 || dl.Records[0].Device != "b" || !strings.Contains(dl.Records[0].Error, "could not be published") {
			t.Fatalf("failed devices %+v", dl)
		}
	})
}

func TestMQTTOffCampaign(t *testing.T) {
	ts := mustServer(t, func(o *testSetup) { o.publisher = ota.Off{} })
	fx := newOTAFixture(t, ts)
	ts.mustDevice(t, fx.maintainer.AccessToken, "thermo", "a")
	rec, env := ts.call(t, "POST", "/api/v1/ota/campaigns", fx.maintainer.AccessToken,
		map[string]any{"resourceId": fx.firmware.ID, "product": "thermo", "target": map[string]any{"device": "a"}})
	mustErrorEnvelope(t, rec, env, http.StatusServiceUnavailable, apperr.Unavailable)
	if !strings.Contains(env.Message, "MQTT is off") {
		t.Fatalf("message %q", env.Message)
	}
	rec, env = ts.call(t, "POST", "/api/v1/products/thermo/devices/a/commands", fx.maintainer.AccessToken, map[string]any{"name": "lock"})
	mustErrorEnvelope(t, rec, env, http.StatusServiceUnavailable, apperr.Unavailable)
}

func TestSeedOTAEndpoints(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newOTAFixture(t, ts)
		tok := fx.maintainer.AccessToken
		ts.mustDevice(t, tok, "thermo", "d1")

		var p map[string]any
		ts.mustOK(t, 200, "GET", "/ota/thermo/d1", fx.viewer.AccessToken, nil, &p)
		if len(p) != 0 {
			t.Fatalf("no progress yet: %v", p)
		}

		// Seed 000's body: a file described by the caller.
		var sent otaSentView
		ts.mustOK(t, 200, "POST", "/ota/thermo/d1", tok, map[string]any{"url": "https://cdn.example.com/fw.bin", "version": "1.5",
			"size": 1234, "md5": strings.Repeat("A", 32), "type": "firmware"}, &sent)
		msgs := ts.pub.take()
		if len(msgs) != 1 || sent.CampaignID != "" ||
			msgs[0].Topic != fmt.Sprintf("cmd/thermo/d1/ota_upgrade/plain/%s/%d", sent.RequestID, sent.ExpiresAt.Unix()) {
			t.Fatalf("sent %+v published %v", sent, msgs)
		}
		var m upgradeMessage
		json.Unmarshal(msgs[0].Payload, &m)
		if m.URL != "https://cdn.example.com/fw.bin" || m.Version != "1.5" || m.Size != 1234 || m.MD5 != strings.Repeat("a", 32) ||
			m.Type != "firmware" || m.RequestID != sent.RequestID || m.ExpiresAt != sent.ExpiresAt.Unix() {
			t.Fatalf("payload %s", msgs[0].Payload)
		}
		// It is a recorded command.
		var cmd commandView
		ts.mustOK(t, 200, "GET", "/api/v1/products/thermo/devices/d1/commands/"+sent.RequestID, tok, nil, &cmd)
		if cmd.Name != "ota_upgrade" || cmd.Data != string(msgs[0].Payload) {
			t.Fatalf("command %+v", cmd)
		}

		// Its progress (no campaign) is the device's latest progress.
		at := time.Now()
		ts.report(t, "d1", `{"requestId":"`+sent.RequestID+`","progress":"55","desc":"dl","ts":1700000000}`)
		ts.mustOK(t, 200, "GET", "/ota/thermo/d1", fx.viewer.AccessToken, nil, &p)
		if p["progress"] != "55" || p["desc"] != "dl" || p["state"] != "downloading" || p["requestId"] != sent.RequestID ||
			p["campaignId"] != nil || p["receivedAt"] == nil {
			t.Fatalf("progress %v", p)
		}
		if ts, _ := p["ts"].(float64); int64(ts) < at.Unix()-1 || int64(ts) > at.Unix()+5 {
			t.Fatalf("ts %v is not the receive time", p["ts"])
		}

		// Hoist's resourceId: a tracked one-device campaign.
		ts.mustOK(t, 200, "POST", "/ota/thermo/d1", tok, map[string]any{"resourceId": fx.firmware.ID}, &sent)
		if sent.CampaignID == "" {
			t.Fatalf("sent %+v", sent)
		}
		ts.pub.take()
		ts.report(t, "d1", `{"state":"updated"}`) // no requestId: the open campaign
		ts.mustOK(t, 200, "GET", "/ota/thermo/d1", tok, nil, &p)
		if p["state"] != "succeeded" || p["campaignId"] != sent.CampaignID {
			t.Fatalf("progress %v", p)
		}
		mustCounts(t, ts.getCampaign(t, tok, sent.CampaignID), map[ota.State]int64{ota.StateSucceeded: 1})
		// The device now runs 2.0: another campaign to 2.0 skips it.
		var dv deviceView
		ts.mustOK(t, 200, "GET", "/api/v1/products/thermo/devices/d1", tok, nil, &dv)
		if dv.FirmwareVersion != "2.0" {
			t.Fatalf("firmware after a succeeded update: %q", dv.FirmwareVersion)
		}
		ts.mustOK(t, 200, "POST", "/ota/thermo/d1", tok, map[string]any{"resourceId": fx.firmware.ID}, &sent)
		if c := ts.getCampaign(t, tok, sent.CampaignID); c.Status != "completed" || c.Counts["skipped"] != 1 || len(ts.pub.take()) != 0 {
			t.Fatalf("campaign to the running version %+v", c)
		}
		// A reported currentVersion is the device's version too.
		ts.report(t, "d1", `{"currentVersion":"1.9"}`)
		ts.mustOK(t, 200, "GET", "/api/v1/products/thermo/devices/d1", tok, nil, &dv)
		if dv.FirmwareVersion != "1.9" {
			t.Fatalf("firmware after currentVersion: %q", dv.FirmwareVersion)
		}

		// Input and access.
		for _, body := range []map[string]any{
			{"version": "1"}, {"url": "ftp://x/y", "version": "1"}, {"url": "https://x/y"},
			{"url": "https://x/y", "version": "1", "md5": "zz"}, {"url": "https://x/y", "version": "1", "size": -1},
			{"url": "https://x/y", "version": "1", "ttlSeconds": 10},
		} {
			rec, env := ts.call(t, "POST", "/ota/thermo/d1", tok, body)
			mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		}
		good := map[string]any{"url": "https://x/y", "version": "1"}
		rec, env := ts.call(t, "POST", "/ota/thermo/ghost", tok, good)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		rec, env = ts.call(t, "GET", "/ota/thermo/ghost", tok, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		rec, env = ts.call(t, "POST", "/ota/thermo/d1", fx.viewer.AccessToken, good)
		mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
		for _, method := range []string{"GET", "POST"} {
			rec, env = ts.call(t, method, "/ota/thermo/d1", fx.stranger.AccessToken, good)
			mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
			rec, env = ts.call(t, method, "/ota/thermo/d1", "", good)
			mustErrorEnvelope(t, rec, env, http.StatusUnauthorized, apperr.Unauthorized)
		}
		// An API token works.
		var tk createdAPITokenView
		ts.mustOK(t, 201, "POST", "/api/v1/me/tokens", fx.viewer.AccessToken, map[string]any{"name": "ci"}, &tk)
		ts.mustOK(t, 200, "GET", "/ota/thermo/d1", tk.Token, nil, &p)
		if p["currentVersion"] != "1.9" {
			t.Fatalf("with an API token: %v", p)
		}
	})
}

// A stuck campaign is resumed: its command goes again to the devices still
// open, never to a finished one; a cancelled campaign cannot be resumed.
func TestResumeCampaign(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newOTAFixture(t, ts)
		tok := fx.maintainer.AccessToken
		for _, n := range []string{"a", "b", "c"} {
			ts.mustDevice(t, tok, "thermo", n)
		}
		c := ts.mustCampaign(t, tok, map[string]any{"resourceId": fx.firmware.ID, "product": "thermo", "target": map[string]any{"all": true}})
		first := ts.pub.take()
		ts.report(t, "a", `{"requestId":"`+c.RequestID+`","state":"succeeded"}`)
		ts.report(t, "b", `{"requestId":"`+c.RequestID+`","state":"downloading","progress":30}`)

		rec, env := ts.call(t, "POST", "/api/v1/ota/campaigns/"+c.ID+"/resume", fx.viewer.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
		var got resumeView
		ts.mustOK(t, 200, "POST", "/api/v1/ota/campaigns/"+c.ID+"/resume", tok, nil, &got)
		if got.Resent != 2 || got.Campaign.ID != c.ID {
			t.Fatalf("resumed %+v", got)
		}
		again := ts.pub.take()
		if len(again) != 2 || len(first) != 3 {
			t.Fatalf("first %d publishes, resume %d: %v", len(first), len(again), again)
		}
		for _, m := range again {
			if strings.Contains(m.Topic, "/a/") || !strings.Contains(m.Topic, c.RequestID) {
				t.Fatalf("resent %q", m)
			}
		}
		ts.mustOK(t, 200, "POST", "/api/v1/ota/campaigns/"+c.ID+"/cancel", tok, nil, nil)
		rec, env = ts.call(t, "POST", "/api/v1/ota/campaigns/"+c.ID+"/resume", tok, nil)
		mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict)
	})
}
