package redisx

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/testwait"
)

// A change published on one node's Bus reaches every node running Run on
// the same channel, and nothing from another channel does.
func TestBusDelivers(t *testing.T) {
	ctx, cancel := context.WithCancel(ctxT(t))
	c, prefix := mustRedis(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, b := NewBus(c, prefix+"changes", log), NewBus(c, prefix+"changes", log)
	other := NewBus(c, prefix+"other", log)
	got := make(chan string, 100)
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx, func(projectID string) { got <- projectID }) }()

	// Run subscribes asynchronously: announce until the first one arrives.
	testwait.For(t, "b to hear p0", func() bool {
		a.Publish(ctx, "p0")
		select {
		case id := <-got:
			if id != "p0" {
				t.Fatalf("heard %q, want p0", id)
			}
			return true
		default:
			return false
		}
	})
	// Subscribed now: drain repeats of p0, then announcements arrive in order.
	other.Publish(ctx, "elsewhere")
	a.Publish(ctx, "p1")
	a.Publish(ctx, "p2")
	var seen []string
	testwait.For(t, "p1 and p2", func() bool {
		select {
		case id := <-got:
			if id != "p0" {
				seen = append(seen, id)
			}
		default:
		}
		return len(seen) >= 2
	})
	if seen[0] != "p1" || seen[1] != "p2" {
		t.Fatalf("heard %v, want [p1 p2] (nothing from another channel)", seen)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after cancel = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}
