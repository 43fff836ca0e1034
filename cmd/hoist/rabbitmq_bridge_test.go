package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/mqtt"
)

// flakySink refuses the first fail messages, then takes every one.
type flakySink struct {
	mu    sync.Mutex
	fail  int
	calls []string
	got   chan string
}

func (s *flakySink) Submit(_ context.Context, m mqtt.DeviceMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, m.Topic.String())
	if len(s.calls) <= s.fail {
		return errors.New("database down")
	}
	s.got <- m.Topic.String()
	return nil
}

// TestRabbitMQBridgeRequeuesUntilDurable drives the RabbitMQ transport on
// a private node: a device message the sink refuses is requeued and
// delivered again until it is durable, and then acknowledged once; a
// stopped broker makes the bridge unready and its publishes Unavailable.
func TestRabbitMQBridgeRequeuesUntilDurable(t *testing.T) {
	node := newRabbitNode(t, 0, "", "")
	node.start(t)
	sink := &flakySink{fail: 2, got: make(chan string, 4)}
	br := mqtt.NewRabbitMQBridge(mqtt.RabbitMQ{URL: fmt.Sprintf("amqp://127.0.0.1:%d/", node.amqp), Username: "guest", Password: "guest",
		Name: "hoist-test", ReconnectMax: time.Second}, mqtt.BridgeOptions{Sink: sink, Log: slog.New(slog.DiscardHandler)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- br.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for deadline := time.Now().Add(30 * time.Second); br.Ready() != nil; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("bridge not ready: %v", br.Ready())
		}
	}
	// What a device named "dev.1" publishes reaches the queue as one level
	// ('.' and '/' swap) and comes back as the same topic.
	const name = "update_status/meter/dev.1/m1"
	if err := br.Publish(ctx, name, []byte(`{"version":"1.0.0"}`)); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-sink.got:
		if got != name {
			t.Fatalf("sink got %s", got)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("not made durable: %d attempts, stats %+v", len(sink.calls), br.Stats())
	}
	for deadline := time.Now().Add(10 * time.Second); br.Stats().Handled != 1; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("stats %+v", br.Stats())
		}
	}
	if st := br.Stats(); st.SinkErrors != 2 || st.Received != 3 {
		t.Fatalf("stats %+v, want 2 refusals and 3 deliveries", st)
	}

	node.stop(t)
	for deadline := time.Now().Add(30 * time.Second); br.Ready() == nil; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("still ready with the broker stopped")
		}
	}
	if err := br.Publish(ctx, "cmd/meter/dev-1/reboot/plain/r1", []byte("x")); !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("publish with the broker stopped: %v", err)
	}
	// The message was acknowledged: a node that comes back does not get it again.
	node.start(t)
	for deadline := time.Now().Add(30 * time.Second); br.Ready() != nil; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("bridge did not reconnect: %v", br.Ready())
		}
	}
	if err := br.Publish(ctx, "update_status/meter/dev-2/m2", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-sink.got:
		if got != "update_status/meter/dev-2/m2" {
			t.Fatalf("after the restart the sink got %s first", got)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("nothing consumed after the broker restart")
	}
}
