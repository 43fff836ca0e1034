package ratelimit

import (
	"context"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/kv"
)

func TestLimiter(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(0, 0)
	l := New(kv.NewMemory(func() time.Time { return now }), "login", 10, time.Minute)
	for i := 1; i <= 10; i++ {
		if ok, _, err := l.Allow(ctx, "1.2.3.4"); !ok || err != nil {
			t.Fatalf("attempt %d refused", i)
		}
	}
	now = now.Add(15 * time.Second)
	ok, retry, _ := l.Allow(ctx, "1.2.3.4")
	if ok || retry != 45*time.Second {
		t.Fatalf("11th attempt: ok=%v retry=%v", ok, retry)
	}
	if ok, _, _ := l.Allow(ctx, "5.6.7.8"); !ok {
		t.Fatal("another key is limited too")
	}
	now = now.Add(46 * time.Second)
	if ok, _, _ := l.Allow(ctx, "1.2.3.4"); !ok {
		t.Fatal("window did not reset")
	}
	if ok, _, _ := New(kv.NewMemory(nil), "off", 0, time.Minute).Allow(ctx, "x"); !ok {
		t.Fatal("disabled limiter refused")
	}
}
