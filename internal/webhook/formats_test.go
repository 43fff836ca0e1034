package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/event"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
	"github.com/hoist-ota/hoist/internal/webhook"
)

type publishedData struct {
	ResourceID     string `json:"resourceId"`
	Type           int    `json:"type"`
	TypeLabel      string `json:"typeLabel"`
	Channel        string `json:"channel"`
	Version        string `json:"version"`
	VersionCode    int64  `json:"versionCode"`
	RolloutPercent int    `json:"rolloutPercent"`
}

// TestEveryFormatIsSignedAndShaped sends one event to a webhook of each
// format and checks, per request, the timestamp and signature headers and
// the body its receiver expects.
func TestEveryFormatIsSignedAndShaped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := mustWorld(t, st, webhook.Options{}, nil)
		rc := newReceiver(t, nil)
		secrets := map[webhook.Format]string{
			webhook.FormatJSON: "json-secret-0123456789", webhook.FormatDingTalk: "SEC0123456789abcdef0123456789abcdef",
			webhook.FormatFeishu: "feishu-secret-0123456789", webhook.FormatWeCom: "wecom-secret-0123456789",
			webhook.FormatSlack: "slack-secret-0123456789",
		}
		hooks := map[string]webhook.Webhook{}
		for _, f := range webhook.Formats() {
			hooks["/"+string(f)] = w.mustHook(t, rc.URL+"/"+string(f)+"?access_token=tok", secrets[f], f, event.ReleasePublished)
		}
		// Not subscribed: gets nothing.
		w.mustHook(t, rc.URL+"/other", "other-secret-0123456789", webhook.FormatJSON, event.RolloutHalted)
		at := w.clock.Now().Add(-time.Second)
		data := publishedData{ResourceID: "r1", Type: 1, TypeLabel: "wgt (Android)", Channel: "beta", Version: "1.2.0",
			VersionCode: 120, RolloutPercent: 10}
		if err := w.svc.Emit(context.Background(), event.Event{Type: event.ReleasePublished, Project: w.project.ID, At: at, Data: data}); err != nil {
			t.Fatal(err)
		}
		if n := w.deliverDue(t); n != 5 {
			t.Fatalf("attempted %d deliveries, want 5", n)
		}
		got := rc.requests()
		if len(got) != 5 {
			t.Fatalf("received %d requests, want 5", len(got))
		}
		const line = "wgt (Android) 1.2.0 (120) published in beta at 10%"
		ts := unix(w.clock.Now())
		for _, r := range got {
			h, ok := hooks[r.Path]
			if !ok {
				t.Fatalf("request to %s", r.Path)
			}
			if r.Header.Get("X-Hoist-Timestamp") != ts {
				t.Errorf("%s: timestamp %q, want %s", r.Path, r.Header.Get("X-Hoist-Timestamp"), ts)
			}
			if sig := r.Header.Get("X-Hoist-Signature"); sig != hmacHex(secrets[h.Format], ts, r.Body) {
				t.Errorf("%s: signature %q does not match the body", r.Path, sig)
			}
			if r.Header.Get("X-Hoist-Event") != event.ReleasePublished || len(r.Header.Get("X-Hoist-Delivery")) != 32 ||
				r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("%s: headers %v", r.Path, r.Header)
			}
			q, _ := url.ParseQuery(r.Query)
			if q.Get("access_token") != "tok" {
				t.Errorf("%s: query %q lost the URL's own parameters", r.Path, r.Query)
			}
			var b map[string]any
			if err := json.Unmarshal(r.Body, &b); err != nil {
				t.Fatalf("%s: body %s: %v", r.Path, r.Body, err)
			}
			text := ""
			switch h.Format {
			case webhook.FormatJSON:
				var body struct {
					ID, Event, Project, ProjectName, At string
					Data                                publishedData
				}
				json.Unmarshal(r.Body, &body)
				when, err := time.Parse(time.RFC3339, body.At)
				if body.ID != r.Header.Get("X-Hoist-Delivery") || body.Event != event.ReleasePublished || body.Project != w.project.ID ||
					body.ProjectName != "Shop App" || err != nil || !when.Equal(at) || body.Data != data {
					t.Errorf("json body %s", r.Body)
				}
			case webhook.FormatDingTalk:
				md, _ := b["markdown"].(map[string]any)
				if b["msgtype"] != "markdown" || md["title"] != "Release published" {
					t.Errorf("dingtalk body %s", r.Body)
				}
				text, _ = md["text"].(string)
				// DingTalk's own signature of a "SEC…" secret, in the query.
				m := hmac.New(sha256.New, []byte(secrets[h.Format]))
				m.Write([]byte(q.Get("timestamp") + "\n" + secrets[h.Format]))
				if q.Get("timestamp") != strconv.FormatInt(w.clock.Now().UnixMilli(), 10) ||
					q.Get("sign") != base64.StdEncoding.EncodeToString(m.Sum(nil)) {
					t.Errorf("dingtalk query %q", r.Query)
				}
			case webhook.FormatFeishu:
				content, _ := b["content"].(map[string]any)
				text, _ = content["text"].(string)
				m := hmac.New(sha256.New, []byte(ts+"\n"+secrets[h.Format]))
				if b["msg_type"] != "text" || b["timestamp"] != ts || b["sign"] != base64.StdEncoding.EncodeToString(m.Sum(nil)) {
					t.Errorf("feishu body %s", r.Body)
				}
			case webhook.FormatWeCom:
				md, _ := b["markdown"].(map[string]any)
				text, _ = md["content"].(string)
				if b["msgtype"] != "markdown" {
					t.Errorf("wecom body %s", r.Body)
				}
			case webhook.FormatSlack:
				text, _ = b["text"].(string)
				if len(b) != 1 {
					t.Errorf("slack body %s", r.Body)
				}
			}
			if h.Format != webhook.FormatJSON && (!strings.Contains(text, line) || !strings.Contains(text, "Shop App")) {
				t.Errorf("%s text %q lacks %q and the project name", h.Format, text, line)
			}
		}
		for _, h := range hooks {
			ds := w.deliveries(t, h.ID)
			if len(ds) != 1 || ds[0].State != webhook.Succeeded || ds[0].Attempts != 1 || len(ds[0].Tries) != 1 ||
				ds[0].Tries[0].StatusCode != 200 || ds[0].Tries[0].Response != "ok" || !ds[0].DoneTime.Equal(w.clock.Now()) {
				t.Errorf("%s deliveries %+v", h.Format, ds)
			}
		}
	})
}

