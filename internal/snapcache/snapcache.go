// Package snapcache keeps one immutable value per key, built on first use
// and rebuilt after the key is invalidated or its value expires. It is made
// for read-mostly hot paths: a hit takes a read lock and a map lookup and
// allocates nothing, and a rebuild never holds the readers of a key that
// has a value: after Invalidate they get the previous value while one
// rebuild runs in the background (stale-while-revalidate), and Refresh
// rebuilds in its caller.
package snapcache

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// Loader builds the value of a key and says until when it is valid (zero:
// until invalidated).
type Loader[T any] func(ctx context.Context, key string) (T, time.Time, error)

// Cache is a concurrent per-key cache. The zero value is not usable; use New.
type Cache[T any] struct {
	load    Loader[T]
	now     func() time.Time
	max     int
	group   singleflight.Group
	mu      sync.RWMutex
	entries map[string]entry[T]
	// versions counts invalidations per key, so a load that started before
	// an invalidation does not store what it read.
	versions map[string]uint64
	// rebuilding holds the keys a Get is rebuilding in the background, so
	// that readers meanwhile neither wait nor queue.
	rebuilding sync.Map

	// applying serializes Apply: each applies its change to the value the
	// previous one stored.
	applying sync.Mutex

	hits, loads, stale, applies atomic.Uint64
	// background counts rebuilds started by a Get that answered with the
	// previous value.
	background atomic.Uint64
}

type entry[T any] struct {
	val     T
	expires time.Time
	// invalidated marks a value to be rebuilt: until the rebuild is in
	// place it is still served (stale-while-revalidate), and for good when
	// rebuilding fails (stale-if-error).
	invalidated bool
	failed      bool // the last rebuild failed: answers are stale-if-error
}

func (e entry[T]) fresh(now time.Time) bool {
	return !e.invalidated && (e.expires.IsZero() || now.Before(e.expires))
}

// New returns a cache holding at most max keys (older ones are dropped at
// random beyond that); now nil means time.Now.
func New[T any](load Loader[T], max int, now func() time.Time) *Cache[T] {
	if now == nil {
		now = time.Now
	}
	return &Cache[T]{load: load, now: now, max: max, entries: map[string]entry[T]{}, versions: map[string]uint64{}}
}

// Get returns the value of key, loading it when absent or expired.
// Concurrent misses of one key share a single load. An invalidated value
// that has not expired is returned at once while a rebuild runs in the
// background (one per key at a time). When a load fails and the key had a
// value, that last value is returned (stale-if-error: an answer that may
// be old beats none while the source is down) and counted in Stale;
// otherwise the error is returned, and never cached.
func (c *Cache[T]) Get(ctx context.Context, key string) (T, error) {
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if ok && e.fresh(c.now()) {
		c.hits.Add(1)
		return e.val, nil
	}
	if ok && (e.expires.IsZero() || c.now().Before(e.expires)) {
		if e.failed {
			c.stale.Add(1)
		}
		if _, busy := c.rebuilding.LoadOrStore(key, struct{}{}); !busy {
			c.background.Add(1)
			go func() {
				defer c.rebuilding.Delete(key)
				c.group.Do(key, func() (any, error) { return c.loadAndStore(ctx, key) })
			}()
		}
		return e.val, nil
	}
	v, err := c.miss(ctx, key)
	if err != nil && ok {
		c.stale.Add(1)
		return e.val, nil
	}
	return v, err
}

func (c *Cache[T]) miss(ctx context.Context, key string) (T, error) {
	v, err, _ := c.group.Do(key, func() (any, error) { return c.loadAndStore(ctx, key) })
	if err != nil {
		var zero T
		return zero, err
	}
	return v.(T), nil
}

