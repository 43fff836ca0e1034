package mqtt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/mqtt/topic"
)

// DeviceMessage is one device → server message as the broker delivered it.
type DeviceMessage struct {
	Topic   topic.DeviceTopic
	Payload []byte
	At      time.Time // when the bridge received it
}

// Sink makes device messages durable. Submit returns nil once the message
// is durable (committed, or spooled for a later commit; a duplicate or a
// message refused for good counts as done): the bridge then acknowledges
// it to the broker. An error means it is not: the bridge does not
// acknowledge it, so that the device (embedded broker) or the broker
// (external) delivers it again. Submit is called from many goroutines at
// once and may block (backpressure on the sender).
type Sink interface {
	Submit(ctx context.Context, m DeviceMessage) error
}

// Bridge tuning.
const (
	// MaxPayloadBytes bounds a device message; larger ones are malformed.
	MaxPayloadBytes = 64 << 10
	// drainTimeout bounds how long Run waits for messages in flight after
	// it stopped receiving.
	drainTimeout = 10 * time.Second
)

// BridgeOptions are the bridge's dependencies. Sink and Log are required.
type BridgeOptions struct {
	Sink Sink
	Log  *slog.Logger
	// Now is the clock of receipt times; nil means time.Now.
	Now func() time.Time
	// HandleTimeout bounds one Submit; 0 means 30 s.
	HandleTimeout time.Duration
}

// BridgeStats counts what the bridge did since it was made (for metrics).
type BridgeStats struct {
	Received      int64 // device messages taken from the broker
	Handled       int64 // made durable by the sink, and acknowledged
	Malformed     int64 // a topic or payload that is not PROTOCOLS §3's (acknowledged, dropped)
	SinkErrors    int64 // not durable: left unacknowledged for redelivery
	Dropped       int64 // received while the bridge stopped, left unacknowledged for redelivery
	Published     int64 // messages Hoist sent to devices or tags
	PublishErrors int64 // sends that failed
	Adoptions     int64 // sessions of dead peers taken over and drained (external broker)
}

// transport is the broker side of a Bridge: the embedded broker or an
// external one.
type transport interface {
	// run keeps the subscriptions until ctx ends, then stops receiving
	// (and, for an external broker, gives its share back) and returns.
	run(ctx context.Context) error
	// publish sends a QoS 1, non-retained message.
	publish(ctx context.Context, topic string, payload []byte) error
	// connected reports whether device messages can flow.
	connected() bool
}

// Bridge carries device messages (status, OTA progress, command replies)
// from MQTT to a Sink, acknowledging each only once the sink made it
// durable, and Hoist's messages to devices (Publish).
type Bridge struct {
	o    BridgeOptions
	tr   transport
	warn *rateLog

	runOnce  atomic.Bool
	stopped  atomic.Bool
	inflight sync.WaitGroup

	received, handled, malformed, sinkErrors, dropped atomic.Int64
	published, publishErrors, adoptions               atomic.Int64
}

func newBridge(o BridgeOptions) *Bridge {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HandleTimeout <= 0 {
		o.HandleTimeout = 30 * time.Second
	}
	return &Bridge{o: o, warn: newRateLog(o.Log, time.Minute, o.Now)}
}

// Stats returns the bridge's counters.
func (br *Bridge) Stats() BridgeStats {
	return BridgeStats{
		Published: br.published.Load(), PublishErrors: br.publishErrors.Load(),
		Received: br.received.Load(), Handled: br.handled.Load(),
		Malformed: br.malformed.Load(), SinkErrors: br.sinkErrors.Load(), Dropped: br.dropped.Load(),
		Adoptions: br.adoptions.Load(),
	}
}

// Run handles device messages until ctx ends, then stops receiving, waits
// (up to 10 s) for the messages in flight to be made durable and
// acknowledged, and returns. With an external broker it also connects, and
// reconnects and resubscribes whenever the connection drops. It returns nil
// on a clean stop; it may be called once.
func (br *Bridge) Run(ctx context.Context) error {
	if !br.runOnce.CompareAndSwap(false, true) {
		return fmt.Errorf("mqtt: bridge: Run called twice")
	}
	err := br.tr.run(ctx)
	br.stopped.Store(true)
	done := make(chan struct{})
	go func() { br.inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(drainTimeout):
		br.o.Log.Warn("mqtt: bridge stopped with device messages still in flight (they stay unacknowledged)")
	}
	return err
}

