package ota

import (
	"context"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// Encodings of a command's payload (PROTOCOLS §3): the device decodes a
// base64 payload before acting on it.
const (
	EncodingPlain  = "plain"
	EncodingBase64 = "base64"
)

// Address is where a server → device message goes: one device of a
// product, or every device of the product that has a tag. Exactly one of
// Device and Tag is set; every set field is a device.ValidName.
type Address struct {
	Product string
	Device  string
	Tag     string
}

// Outbound is one server → device command as the domain addresses it. The
// MQTT layer encodes it (PROTOCOLS §3: the topic carries the target, the
// command, the encoding, the request id and the expiry); nothing in ota
// knows a topic.
type Outbound struct {
	To        Address
	Command   string // a device.ValidName, say CommandUpgrade
	Encoding  string // EncodingPlain or EncodingBase64
	RequestID string
	ExpiresAt time.Time // zero: it does not expire
	Payload   []byte
}

// Sender sends server → device commands: QoS 1, never retained. Send
// returns once the broker has the message, or an error (an apperr code
// when the sender knows one, say Unavailable). It is called from many
// goroutines at once.
//
// The Service gets its Sender at construction (Deps.Sender) and never
// changes it: cmd/hoist builds the MQTT bridge (which implements Sender)
// before the OTA service, and the bridge's way back into ota (device
// messages through the ingest committer, the resend of pending upgrades)
// is only bound when those start running. So there is no ota ↔ bridge
// cycle at construction and no publisher filled in afterwards.
type Sender interface {
	Send(ctx context.Context, m Outbound) error
}

// Off is the Sender of a server running without MQTT (mqtt.mode=off):
// every Send is an apperr Unavailable error saying so.
type Off struct{}

// Send implements Sender.
func (Off) Send(context.Context, Outbound) error {
	return apperr.New(apperr.Unavailable, "MQTT is off (mqtt.mode=off): commands and OTA campaigns cannot be sent")
}

// upgradeTo is campaign c's ota_upgrade command to a.
func (c Campaign) upgradeTo(a Address) Outbound {
	return Outbound{To: a, Command: CommandUpgrade, Encoding: EncodingPlain, RequestID: c.RequestID,
		ExpiresAt: c.ExpiresAt, Payload: c.Payload}
}

// upgrades are campaign c's ota_upgrade commands: once to its tag for a
// tag campaign without waves, else one per device of devices (in that
// order): the devices of a wave not started must not get it.
func (c Campaign) upgrades(devices []string) []Outbound {
	if c.TargetKind == TargetTag && len(c.Waves) == 0 {
		return []Outbound{c.upgradeTo(Address{Product: c.Product, Tag: c.TargetValue})}
	}
	out := make([]Outbound, len(devices))
	for i, d := range devices {
		out[i] = c.upgradeTo(Address{Product: c.Product, Device: d})
	}
	return out
}
