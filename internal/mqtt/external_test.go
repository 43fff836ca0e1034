package mqtt

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/redis/go-redis/v9"

	"github.com/hoist-ota/hoist/internal/kv"
	"github.com/hoist-ota/hoist/internal/topic"
)

// testBrokerURL is the shared broker of the external-mode tests, or a skip.
func testBrokerURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("HOIST_TEST_MQTT_URL")
	if u == "" {
		tb.Skip("mqtt: skipped (set HOIST_TEST_MQTT_URL=tcp://127.0.0.1:1883 to run against an external broker)")
	}
	return u
}

// sharedKV is Redis when HOIST_TEST_REDIS_ADDR is set (what nodes share in
// production), else one in-process store.
func sharedKV(tb testing.TB) kv.Store {
	tb.Helper()
	addr := os.Getenv("HOIST_TEST_REDIS_ADDR")
	if addr == "" {
		return kv.NewMemory(nil)
	}
	c := redis.NewClient(&redis.Options{Addr: addr})
	tb.Cleanup(func() { c.Close() })
	return kv.NewRedis(c, randomName("hoist-test-")+":")
}

// externalNode is a running bridge on an external broker.
type externalNode struct {
	bridge *Bridge
	sink   *recordingSink
	stop   func()
}

func (n *externalNode) subscriptions() int64 { return n.bridge.tr.(*external).subscriptions.Load() }

// mustExternal runs a bridge on url until cleanup, then removes its
// persistent session from the broker.
func mustExternal(tb testing.TB, e External, store kv.Store) *externalNode {
	tb.Helper()
	if e.ClientID == "" {
		e.ClientID = randomName("hoist-test-")
	}
	e.ReconnectMax = 200 * time.Millisecond
	sink := &recordingSink{}
	br := NewExternalBridge(e, BridgeOptions{Sink: sink, KV: store, Log: discardLog()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- br.Run(ctx) }()
	stopped := false
	n := &externalNode{bridge: br, sink: sink}
	n.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			tb.Error(err)
		}
		// Leave no persistent session behind on a shared broker.
		if c, err := connect(tb, clientOpts(e.URL, e.ClientID, e.Username, e.Password).SetCleanSession(true)); err == nil {
			c.Disconnect(0)
		}
	}
	tb.Cleanup(n.stop)
	waitFor(tb, "the bridge to subscribe", func() bool { return n.subscriptions() > 0 })
	return n
}

// anonymous connects a plain client (the test brokers allow anonymous
// clients: they stand for devices).
func anonymous(tb testing.TB, url string) paho.Client {
	tb.Helper()
	return mustConnect(tb, clientOpts(url, randomName("dev-"), "", "").SetCleanSession(true))
}

