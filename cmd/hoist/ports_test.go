package main

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
)

// occupy listens on addr unless something else already does; either way
// the address is taken while the test runs.
func occupy(t *testing.T, addr string) {
	t.Helper()
	if ln, err := net.Listen("tcp", addr); err == nil {
		t.Cleanup(func() { ln.Close() })
	}
}

func TestTakenDefaultPortsFallBackToFreeOnes(t *testing.T) {
	for _, a := range []string{"127.0.0.1:1883", "127.0.0.1:8083", ":3000"} {
		occupy(t, a)
	}
	var env []string
	for _, e := range baseEnv(t) { // the built-in listener defaults
		if !strings.HasPrefix(e, "HOIST_HTTP_ADDR=") && !strings.HasPrefix(e, "HOIST_MQTT_") {
			env = append(env, e)
		}
	}
	p := startServe(t, env)
	for _, l := range []string{"http", "mqtt", "mqtt-ws"} {
		a := p.addr(l)
		if a == "" || strings.HasSuffix(a, ":1883") || strings.HasSuffix(a, ":8083") || strings.HasSuffix(a, ":3000") {
			t.Fatalf("%s listens on %q\n%s", l, a, p.log())
		}
	}
	for _, key := range []string{"http.addr", "mqtt.tcpAddr", "mqtt.wsAddr"} {
		if !strings.Contains(p.log(), `"key":"`+key+`"`) {
			t.Fatalf("no warning naming %s:\n%s", key, p.log())
		}
	}
	// A fresh database: the setup code is in the log.
	if line := p.findLog("first run: no account yet. Register the first (admin) account in the panel with this setup code, " +
		"or from this machine without it, or run hoist user create -admin"); line == nil || len(line["setupCode"].(string)) != 14 {
		t.Fatalf("no setup code in the log:\n%s", p.log())
	}
	resp, err := http.Get("http://" + p.addr("http") + "/api/basic/config")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env2 struct {
		Data struct {
			Listeners struct{ HTTP, MQTT, MQTTWS string } `json:"listeners"`
		}
	}
	json.NewDecoder(resp.Body).Decode(&env2)
	if l := env2.Data.Listeners; l.HTTP != p.addr("http") || l.MQTT != p.addr("mqtt") || l.MQTTWS != p.addr("mqtt-ws") {
		t.Fatalf("basic config listeners %+v", l)
	}
	p.stop(t)
}

func TestATakenConfiguredPortFailsNamingItsKey(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, _, stderr := runHoist(t, baseEnv(t, "HOIST_MQTT_TCP_ADDR="+ln.Addr().String()), "serve")
	if code != exitConfig || !strings.Contains(stderr, "mqtt.tcpAddr") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}
