package httpapi

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/mqtt"
)

// testBrokerAccount is Hoist's own account on the external broker in the
// test servers: the hooks' superuser.
var testBrokerAccount = mqtt.Credentials{Username: "hoist", Password: "hoist-broker-password"}

const testHookSecret = "hook-secret-0123456789"

// hookFixture is a server with the hooks on and device thermo/dev-1 (tag
// red).
type hookFixture struct {
	*testServer
	fx     deviceFixture
	secret string // dev-1's device secret
}

func newHookFixture(tb testing.TB) hookFixture {
	tb.Helper()
	ts := mustServer(tb, func(o *testSetup) { o.HookSecret = testHookSecret })
	fx := newDeviceFixture(tb, ts)
	d := ts.mustDevice(tb, fx.maintainer.AccessToken, "thermo", "dev-1", "red")
	return hookFixture{testServer: ts, fx: fx, secret: d.Secret}
}

// hook posts a raw body to a hook with the right secret.
func (h hookFixture) hook(tb testing.TB, path, body string) (int, string, envelope) {
	tb.Helper()
	rec, env := h.do(tb, "POST", path, strings.NewReader(body), "Content-Type", "application/json", HeaderHookSecret, testHookSecret)
	return rec.Code, strings.TrimSpace(rec.Body.String()), env
}

var hookPaths = []string{"/api/hooks/emqx/authn", "/api/hooks/emqx/authz", "/api/hooks/mosquitto/user",
	"/api/hooks/mosquitto/superuser", "/api/hooks/mosquitto/acl", "/api/hooks/emqx/events"}

func TestBrokerHooksAreOffWithoutASecret(t *testing.T) {
	ts := mustServer(t, nil)
	for _, p := range hookPaths {
		rec, env := ts.do(t, "POST", p, strings.NewReader(`{"username":"hoist"}`), HeaderHookSecret, "")
		mustErrorEnvelope(t, rec, env, http.StatusNotFound, apperr.NotFound)
	}
}

// A missing or wrong secret is 401 (not 403, which mosquitto-go-auth
// reads as a plain "deny"); a secret in the query string counts for
// nothing.
func TestBrokerHooksRequireTheSecret(t *testing.T) {
	h := newHookFixture(t)
	body := `{"clientid":"thermo/dev-1","username":"thermo/dev-1","password":"` + h.secret + `","peerhost":"10.0.0.7"}`
	for _, p := range hookPaths {
		for _, headers := range [][]string{nil, {HeaderHookSecret, "wrong"}, {HeaderHookSecret, testHookSecret + "x"}} {
			rec, env := h.do(t, "POST", p, strings.NewReader(body), headers...)
			mustErrorEnvelope(t, rec, env, http.StatusUnauthorized, apperr.Unauthorized)
		}
		rec, env := h.do(t, "POST", p+"?secret="+testHookSecret, strings.NewReader(body))
		mustErrorEnvelope(t, rec, env, http.StatusUnauthorized, apperr.Unauthorized)
	}
}

