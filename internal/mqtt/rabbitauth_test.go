package mqtt

import "testing"

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