// TestHumanLines covers the line of every event type a chat receives.
func TestHumanLines(t *testing.T) {
	st := storetest.MustOpen(t, "sqlite")
	w := mustWorld(t, st, webhook.Options{}, nil)
	rc := newReceiver(t, nil)
	h := w.mustHook(t, rc.URL, "slack-secret-0123456789", webhook.FormatSlack, event.Types()...)
	rel := map[string]any{"version": "2.0", "versionCode": 200, "channel": "production", "rolloutPercent": 50, "reason": "not applied 31% > 20%"}
	camp := map[string]any{"campaignName": "spring", "wave": 2, "reason": "5 failures"}
	cases := []struct {
		typ  string
		data any
		want string
	}{
		{event.ReleasePublished, map[string]any{"typeLabel": "Android build", "version": "2.0", "versionCode": 200, "enabled": false}, "Android build 2.0 (200) published (disabled)"},
		{event.RolloutAdvanced, rel, "Rollout of 2.0 (200) in production advanced at 50%: not applied 31% &gt; 20%"},
		{event.RolloutHalted, rel, "Rollout of 2.0 (200) in production halted at 50%: not applied"},
		{event.RolloutCompleted, rel, "Rollout of 2.0 (200) in production completed"},
		{event.WaveStarted, camp, "Wave 2 of campaign spring started"},
		{event.CampaignPaused, camp, "Campaign spring paused: 5 failures"},
		{event.CampaignFinished, map[string]any{"campaignId": "c1"}, "Campaign c1 finished"},
	}
	for _, c := range cases {
		if err := w.svc.Emit(context.Background(), event.Event{Type: c.typ, Project: w.project.ID, Data: c.data}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.svc.Test(context.Background(), w.owner, w.project.ID, h.ID); err != nil {
		t.Fatal(err)
	}
	w.deliverDue(t)
	var all []string
	for _, r := range rc.requests() {
		var b struct{ Text string }
		json.Unmarshal(r.Body, &b)
		all = append(all, b.Text)
	}
	joined := strings.Join(all, "\n")
	for _, c := range append(cases, struct {
		typ  string
		data any
		want string
	}{want: "Test delivery from Hoist"}) {
		if !strings.Contains(joined, c.want) {
			t.Errorf("no message says %q:\n%s", c.want, joined)
		}
	}
}