// loadAndStore loads key and stores the value unless key was invalidated
// meanwhile. The load outlives a cancelled request that started it:
// others may be waiting for the same key.
func (c *Cache[T]) loadAndStore(ctx context.Context, key string) (any, error) {
	c.mu.RLock()
	version := c.versions[key]
	c.mu.RUnlock()
	c.loads.Add(1)
	val, expires, err := c.load(context.WithoutCancel(ctx), key)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		if e, ok := c.entries[key]; ok && c.versions[key] == version {
			e.failed = true
			c.entries[key] = e
		}
		return nil, err
	}
	if c.versions[key] == version {
		if _, had := c.entries[key]; !had && len(c.entries) >= c.max {
			for k := range c.entries {
				delete(c.entries, k)
				break
			}
		}
		c.entries[key] = entry[T]{val: val, expires: expires}
	}
	return val, nil
}

// Refresh invalidates key and, when it has a value, rebuilds it in the
// caller: when it returns nil, every later Get sees a value loaded after
// the call began, and readers meanwhile got the previous value. On a load
// error the previous value stays, invalidated (the next Get tries again).
// A key without a value is not loaded (no one asked for it yet).
func (c *Cache[T]) Refresh(ctx context.Context, key string) error {
	c.Invalidate(key)
	c.mu.RLock()
	_, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok {
		return nil
	}
	_, err, _ := c.group.Do(key, func() (any, error) { return c.loadAndStore(ctx, key) })
	return err
}

// Change derives a key's next value from its current one. ok false means
// it cannot (the change needs a full load).
type Change[T any] func(ctx context.Context, prev T) (next T, ok bool, err error)

// Apply changes key's value by fn instead of loading it again (an
// incremental rebuild), with Refresh's guarantee: when it returns nil,
// every later Get sees the change, and readers meanwhile got the previous
// value. fn gets the current value only when it is up to date (neither
// invalidated, expired, nor from a failed rebuild); otherwise, or when fn
// cannot apply the change or fails, Apply is Refresh. A key without a
// value is left alone, as by Refresh. Applies run one at a time, so each
// starts from what the previous one stored; a Refresh or Invalidate
// meanwhile wins (the applied value is not stored, and key is refreshed).
func (c *Cache[T]) Apply(ctx context.Context, key string, fn Change[T]) error {
	c.applying.Lock()
	defer c.applying.Unlock()
	c.mu.RLock()
	e, ok := c.entries[key]
	version := c.versions[key]
	c.mu.RUnlock()
	if !ok {
		return nil
	}
	if e.failed || !e.fresh(c.now()) {
		return c.Refresh(ctx, key)
	}
	next, applied, err := fn(context.WithoutCancel(ctx), e.val)
	if err != nil || !applied {
		return c.Refresh(ctx, key)
	}
	c.mu.Lock()
	if c.versions[key] != version {
		c.mu.Unlock()
		return c.Refresh(ctx, key)
	}
	c.versions[key]++ // a load that began before the change must not store what it read
	c.entries[key] = entry[T]{val: next, expires: e.expires}
	c.mu.Unlock()
	c.group.Forget(key)
	c.applies.Add(1)
	return nil
}

// Applies returns how many changes Apply stored without a load.
func (c *Cache[T]) Applies() uint64 { return c.applies.Load() }

// Background returns how many rebuilds a Get started while it answered
// with the previous value.
func (c *Cache[T]) Background() uint64 { return c.background.Load() }

// Invalidate marks key for a rebuild: the next Get starts one in the
// background and answers with the old value meanwhile (a key without a
// value, or an expired one, loads in the Get). A load in progress for key
// when Invalidate is called will not be stored.
func (c *Cache[T]) Invalidate(key string) {
	c.mu.Lock()
	if e, ok := c.entries[key]; ok {
		e.invalidated = true
		c.entries[key] = e
	}
	c.versions[key]++
	c.mu.Unlock()
	c.group.Forget(key)
}

// Stale returns how many Gets were answered with a stale value because
// reloading failed.
func (c *Cache[T]) Stale() uint64 { return c.stale.Load() }

// Hits returns how many Gets were answered from the cache.
func (c *Cache[T]) Hits() uint64 { return c.hits.Load() }

// Loads returns how many times a value was loaded (built or rebuilt).
func (c *Cache[T]) Loads() uint64 { return c.loads.Load() }

// Len returns the number of cached keys.
func (c *Cache[T]) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}
