package httpapi

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
)

var rabbitPaths = []string{"/api/hooks/rabbitmq/user", "/api/hooks/rabbitmq/vhost", "/api/hooks/rabbitmq/resource", "/api/hooks/rabbitmq/topic"}

// rabbit posts form fields (name, value, ...) to a RabbitMQ hook as
// RabbitMQ does, with the secret as basic-auth password, and returns the
// status and plain body.
func (h hookFixture) rabbit(tb testing.TB, path string, kv ...string) (int, string) {
	tb.Helper()
	form := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Set(kv[i], kv[i+1])
	}
	rec, _ := h.do(tb, "POST", path, strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded",
		"Authorization", basic("rabbitmq", testHookSecret))
	return rec.Code, strings.TrimSpace(rec.Body.String())
}

func basic(user, pw string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pw))
}

func TestRabbitHooksRequireTheSecret(t *testing.T) {
	off := mustServer(t, nil)
	h := newHookFixture(t)
	for _, p := range rabbitPaths {
		rec, env := off.do(t, "POST", p, strings.NewReader("username=hoist"), "Authorization", basic("rabbitmq", testHookSecret))
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
		for _, headers := range [][]string{nil, {"Authorization", basic("rabbitmq", "wrong")},
			{"Authorization", basic("rabbitmq", testHookSecret+"x")}, {"Authorization", basic(testHookSecret, "")}} {
			headers = append(headers, "Content-Type", "application/x-www-form-urlencoded")
			rec, env := h.do(t, "POST", p, strings.NewReader("username=hoist&password="+testBrokerAccount.Password), headers...)
			mustErrorEnvelope(t, rec, env, http.StatusUnauthorized, apperr.Unauthorized)
		}
		rec, env = h.do(t, "POST", p+"?secret="+testHookSecret, strings.NewReader("username=hoist"), "Content-Type", "application/x-www-form-urlencoded")
		mustErrorEnvelope(t, rec, env, http.StatusUnauthorized, apperr.Unauthorized)
	}
}

func TestRabbitUserAndVhost(t *testing.T) {
	h := newHookFixture(t)
	for _, tc := range []struct {
		name string
		form []string
		want string
	}{
		{"device", []string{"username", "thermo/dev-1", "password", h.secret, "client_id", "thermo/dev-1/sim"}, "allow"},
		{"device, id = username", []string{"username", "thermo/dev-1", "password", h.secret, "client_id", "thermo/dev-1"}, "allow"},
		{"wrong secret", []string{"username", "thermo/dev-1", "password", "nope", "client_id", "thermo/dev-1"}, "deny"},
		{"no client id", []string{"username", "thermo/dev-1", "password", h.secret}, "deny"},
		{"id that may be another device's", []string{"username", "thermo/dev-1", "password", h.secret, "client_id", "thermo/dev-10"}, "deny"},
		{"foreign id", []string{"username", "thermo/dev-1", "password", h.secret, "client_id", "thermo/dev-2/sim"}, "deny"},
		{"unknown device", []string{"username", "thermo/ghost", "password", h.secret, "client_id", "thermo/ghost"}, "deny"},
		{"hoist", []string{"username", "hoist", "password", testBrokerAccount.Password}, "allow administrator"},
		{"hoist, wrong password", []string{"username", "hoist", "password", "nope"}, "deny"},
	} {
		if code, body := h.rabbit(t, "/api/hooks/rabbitmq/user", tc.form...); code != 200 || body != tc.want {
			t.Errorf("%s: %d %q, want %q", tc.name, code, body, tc.want)
		}
	}
	if code, _ := h.rabbit(t, "/api/hooks/rabbitmq/user", "password", "x"); code != http.StatusBadRequest {
		t.Errorf("no username: %d", code)
	}
	for user, want := range map[string]string{"thermo/dev-1": "allow", "hoist": "allow", "guest": "deny"} {
		if code, body := h.rabbit(t, "/api/hooks/rabbitmq/vhost", "username", user, "vhost", "/", "ip", "10.0.0.7"); code != 200 || body != want {
			t.Errorf("vhost %s: %d %q", user, code, body)
		}
	}
}

