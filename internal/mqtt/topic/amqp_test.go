package topic

import (
	"strings"
	"testing"
)

func TestRoutingKeyMapping(t *testing.T) {
	for _, tc := range []struct{ mqtt, key string }{
		{"update_status/thermo/dev-1/m1", "update_status.thermo.dev-1.m1"},
		{"update_status/thermo.v2/dev.1/m1", "update_status.thermo/v2.dev/1.m1"},
		{"cmd/p/d/ota_upgrade/plain/r1/1700000000", "cmd.p.d.ota_upgrade.plain.r1.1700000000"},
		{"cmd/p/d.x/#", "cmd.p.d/x.#"},
		{"tags/p/blue.v1/cmd/+/+/+", "tags.p.blue/v1.cmd.*.*.*"},
		{"cmd_resp/p/d/reboot/req.1/m_2", "cmd_resp.p.d.reboot.req/1.m_2"},
		{"a..b//c", "a//b..c"},
		{"", ""},
	} {
		if got := ToRoutingKey(tc.mqtt); got != tc.key {
			t.Errorf("ToRoutingKey(%q) = %q, want %q", tc.mqtt, got, tc.key)
		}
		if got := FromRoutingKey(tc.key); got != tc.mqtt {
			t.Errorf("FromRoutingKey(%q) = %q, want %q", tc.key, got, tc.mqtt)
		}
	}
	// What RabbitMQ 3.10 sends for a device named "dev.1" (it maps '/' only):
	// more levels than the device's own topic, so the ACL refuses it.
	if got := FromRoutingKey("cmd.thermo.dev.1.#"); Allowed("thermo", "dev.1", nil, got, Subscribe) {
		t.Fatalf("a 3.10 routing key of a dotted device is allowed as %q", got)
	}
	if got := FromRoutingKey("cmd.thermo.dev.1.#"); Allowed("thermo", "dev", nil, got, Subscribe) != true {
		t.Fatalf("device dev may subscribe to its own cmd/thermo/dev/1/#: %q", got)
	}
}

// FuzzRoutingKey checks that the mapping is a bijection on topics without
// '*' and that levels survive it: a topic has as many levels as its key.
func FuzzRoutingKey(f *testing.F) {
	for _, s := range []string{"update_status/p/d/m", "cmd/p.q/d.e/#", "tags/p/t/cmd/+", "a.b/c", "./.", "*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := ToRoutingKey(s)
		if strings.Count(k, ".") != strings.Count(s, "/") || strings.Count(k, "/") != strings.Count(s, ".") {
			t.Fatalf("levels changed: %q -> %q", s, k)
		}
		if strings.Contains(s, "*") {
			return
		}
		if back := FromRoutingKey(k); back != s {
			t.Fatalf("%q -> %q -> %q", s, k, back)
		}
	})
}
