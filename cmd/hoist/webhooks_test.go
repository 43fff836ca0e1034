package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/hoist-ota/hoist/internal/testwait"
)

// TestServeDeliversWebhooks: a resource published on a running server
// reaches the project's webhook through the node's worker.
func TestServeDeliversWebhooks(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]any
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b map[string]any
		raw, _ := io.ReadAll(r.Body)
		json.Unmarshal(raw, &b)
		if r.Header.Get("X-Hoist-Signature") != "" && r.Header.Get("X-Hoist-Timestamp") != "" {
			mu.Lock()
			got = append(got, b)
			mu.Unlock()
		}
	}))
	defer rc.Close()
	// A long poll: the delivery must go at once, woken by the publish.
	p := startServe(t, baseEnv(t, "HOIST_AUTH_CAPTCHA=off", "HOIST_WEBHOOKS_POLL_INTERVAL=1h"))
	base := "http://" + p.addr("http")
	var sess struct {
		AccessToken string `json:"accessToken"`
	}
	if code := apiCall(t, base, "POST", "/api/v1/auth/register", "", map[string]string{"username": "alice", "password": "correct horse battery"}, &sess); code != 201 {
		t.Fatalf("register %d", code)
	}
	var proj struct{ ID string }
	apiCall(t, base, "POST", "/api/v1/projects", sess.AccessToken, map[string]string{"name": "App"}, &proj)
	hook := map[string]any{"url": rc.URL + "/hook", "secret": "e2e-secret-0123456789", "events": []string{"release.published"}}
	if code := apiCall(t, base, "POST", "/api/v1/projects/"+proj.ID+"/webhooks", sess.AccessToken, hook, nil); code != 201 {
		t.Fatalf("webhook %d", code)
	}
	var res struct{ ID string }
	if code := apiCall(t, base, "POST", "/api/v1/projects/"+proj.ID+"/resources", sess.AccessToken, map[string]any{"type": 4,
		"version": "1.0.0", "versionCode": 100, "url": "https://apps.apple.com/app/id1", "updateType": 1}, &res); code != 201 {
		t.Fatalf("publish %d", code)
	}
	testwait.For(t, "the release.published delivery", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 1
	})
	mu.Lock()
	defer mu.Unlock()
	data, _ := got[0]["data"].(map[string]any)
	if got[0]["event"] != "release.published" || got[0]["project"] != proj.ID || data["resourceId"] != res.ID {
		t.Fatalf("delivery %v", got[0])
	}
	if code, _ := p.stop(t); code != 0 {
		t.Fatalf("exit %d\n%s", code, p.log())
	}
}
