package snapcache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/testwait"
)

func TestLoadOnceThenHit(t *testing.T) {
	var loads atomic.Int32
	c := New(func(_ context.Context, k string) (string, time.Time, error) {
		loads.Add(1)
		time.Sleep(20 * time.Millisecond)
		return "v:" + k, time.Time{}, nil
	}, 10, nil)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v, err := c.Get(context.Background(), "a"); v != "v:a" || err != nil {
				t.Errorf("got %q %v", v, err)
			}
		}()
	}
	wg.Wait()
	if loads.Load() != 1 || c.Loads() != 1 {
		t.Fatalf("%d loads (counted %d) for concurrent misses", loads.Load(), c.Loads())
	}
	hits := c.Hits()
	c.Get(context.Background(), "a")
	if c.Hits() != hits+1 {
		t.Fatal("a hit was not counted")
	}
	allocs := testing.AllocsPerRun(100, func() { c.Get(context.Background(), "a") })
	if allocs != 0 {
		t.Fatalf("a hit allocates %v", allocs)
	}
}

func TestInvalidateAndExpiry(t *testing.T) {
	now := time.Unix(0, 0)
	n := 0
	c := New(func(_ context.Context, k string) (int, time.Time, error) {
		n++
		return n, now.Add(time.Minute), nil
	}, 10, func() time.Time { return now })
	ctx := context.Background()
	if v, _ := c.Get(ctx, "k"); v != 1 {
		t.Fatal(v)
	}
	c.Invalidate("k")
	// The previous value is served while the rebuild runs.
	if v, _ := c.Get(ctx, "k"); v != 1 && v != 2 {
		t.Fatalf("after invalidate: %d", v)
	}
	testwait.For(t, "the rebuild", func() bool { v, _ := c.Get(ctx, "k"); return v == 2 })
	now = now.Add(2 * time.Minute)
	if v, _ := c.Get(ctx, "k"); v != 3 {
		t.Fatalf("after expiry: %d", v)
	}
}

// A load that read the old data while an invalidation happened must not
// be stored: the next Get loads again.
func TestInvalidateDuringLoadIsNotLost(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	var data atomic.Int32
	data.Store(1)
	first := true
	c := New(func(_ context.Context, k string) (int32, time.Time, error) {
		v := data.Load()
		if first {
			first = false
			close(started)
			<-release
		}
		return v, time.Time{}, nil
	}, 10, nil)
	done := make(chan int32)
	go func() { v, _ := c.Get(context.Background(), "k"); done <- v }()
	<-started
	data.Store(2)
	c.Invalidate("k")
	close(release)
	if v := <-done; v != 1 {
		t.Fatalf("in-flight load returned %d", v)
	}
	if v, _ := c.Get(context.Background(), "k"); v != 2 {
		t.Fatalf("stale value stored: %d", v)
	}
}

func TestErrorsAreNotCachedAndSizeIsBounded(t *testing.T) {
	fail := true
	c := New(func(_ context.Context, k string) (string, time.Time, error) {
		if fail {
			return "", time.Time{}, errors.New("db down")
		}
		return k, time.Time{}, nil
	}, 3, nil)
	if _, err := c.Get(context.Background(), "x"); err == nil {
		t.Fatal("error swallowed")
	}
	fail = false
	if v, err := c.Get(context.Background(), "x"); v != "x" || err != nil {
		t.Fatal("error was cached")
	}
	for i := 0; i < 10; i++ {
		c.Get(context.Background(), fmt.Sprint(i))
	}
	if c.Len() > 3 {
		t.Fatalf("%d entries", c.Len())
	}
}

