package redisx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// mustRedis returns a client on HOIST_TEST_REDIS_ADDR and a fresh key
// prefix, or skips the test when the variable is unset.
func mustRedis(t *testing.T) (*redis.Client, string) {
	t.Helper()
	addr := os.Getenv("HOIST_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("redis: skipped (set HOIST_TEST_REDIS_ADDR)")
	}
	c := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { c.Close() })
	var b [6]byte
	rand.Read(b[:])
	return c, "hoist-test-" + hex.EncodeToString(b[:]) + ":"
}

// ctxT returns a context that ends with the test.
func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return ctx
}
