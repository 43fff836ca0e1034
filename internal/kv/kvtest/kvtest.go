// Package kvtest is the contract every kv.Store implementation passes, run
// by the tests of each (kv.Memory here, redisx.KV on a real Redis).
package kvtest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/kv"
)

// Contract checks s against the kv.Store contract: Get leaves a value,
// SetEx overwrites, GetDel takes it once (one winner among concurrent
// callers), SetNX does not overwrite, Incr counts within its window. s must
// be empty (a fresh key prefix).
func Contract(t *testing.T, s kv.Store) {
	t.Helper()
	ctx := context.Background()
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
}