// Publish sends payload to topic with QoS 1, never retained: Hoist's
// commands to devices and tags (Send encodes ota's commands into it). A topic with
// a wildcard is Invalid; a stopped bridge or an unconnected external broker
// is Unavailable.
func (br *Bridge) Publish(ctx context.Context, name string, payload []byte) error {
	if name == "" || strings.ContainsAny(name, "+#\x00") {
		return apperr.New(apperr.Invalid, "mqtt: cannot publish to topic %q", name)
	}
	if br.stopped.Load() {
		br.publishErrors.Add(1)
		return apperr.New(apperr.Unavailable, "mqtt: the bridge is stopped")
	}
	if err := br.tr.publish(ctx, name, payload); err != nil {
		br.publishErrors.Add(1)
		return err
	}
	br.published.Add(1)
	return nil
}

// Ready returns nil while device messages can flow: the bridge runs and,
// with an external broker, is connected to it; an apperr Unavailable error
// otherwise.
func (br *Bridge) Ready() error {
	switch {
	case br.stopped.Load():
		return apperr.New(apperr.Unavailable, "the MQTT bridge is stopped")
	case !br.tr.connected():
		return apperr.New(apperr.Unavailable, "not connected to the MQTT broker")
	}
	return nil
}

// parse parses a received topic, counting and logging a malformed one.
func (br *Bridge) parse(name string) (topic.DeviceTopic, bool) {
	br.received.Add(1)
	t, err := topic.ParseDeviceTopic(name)
	if err != nil {
		br.malformed.Add(1)
		br.warn.Log(slog.LevelWarn, "malformed:"+guessDevice(name), "mqtt: malformed device topic", "error", err)
		return t, false
	}
	return t, true
}

// errStopping is handle's answer once the bridge stopped.
var errStopping = apperr.New(apperr.Unavailable, "mqtt: the bridge is stopping")

// handle checks one message and has the sink make it durable. nil means
// the caller acknowledges it (durable, or malformed for good); an error
// means it must stay unacknowledged. It copies payload and never panics.
func (br *Bridge) handle(ctx context.Context, t topic.DeviceTopic, payload []byte) error {
	br.inflight.Add(1)
	defer br.inflight.Done()
	if br.stopped.Load() {
		br.dropped.Add(1)
		return errStopping
	}
	key := t.Product + "/" + t.Device
	if reason := checkPayload(t.Kind, payload); reason != "" {
		br.malformed.Add(1)
		br.warn.Log(slog.LevelWarn, "malformed:"+key, "mqtt: malformed device message", "topic", t.String(), "reason", reason)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), br.o.HandleTimeout)
	defer cancel()
	if err := br.submit(ctx, DeviceMessage{Topic: t, Payload: bytes.Clone(payload), At: br.o.Now()}); err != nil {
		br.sinkErrors.Add(1)
		br.warn.Log(slog.LevelWarn, "sink:"+key, "mqtt: device message not made durable; left unacknowledged", "topic", t.String(), "error", err)
		return err
	}
	br.handled.Add(1)
	return nil
}

func (br *Bridge) submit(ctx context.Context, m DeviceMessage) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sink panic: %v", r)
		}
	}()
	return br.o.Sink.Submit(ctx, m)
}

// checkPayload returns why a payload is unacceptable for its topic, or "".
// Status and OTA progress reports are JSON objects; command replies are
// free-form.
func checkPayload(kind topic.DeviceTopicKind, p []byte) string {
	if len(p) > MaxPayloadBytes {
		return fmt.Sprintf("payload larger than %d bytes", MaxPayloadBytes)
	}
	if kind == topic.CommandReply {
		return ""
	}
	trimmed := bytes.TrimSpace(p)
	if len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(trimmed) {
		return "payload is not a JSON object"
	}
	return ""
}

// guessDevice names the device a malformed topic seems to come from
// ("{root}/{product}/{device}/..."), for rate-limited logging.
func guessDevice(name string) string {
	parts := strings.SplitN(name, "/", 4)
	if len(parts) < 3 {
		return "?"
	}
	p, d := parts[1], parts[2]
	if len(p) > topic.MaxNameLen || len(d) > topic.MaxNameLen {
		return "?"
	}
	return p + "/" + d
}
