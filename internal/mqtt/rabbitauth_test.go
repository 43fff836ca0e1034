package mqtt

import "testing"

func TestRabbitClientID(t *testing.T) {
	for _, tc := range []struct {
		id, user string
		want     bool
	}{
		{"p/d", "p/d", true},
		{"p/d/sim", "p/d", true},
		{"p/d:1", "p/d", true},
		{"p/d-sim", "p/d", false}, // could be device "d-sim"
		{"p/d2", "p/d", false},
		{"p/d.x", "p/d", false},
		{"p/e", "p/d", false},
		{"", "p/d", false},
	} {
		if got := RabbitClientID(tc.id, tc.user); got != tc.want {
			t.Errorf("RabbitClientID(%q, %q) = %v", tc.id, tc.user, got)
		}
	}
}

func TestRabbitResource(t *testing.T) {
	a := NewAuth(nil, Credentials{Username: "hoist", Password: "pw"})
	for _, tc := range []struct {
		user, id, resource, name, perm string
		want                           bool
	}{
		{"hoist", "", "queue", "hoist.device-messages", "configure", true},
		{"hoist", "", "exchange", "amq.topic", "write", true},
		{"p/d", "p/d/sim", "queue", "mqtt-subscription-p/d/simqos1", "configure", true},
		{"p/d", "p/d/sim", "queue", "mqtt-subscription-p/d/simqos0", "read", true},
		{"p/d", "p/d/sim", "queue", "mqtt-subscription-p/d/simqos2", "read", false},
		{"p/d", "p/d/sim", "queue", "mqtt-subscription-p/e/simqos1", "read", false},
		{"p/d", "p/d/sim", "queue", "hoist.device-messages", "read", false},
		{"p/d", "p/d2", "queue", "mqtt-subscription-p/d2qos1", "read", false},
		{"p/d", "p/d/sim", "exchange", "amq.topic", "write", true},
		{"p/d", "p/d/sim", "exchange", "amq.topic", "read", true},
		{"p/d", "p/d/sim", "exchange", "amq.topic", "configure", false},
		{"p/d", "p/d/sim", "exchange", "amq.direct", "write", false},
		{"p/d", "p/d/sim", "topic", "amq.topic", "write", false},
		{"nobody", "nobody", "queue", "mqtt-subscription-nobodyqos1", "read", false},
	} {
		if got := a.RabbitResource(tc.user, tc.id, tc.resource, tc.name, tc.perm); got != tc.want {
			t.Errorf("RabbitResource(%+v) = %v", tc, got)
		}
	}
}