// While loading fails, a key that had a value keeps being answered with it,
// expired or invalidated (stale-if-error), and each such answer is counted;
// once loading works again the new value replaces it.
func TestStaleIfError(t *testing.T) {
	now := time.Unix(1000, 0)
	down := false
	version := "v1"
	c := New(func(_ context.Context, k string) (string, time.Time, error) {
		if down {
			return "", time.Time{}, errors.New("db down")
		}
		return version, now.Add(time.Minute), nil
	}, 10, func() time.Time { return now })
	ctx := context.Background()
	if v, err := c.Get(ctx, "p"); v != "v1" || err != nil {
		t.Fatalf("%q %v", v, err)
	}
	down = true
	now = now.Add(time.Hour) // expired
	if v, err := c.Get(ctx, "p"); v != "v1" || err != nil {
		t.Fatalf("expired, source down: %q %v", v, err)
	}
	c.Invalidate("p")
	if v, err := c.Get(ctx, "p"); v != "v1" || err != nil {
		t.Fatalf("invalidated, source down: %q %v", v, err)
	}
	if _, err := c.Get(ctx, "never-loaded"); err == nil {
		t.Fatal("a key without a value must fail while the source is down")
	}
	if c.Stale() != 2 {
		t.Fatalf("stale answers %d, want 2", c.Stale())
	}
	down, version = false, "v2"
	if v, err := c.Get(ctx, "p"); v != "v2" || err != nil {
		t.Fatalf("source back: %q %v", v, err)
	}
}

// A refresh rebuilds in its caller: readers meanwhile get the previous
// value at once (they are never held by a rebuild), and once Refresh
// returns every Get sees the new value.
func TestRefreshNeverHoldsReaders(t *testing.T) {
	var data atomic.Int32
	data.Store(1)
	gate := make(chan struct{})
	var slow atomic.Bool
	c := New(func(_ context.Context, k string) (int32, time.Time, error) {
		if slow.Load() {
			<-gate
		}
		return data.Load(), time.Time{}, nil
	}, 10, nil)
	ctx := context.Background()
	if v, _ := c.Get(ctx, "k"); v != 1 {
		t.Fatal(v)
	}
	data.Store(2)
	slow.Store(true)
	done := make(chan error)
	go func() { done <- c.Refresh(ctx, "k") }()
	for range 100 {
		if v, _ := c.Get(ctx, "k"); v != 1 {
			t.Fatalf("a reader during the rebuild got %d", v)
		}
	}
	close(gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if v, _ := c.Get(ctx, "k"); v != 2 {
		t.Fatalf("after Refresh: %d", v)
	}
}

// TestApplyBuildsOnTheCurrentValueOnly: Apply derives the next value from
// the current one, one Apply at a time (none loses another's change), and
// loads instead when the value is not up to date, when the change cannot
// be applied, or when an Invalidate came in while it was applied.
func TestApplyBuildsOnTheCurrentValueOnly(t *testing.T) {
	ctx := context.Background()
	var source atomic.Int64 // what a full load reads
	c := New(func(_ context.Context, _ string) (int64, time.Time, error) {
		return source.Load(), time.Time{}, nil
	}, 10, nil)
	add := func(n int64) Change[int64] {
		return func(_ context.Context, prev int64) (int64, bool, error) { return prev + n, true, nil }
	}
	if err := c.Apply(ctx, "k", add(1)); err != nil || c.Len() != 0 || c.Loads() != 0 {
		t.Fatalf("a key without a value was touched: %v, %d keys, %d loads", err, c.Len(), c.Loads())
	}
	c.Get(ctx, "k")
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			source.Add(1) // the change is committed, then applied
			if err := c.Apply(ctx, "k", add(1)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if v, _ := c.Get(ctx, "k"); v != 100 || c.Loads() != 1 || c.Applies() != 100 {
		t.Fatalf("value %d after 100 concurrent applies, %d loads, %d applied", v, c.Loads(), c.Applies())
	}
	// Not up to date: loaded, not applied.
	source.Store(500)
	c.Invalidate("k")
	c.Apply(ctx, "k", add(1))
	if v, _ := c.Get(ctx, "k"); v != 500 || c.Applies() != 100 {
		t.Fatalf("applied to an invalidated value: %d", v)
	}
	// Cannot apply: loaded.
	source.Store(600)
	c.Apply(ctx, "k", func(context.Context, int64) (int64, bool, error) { return 0, false, nil })
	if v, _ := c.Get(ctx, "k"); v != 600 {
		t.Fatalf("a change that could not be applied left %d", v)
	}
	// Invalidated while applying: the applied value is not stored.
	source.Store(700)
	c.Apply(ctx, "k", func(_ context.Context, prev int64) (int64, bool, error) {
		c.Invalidate("k") // another node's change meanwhile
		return prev + 1, true, nil
	})
	if v, _ := c.Get(ctx, "k"); v != 700 {
		t.Fatalf("an apply overtaken by an invalidation stored %d", v)
	}
}
