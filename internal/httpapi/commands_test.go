package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// reply feeds a command reply to the service as the bridge would.
func (ts *testServer) reply(device, command, requestID, payload string) error {
	return ts.otaSvc.HandleCommandReply(context.Background(), "thermo", device, command, requestID, []byte(payload), time.Time{})
}

func TestDeviceCommand(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newDeviceFixture(t, ts)
		tok := fx.maintainer.AccessToken
		ts.mustDevice(t, tok, "thermo", "door-1")
		ts.mustDevice(t, tok, "thermo", "door-2")

		before := time.Now()
		var c commandView
		ts.mustOK(t, 201, "POST", "/api/v1/products/thermo/devices/door-1/commands", tok,
			map[string]any{"name": "unlock", "data": "open sesame", "ttlSeconds": 30}, &c)
		if c.Name != "unlock" || c.Encoding != "plain" || c.Data != "open sesame" || c.Device != "door-1" || c.Tag != "" ||
			len(c.RequestID) != 32 || c.CreatedBy != fx.maintainer.User.ID || c.ReplyCount != 0 || c.Replies == nil {
			t.Fatalf("command %+v", c)
		}
		if d := c.ExpiresAt.Sub(before); d < 30*time.Second || d > 35*time.Second || c.ExpiresAt.Nanosecond() != 0 {
			t.Fatalf("expiresAt %v", c.ExpiresAt)
		}
		want := fmt.Sprintf("cmd/thermo/door-1/unlock/plain/%s/%d", c.RequestID, c.ExpiresAt.Unix())
		msgs := ts.pub.take()
		if len(msgs) != 1 || msgs[0].Topic != want || string(msgs[0].Payload) != "open sesame" || c.Topic != want {
			t.Fatalf("published %v, want %s", msgs, want)
		}

		// Replies: stored per device, the latest wins, binary kept.
		if err := ts.reply("door-1", "unlock", c.RequestID, "done"); err != nil {
			t.Fatal(err)
		}
		if err := ts.reply("door-1", "unlock", c.RequestID, "done again"); err != nil {
			t.Fatal(err)
		}
		var got commandView
		ts.mustOK(t, 200, "GET", "/api/v1/products/thermo/devices/door-1/commands/"+c.RequestID, fx.viewer.AccessToken, nil, &got)
		if got.ReplyCount != 1 || len(got.Replies) != 1 || got.Replies[0].Payload != "done again" || got.Replies[0].Device != "door-1" ||
			got.Replies[0].PayloadEncoding != "plain" || got.Data != "open sesame" || got.Topic != want {
			t.Fatalf("with replies %+v", got)
		}
		if err := ts.reply("door-1", "unlock", c.RequestID, "\xff\x00"); err != nil {
			t.Fatal(err)
		}
		ts.mustOK(t, 200, "GET", "/api/v1/products/thermo/devices/door-1/commands/"+c.RequestID, tok, nil, &got)
		if got.Replies[0].Payload != "/wA=" || got.Replies[0].PayloadEncoding != "base64" {
			t.Fatalf("binary reply %+v", got.Replies[0])
		}

		// Replies that do not belong are refused.
		for _, r := range []struct {
			device, command, requestID string
			code                       apperr.Code
		}{
			{"door-2", "unlock", c.RequestID, apperr.Invalid}, // another device
			{"door-1", "lock", c.RequestID, apperr.Invalid},   // another command
			{"door-1", "unlock", strings.Repeat("f", 32), apperr.NotFound},
			{"door-1", "unlock", "bad/id", apperr.Invalid},
		} {
			if err := ts.reply(r.device, r.command, r.requestID, "x"); !apperr.Is(err, r.code) {
				t.Errorf("%+v: %v", r, err)
			}
		}
		if err := ts.reply("door-1", "unlock", c.RequestID, strings.Repeat("x", 64<<10+1)); !apperr.Is(err, apperr.TooLarge) {
			t.Errorf("huge reply: %v", err)
		}
		if err := ts.reply("door-1", "unlock", c.RequestID, strings.Repeat("y", 64<<10)); err != nil {
			t.Fatalf("the largest reply: %v", err)
		}
		ts.mustOK(t, 200, "GET", "/api/v1/products/thermo/devices/door-1/commands/"+c.RequestID, tok, nil, &got)
		if len(got.Replies[0].Payload) != 64<<10 {
			t.Fatalf("largest reply stored as %d bytes", len(got.Replies[0].Payload))
		}

		// JSON data is sent compact; base64 as is; defaults.
		ts.mustOK(t, 201, "POST", "/api/v1/products/thermo/devices/door-1/commands", tok,
			map[string]any{"name": "lock", "data": map[string]any{"door": 1, "force": true}}, &c)
		if msgs := ts.pub.take(); string(msgs[0].Payload) != `{"door":1,"force":true}` || c.ExpiresAt.Sub(time.Now()) < 290*time.Second {
			t.Fatalf("json data %s, expires %v", msgs[0].Payload, c.ExpiresAt)
		}
		ts.mustOK(t, 201, "POST", "/api/v1/products/thermo/devices/door-1/commands", tok,
			map[string]any{"name": "blob", "data": "AAEC", "encoding": "base64"}, &c)
		if msgs := ts.pub.take(); msgs[0].Topic != fmt.Sprintf("cmd/thermo/door-1/blob/base64/%s/%d", c.RequestID, c.ExpiresAt.Unix()) ||
			string(msgs[0].Payload) != "AAEC" {
			t.Fatalf("base64 %v", msgs)
		}
		ts.mustOK(t, 201, "POST", "/api/v1/products/thermo/devices/door-1/commands", tok, map[string]any{"name": "ping"}, &c)
		if msgs := ts.pub.take(); len(msgs[0].Payload) != 0 {
			t.Fatalf("no data: %q", msgs[0].Payload)
		}

		// A device's command is not another device's.
		rec, env := ts.call(t, "GET", "/api/v1/products/thermo/devices/door-2/commands/"+c.RequestID, tok, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		rec, env = ts.call(t, "GET", "/api/v1/products/thermo/tags/door-1/commands/"+c.RequestID, tok, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
	})
}

