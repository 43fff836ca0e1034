package kv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// stores returns every Store to test: memory always, Redis when
// HOIST_TEST_REDIS_ADDR is set.
func stores(t *testing.T) map[string]Store {
	out := map[string]Store{"memory": NewMemory(nil)}
	addr := os.Getenv("HOIST_TEST_REDIS_ADDR")
	if addr == "" {
		t.Log("redis: skipped (set HOIST_TEST_REDIS_ADDR)")
		return out
	}
	c := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { c.Close() })
	var b [6]byte
	rand.Read(b[:])
	out["redis"] = NewRedis(c, "hoist-test-"+hex.EncodeToString(b[:])+":")
	return out
}

func TestStoreContract(t *testing.T) {
	ctx := context.Background()
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			if _, ok, err := s.GetDel(ctx, "absent"); ok || err != nil {
				t.Fatalf("absent: %v %v", ok, err)
			}
			if _, ok, err := s.Get(ctx, "absent"); ok || err != nil {
				t.Fatalf("Get absent: %v %v", ok, err)
			}
			if err := s.SetEx(ctx, "g", "one", time.Minute); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 2; i++ { // Get leaves the value in place
				if v, ok, err := s.Get(ctx, "g"); v != "one" || !ok || err != nil {
					t.Fatalf("Get #%d = %q %v %v", i, v, ok, err)
				}
			}
			s.SetEx(ctx, "g", "two", time.Minute)
			if v, _, _ := s.Get(ctx, "g"); v != "two" {
				t.Fatalf("Get after overwrite = %q", v)
			}
			if err := s.SetEx(ctx, "k", "v", time.Minute); err != nil {
				t.Fatal(err)
			}
			if v, ok, err := s.GetDel(ctx, "k"); v != "v" || !ok || err != nil {
				t.Fatalf("GetDel = %q %v %v", v, ok, err)
			}
			if _, ok, _ := s.GetDel(ctx, "k"); ok {
				t.Fatal("value survived GetDel")
			}

			// Only one of many concurrent GetDel calls wins.
			s.SetEx(ctx, "once", "x", time.Minute)
			var wg sync.WaitGroup
			wins := make(chan bool, 20)
			for i := 0; i < 20; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, ok, _ := s.GetDel(ctx, "once")
					wins <- ok
				}()
			}
			wg.Wait()
			close(wins)
			n := 0
			for w := range wins {
				if w {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%d winners", n)
			}

			if ok, err := s.SetNX(ctx, "nx", "a", time.Minute); !ok || err != nil {
				t.Fatalf("first SetNX: %v %v", ok, err)
			}
			if ok, _ := s.SetNX(ctx, "nx", "b", time.Minute); ok {
				t.Fatal("second SetNX won")
			}
			if v, _, _ := s.GetDel(ctx, "nx"); v != "a" {
				t.Fatalf("SetNX overwrote: %q", v)
			}
			for i := int64(1); i <= 3; i++ {
				n, reset, err := s.Incr(ctx, "c", time.Minute)
				if err != nil || n != i || reset <= 0 || reset > time.Minute {
					t.Fatalf("Incr #%d = %d %v %v", i, n, reset, err)
				}
			}
		})
	}
}

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

	if addr := os.Getenv("HOIST_TEST_REDIS_ADDR"); addr != "" {
		c := redis.NewClient(&redis.Options{Addr: addr})
		defer c.Close()
		r := NewRedis(c, "hoist-test-exp-"+time.Now().Format("150405.000000")+":")
		r.SetEx(ctx, "k", "v", 50*time.Millisecond)
		r.Incr(ctx, "c", 50*time.Millisecond)
		time.Sleep(120 * time.Millisecond)
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
}
