package httpapi

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hoist-ota/hoist/internal/apperr"
)

const hookSecret = "hook-secret-0123456789"

func webhookBody(url string, events ...string) map[string]any {
	return map[string]any{"url": url, "secret": hookSecret, "events": events, "format": "json"}
}

func (ts *testServer) mustWebhook(tb testing.TB, token, projectID string, body map[string]any) webhookView {
	tb.Helper()
	var w webhookView
	ts.mustOK(tb, 201, "POST", "/api/v1/projects/"+projectID+"/webhooks", token, body, &w)
	return w
}

// deliverWebhooks runs one round of the webhook worker.
func (ts *testServer) deliverWebhooks(tb testing.TB) {
	tb.Helper()
	if _, err := ts.webhooks.DeliverDue(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

// hookReceiver is an endpoint that keeps the requests it gets.
type hookReceiver struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
	body [][]byte
}

func newHookReceiver(tb testing.TB) *hookReceiver {
	rc := &hookReceiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.reqs, rc.body = append(rc.reqs, r), append(rc.body, b)
		rc.mu.Unlock()
		io.WriteString(w, `{"ok":true}`)
	}))
	tb.Cleanup(rc.Close)
	return rc
}

func (rc *hookReceiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.reqs)
}

func TestWebhooksCreateValidateUpdateDelete(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		f := newReleaseFixture(t, ts)
		tok, pid, base := f.maintainer.AccessToken, f.project.ID, "/api/v1/projects/"+f.project.ID+"/webhooks"
		body := webhookBody("https://hooks.example.com/hoist?key=k", "rollout.halted", "release.published", "release.published")
		body["format"] = "dingtalk"
		rec, env := ts.call(t, "POST", base, tok, body)
		if rec.Code != 201 || strings.Contains(rec.Body.String(), hookSecret) {
			t.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
		var w webhookView
		json.Unmarshal(env.Data, &w)
		if w.URL != "https://hooks.example.com/hoist?key=k" || w.SecretHint != "…6789" || w.Format != "dingtalk" || !w.Enabled ||
			strings.Join(w.Events, ",") != "release.published,rollout.halted" || w.ProjectID != pid || len(w.ID) != 32 {
			t.Fatalf("created %+v", w)
		}
		// Bad input: 400 naming the fields, nothing stored.
		long := "https://example.com/" + strings.Repeat("a", 1010)
		for _, c := range []struct {
			body   map[string]any
			fields string
		}{
			{map[string]any{}, "url,secret,events"},
			{webhookBody("http://example.com/hook", "release.published"), "url"},
			{webhookBody("ftp://example.com/hook", "release.published"), "url"},
			{webhookBody("https://user:pw@example.com/", "release.published"), "url"},
			{webhookBody("/relative", "release.published"), "url"},
			{webhookBody(long, "release.published"), "url"},
			{webhookBody("https://example.com/"), "events"},
			{webhookBody("https://example.com/", "nope"), "events"},
			{webhookBody("https://example.com/", "webhook.test"), "events"},
			{map[string]any{"url": "https://example.com/", "secret": "short", "events": []string{"release.published"}}, "secret"},
			{map[string]any{"url": "https://example.com/", "secret": strings.Repeat("s", 129), "events": []string{"release.published"}}, "secret"},
			{map[string]any{"url": "https://example.com/", "secret": hookSecret, "events": []string{"release.published"}, "format": "teams"}, "format"},
		} {
			rec, env := ts.call(t, "POST", base, tok, c.body)
			mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
			if got := strings.Join(fieldsOf(env), ","); got != c.fields {
				t.Errorf("%v: fields %s, want %s", c.body, got, c.fields)
			}
		}
		rec, env = ts.call(t, "POST", base, tok, webhookBody("http://example.com/", "nope"), "Accept-Language", "zh-CN")
		if len(env.Errors) != 2 || !strings.HasPrefix(env.Errors[0].Message, "必须使用 https") || !strings.HasPrefix(env.Errors[1].Message, "必须是其中之一") {
			t.Fatalf("in Chinese: %s", rec.Body)
		}
		rec, env = ts.call(t, "POST", base, tok, map[string]any{"url": "https://example.com/", "secrets": "x"})
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		// Loopback http is allowed (tests, local relays); format defaults to json.
		local := ts.mustWebhook(t, f.owner.AccessToken, pid, map[string]any{"url": "http://127.0.0.1:9/x", "secret": hookSecret,
			"events": []string{"campaign.finished"}})
		if local.Format != "json" {
			t.Fatalf("default format %q", local.Format)
		}
		var list []webhookView
		ts.mustOK(t, 200, "GET", base, f.owner.AccessToken, nil, &list)
		if len(list) != 2 || list[0].ID != w.ID || list[1].ID != local.ID {
			t.Fatalf("list %+v", list)
		}
		// Viewers may not see them; strangers do not see the project.
		for _, c := range []struct {
			method, path string
			body         any
		}{{"GET", base, nil}, {"POST", base, webhookBody("https://example.com/", "release.published")},
			{"GET", base + "/" + w.ID, nil}, {"GET", base + "/" + w.ID + "/deliveries", nil},
			{"PATCH", base + "/" + w.ID, map[string]any{"enabled": false}}, {"POST", base + "/" + w.ID + "/test", nil},
			{"DELETE", base + "/" + w.ID, nil}} {
			rec, env := ts.call(t, c.method, c.path, f.viewer.AccessToken, c.body)
			mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
			rec, env = ts.call(t, c.method, c.path, f.stranger.AccessToken, c.body)
			mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		}
		// A webhook is reached only through its own project.
		other := ts.mustProject(t, f.owner.AccessToken, "Other")
		rec, env = ts.call(t, "GET", "/api/v1/projects/"+other.ID+"/webhooks/"+w.ID, f.owner.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		// Update: absent fields unchanged, a new secret changes the hint.
		var up webhookView
		ts.mustOK(t, 200, "PATCH", base+"/"+w.ID, tok, map[string]any{"enabled": false, "format": "slack",
			"events": []string{"campaign.paused"}}, &up)
		if up.Enabled || up.Format != "slack" || strings.Join(up.Events, ",") != "campaign.paused" || up.URL != w.URL || up.SecretHint != w.SecretHint {
			t.Fatalf("updated %+v", up)
		}
		ts.mustOK(t, 200, "PATCH", base+"/"+w.ID, tok, map[string]any{"secret": "another-secret-abcd"}, &up)
		if up.SecretHint != "…abcd" {
			t.Fatalf("hint after a new secret %q", up.SecretHint)
		}
		rec, env = ts.call(t, "PATCH", base+"/"+w.ID, tok, map[string]any{"url": "http://example.com/", "events": []string{}})
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		if got := strings.Join(fieldsOf(env), ","); got != "url,events" {
			t.Fatalf("patch fields %s", got)
		}
		var got webhookView
		ts.mustOK(t, 200, "GET", base+"/"+w.ID, tok, nil, &got)
		if got.URL != w.URL || got.Events[0] != "campaign.paused" {
			t.Fatalf("a refused patch changed it: %+v", got)
		}
		rec, env = ts.call(t, "POST", base+"/"+w.ID+"/test", tok, nil)
		mustErrorEnvelope(t, rec, env, http.StatusConflict, apperr.Conflict) // disabled
		rec, env = ts.call(t, "GET", base+"/"+w.ID+"/deliveries?pageSize=0", tok, nil)
		mustErrorEnvelope(t, rec, env, http.StatusBadRequest, apperr.Invalid)
		ts.mustOK(t, 200, "DELETE", base+"/"+w.ID, tok, nil, nil)
		rec, env = ts.call(t, "DELETE", base+"/"+w.ID, tok, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		ts.mustOK(t, 200, "GET", base, tok, nil, &list)
		if len(list) != 1 || list[0].ID != local.ID {
			t.Fatalf("after delete %+v", list)
		}
		for _, s := range []string{hookSecret, "another-secret-abcd"} {
			if strings.Contains(ts.logs.String(), s) {
				t.Fatalf("the secret %q was logged", s)
			}
		}
	})
}

// TestWebhookTestAndPublishAreDelivered: the test button and a publish
// through the API reach the receiver, signed, and are listed newest first
// with their attempts.
func TestWebhookTestAndPublishAreDelivered(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		f := newReleaseFixture(t, ts)
		tok, pid := f.maintainer.AccessToken, f.project.ID
		rc := newHookReceiver(t)
		w := ts.mustWebhook(t, tok, pid, webhookBody(rc.URL+"/hook", "release.published"))
		base := "/api/v1/projects/" + pid + "/webhooks/" + w.ID
		var queued deliveryView
		ts.mustOK(t, 202, "POST", base+"/test", tok, nil, &queued)
		if queued.Event != "webhook.test" || queued.State != "pending" || queued.AttemptCount != 0 {
			t.Fatalf("queued %+v", queued)
		}
		ts.deliverWebhooks(t)
		r := ts.mustResource(t, tok, pid, map[string]any{"type": 4, "version": "1.1.0", "versionCode": 110,
			"url": "https://apps.apple.com/app/id1", "updateType": 2, "rolloutPercent": 20})
		ts.deliverWebhooks(t)
		if rc.count() != 2 {
			t.Fatalf("receiver got %d requests", rc.count())
		}
		rc.mu.Lock()
		req, raw := rc.reqs[1], rc.body[1]
		rc.mu.Unlock()
		m := hmac.New(sha256.New, []byte(hookSecret))
		m.Write([]byte(req.Header.Get("X-Hoist-Timestamp") + "." + string(raw)))
		if req.Header.Get("X-Hoist-Signature") != "sha256="+hex.EncodeToString(m.Sum(nil)) {
			t.Fatalf("signature %q", req.Header.Get("X-Hoist-Signature"))
		}
		var got struct {
			ID, Event, Project, At string
			Data                   map[string]any
		}
		json.Unmarshal(raw, &got)
		d := got.Data
		if got.Event != "release.published" || got.Project != pid || d["resourceId"] != r.ID || d["versionCode"] != 110.0 ||
			d["channel"] != "production" || d["rolloutPercent"] != 20.0 || d["version"] != "1.1.0" || d["type"] != 4.0 ||
			d["enabled"] != true {
			t.Fatalf("release.published body %s", raw)
		}
		var page listView[deliveryView]
		ts.mustOK(t, 200, "GET", base+"/deliveries", tok, nil, &page)
		if page.Total != 2 || len(page.Records) != 2 || page.Records[0].Event != "release.published" || page.Records[0].ID != got.ID ||
			page.Records[1].ID != queued.ID {
			t.Fatalf("deliveries %+v", page)
		}
		for _, dv := range page.Records {
			if dv.State != "succeeded" || dv.AttemptCount != 1 || len(dv.Attempts) != 1 || dv.Attempts[0].StatusCode != 200 ||
				dv.Attempts[0].Response != `{"ok":true}` || dv.DoneTime == nil || dv.NextAttemptTime != nil {
				t.Fatalf("delivery %+v", dv)
			}
		}
		// A promoted copy is published too.
		ts.mustChannel(t, tok, pid, "beta")
		var promoted resourceView
		ts.mustOK(t, 201, "POST", "/api/v1/resources/"+r.ID+"/promote", tok, map[string]any{"channel": "beta"}, &promoted)
		ts.deliverWebhooks(t)
		ts.mustOK(t, 200, "GET", base+"/deliveries?pageSize=1", tok, nil, &page)
		if d := page.Records[0].Data; page.Total != 3 || !strings.Contains(string(d), `"origin":"promoted"`) ||
			!strings.Contains(string(d), `"channel":"beta"`) || !strings.Contains(string(d), promoted.ID) {
			t.Fatalf("promoted: %d deliveries, newest %s", page.Total, d)
		}
		// A webhook that does not subscribe to it gets no release.published.
		ts.mustOK(t, 200, "PATCH", base, tok, map[string]any{"events": []string{"rollout.halted"}}, nil)
		ts.mustResource(t, tok, pid, map[string]any{"type": 4, "version": "1.2.0", "versionCode": 120,
			"url": "https://apps.apple.com/app/id1", "updateType": 2})
		ts.mustOK(t, 200, "GET", base+"/deliveries?pageSize=1", tok, nil, &page)
		if page.Total != 3 || len(page.Records) != 1 {
			t.Fatalf("unsubscribed, deliveries %+v", page)
		}
		// Deleting the project takes its webhooks and deliveries along.
		ts.mustOK(t, 200, "DELETE", "/api/v1/projects/"+pid+"?force=true", f.owner.AccessToken, nil, nil)
		hooks, err := ts.store.Webhooks().Webhooks(context.Background(), pid)
		if err != nil || len(hooks) != 0 {
			t.Fatalf("webhooks left: %v %v", hooks, err)
		}
	})
}