func TestTagCommand(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newDeviceFixture(t, ts)
		tok := fx.maintainer.AccessToken
		for _, n := range []string{"l1", "l2", "l3"} {
			ts.mustDevice(t, tok, "thermo", n, "hall")
		}
		ts.mustDevice(t, tok, "thermo", "x1", "yard")
		var c commandView
		ts.mustOK(t, 201, "POST", "/api/v1/products/thermo/tags/hall/commands", tok, map[string]any{"name": "lock", "data": "1"}, &c)
		want := fmt.Sprintf("tags/thermo/hall/cmd/lock/plain/%s/%d", c.RequestID, c.ExpiresAt.Unix())
		if msgs := ts.pub.take(); len(msgs) != 1 || msgs[0].Topic != want || c.Tag != "hall" || c.Device != "" {
			t.Fatalf("published %v, want once on %s", msgs, want)
		}
		for _, d := range []string{"l3", "l1"} {
			if err := ts.reply(d, "lock", c.RequestID, "locked "+d); err != nil {
				t.Fatal(err)
			}
		}
		// Devices without the tag (or unknown) did not get the command: their replies are not kept.
		for _, d := range []string{"x1", "ghost"} {
			if err := ts.reply(d, "lock", c.RequestID, "squat "+d); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("reply of %s to a tag command it never got: %v", d, err)
			}
		}
		var got commandView
		ts.mustOK(t, 200, "GET", "/api/v1/products/thermo/tags/hall/commands/"+c.RequestID, fx.viewer.AccessToken, nil, &got)
		var devices []string
		for _, r := range got.Replies {
			devices = append(devices, r.Device+"="+r.Payload)
		}
		if got.ReplyCount != 2 || !slices.Equal(devices, []string{"l1=locked l1", "l3=locked l3"}) {
			t.Fatalf("replies %v (%d)", devices, got.ReplyCount)
		}
		rec, env := ts.call(t, "GET", "/api/v1/products/thermo/tags/other/commands/"+c.RequestID, tok, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
	})
}

func TestCommandInputAndAccess(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, ts *testServer) {
		fx := newDeviceFixture(t, ts)
		tok := fx.maintainer.AccessToken
		ts.mustDevice(t, tok, "thermo", "d1")
		const path = "/api/v1/products/thermo/devices/d1/commands"
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{}, "name"},
			{map[string]any{"name": "a/b"}, "name"},
			{map[string]any{"name": "x", "encoding": "hex"}, "encoding"},
			{map[string]any{"name": "x", "encoding": "base64", "data": "not base64!"}, "data"},
			{map[string]any{"name": "x", "encoding": "base64", "data": map[string]any{"a": 1}}, "data"},
			{map[string]any{"name": "x", "data": strings.Repeat("x", 33<<10)}, "data"},
			{map[string]any{"name": "x", "ttlSeconds": -1}, "ttlSeconds"},
			{map[string]any{"name": "x", "ttlSeconds": 604801}, "ttlSeconds"},
		} {
			rec, env := ts.call(t, "POST", path, tok, c.body)
			if rec.Code != 400 || !slices.Contains(fieldsOf(env), c.field) {
				t.Errorf("%v: %d %s", c.body, rec.Code, rec.Body)
			}
		}
		rec, env := ts.call(t, "POST", "/api/v1/products/thermo/devices/ghost/commands", tok, map[string]any{"name": "x"})
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		rec, env = ts.call(t, "POST", "/api/v1/products/ghost/devices/d1/commands", tok, map[string]any{"name": "x"})
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		rec, env = ts.call(t, "POST", path, fx.viewer.AccessToken, map[string]any{"name": "x"})
		mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
		rec, env = ts.call(t, "POST", "/api/v1/products/thermo/tags/t/commands", fx.viewer.AccessToken, map[string]any{"name": "x"})
		mustErrorEnvelope(t, rec, env, http.StatusForbidden, apperr.Forbidden)
		rec, env = ts.call(t, "POST", path, fx.stranger.AccessToken, map[string]any{"name": "x"})
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		if msgs := ts.pub.take(); len(msgs) != 0 {
			t.Fatalf("refused commands published %v", msgs)
		}
		var c commandView
		ts.mustOK(t, 201, "POST", path, tok, map[string]any{"name": "x"}, &c)
		rec, env = ts.call(t, "GET", path+"/"+c.RequestID, fx.stranger.AccessToken, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		rec, env = ts.call(t, "GET", path+"/"+strings.Repeat("0", 32), tok, nil)
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)

		// The broker refuses: 503, and nothing is recorded.
		ts.pub.setFail(func(string) error { return apperr.New(apperr.Unavailable, "not connected") })
		rec, env = ts.call(t, "POST", path, tok, map[string]any{"name": "x"})
		mustErrorEnvelope(t, rec, env, http.StatusServiceUnavailable, apperr.Unavailable)
	})
}