// Two nodes without a shared subscription both receive every message; the
// shared dedupe store makes each reach a sink once. Malformed messages are
// counted, and Hoist's commands reach devices.
func TestExternalBridgeDedupesAcrossNodes(t *testing.T) {
	url := testBrokerURL(t)
	store := sharedKV(t)
	n1 := mustExternal(t, External{URL: url, Shared: false}, store)
	n2 := mustExternal(t, External{URL: url, Shared: false}, store)
	p := randomName("p")
	dev := anonymous(t, url)
	st := func(id, payload string) { publish(t, dev, "update_status/"+p+"/d/"+id, 1, payload) }
	st("m1", `{"n":1}`)
	st("m1", `{"n":1}`)
	publish(t, dev, "update_ota_status/"+p+"/d/m2", 1, `{"progress":10}`)
	publish(t, dev, "cmd_resp/"+p+"/d/reboot/r1/m3", 1, "ok")
	publish(t, dev, "update_status/"+p+"/d/bad id", 1, `{}`)
	st("m4", "not json")
	st("m5", `{"n":5}`)
	total := func(payload string) int { return n1.sink.count(payload) + n2.sink.count(payload) }
	waitFor(t, "every message", func() bool {
		return total(`{"n":5}`) == 1 && total(`{"n":1}`) == 1 && total(`{"progress":10}`) == 1 && total("ok") == 1
	})
	time.Sleep(100 * time.Millisecond)
	for _, payload := range []string{`{"n":1}`, `{"progress":10}`, "ok", `{"n":5}`} {
		if n := total(payload); n != 1 {
			t.Errorf("%s reached the sinks %d times", payload, n)
		}
	}
	s1, s2 := n1.bridge.Stats(), n2.bridge.Stats()
	if s1.Malformed+s2.Malformed < 4 || s1.Duplicates+s2.Duplicates < 5 {
		t.Errorf("stats %+v %+v", s1, s2)
	}

	// Hoist's command reaches the device subscribed to it.
	var in inbox
	subscribe(t, dev, topic.DeviceCommandFilter(p, "d"), &in)
	cmd := topic.CommandTopic(p, "d", "reboot", topic.EncodingPlain, "r9", time.Time{})
	if err := n1.bridge.Publish(context.Background(), cmd, []byte("now")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the command", func() bool { return len(in.list()) == 1 })
	if got := in.list()[0]; got != cmd+" now" {
		t.Fatalf("device got %q", got)
	}
}

// With a shared subscription each message reaches one node of the group,
// even when the nodes do not share a dedupe store.
func TestExternalBridgeSharedSubscription(t *testing.T) {
	url := testBrokerURL(t)
	group := randomName("g")
	n1 := mustExternal(t, External{URL: url, Shared: true, ShareGroup: group}, kv.NewMemory(nil))
	n2 := mustExternal(t, External{URL: url, Shared: true, ShareGroup: group}, kv.NewMemory(nil))
	p := randomName("p")
	dev := anonymous(t, url)
	for i := range 20 {
		publish(t, dev, fmt.Sprintf("update_status/%s/d%d/m", p, i), 1, fmt.Sprintf(`{"i":%d}`, i))
	}
	got := func() int { return len(n1.sink.snapshot()) + len(n2.sink.snapshot()) }
	waitFor(t, "20 messages", func() bool { return got() >= 20 })
	time.Sleep(200 * time.Millisecond)
	if got() != 20 {
		t.Fatalf("%d + %d deliveries, want 20 in all", len(n1.sink.snapshot()), len(n2.sink.snapshot()))
	}
}

// The bridge reconnects and resubscribes after its broker restarts (without
// persistence, so the session is gone): messages sent after the restart
// are recorded, and publishing works again.
func TestExternalBridgeSurvivesBrokerRestart(t *testing.T) {
	if _, err := exec.LookPath("mosquitto"); err != nil {
		t.Skip("mosquitto not installed")
	}
	ln := mustListen(t)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	conf := filepath.Join(t.TempDir(), "mosquitto.conf")
	body := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n", port)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	var broker *exec.Cmd
	start := func() {
		broker = exec.Command("mosquitto", "-c", conf)
		if err := broker.Start(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "mosquitto to listen", func() bool {
			c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
			if err == nil {
				c.Close()
			}
			return err == nil
		})
	}
	kill := func() {
		broker.Process.Kill()
		broker.Wait()
	}
	start()
	t.Cleanup(kill)
	url := fmt.Sprintf("tcp://127.0.0.1:%d", port)

	n := mustExternal(t, External{URL: url, Shared: true}, kv.NewMemory(nil))
	dev := anonymous(t, url)
	publish(t, dev, "update_status/p/d/before", 1, `{"when":"before"}`)
	waitFor(t, "the message before the restart", func() bool { return n.sink.has(`{"when":"before"}`) })

	kill()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := n.bridge.Publish(ctx, "cmd/p/d/x/plain/r", nil); err == nil {
		t.Error("publish succeeded with the broker down")
	}
	start()
	waitFor(t, "the bridge to resubscribe", func() bool { return n.subscriptions() >= 2 })
	dev = anonymous(t, url)
	publish(t, dev, "update_status/p/d/after", 1, `{"when":"after"}`)
	waitFor(t, "the message after the restart", func() bool { return n.sink.has(`{"when":"after"}`) })
	var in inbox
	subscribe(t, dev, "cmd/p/d/#", &in)
	if err := n.bridge.Publish(context.Background(), "cmd/p/d/x/plain/r", []byte("again")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the command after the restart", func() bool { return slices.Contains(in.list(), "cmd/p/d/x/plain/r again") })
}

// The bridge starts even when the broker is down, and connects when it
// comes up; Run returns promptly when stopped while still trying.
func TestExternalBridgeStopsWhileConnecting(t *testing.T) {
	ln := mustListen(t)
	url := "tcp://" + ln.Addr().String()
	ln.Close() // nobody listens
	br := NewExternalBridge(External{URL: url, ClientID: randomName("hoist-test-")},
		BridgeOptions{Sink: &recordingSink{}, KV: kv.NewMemory(nil), Log: discardLog()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- br.Run(ctx) }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
}
