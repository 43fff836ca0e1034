package httpapi

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hoist-ota/hoist/internal/bus"
	"github.com/hoist-ota/hoist/internal/ids"
	"github.com/hoist-ota/hoist/internal/redisx"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

// Two nodes share the database, the files and Redis: a change made through
// node A is seen by node B's update check within a second.
func TestCrossNodeInvalidation(t *testing.T) {
	addr := os.Getenv("HOIST_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("redis: skipped (set HOIST_TEST_REDIS_ADDR)")
	}
	driver := storetest.Drivers()[len(storetest.Drivers())-1] // MySQL when available
	a := mustServerOn(t, driver, nil)
	b := mustServerOn(t, driver, func(s *testSetup) { s.shared = a })

	rc := redis.NewClient(&redis.Options{Addr: addr})
	defer rc.Close()
	channel := "hoist-test:" + ids.New()
	busA, busB := redisx.NewBus(rc, channel, a.log), redisx.NewBus(rc, channel, b.log)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a.releases.OnChange(func(pid string) { busA.Publish(ctx, pid) })
	// B is subscribed once it hears a probe (Redis pub/sub drops what is
	// published before the subscription).
	heard := make(chan struct{})
	var once sync.Once
	go busB.Run(ctx, func(pid string) {
		if pid == "probe" {
			once.Do(func() { close(heard) })
			return
		}
		b.checker.Invalidate(pid)
	})
	for deadline := time.Now().Add(5 * time.Second); ; {
		busA.Publish(ctx, "probe")
		select {
		case <-heard:
		case <-time.After(50 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("node B never subscribed to the bus")
			}
			continue
		}
		break
	}

	f := newUpdateFixture(t, a)
	pid := f.project.ID
	if o := b.check(t, "/api/basic/update", checkBody(pid, "android", 100, 100, "")); idOf(o.Wgt) != "1.0.2" {
		t.Fatalf("B before: %s", idOf(o.Wgt))
	}
	a.mustOK(t, 200, "PATCH", "/api/v1/resources/"+f.wgt102.ID, f.maintainer.AccessToken, map[string]any{"status": 0}, nil)
	deadline := time.Now().Add(time.Second)
	for {
		o := b.check(t, "/api/basic/update", checkBody(pid, "android", 100, 100, ""))
		if idOf(o.Wgt) == "1.0.1" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("node B still offers %s a second after the change", idOf(o.Wgt))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Without Redis, the database poll carries a change made through node A to
// node B's update check within a few seconds.
func TestCrossNodeInvalidationWithoutRedis(t *testing.T) {
	driver := storetest.Drivers()[len(storetest.Drivers())-1] // MySQL when available
	a := mustServerOn(t, driver, nil)
	b := mustServerOn(t, driver, func(s *testSetup) { s.shared = a })
	pollA := bus.NewPoller(a.store.Changes(), 100*time.Millisecond, a.log)
	pollB := bus.NewPoller(b.store.Changes(), 100*time.Millisecond, b.log)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a.releases.OnChange(func(pid string) { pollA.Record(ctx, pid) })
	go pollB.Run(ctx, b.checker.Invalidate)

	f := newUpdateFixture(t, a)
	pid := f.project.ID
	if o := b.check(t, "/api/basic/update", checkBody(pid, "android", 100, 100, "")); idOf(o.Wgt) != "1.0.2" {
		t.Fatalf("B before: %s", idOf(o.Wgt))
	}
	a.mustOK(t, 200, "PATCH", "/api/v1/resources/"+f.wgt102.ID, f.maintainer.AccessToken, map[string]any{"status": 0}, nil)
	deadline := time.Now().Add(5 * time.Second)
	for {
		o := b.check(t, "/api/basic/update", checkBody(pid, "android", 100, 100, ""))
		if idOf(o.Wgt) == "1.0.1" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("node B still offers %s five seconds after the change", idOf(o.Wgt))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