func TestEMQXAuthn(t *testing.T) {
	h := newHookFixture(t)
	cases := []struct {
		name, body, want string
	}{
		{"device", `{"clientid":"thermo/dev-1","username":"thermo/dev-1","password":"` + h.secret + `","peerhost":"10.0.0.7"}`,
			`{"result":"allow","is_superuser":false}`},
		{"device with a client id suffix", `{"clientid":"thermo/dev-1/esp","username":"thermo/dev-1","password":"` + h.secret + `","peerhost":"10.0.0.7"}`,
			`{"result":"allow","is_superuser":false}`},
		{"wrong secret", `{"clientid":"thermo/dev-1","username":"thermo/dev-1","password":"nope","peerhost":"10.0.0.7"}`,
			`{"result":"deny","is_superuser":false}`},
		{"client id of a longer device name", `{"clientid":"thermo/dev-12","username":"thermo/dev-1","password":"` + h.secret + `","peerhost":"10.0.0.7"}`,
			`{"result":"deny","is_superuser":false}`},
		{"foreign client id", `{"clientid":"thermo/dev-2","username":"thermo/dev-1","password":"` + h.secret + `","peerhost":"10.0.0.7"}`,
			`{"result":"deny","is_superuser":false}`},
		{"unknown device", `{"clientid":"thermo/dev-9","username":"thermo/dev-9","password":"` + h.secret + `","peerhost":"10.0.0.7"}`,
			`{"result":"deny","is_superuser":false}`},
		{"anonymous", `{"clientid":"x","username":"","password":"","peerhost":"10.0.0.7"}`,
			`{"result":"deny","is_superuser":false}`},
		{"hoist", `{"clientid":"hoist-node-1","username":"hoist","password":"hoist-broker-password","peerhost":"10.0.0.2"}`,
			`{"result":"allow","is_superuser":true}`},
		{"hoist with a wrong password", `{"clientid":"hoist-node-1","username":"hoist","password":"guess","peerhost":"10.0.0.2"}`,
			`{"result":"deny","is_superuser":false}`},
	}
	for _, c := range cases {
		code, body, _ := h.hook(t, "/api/hooks/emqx/authn", c.body)
		if code != 200 || body != c.want {
			t.Errorf("%s: %d %s, want %s", c.name, code, body, c.want)
		}
	}
	for _, bad := range []string{"", "{", `{"username":5}`, `[]`, `{"username":"a"} x`} {
		code, _, env := h.hook(t, "/api/hooks/emqx/authn", bad)
		if code != 400 || env.Code != "invalid" {
			t.Errorf("malformed %q: %d %+v", bad, code, env)
		}
	}
}

func TestEMQXAuthz(t *testing.T) {
	h := newHookFixture(t)
	req := func(clientID, username, topic, action string) string {
		return `{"clientid":"` + clientID + `","username":"` + username + `","topic":"` + topic + `","action":"` + action + `"}`
	}
	dev := func(topic, action string) string { return req("thermo/dev-1", "thermo/dev-1", topic, action) }
	allow, deny := `{"result":"allow"}`, `{"result":"deny"}`
	cases := []struct{ body, want string }{
		{dev("update_status/thermo/dev-1/m1", "publish"), allow},
		{dev("update_ota_status/thermo/dev-1/m1", "publish"), allow},
		{dev("cmd_resp/thermo/dev-1/reboot/r1/m1", "publish"), allow},
		{dev("update_status/thermo/dev-2/m1", "publish"), deny},
		{dev("cmd/thermo/dev-1/reboot/plain/r1", "publish"), deny},
		{dev("cmd/thermo/dev-1/#", "subscribe"), allow},
		{dev("tags/thermo/red/cmd/#", "subscribe"), allow},
		{dev("tags/thermo/blue/cmd/#", "subscribe"), deny},
		{dev("cmd/thermo/dev-2/#", "subscribe"), deny},
		{dev("#", "subscribe"), deny},
		{dev("$share/g/cmd/thermo/dev-1/#", "subscribe"), deny},
		{req("thermo/dev-2", "thermo/dev-1", "cmd/thermo/dev-1/#", "subscribe"), deny},
		{req("hoist-node-1", "hoist", "$share/hoist/update_status/+/+/+", "subscribe"), allow},
		{req("hoist-node-1", "hoist", "cmd/thermo/dev-1/reboot/plain/r1", "publish"), allow},
		{req("x", "nobody", "update_status/thermo/dev-1/m1", "publish"), deny},
	}
	for _, c := range cases {
		code, body, _ := h.hook(t, "/api/hooks/emqx/authz", c.body)
		if code != 200 || body != c.want {
			t.Errorf("%s: %d %s, want %s", c.body, code, body, c.want)
		}
	}
	// Tags are current: dev-1 gains blue, and may subscribe to it at once.
	h.mustOK(t, 200, "PATCH", "/api/v1/products/thermo/devices/dev-1", h.fx.maintainer.AccessToken,
		map[string]any{"tags": []string{"red", "blue"}}, nil)
	if code, body, _ := h.hook(t, "/api/hooks/emqx/authz", dev("tags/thermo/blue/cmd/#", "subscribe")); code != 200 || body != allow {
		t.Errorf("after gaining blue: %d %s", code, body)
	}
	for _, bad := range []string{"{", dev("cmd/thermo/dev-1/#", "all"), dev("", "subscribe"), `{"topic":1}`} {
		code, _, env := h.hook(t, "/api/hooks/emqx/authz", bad)
		if code != 400 || env.Code != "invalid" {
			t.Errorf("malformed %q: %d %+v", bad, code, env)
		}
	}
}

