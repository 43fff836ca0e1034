package mqtt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/kv"
	"github.com/hoist-ota/hoist/internal/topic"
)

// Sink receives device messages from the Bridge: each valid message once
// within DedupeWindow, those of one device in the order they arrived. at is
// when the bridge received it. Payloads of DeviceStatus and OTAProgress are
// JSON objects; a CommandReply payload is whatever the device sent. The
// methods are called from the bridge's workers, at most Workers at a time;
// an error is counted and logged (rate-limited) by the bridge, and the
// message is not retried.
type Sink interface {
	DeviceStatus(ctx context.Context, product, device string, payload []byte, at time.Time) error
	OTAProgress(ctx context.Context, product, device, messageID string, payload []byte, at time.Time) error
	CommandReply(ctx context.Context, product, device, command, requestID string, payload []byte, at time.Time) error
}

// Bridge tuning.
const (
	// DedupeWindow is how long a (product, device, messageId) is remembered.
	DedupeWindow = 10 * time.Minute
	// MaxPayloadBytes bounds a device message; larger ones are malformed.
	MaxPayloadBytes = 64 << 10
	// drainTimeout bounds how long Run keeps handling queued messages after
	// its context ends.
	drainTimeout = 5 * time.Second
)

// BridgeOptions are the bridge's dependencies. Sink, KV and Log are
// required.
type BridgeOptions struct {
	Sink Sink
	// KV remembers message ids for DedupeWindow: Redis when several nodes
	// may receive the same message, so that they agree.
	KV  kv.Store
	Log *slog.Logger
	// Now is the clock of receipt times; nil means time.Now.
	Now func() time.Time
	// Workers handle messages concurrently, each device's on one worker;
	// 0 means 8.
	Workers int
	// QueueSize bounds each worker's queue; 0 means 256. A message that
	// finds its queue full is dropped and counted (after up to a second of
	// backpressure with the embedded broker).
	QueueSize int
	// HandleTimeout bounds the dedupe and sink calls of one message; 0
	// means 10s.
	HandleTimeout time.Duration
}

// BridgeStats counts what the bridge did since it was made (for metrics).
type BridgeStats struct {
	Received      int64 // device messages taken from the broker
	Handled       int64 // accepted by the sink
	Duplicates    int64 // already seen within DedupeWindow
	Malformed     int64 // a topic or payload that is not PROTOCOLS §3's
	SinkErrors    int64 // the sink failed or panicked
	Dropped       int64 // received while the bridge stopped, left for the broker to redeliver
	DedupeErrors  int64 // the dedupe store failed: the message went to the sink anyway
	Published     int64 // messages Hoist sent to devices or tags
	PublishErrors int64 // sends that failed
}

// transport is the broker side of a Bridge: the embedded broker or an
// external one.
type transport interface {
	// run keeps the subscriptions until ctx ends, then removes them.
	run(ctx context.Context) error
	// publish sends a QoS 1, non-retained message.
	publish(ctx context.Context, topic string, payload []byte) error
}

// message is one parsed device message waiting for a worker.
type message struct {
	t       topic.DeviceTopic
	payload []byte
	at      time.Time
	ack     func() // acknowledges the message to the broker once handled; may be nil
}

// Bridge carries device messages (status, OTA progress, command replies)
// from MQTT to a Sink, deduplicated, and Hoist's messages to devices
// (Publish). Its broker handlers never block on the sink: they hand
// messages to a bounded queue per worker.
type Bridge struct {
	o      BridgeOptions
	tr     transport
	queues []chan message
	stop   chan struct{}
	warn   *rateLog

	runOnce  atomic.Bool
	stopOnce sync.Once
	stopped  atomic.Bool

	received, handled, duplicates, malformed, sinkErrors, dropped, dedupeErrors atomic.Int64
	published, publishErrors                                                    atomic.Int64
}

func newBridge(o BridgeOptions) *Bridge {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 256
	}
	if o.HandleTimeout <= 0 {
		o.HandleTimeout = 10 * time.Second
	}
	br := &Bridge{o: o, stop: make(chan struct{}), warn: newRateLog(o.Log, time.Minute, o.Now)}
	br.queues = make([]chan message, o.Workers)
	for i := range br.queues {
		br.queues[i] = make(chan message, o.QueueSize)
	}
	return br
}

// Stats returns the bridge's counters.
func (br *Bridge) Stats() BridgeStats {
	return BridgeStats{
		Published: br.published.Load(), PublishErrors: br.publishErrors.Load(),
		Received: br.received.Load(), Handled: br.handled.Load(), Duplicates: br.duplicates.Load(),
		Malformed: br.malformed.Load(), SinkErrors: br.sinkErrors.Load(), Dropped: br.dropped.Load(),
		DedupeErrors: br.dedupeErrors.Load(),
	}
}

