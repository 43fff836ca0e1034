package redisx

import (
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/kv/kvtest"

	"github.com/hoist-ota/hoist/internal/testwait"
)

func TestKVContract(t *testing.T) {
	c, prefix := mustRedis(t)
	kvtest.Contract(t, NewKV(c, prefix))
}

// Values and counters expire with the ttl and window they were given: Redis
// removes the keys (waited for on Redis itself, not on a fixed sleep), and
// the store then reports them absent and counts again from one.
func TestKVExpiry(t *testing.T) {
	ctx := ctxT(t)
	c, prefix := mustRedis(t)
	r := NewKV(c, prefix)
	if err := r.SetEx(ctx, "k", "v", 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Incr(ctx, "c", 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"k", "c"} {
		if ttl := c.PTTL(ctx, prefix+key).Val(); ttl <= 0 || ttl > 50*time.Millisecond {
			t.Fatalf("redis: ttl of %s = %v, want (0, 50ms]", key, ttl)
		}
	}
	testwait.For(t, "redis to expire k and c", func() bool { return c.Exists(ctx, prefix+"k", prefix+"c").Val() == 0 })
	if _, ok, _ := r.Get(ctx, "k"); ok {
		t.Fatal("redis: expired value returned by Get")
	}
	if _, ok, _ := r.GetDel(ctx, "k"); ok {
		t.Fatal("redis: expired value returned")
	}
	if n, _, _ := r.Incr(ctx, "c", time.Second); n != 1 {
		t.Fatalf("redis: counter did not reset: %d", n)
	}
}
