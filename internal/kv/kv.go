// Package kv is the small expiring key-value store behind captchas, rate
// limits and other short-lived shared state: the Store interface and Memory,
// in process for a single node. redisx.KV implements it on Redis when
// several nodes must agree; kvtest is the contract both pass.
package kv

import (
	"context"
	"time"
)

// Store is an expiring key-value store. Implementations are safe for
// concurrent use.
type Store interface {
	// SetEx stores value under key for ttl.
	SetEx(ctx context.Context, key, value string, ttl time.Duration) error
	// SetNX stores value under key for ttl only if key holds nothing (or
	// only an expired value), and reports whether it did.
	SetNX(ctx context.Context, key, value string, ttl time.Duration) (bool, error)
	// Get returns the value under key; ok is false when there is none (or
	// only an expired one).
	Get(ctx context.Context, key string) (value string, ok bool, err error)
	// GetDel returns the value and deletes it atomically: of two concurrent
	// callers only one gets ok == true.
	GetDel(ctx context.Context, key string) (value string, ok bool, err error)
	// Incr adds one to the counter under key and returns its new value and
	// the time until it resets. The first increment starts a window of the
	// given length; the counter vanishes when it ends (a fixed window).
	Incr(ctx context.Context, key string, window time.Duration) (count int64, resetIn time.Duration, err error)
}
