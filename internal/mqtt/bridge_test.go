package mqtt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/kv"
	"github.com/hoist-ota/hoist/internal/topic"
)

// Each device message reaches the sink once per message id, whatever its
// kind, with the fields of its topic.
func TestBridgeDeliversEachMessageOnce(t *testing.T) {
	f := mustFleet(t)
	secret := f.mustDevice(t, "a")
	s := mustEmbedded(t, f, nil)
	c := mustDeviceClient(t, s.tcpURL, "a", secret)
	publish(t, c, "update_status/thermo/a/m1", 1, `{"v":"1.0"}`)
	publish(t, c, "update_status/thermo/a/m1", 1, `{"v":"1.0"}`) // QoS 1 redelivery
	publish(t, c, "update_ota_status/thermo/a/m2", 1, `{"progress":50}`)
	publish(t, c, "update_ota_status/thermo/a/m2", 0, `{"progress":50}`)
	publish(t, c, "cmd_resp/thermo/a/reboot/r1/m3", 1, "done")
	publish(t, c, "cmd_resp/thermo/a/reboot/r1/m3", 1, "done")
	// The same message id on another topic kind is the same message.
	publish(t, c, "update_status/thermo/a/m3", 1, `{"v":"dup"}`)
	publish(t, c, "update_status/thermo/a/m4", 1, `{"v":"last"}`)
	waitFor(t, "the last status", func() bool { return s.sink.has(`{"v":"last"}`) })

	want := []call{
		{Kind: "status", Product: "thermo", Device: "a", Payload: `{"v":"1.0"}`},
		{Kind: "ota", Product: "thermo", Device: "a", MessageID: "m2", Payload: `{"progress":50}`},
		{Kind: "reply", Product: "thermo", Device: "a", Command: "reboot", RequestID: "r1", Payload: "done"},
		{Kind: "status", Product: "thermo", Device: "a", Payload: `{"v":"last"}`},
	}
	got := s.sink.snapshot()
	if len(got) != len(want) {
		t.Fatalf("sink got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] { // one device: one worker, in order
			t.Errorf("call %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if st := s.bridge.Stats(); st.Received != 8 || st.Handled != 4 || st.Duplicates != 4 || st.Malformed != 0 {
		t.Errorf("stats %+v", st)
	}
}

// Bad payloads, malformed topics (only Hoist's own client can publish
// those on the embedded broker) and sink errors are counted, logged once a
// minute per device, and do not stop later messages.
func TestBridgeSurvivesBadMessagesAndSinkErrors(t *testing.T) {
	f := mustFleet(t)
	secret := f.mustDevice(t, "a")
	s := mustEmbedded(t, f, nil)
	c := mustDeviceClient(t, s.tcpURL, "a", secret)
	for i, p := range []string{"not json", `["array"]`, "", `{"unterminated":`, strings.Repeat("x", MaxPayloadBytes+1)} {
		publish(t, c, "update_status/thermo/a/bad"+string(rune('a'+i)), 1, p)
	}
	publish(t, c, "update_ota_status/thermo/a/bad-ota", 1, "50%")
	// A superuser publish to a topic no device could use.
	ctx := context.Background()
	for _, name := range []string{"update_status/thermo/a/bad id", "update_status/thermo/a/" + strings.Repeat("m", 65)} {
		if err := s.bridge.Publish(ctx, name, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	publish(t, c, "update_status/thermo/a/f1", 1, `{"fail":1}`)
	publish(t, c, "update_status/thermo/a/f2", 1, `{"fail":2}`)
	publish(t, c, "cmd_resp/thermo/a/x/r/f3", 1, "fail")
	publish(t, c, "update_status/thermo/a/good", 1, `{"ok":true}`)
	waitFor(t, "the good message", func() bool { return s.sink.has(`{"ok":true}`) })

	if st := s.bridge.Stats(); st.Malformed != 8 || st.SinkErrors != 3 || st.Handled != 1 {
		t.Errorf("stats %+v", st)
	}
	logs := s.logs.String()
	if n := strings.Count(logs, "malformed device"); n != 1 {
		t.Errorf("malformed messages logged %d times, want once per device per minute:\n%s", n, logs)
	}
	if n := strings.Count(logs, "device message not recorded"); n != 1 {
		t.Errorf("sink errors logged %d times, want once per device per minute:\n%s", n, logs)
	}
	if strings.Contains(logs, "fail") && !strings.Contains(logs, "sink refuses") {
		t.Errorf("sink error not in the log:\n%s", logs)
	}
}

// When a device floods a stuck sink, the embedded broker holds the
// device's messages back (its PUBACKs wait) instead of dropping any; when
// the sink moves again every message arrives.
func TestBridgeQueueFullHoldsBackAndLosesNothing(t *testing.T) {
	f := mustFleet(t)
	secret := f.mustDevice(t, "a")
	gate := make(chan struct{})
	s := mustEmbedded(t, f, func(_ *BrokerOptions, o *BridgeOptions) {
		o.Workers, o.QueueSize = 1, 1
		o.Sink = &recordingSink{gate: gate}
	})
	sink := s.sink
	c := mustDeviceClient(t, s.tcpURL, "a", secret)
	publish(t, c, "update_status/thermo/a/m1", 0, `{"n":1}`) // taken by the worker, which blocks
	waitFor(t, "the worker to take m1", func() bool { return len(s.bridge.queues[0]) == 0 })
	publish(t, c, "update_status/thermo/a/m2", 0, `{"n":2}`) // queued
	publish(t, c, "update_status/thermo/a/m3", 0, `{"n":3}`) // held back on the device's connection
	time.Sleep(300 * time.Millisecond)
	if st := s.bridge.Stats(); st.Dropped != 0 {
		t.Fatalf("dropped while the sink was stuck: %+v", st)
	}
	close(gate)
	publish(t, c, "update_status/thermo/a/m4", 1, `{"n":4}`)
	waitFor(t, "m4", func() bool { return sink.has(`{"n":4}`) })
	for _, n := range []string{`{"n":1}`, `{"n":2}`, `{"n":3}`} {
		if !sink.has(n) {
			t.Errorf("lost %s: sink got %+v", n, sink.snapshot())
		}
	}
}

// A message waiting for room is given up only when the bridge stops, and
// then it is not acknowledged: the broker keeps it for redelivery.
func TestEnqueueWaitsForRoomUntilStop(t *testing.T) {
	br := newBridge(BridgeOptions{Sink: &recordingSink{}, KV: kv.NewMemory(nil), Log: discardLog(), Workers: 1, QueueSize: 1})
	tp, _ := topic.ParseDeviceTopic("update_status/p/d/m1")
	var acked atomic.Int32
	br.enqueue(tp, []byte(`{}`), func() { acked.Add(1) }) // fills the queue (no worker runs)
	done := make(chan struct{})
	go func() { br.enqueue(tp, []byte(`{}`), func() { acked.Add(1) }); close(done) }()
	select {
	case <-done:
		t.Fatal("a full queue did not hold the message back")
	case <-time.After(200 * time.Millisecond):
	}
	br.stopOnce.Do(func() { close(br.stop) })
	<-done
	if st := br.Stats(); st.Dropped != 1 || acked.Load() != 0 {
		t.Fatalf("stats %+v, acked %d: a message given up at stop must not be acknowledged", st, acked.Load())
	}
}

// At shutdown the bridge finishes what is queued, then refuses to publish.
func TestBridgeDrainsAtShutdown(t *testing.T) {
	f := mustFleet(t)
	secret := f.mustDevice(t, "a")
	gate := make(chan struct{})
	s := mustEmbedded(t, f, func(_ *BrokerOptions, o *BridgeOptions) { o.Sink = &recordingSink{gate: gate} })
	c := mustDeviceClient(t, s.tcpURL, "a", secret)
	for i := range 20 {
		publish(t, c, fmt.Sprintf("update_status/thermo/a/m%d", i), 0, `{}`)
	}
	waitFor(t, "receipt", func() bool { return s.bridge.Stats().Received == 20 })
	stopped := make(chan struct{})
	go func() {
		s.stop()
		close(stopped)
	}()
	time.Sleep(50 * time.Millisecond)
	select {
	case <-stopped:
		t.Fatal("Run returned with messages queued")
	default:
	}
	close(gate)
	<-stopped
	if st := s.bridge.Stats(); st.Handled != 20 {
		t.Fatalf("stats %+v", st)
	}
	if err := s.bridge.Publish(context.Background(), "cmd/thermo/a/x/plain/r", nil); !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("publish after stop: %v", err)
	}
	if err := s.bridge.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("second Run: %v", err)
	}
}

// A panicking sink is a sink error, not a crash.
func TestSinkPanicIsContained(t *testing.T) {
	br := newBridge(BridgeOptions{Sink: &panicSink{}, KV: kv.NewMemory(nil), Log: discardLog()})
	tp, _ := topic.ParseDeviceTopic("update_status/p/d/m1")
	br.handle(context.Background(), message{t: tp, payload: []byte(`{}`), at: time.Now()})
	if st := br.Stats(); st.SinkErrors != 1 {
		t.Fatalf("stats %+v", st)
	}
}

type panicSink struct{ recordingSink }

func (*panicSink) DeviceStatus(context.Context, string, string, []byte, time.Time) error {
	panic(errors.New("boom"))
}

func TestCheckPayload(t *testing.T) {
	cases := []struct {
		kind    topic.DeviceTopicKind
		payload string
		ok      bool
	}{
		{topic.StatusReport, `{"a":1}`, true},
		{topic.StatusReport, " \n{}\n", true},
		{topic.StatusReport, `[]`, false},
		{topic.StatusReport, `"s"`, false},
		{topic.StatusReport, ``, false},
		{topic.OTAStatus, `{"progress":`, false},
		{topic.OTAStatus, `{"progress":100}`, true},
		{topic.CommandReply, ``, true},
		{topic.CommandReply, "\x00binary", true},
		{topic.CommandReply, strings.Repeat("x", MaxPayloadBytes+1), false},
	}
	for _, c := range cases {
		if got := checkPayload(c.kind, []byte(c.payload)) == ""; got != c.ok {
			t.Errorf("checkPayload(%v, %.20q) ok = %v, want %v", c.kind, c.payload, got, c.ok)
		}
	}
}

func TestRateLogOncePerKeyPerInterval(t *testing.T) {
	logs := &syncBuffer{}
	now := time.Unix(0, 0)
	r := newRateLog(slog.New(slog.NewTextHandler(logs, nil)), time.Minute, func() time.Time { return now })
	for range 3 {
		r.Log(slog.LevelWarn, "p/a", "bad")
	}
	r.Log(slog.LevelWarn, "p/b", "bad")
	now = now.Add(time.Minute)
	r.Log(slog.LevelWarn, "p/a", "bad")
	out := logs.String()
	if strings.Count(out, "msg=bad") != 3 || !strings.Contains(out, "suppressed=2") {
		t.Fatalf("logs:\n%s", out)
	}
}

// Hoist publishes from many goroutines at once (campaigns, API requests).
func TestConcurrentPublishes(t *testing.T) {
	f := mustFleet(t)
	secret := f.mustDevice(t, "a")
	s := mustEmbedded(t, f, nil)
	c := mustDeviceClient(t, s.tcpURL, "a", secret)
	var in inbox
	subscribe(t, c, "cmd/thermo/a/#", &in)
	var wg sync.WaitGroup
	for g := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				name := topic.CommandTopic("thermo", "a", "ping", topic.EncodingPlain, fmt.Sprintf("r%d-%d", g, i), time.Time{})
				if err := s.bridge.Publish(context.Background(), name, []byte("x")); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	waitFor(t, "50 commands", func() bool { return len(in.list()) == 50 })
}