// Run handles device messages until ctx ends, then stops receiving,
// finishes the queued messages (for up to 5 s) and returns. With an
// external broker it also connects, and reconnects and resubscribes
// whenever the connection drops. It returns nil on a clean stop; it may be
// called once.
func (br *Bridge) Run(ctx context.Context) error {
	if !br.runOnce.CompareAndSwap(false, true) {
		return fmt.Errorf("mqtt: bridge: Run called twice")
	}
	base, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	var wg sync.WaitGroup
	for _, q := range br.queues {
		wg.Add(1)
		go func() {
			defer wg.Done()
			br.work(base, q)
		}()
	}
	err := br.tr.run(ctx)
	br.stopped.Store(true)
	br.stopOnce.Do(func() { close(br.stop) })
	timer := time.AfterFunc(drainTimeout, cancel)
	defer timer.Stop()
	wg.Wait()
	return err
}

// Publish sends payload to topic with QoS 1, never retained: Hoist's
// commands to devices and tags (it implements ota.Publisher). A topic with
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

// enqueue hands a parsed message to its device's worker. When the queue
// is full it waits (backpressure: the broker holds the device's, or
// Hoist's, unacknowledged messages meanwhile), never dropping what the
// broker will consider delivered. ack, when not nil, is called once the
// message was handled. Only a stopping bridge gives up on a message,
// unacknowledged, for the broker to redeliver. It copies payload.
func (br *Bridge) enqueue(t topic.DeviceTopic, payload []byte, ack func()) {
	m := message{t: t, payload: bytes.Clone(payload), at: br.o.Now(), ack: ack}
	h := fnv.New32a()
	h.Write([]byte(t.Product))
	h.Write([]byte{'/'})
	h.Write([]byte(t.Device))
	q := br.queues[h.Sum32()%uint32(len(br.queues))]
	select {
	case q <- m:
	case <-br.stop:
		br.dropped.Add(1)
	}
}

// work handles one queue until the bridge stops, then what is left in it.
func (br *Bridge) work(ctx context.Context, q chan message) {
	for {
		select {
		case m := <-q:
			br.handleAndAck(ctx, m)
		case <-br.stop:
			for {
				select {
				case m := <-q:
					br.handleAndAck(ctx, m)
				default:
					return
				}
			}
		}
	}
}

// handleAndAck handles a message and then acknowledges it: its effect is
// recorded (or it was refused for good) before the broker forgets it.
func (br *Bridge) handleAndAck(ctx context.Context, m message) {
	br.handle(ctx, m)
	if m.ack != nil {
		m.ack()
	}
}

// handle checks, deduplicates and delivers one message. It never panics.
func (br *Bridge) handle(base context.Context, m message) {
	key := m.t.Product + "/" + m.t.Device
	if reason := checkPayload(m.t.Kind, m.payload); reason != "" {
		br.malformed.Add(1)
		br.warn.Log(slog.LevelWarn, "malformed:"+key, "mqtt: malformed device message", "topic", m.t.String(), "reason", reason)
		return
	}
	ctx, cancel := context.WithTimeout(base, br.o.HandleTimeout)
	defer cancel()
	fresh, err := br.o.KV.SetNX(ctx, "mqtt-msg:"+key+"/"+m.t.MessageID, "1", DedupeWindow)
	switch {
	case err != nil:
		br.dedupeErrors.Add(1)
		br.warn.Log(slog.LevelWarn, "dedupe", "mqtt: dedupe store failed, delivering without it", "error", err)
	case !fresh:
		br.duplicates.Add(1)
		return
	}
	if err := br.deliver(ctx, m); err != nil {
		br.sinkErrors.Add(1)
		br.warn.Log(slog.LevelWarn, "sink:"+key, "mqtt: device message not recorded", "topic", m.t.String(), "error", err)
		return
	}
	br.handled.Add(1)
}

func (br *Bridge) deliver(ctx context.Context, m message) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sink panic: %v", r)
		}
	}()
	t := m.t
	switch t.Kind {
	case topic.StatusReport:
		return br.o.Sink.DeviceStatus(ctx, t.Product, t.Device, m.payload, m.at)
	case topic.OTAStatus:
		return br.o.Sink.OTAProgress(ctx, t.Product, t.Device, t.MessageID, m.payload, m.at)
	case topic.CommandReply:
		return br.o.Sink.CommandReply(ctx, t.Product, t.Device, t.Command, t.RequestID, m.payload, m.at)
	}
	return fmt.Errorf("unknown topic kind %d", t.Kind)
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