func TestMosquittoHooks(t *testing.T) {
	h := newHookFixture(t)
	status := func(path, body string) int {
		code, _, _ := h.hook(t, path, body)
		return code
	}
	users := []struct {
		body string
		want int
	}{
		{`{"username":"thermo/dev-1","password":"` + h.secret + `","clientid":"thermo/dev-1"}`, 200},
		{`{"username":"thermo/dev-1","password":"wrong","clientid":"thermo/dev-1"}`, 403},
		{`{"username":"thermo/dev-1","password":"` + h.secret + `","clientid":"thermo/dev-2"}`, 403},
		{`{"username":"thermo/dev-1","password":"` + h.secret + `","clientid":"thermo/dev-1/sim"}`, 200},
		{`{"username":"thermo/dev-1","password":"` + h.secret + `","clientid":"thermo/dev-1-sim"}`, 403},
		{`{"username":"thermo/dev-1","password":"` + h.secret + `","clientid":"thermo/dev-12"}`, 403},
		{`{"username":"hoist","password":"hoist-broker-password","clientid":"hoist-a"}`, 200},
		{`{"username":"hoist","password":"x","clientid":"hoist-a"}`, 403},
	}
	for _, u := range users {
		if got := status("/api/hooks/mosquitto/user", u.body); got != u.want {
			t.Errorf("user %s: %d, want %d", u.body, got, u.want)
		}
	}
	if got := status("/api/hooks/mosquitto/superuser", `{"username":"hoist"}`); got != 200 {
		t.Errorf("superuser hoist: %d", got)
	}
	if got := status("/api/hooks/mosquitto/superuser", `{"username":"thermo/dev-1"}`); got != 403 {
		t.Errorf("superuser device: %d", got)
	}
	acl := func(topic string, acc int) string {
		return `{"username":"thermo/dev-1","clientid":"thermo/dev-1","topic":"` + topic + `","acc":` + string(rune('0'+acc)) + `}`
	}
	acls := []struct {
		body string
		want int
	}{
		{acl("update_status/thermo/dev-1/m1", 2), 200},
		{acl("update_status/thermo/dev-2/m1", 2), 403},
		{acl("cmd/thermo/dev-1/#", 4), 200},
		{acl("tags/thermo/red/cmd/#", 4), 200},
		{acl("tags/thermo/blue/cmd/#", 4), 403},
		{acl("#", 4), 403},
		{acl("cmd/thermo/dev-1/reboot/plain/r1", 1), 200},
		{acl("tags/thermo/red/cmd/reboot/plain/r1", 1), 200},
		{acl("cmd/thermo/dev-2/reboot/plain/r1", 1), 403},
		{acl("cmd/thermo/dev-1/reboot/plain/r1", 3), 403}, // read and write: no device topic is both
		{acl("update_status/thermo/dev-1/m1", 3), 403},
		{`{"username":"hoist","clientid":"hoist-a","topic":"$share/hoist/update_status/+/+/+","acc":4}`, 200},
	}
	for _, a := range acls {
		if got := status("/api/hooks/mosquitto/acl", a.body); got != a.want {
			t.Errorf("acl %s: %d, want %d", a.body, got, a.want)
		}
	}
	for path, bad := range map[string]string{
		"/api/hooks/mosquitto/user":      `{"username":`,
		"/api/hooks/mosquitto/superuser": `{"username":["hoist"]}`,
		"/api/hooks/mosquitto/acl":       acl("cmd/thermo/dev-1/#", 5),
	} {
		code, _, env := h.hook(t, path, bad)
		if code != 400 || env.Code != "invalid" {
			t.Errorf("%s malformed %q: %d %+v", path, bad, code, env)
		}
	}
	if code, _, _ := h.hook(t, "/api/hooks/mosquitto/acl", `{"username":"thermo/dev-1","clientid":"thermo/dev-1","acc":4}`); code != 400 {
		t.Errorf("acl without topic: %d", code)
	}
}

