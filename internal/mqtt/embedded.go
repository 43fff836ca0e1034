package mqtt

import (
	"context"
	"errors"
	"fmt"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/hoist-ota/hoist/internal/topic"
)

// deviceFilters are the bridge's subscriptions: every device → server topic.
var deviceFilters = []string{topic.FilterStatus, topic.FilterOTAStatus, topic.FilterCommandReply}

// embedded is the Bridge's transport on the embedded broker: inline
// subscriptions and publishes of mochi's in-process client.
type embedded struct {
	b  *Broker
	br *Bridge
}

// NewEmbeddedBridge returns a bridge on the embedded broker. It subscribes
// at once, so that no message is missed between Broker.Start and Run
// (messages wait in the queue until Run starts the workers). A device's
// status report also records it online when its connection's own online
// record failed.
func NewEmbeddedBridge(b *Broker, o BridgeOptions) (*Bridge, error) {
	br := newBridge(o)
	e := &embedded{b: b, br: br}
	br.tr = e
	for i, f := range deviceFilters {
		if err := b.srv.Subscribe(f, i+1, e.receive); err != nil {
			return nil, fmt.Errorf("mqtt: bridge: subscribe %s: %w", f, err)
		}
	}
	return br, nil
}

// receive runs on the publishing device's connection goroutine (or the
// one sending its Will).
func (e *embedded) receive(_ *mochi.Client, _ packets.Subscription, pk packets.Packet) {
	t, ok := e.br.parse(pk.TopicName)
	if !ok {
		return
	}
	if t.Kind == topic.StatusReport {
		e.b.hook.statusSeen(pk.Origin)
	}
	// Blocking here holds this device's connection only (its PUBACK waits
	// too): backpressure on the device that floods, never a drop.
	e.br.enqueue(t, pk.Payload, nil)
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

func (e *embedded) publish(_ context.Context, name string, payload []byte) error {
	if err := e.b.srv.Publish(name, payload, false, 1); err != nil {
		return fmt.Errorf("mqtt: publish %s: %w", name, err)
	}
	return nil
}
