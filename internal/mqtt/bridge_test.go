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

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/mqtt/topic"

	"github.com/hoist-ota/hoist/internal/testwait"
)

// Each device message reaches the sink with the fields of its topic, and
// is acknowledged once the sink took it. (Deduplication is the sink's: it
// happens in the database transaction that applies the message.)
func TestBridgeDeliversEveryMessage(t *testing.T) {
	f := mustFleet(t)
	secret := f.mustDevice(t, "a")
	s := mustEmbedded(t, f, nil)
	c := mustDeviceClient(t, s.tcpURL, "a", secret)
	publish(t, c, "update_status/thermo/a/m1", 1, `{"v":"1.0"}`)
	publish(t, c, "update_ota_status/thermo/a/m2", 1, `{"progress":50}`)
	publish(t, c, "cmd_resp/thermo/a/reboot/r1/m3", 1, "done")
	publish(t, c, "update_status/thermo/a/m4", 0, `{"v":"last"}`)
	testwait.For(t, "the last status", func() bool { return s.sink.has(`{"v":"last"}`) })

	want := []call{
		{Kind: "status", Product: "thermo", Device: "a", MessageID: "m1", Payload: `{"v":"1.0"}`},
		{Kind: "ota", Product: "thermo", Device: "a", MessageID: "m2", Payload: `{"progress":50}`},
		{Kind: "reply", Product: "thermo", Device: "a", Command: "reboot", RequestID: "r1", MessageID: "m3", Payload: "done"},
		{Kind: "status", Product: "thermo", Device: "a", MessageID: "m4", Payload: `{"v":"last"}`},
	}
	got := s.sink.snapshot()
	if len(got) != len(want) {
		t.Fatalf("sink got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] { // one device's connection: in order
			t.Errorf("call %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if st := s.bridge.Stats(); st.Received != 4 || st.Handled != 4 || st.Malformed != 0 {
		t.Errorf("stats %+v", st)
	}
}

// The PUBACK waits for the sink: while the sink holds a message, the
// device's publish is not acknowledged; once the sink returns, it is.
func TestPubackWaitsForTheSink(t *testing.T) {
	f := mustFleet(t)
	secret := f.mustDevice(t, "a")
	gate := make(chan struct{})
	s := mustEmbedded(t, f, func(_ *BrokerOptions, o *BridgeOptions) { o.Sink = &recordingSink{gate: gate} })
	c := mustDeviceClient(t, s.tcpURL, "a", secret)
	tok := c.Publish("update_ota_status/thermo/a/m1", 1, false, `{"progress":1}`)
	testwait.For(t, "the sink to hold the message", func() bool { return s.sink.has(`{"progress":1}`) })
	select {
	case <-tok.Done():
		t.Fatal("the device got its PUBACK while the sink still held the message")
	default:
	}
	close(gate)
	if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("no PUBACK after the sink returned: %v", tok.Error())
	}
}

// A message the sink cannot make durable is not acknowledged: the broker
// closes the device's connection, the device reconnects and sends it
// again, and this time it is taken and acknowledged. Malformed messages
// are acknowledged (redelivery cannot help) and counted.
func TestUnacknowledgedUntilDurable(t *testing.T) {
	f := mustFleet(t)
	secret := f.mustDevice(t, "a")
	sink := &recordingSink{failFirst: map[string]int{`{"progress":7}`: 1}}
	s := mustEmbedded(t, f, func(_ *BrokerOptions, o *BridgeOptions) { o.Sink = sink })
	var lost atomic.Int32
	opts := clientOpts(s.tcpURL, "thermo/a", "thermo/a", secret).SetCleanSession(false).
		SetAutoReconnect(true).SetMaxReconnectInterval(100 * time.Millisecond).
		SetConnectionLostHandler(func(paho.Client, error) { lost.Add(1) })
	c := mustConnect(t, opts)
	for i, p := range []string{"not json", `["array"]`, "", strings.Repeat("x", MaxPayloadBytes+1)} {
		publish(t, c, fmt.Sprintf("update_status/thermo/a/bad%d", i), 1, p)
	}
	// paho completes the first token when it resends after reconnecting:
	// wait for what proves the broker took the message instead.
	c.Publish("update_ota_status/thermo/a/m7", 1, false, `{"progress":7}`)
	testwait.For(t, "the message to be taken on its second delivery", func() bool { return s.bridge.Stats().Handled == 1 })
	if n := sink.count(`{"progress":7}`); n != 2 {
		t.Fatalf("the sink saw the message %d times, want 2 (refused, then taken)", n)
	}
	if lost.Load() == 0 {
		t.Fatal("the device's connection was not closed after the sink failed")
	}
	if st := s.bridge.Stats(); st.Malformed != 4 || st.SinkErrors != 1 || st.Handled != 1 {
		t.Errorf("stats %+v", st)
	}
	if logs := s.logs.String(); strings.Count(logs, "malformed device") != 1 {
		t.Errorf("malformed messages logged other than once per device per minute:\n%s", logs)
	}
}

// At shutdown the bridge waits for the messages in flight, which are
// acknowledged, then refuses to publish.
func TestBridgeDrainsAtShutdown(t *testing.T) {
	f := mustFleet(t)
	gate := make(chan struct{})
	s := mustEmbedded(t, f, func(_ *BrokerOptions, o *BridgeOptions) { o.Sink = &recordingSink{gate: gate} })
	var toks []paho.Token
	for i := range 5 {
		name := fmt.Sprintf("d%d", i)
		c := mustDeviceClient(t, s.tcpURL, name, f.mustDevice(t, name))
		toks = append(toks, c.Publish(fmt.Sprintf("update_status/thermo/%s/m", name), 1, false, `{}`))
	}
	testwait.For(t, "five messages in the sink", func() bool { return len(s.sink.snapshot()) == 5 })
	stopped := make(chan struct{})
	go func() {
		s.stop()
		close(stopped)
	}()
	close(gate)
	<-stopped
	for i, tok := range toks {
		if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatalf("message %d in flight at shutdown was not acknowledged: %v", i, tok.Error())
		}
	}
	if st := s.bridge.Stats(); st.Handled != 5 {
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
	br := newBridge(BridgeOptions{Sink: panicSink{}, Log: discardLog()})
	tp, _ := topic.ParseDeviceTopic("update_status/p/d/m1")
	if err := br.handle(context.Background(), tp, []byte(`{}`)); err == nil {
		t.Fatal("a panicking sink's message was taken")
	}
	if st := br.Stats(); st.SinkErrors != 1 {
		t.Fatalf("stats %+v", st)
	}
}

type panicSink struct{}

func (panicSink) Submit(context.Context, DeviceMessage) error { panic(errors.New("boom")) }

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
	testwait.For(t, "50 commands", func() bool { return len(in.list()) == 50 })
}