// With an external broker, EMQX's connect/disconnect events keep the
// device's online state.
func TestEMQXEventsTrackOnlineState(t *testing.T) {
	h := newHookFixture(t)
	online := func() (bool, string) {
		var d deviceView
		h.mustOK(t, 200, "GET", "/api/v1/products/thermo/devices/dev-1", h.fx.viewer.AccessToken, nil, &d)
		return d.Online, d.LastIP
	}
	code, _, env := h.hook(t, "/api/hooks/emqx/events", `{"event":"client.connected","clientid":"thermo/dev-1","username":"thermo/dev-1","peername":"10.0.0.7:52311","connected_at":1763726400000}`)
	if code != 200 || !env.Success {
		t.Fatalf("connected: %d %+v", code, env)
	}
	if on, ip := online(); !on || ip != "10.0.0.7" {
		t.Fatalf("after connect: online %v ip %q", on, ip)
	}
	code, _, _ = h.hook(t, "/api/hooks/emqx/events", `{"event":"$events/client_disconnected","clientid":"thermo/dev-1","username":"thermo/dev-1","disconnected_at":1763726460000}`)
	if on, _ := online(); code != 200 || on {
		t.Fatalf("after disconnect: %d online %v", code, on)
	}
	for _, body := range []string{
		`{"event":"client.connected","username":"hoist","clientid":"hoist-1"}`,             // Hoist's own client
		`{"event":"client.connected","username":"thermo/ghost","clientid":"thermo/ghost"}`, // unknown device
	} {
		if code, _, _ := h.hook(t, "/api/hooks/emqx/events", body); code != 200 {
			t.Errorf("%s: %d", body, code)
		}
	}
	subs := make(chan string, 4)
	h.onCommandSub = func(p, d string) { subs <- p + "/" + d }
	for _, body := range []string{
		`{"event":"session.subscribed","username":"thermo/dev-1","topic":"cmd/thermo/dev-1/#"}`,
		`{"event":"session.subscribed","username":"thermo/dev-1","topic":"update_status/thermo/dev-1/x"}`, // not a command topic
	} {
		if code, _, _ := h.hook(t, "/api/hooks/emqx/events", body); code != 200 {
			t.Fatalf("%s: %d", body, code)
		}
	}
	select {
	case got := <-subs:
		if got != "thermo/dev-1" {
			t.Fatalf("subscribed %s", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a command subscription was not reported")
	}
	select {
	case got := <-subs:
		t.Fatalf("a non-command subscription was reported: %s", got)
	case <-time.After(100 * time.Millisecond):
	}
	for _, bad := range []string{`{"event":"message.publish","username":"thermo/dev-1"}`, `{`} {
		if code, _, env := h.hook(t, "/api/hooks/emqx/events", bad); code != 400 || env.Code != "invalid" {
			t.Errorf("%s: %d %+v", bad, code, env)
		}
	}
	rec, env := h.do(t, "POST", "/api/hooks/emqx/events", strings.NewReader(`{"event":"client.connected","username":"thermo/dev-1"}`), "Content-Type", "application/json")
	mustErrorEnvelope(t, rec, env, http.StatusUnauthorized, apperr.Unauthorized)
}
