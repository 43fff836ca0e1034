package kv

import (
	"context"
	"encoding/hex"
	"testing"
	"time"
)

func TestExpiry(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1000, 0)
	m := NewMemory(func() time.Time { return now })
	m.SetEx(ctx, "k", "v", time.Second)
	m.Incr(ctx, "c", time.Second)
	m.Incr(ctx, "c", time.Second)
	now = now.Add(2 * time.Second)
	if _, ok, _ := m.Get(ctx, "k"); ok {
		t.Fatal("expired value returned by Get")
	}
	if _, ok, _ := m.GetDel(ctx, "k"); ok {
		t.Fatal("expired value returned")
	}
	if n, _, _ := m.Incr(ctx, "c", time.Second); n != 1 {
		t.Fatalf("counter did not reset: %d", n)
	}
	// Expired entries are swept as writes happen.
	for i := 0; i < 3*sweepEvery; i++ {
		m.SetEx(ctx, hex.EncodeToString([]byte{byte(i), byte(i >> 8)}), "v", time.Nanosecond)
		now = now.Add(time.Millisecond)
	}
	if len(m.entries) > sweepEvery+1 {
		t.Fatalf("%d entries kept", len(m.entries))
	}
}
