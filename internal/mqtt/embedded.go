package mqtt

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/hoist-ota/hoist/internal/mqtt/topic"
)

// deviceFilters are the bridge's subscriptions: every device → server topic.
var deviceFilters = []string{topic.FilterStatus, topic.FilterOTAStatus, topic.FilterCommandReply}

// embedded is the Bridge's transport on the embedded broker. A device's
// QoS 1 publish is made durable inside the broker's OnPublish hook, on the
// device's own connection goroutine, before the broker writes the PUBACK;
// a message that cannot be made durable gets no PUBACK and its connection
// is closed, so that the device sends it again when it reconnects. Wills
// (which nobody acknowledges) reach the bridge through an inline
// subscription.
type embedded struct {
	mochi.HookBase
	b  *Broker
	br *Bridge
}

// NewEmbeddedBridge returns a bridge on the embedded broker. It hooks in
// at once, so that no message is missed between Broker.Start and Run. A
// device's status report also records it online when its connection's own
// online record failed.
func NewEmbeddedBridge(b *Broker, o BridgeOptions) (*Bridge, error) {
	br := newBridge(o)
	e := &embedded{b: b, br: br}
	br.tr = e
	if err := b.srv.AddHook(e, nil); err != nil {
		return nil, fmt.Errorf("mqtt: bridge: add hook: %w", err)
	}
	for i, f := range deviceFilters {
		if err := b.srv.Subscribe(f, i+1, e.receiveWill); err != nil {
			return nil, fmt.Errorf("mqtt: bridge: subscribe %s: %w", f, err)
		}
	}
	return br, nil
}

// ID implements mochi.Hook.
func (e *embedded) ID() string { return "hoist-ingest" }

// Provides implements mochi.Hook.
func (e *embedded) Provides(b byte) bool { return b == mochi.OnPublish }

// OnPublish takes a device's message before the broker acknowledges it. It
// runs after the ACL check, on the device's connection goroutine: while
// the sink commits, this device's next packets wait (backpressure on the
// device, never a drop). Device messages are then not routed to
// subscribers (CodeSuccessIgnore): the bridge has them.
func (e *embedded) OnPublish(cl *mochi.Client, pk packets.Packet) (packets.Packet, error) {
	if cl.Net.Inline {
		return pk, nil
	}
	t, err := topic.ParseDeviceTopic(pk.TopicName)
	if err != nil {
		return pk, nil // not a device → server topic (the ACL decided it may be published)
	}
	e.br.received.Add(1)
	if t.Kind == topic.StatusReport {
		e.b.hook.statusSeen(cl.ID)
	}
	if err := e.br.handle(context.Background(), t, pk.Payload); err != nil {
		if pk.FixedHeader.Qos > 0 {
			// No PUBACK: the device keeps the message and sends it again
			// on its next connection, which this forces.
			cl.Stop(packets.ErrServerUnavailable)
			return pk, packets.ErrRejectPacket
		}
	}
	return pk, packets.CodeSuccessIgnore
}

// receiveWill takes what reaches the inline subscriptions: device Wills
// (published by the broker when a device drops) and, never in practice,
// messages Hoist's own client published to device topics.
func (e *embedded) receiveWill(_ *mochi.Client, _ packets.Subscription, pk packets.Packet) {
	t, ok := e.br.parse(pk.TopicName)
	if !ok {
		return
	}
	e.br.handle(context.Background(), t, bytes.Clone(pk.Payload))
}

func (e *embedded) run(ctx context.Context) error {
	<-ctx.Done()
	var errs []error
	for i, f := range deviceFilters {
		if err := e.b.srv.Unsubscribe(f, i+1); err != nil {
			errs = append(errs, fmt.Errorf("mqtt: bridge: unsubscribe %s: %w", f, err))
		}
	}
	return errors.Join(errs...)
}

func (e *embedded) connected() bool { return true }

func (e *embedded) publish(_ context.Context, name string, payload []byte) error {
	if err := e.b.srv.Publish(name, payload, false, 1); err != nil {
		return fmt.Errorf("mqtt: publish %s: %w", name, err)
	}
	return nil
}
