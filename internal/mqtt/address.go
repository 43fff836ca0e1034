package mqtt

import (
	"context"

	"github.com/hoist-ota/hoist/internal/mqtt/topic"
	"github.com/hoist-ota/hoist/internal/ota"
)

// CommandTopic returns the topic (PROTOCOLS §3) that carries m: the device's
// cmd/{product}/{device}/... or, for a tag, tags/{product}/{tag}/cmd/...,
// with m's command, encoding, request id and expiry. It does not validate:
// ota hands over valid names.
func CommandTopic(m ota.Outbound) string {
	if m.To.Tag != "" {
		return topic.TagCommandTopic(m.To.Product, m.To.Tag, m.Command, m.Encoding, m.RequestID, m.ExpiresAt)
	}
	return topic.CommandTopic(m.To.Product, m.To.Device, m.Command, m.Encoding, m.RequestID, m.ExpiresAt)
}

// Send implements ota.Sender: it publishes m's payload on CommandTopic(m),
// with Publish's guarantees and errors.
func (br *Bridge) Send(ctx context.Context, m ota.Outbound) error {
	return br.Publish(ctx, CommandTopic(m), m.Payload)
}

// messageKinds maps device topic kinds to the OTA service's message kinds.
var messageKinds = [...]ota.MessageKind{
	topic.StatusReport: ota.KindStatus, topic.OTAStatus: ota.KindProgress, topic.CommandReply: ota.KindReply,
}

// OTA returns m decoded for the OTA service: its kind, product, device,
// message id and, for a command reply, command and request id, taken from
// the topic; ota never sees the topic itself.
func (m DeviceMessage) OTA() ota.Message {
	t := m.Topic
	var kind ota.MessageKind
	if int(t.Kind) < len(messageKinds) {
		kind = messageKinds[t.Kind]
	}
	return ota.Message{Kind: kind, Product: t.Product, Device: t.Device, MessageID: t.MessageID,
		Command: t.Command, RequestID: t.RequestID, Payload: m.Payload, At: m.At}
}
