package mqtt

import (
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/mqtt/topic"
	"github.com/hoist-ota/hoist/internal/ota"
)

func TestCommandTopic(t *testing.T) {
	exp := time.Unix(1700000000, 0)
	cases := []struct {
		m    ota.Outbound
		want string
	}{
		{ota.Outbound{To: ota.Address{Product: "p", Device: "d"}, Command: "unlock", Encoding: ota.EncodingPlain, RequestID: "r1", ExpiresAt: exp},
			"cmd/p/d/unlock/plain/r1/1700000000"},
		{ota.Outbound{To: ota.Address{Product: "p", Tag: "beta"}, Command: ota.CommandUpgrade, Encoding: ota.EncodingPlain, RequestID: "r2", ExpiresAt: exp},
			"tags/p/beta/cmd/ota_upgrade/plain/r2/1700000000"},
		{ota.Outbound{To: ota.Address{Product: "p", Device: "d"}, Command: "blob", Encoding: ota.EncodingBase64, RequestID: "r3"},
			"cmd/p/d/blob/base64/r3"},
	}
	for _, c := range cases {
		if got := CommandTopic(c.m); got != c.want {
			t.Errorf("CommandTopic(%+v) = %q, want %q", c.m, got, c.want)
		}
	}
	// ota's encodings are the wire's.
	if ota.EncodingPlain != topic.EncodingPlain || ota.EncodingBase64 != topic.EncodingBase64 {
		t.Fatal("ota and topic disagree on the payload encodings")
	}
}

func TestDeviceMessageOTA(t *testing.T) {
	at := time.Unix(1700000000, 0)
	cases := []struct {
		topic string
		want  ota.Message
	}{
		{"update_status/p/d/m1", ota.Message{Kind: ota.KindStatus, Product: "p", Device: "d", MessageID: "m1"}},
		{"update_ota_status/p/d/m2", ota.Message{Kind: ota.KindProgress, Product: "p", Device: "d", MessageID: "m2"}},
		{"cmd_resp/p/d/unlock/r1/m3", ota.Message{Kind: ota.KindReply, Product: "p", Device: "d", MessageID: "m3", Command: "unlock", RequestID: "r1"}},
	}
	for _, c := range cases {
		dt, err := topic.ParseDeviceTopic(c.topic)
		if err != nil {
			t.Fatal(err)
		}
		got := DeviceMessage{Topic: dt, Payload: []byte("{}"), At: at}.OTA()
		c.want.Payload, c.want.At = []byte("{}"), at
		if got.Kind != c.want.Kind || got.Product != c.want.Product || got.Device != c.want.Device || got.MessageID != c.want.MessageID ||
			got.Command != c.want.Command || got.RequestID != c.want.RequestID || string(got.Payload) != "{}" || !got.At.Equal(at) {
			t.Errorf("%s: got %+v, want %+v", c.topic, got, c.want)
		}
	}
	if got := (DeviceMessage{}).OTA(); got.Kind != "" {
		t.Errorf("no topic kind decoded as %q", got.Kind)
	}
}
