// Package redisx holds every Redis adapter of Hoist, the only package besides
// the wiring (cmd/hoist) that imports go-redis: KV, the kv.Store shared by
// every node, and Bus, the release-change announcements between nodes on
// Redis pub/sub (a bus.Bus). Redis holds nothing that cannot be rebuilt: its
// failures are apperr.Unavailable, or logged where the caller cannot act.
//
// The name is not "redis" so that it never needs an alias beside go-redis's
// own package redis, which every file here and the wiring import too.
package redisx

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/kv"
)

// KV is a kv.Store shared by every node, on Redis 6.2 or later. It is safe
// for concurrent use.
type KV struct {
	c      redis.UniversalClient
	prefix string
}

var _ kv.Store = (*KV)(nil)

// NewKV returns a kv.Store on c; every key is prefixed with prefix.
func NewKV(c redis.UniversalClient, prefix string) *KV {
	return &KV{c: c, prefix: prefix}
}

// down wraps a Redis failure as apperr Unavailable: for API callers a 503,
// never a 500 (Redis holds nothing that cannot be rebuilt).
func down(op string, err error) error {
	return apperr.Wrap(fmt.Errorf("kv: %s: %w", op, err), apperr.Unavailable, "redis unavailable")
}

// SetEx implements kv.Store.
func (r *KV) SetEx(ctx context.Context, key, value string, ttl time.Duration) error {
	if err := r.c.Set(ctx, r.prefix+key, value, ttl).Err(); err != nil {
		return down("set", err)
	}
	return nil
}

// SetNX implements kv.Store.
func (r *KV) SetNX(ctx context.Context, key, value string, ttl time.Duration) (bool, error) {
	ok, err := r.c.SetNX(ctx, r.prefix+key, value, ttl).Result()
	if err != nil {
		return false, down("setnx", err)
	}
	return ok, nil
}

// Get implements kv.Store.
func (r *KV) Get(ctx context.Context, key string) (string, bool, error) {
	v, err := r.c.Get(ctx, r.prefix+key).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, down("get", err)
	}
	return v, true, nil
}

// GetDel implements kv.Store.
func (r *KV) GetDel(ctx context.Context, key string) (string, bool, error) {
	v, err := r.c.GetDel(ctx, r.prefix+key).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, down("getdel", err)
	}
	return v, true, nil
}

// incrScript increments and, on the first increment, starts the window, in
// one atomic step (INCR then EXPIRE could leave a counter without expiry).
var incrScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}`)

// Incr implements kv.Store.
func (r *KV) Incr(ctx context.Context, key string, window time.Duration) (int64, time.Duration, error) {
	res, err := incrScript.Run(ctx, r.c, []string{r.prefix + key}, window.Milliseconds()).Int64Slice()
	if err != nil {
		return 0, 0, down("incr", err)
	}
	return res[0], time.Duration(res[1]) * time.Millisecond, nil
}