func TestRabbitResourceAndTopic(t *testing.T) {
	h := newHookFixture(t)
	subs := make(chan string, 8)
	h.onCommandSub = func(p, d string) { subs <- p + "/" + d }
	dev := []string{"username", "thermo/dev-1", "client_id", "thermo/dev-1/sim", "vhost", "/"}
	for _, tc := range []struct {
		name, resource, rname, perm, want string
	}{
		{"own subscription queue", "queue", "mqtt-subscription-thermo/dev-1/simqos1", "configure", "allow"},
		{"another's queue", "queue", "mqtt-subscription-thermo/dev-2/simqos1", "read", "deny"},
		{"Hoist's queue", "queue", "hoist.device-messages", "read", "deny"},
		{"amq.topic write", "exchange", "amq.topic", "write", "allow"},
		{"amq.topic configure", "exchange", "amq.topic", "configure", "deny"},
	} {
		form := append(append([]string{}, dev...), "resource", tc.resource, "name", tc.rname, "permission", tc.perm)
		if code, body := h.rabbit(t, "/api/hooks/rabbitmq/resource", form...); code != 200 || body != tc.want {
			t.Errorf("resource %s: %d %q, want %q", tc.name, code, body, tc.want)
		}
	}
	topicCheck := func(user, clientID, perm, key string) string {
		t.Helper()
		code, body := h.rabbit(t, "/api/hooks/rabbitmq/topic", "username", user, "vhost", "/", "resource", "topic",
			"name", "amq.topic", "permission", perm, "routing_key", key, "variable_map.client_id", clientID,
			"variable_map.username", user)
		if code != 200 {
			t.Fatalf("topic %s %s: %d %s", perm, key, code, body)
		}
		return body
	}
	for _, tc := range []struct{ perm, key, want string }{
		{"write", "update_status.thermo.dev-1.m1", "allow"},
		{"write", "update_ota_status.thermo.dev-1.m2", "allow"},
		{"write", "cmd_resp.thermo.dev-1.reboot.r1.m3", "allow"},
		{"write", "update_status.thermo.dev-2.m1", "deny"},
		{"write", "cmd.thermo.dev-1.reboot.plain.r1", "deny"},
		{"write", "update_status.thermo.dev-1.*", "deny"},
		{"read", "update_status.thermo.dev-1.m1", "deny"},
		{"read", "cmd.thermo.dev-2.#", "deny"},
		{"read", "cmd.thermo.*.#", "deny"},
		{"read", "#", "deny"},
		{"read", "tags.thermo.blue.cmd.#", "deny"},
	} {
		if got := topicCheck("thermo/dev-1", "thermo/dev-1/sim", tc.perm, tc.key); got != tc.want {
			t.Errorf("topic %s %s = %s, want %s", tc.perm, tc.key, got, tc.want)
		}
	}
	select {
	case s := <-subs:
		t.Fatalf("a refused subscription was reported: %s", s)
	default:
	}
	for _, key := range []string{"cmd.thermo.dev-1.#", "tags.thermo.red.cmd.#"} {
		if got := topicCheck("thermo/dev-1", "thermo/dev-1/sim", "read", key); got != "allow" {
			t.Errorf("read %s = %s", key, got)
		}
		select {
		case s := <-subs:
			if s != "thermo/dev-1" {
				t.Fatalf("reported %s", s)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("subscription to %s not reported", key)
		}
	}
	if got := topicCheck("thermo/dev-1", "thermo/dev-10", "write", "update_status.thermo.dev-1.m1"); got != "deny" {
		t.Errorf("id of maybe another device: %s", got)
	}
	if got := topicCheck("hoist", "", "write", "cmd.thermo.dev-1.x.plain.r"); got != "allow" {
		t.Errorf("hoist: %s", got)
	}
	if code, _ := h.rabbit(t, "/api/hooks/rabbitmq/topic", "username", "thermo/dev-1", "name", "amq.topic", "permission", "configure",
		"routing_key", "x", "variable_map.client_id", "thermo/dev-1"); code != http.StatusBadRequest {
		t.Errorf("permission configure: %d", code)
	}
}
