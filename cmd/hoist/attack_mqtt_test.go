package main

import (
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/hoist-ota/hoist/internal/testwait"
)

// attackMQTT runs the broker's ACL and client-id takeover cases against
// the embedded broker of the attacked server. It returns how many CONNECT
// attempts it made.
func attackMQTT(t *testing.T, fx *attackFixture) int {
	url := "tcp://" + fx.mqttAddr
	attempts := 0
	connect := func(id, user, pass string, clean bool, will string) (paho.Client, bool, error) {
		t.Helper()
		attempts++
		o := paho.NewClientOptions().AddBroker(url).SetClientID(id).SetUsername(user).SetPassword(pass).
			SetProtocolVersion(4).SetCleanSession(clean).SetAutoReconnect(false).SetConnectRetry(false).
			SetConnectTimeout(5 * time.Second)
		if will != "" {
			o.SetWill(will, "{}", 1, false)
		}
		c := paho.NewClient(o)
		tok := c.Connect()
		if !tok.WaitTimeout(10 * time.Second) {
			t.Fatalf("connect %s: no CONNACK", id)
		}
		if err := tok.Error(); err != nil {
			return nil, false, err
		}
		t.Cleanup(func() { c.Disconnect(0) })
		return c, tok.(*paho.ConnectToken).SessionPresent(), nil
	}

	// The real meter/k12 holds a persistent session.
	k12, _, err := connect("meter/k12", "meter/k12", fx.k12, false, "")
	if err != nil {
		t.Fatalf("meter/k12: %v", err)
	}
	refused := []struct{ name, id, user, pass, will string }{
		{"prefix takeover of meter/k12", "meter/k12", "meter/k1", fx.k1, ""},
		{"client id extending the name", "meter/k1-x", "meter/k1", fx.k1, ""},
		{"longer name with suffix", "meter/k12/x", "meter/k1", fx.k1, ""},
		{"other product", "other/k1", "meter/k1", fx.k1, ""},
		{"wildcard username", "meter/+", "meter/+", fx.k1, ""},
		{"wrong secret", "meter/k1", "meter/k1", fx.k1 + "x", ""},
		{"another device's secret", "meter/k1", "meter/k1", fx.k12, ""},
		{"empty password", "meter/k1", "meter/k1", "", ""},
		{"foreign will", "meter/k1", "meter/k1", fx.k1, "update_status/meter/k12/w"},
		{"command will", "meter/k1", "meter/k1", fx.k1, "cmd/meter/k12/reboot/plain/r1"},
	}
	for _, r := range refused {
		if _, _, err := connect(r.id, r.user, r.pass, false, r.will); err == nil ||
			!(strings.Contains(err.Error(), "bad user name or password") || strings.Contains(err.Error(), "not Authorized")) {
			t.Errorf("%s: want a CONNACK refusal, got %v", r.name, err)
		}
	}
	if !k12.IsConnectionOpen() {
		t.Fatal("the takeover attempts disconnected meter/k12")
	}

	k1, _, err := connect("meter/k1/attack", "meter/k1", fx.k1, true, "")
	if err != nil {
		t.Fatalf("meter/k1 with a suffix: %v", err)
	}
	for _, f := range []string{"#", "+/#", "cmd/meter/k12/#", "cmd/meter/+/#", "tags/meter/beta/cmd/#", "tags/meter/+/cmd/#", "$SYS/#", "update_status/#"} {
		tok := k1.Subscribe(f, 1, nil)
		if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatalf("subscribe %s: %v", f, tok.Error())
		}
		if code := tok.(*paho.SubscribeToken).Result()[f]; code != 0x80 {
			t.Errorf("meter/k1 subscribed to %s: SUBACK %#x", f, code)
		}
	}
	if tok := k1.Subscribe("cmd/meter/k1/#", 1, nil); !tok.WaitTimeout(5*time.Second) || tok.(*paho.SubscribeToken).Result()["cmd/meter/k1/#"] != 1 {
		t.Error("meter/k1 cannot subscribe to its own commands")
	}

	// Deleting k12 closes its connection and drops its session: the same
	// name created again starts afresh.
	if code := apiCall(t, fx.base, "DELETE", "/api/v1/products/meter/devices/k12", fx.admin.AccessToken, nil, nil); code != 200 {
		t.Fatalf("delete k12: %d", code)
	}
	testwait.For(t, "a deleted device's connection to close", func() bool { return !k12.IsConnectionOpen() })
	var d struct{ Secret string }
	apiCall(t, fx.base, "POST", "/api/v1/products/meter/devices", fx.admin.AccessToken, map[string]any{"name": "k12"}, &d)
	if _, present, err := connect("meter/k12", "meter/k12", d.Secret, false, ""); err != nil || present {
		t.Errorf("re-created meter/k12: session present %v, err %v", present, err)
	}
	return attempts
}
