package mqtt

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/hoist-ota/hoist/internal/mqtt/topic"

	"github.com/hoist-ota/hoist/internal/testwait"
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

// externalNode is a running bridge on an external broker.
type externalNode struct {
	bridge *Bridge
	sink   *recordingSink
	stop   func()
}

func (n *externalNode) subscriptions() int64 { return n.bridge.tr.(*external).subscriptions.Load() }

// mustExternal runs a bridge on url until cleanup, then removes its
// persistent session from the broker.
func mustExternal(tb testing.TB, e External) *externalNode {
	tb.Helper()
	if e.ClientID == "" {
		e.ClientID = randomName("hoist-test-")
	}
	if e.ShareGroup == "" { // presence topics of other runs stay apart
		e.ShareGroup = randomName("g")
	}
	e.ReconnectMax = 200 * time.Millisecond
	if e.AdoptAfter == 0 {
		e.AdoptAfter = 300 * time.Millisecond
	}
	sink := &recordingSink{}
	br := NewExternalBridge(e, BridgeOptions{Sink: sink, Log: discardLog()})
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
		// Leave no persistent session and no presence behind on a shared
		// broker.
		if c, err := connect(tb, clientOpts(e.URL, e.ClientID, e.Username, e.Password).SetCleanSession(true)); err == nil {
			c.Publish(br.tr.(*external).presenceTopic(e.ClientID), 1, true, []byte{}).WaitTimeout(5 * time.Second)
			c.Disconnect(250)
		}
	}
	tb.Cleanup(n.stop)
	testwait.For(tb, "the bridge to subscribe", func() bool { return n.subscriptions() > 0 })
	return n
}

// anonymous connects a plain client (the test brokers allow anonymous
// clients: they stand for devices).
func anonymous(tb testing.TB, url string) paho.Client {
	tb.Helper()
	return mustConnect(tb, clientOpts(url, randomName("dev-"), "", "").SetCleanSession(true))
}

// Two nodes without a shared subscription both receive every message (the
// database dedupe makes each count once); malformed messages are counted,
// and Hoist's commands reach devices.
func TestExternalBridgeEveryNodeWithoutSharing(t *testing.T) {
	url := testBrokerURL(t)
	n1 := mustExternal(t, External{URL: url, Shared: false})
	n2 := mustExternal(t, External{URL: url, Shared: false})
	p := randomName("p")
	dev := anonymous(t, url)
	publish(t, dev, "update_status/"+p+"/d/m1", 1, `{"n":1}`)
	publish(t, dev, "update_ota_status/"+p+"/d/m2", 1, `{"progress":10}`)
	publish(t, dev, "cmd_resp/"+p+"/d/reboot/r1/m3", 1, "ok")
	publish(t, dev, "update_status/"+p+"/d/bad id", 1, `{}`)
	publish(t, dev, "update_status/"+p+"/d/m4", 1, "not json")
	publish(t, dev, "update_status/"+p+"/d/m5", 1, `{"n":5}`)
	for _, n := range []*externalNode{n1, n2} {
		testwait.For(t, "every message", func() bool {
			return n.sink.count(`{"n":5}`) == 1 && n.sink.count(`{"n":1}`) == 1 && n.sink.count(`{"progress":10}`) == 1 && n.sink.count("ok") == 1
		})
		testwait.For(t, "the malformed ones", func() bool { return n.bridge.Stats().Malformed == 2 })
	}

	// Hoist's command reaches the device subscribed to it.
	var in inbox
	subscribe(t, dev, topic.DeviceCommandFilter(p, "d"), &in)
	cmd := topic.CommandTopic(p, "d", "reboot", topic.EncodingPlain, "r9", time.Time{})
	if err := n1.bridge.Publish(context.Background(), cmd, []byte("now")); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "the command", func() bool { return len(in.list()) == 1 })
	if got := in.list()[0]; got != cmd+" now" {
		t.Fatalf("device got %q", got)
	}
}

// With a shared subscription each message reaches one node of the group.
func TestExternalBridgeSharedSubscription(t *testing.T) {
	url := testBrokerURL(t)
	group := randomName("g")
	n1 := mustExternal(t, External{URL: url, Shared: true, ShareGroup: group})
	n2 := mustExternal(t, External{URL: url, Shared: true, ShareGroup: group})
	p := randomName("p")
	dev := anonymous(t, url)
	for i := range 20 {
		publish(t, dev, fmt.Sprintf("update_status/%s/d%d/m", p, i), 1, fmt.Sprintf(`{"i":%d}`, i))
	}
	got := func() int { return len(n1.sink.snapshot()) + len(n2.sink.snapshot()) }
	testwait.For(t, "20 messages", func() bool { return got() >= 20 })
	// Markers sent after them until each node got one prove that nothing
	// else is on its way (a subscriber gets its messages in order).
	markers := func(n *externalNode) int {
		k := 0
		for _, c := range n.sink.snapshot() {
			if strings.HasPrefix(c.Payload, `{"marker"`) {
				k++
			}
		}
		return k
	}
	for i := 0; markers(n1) == 0 || markers(n2) == 0; i++ {
		if i == 50 {
			t.Fatal("the markers did not reach both nodes")
		}
		publish(t, dev, fmt.Sprintf("update_status/%s/marker/m%d", p, i), 1, fmt.Sprintf(`{"marker":%d}`, i))
		time.Sleep(20 * time.Millisecond) // deliberate pacing of a real client (spreads the markers over both shares); the loop condition is the proof
	}
	if n := got() - markers(n1) - markers(n2); n != 20 {
		t.Fatalf("%d deliveries of the 20 messages", n)
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
		testwait.For(t, "mosquitto to listen", func() bool {
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

	n := mustExternal(t, External{URL: url, Shared: true, ShareGroup: randomName("g")})
	dev := anonymous(t, url)
	publish(t, dev, "update_status/p/d/before", 1, `{"when":"before"}`)
	testwait.For(t, "the message before the restart", func() bool { return n.sink.has(`{"when":"before"}`) })

	kill()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := n.bridge.Publish(ctx, "cmd/p/d/x/plain/r", nil); err == nil {
		t.Error("publish succeeded with the broker down")
	}
	start()
	testwait.For(t, "the bridge to resubscribe", func() bool { return n.subscriptions() >= 2 })
	dev = anonymous(t, url)
	publish(t, dev, "update_status/p/d/after", 1, `{"when":"after"}`)
	testwait.For(t, "the message after the restart", func() bool { return n.sink.has(`{"when":"after"}`) })
	var in inbox
	subscribe(t, dev, "cmd/p/d/#", &in)
	if err := n.bridge.Publish(context.Background(), "cmd/p/d/x/plain/r", []byte("again")); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "the command after the restart", func() bool { return slices.Contains(in.list(), "cmd/p/d/x/plain/r again") })
}

// The bridge starts even when the broker is down, and connects when it
// comes up; Run returns promptly when stopped while still trying.
func TestExternalBridgeStopsWhileConnecting(t *testing.T) {
	// A "broker" that hangs up on every connection: the bridge cannot
	// connect, and each attempt it makes is seen here.
	ln := mustListen(t)
	url := "tcp://" + ln.Addr().String()
	attempts := make(chan struct{}, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
			select {
			case attempts <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() { ln.Close() })
	br := NewExternalBridge(External{URL: url, ClientID: randomName("hoist-test-")},
		BridgeOptions{Sink: &recordingSink{}, Log: discardLog()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- br.Run(ctx) }()
	select { // stop it while it is trying
	case <-attempts:
	case <-time.After(10 * time.Second):
		t.Fatal("the bridge never tried to connect")
	}
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
