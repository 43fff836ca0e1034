package main

import (
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/ids"
)

// An import tells running nodes which projects changed, on the release
// change channel they listen on, with nothing but Redis.
func TestAnnounceImportPublishesOnTheReleaseBus(t *testing.T) {
	addr := os.Getenv("HOIST_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("HOIST_TEST_REDIS_ADDR not set")
	}
	cfg := config.Default()
	cfg.Redis.Addr, cfg.Redis.Prefix = addr, "announce-"+ids.New()+":"
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rc := redis.NewClient(&redis.Options{Addr: addr})
	defer rc.Close()
	sub := rc.Subscribe(ctx, cfg.Redis.Prefix+"release-changed")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil { // subscribed before the announcement
		t.Fatal(err)
	}
	announceImport(ctx, cfg, []string{"p1", "p2"}, io.Discard)
	for _, want := range []string{"p1", "p2"} {
		select {
		case m := <-sub.Channel():
			if m.Payload != want {
				t.Fatalf("announced %q, want %q", m.Payload, want)
			}
		case <-ctx.Done():
			t.Fatalf("%s was not announced", want)
		}
	}
}
