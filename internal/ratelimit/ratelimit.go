// Package ratelimit counts attempts per key in fixed windows on a kv.Store,
// so that limits hold across every node that shares the store.
package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/hoist-ota/hoist/internal/kv"
)

// Limiter allows Limit attempts per key per Window.
type Limiter struct {
	kv     kv.Store
	name   string
	limit  int64
	window time.Duration
}

// New returns a limiter named name (it prefixes its keys) allowing limit
// attempts per window. A limit of 0 or less disables limiting.
func New(store kv.Store, name string, limit int, window time.Duration) *Limiter {
	return &Limiter{kv: store, name: name, limit: int64(limit), window: window}
}

// Allow counts an attempt for key and reports whether it is within the
// limit; when it is not, retryAfter says when the window resets.
func (l *Limiter) Allow(ctx context.Context, key string) (ok bool, retryAfter time.Duration, err error) {
	if l.limit <= 0 {
		return true, 0, nil
	}
	n, reset, err := l.kv.Incr(ctx, "rl:"+l.name+":"+key, l.window)
	if err != nil {
		return false, 0, fmt.Errorf("ratelimit: %w", err)
	}
	if n > l.limit {
		return false, reset, nil
	}
	return true, 0, nil
}
