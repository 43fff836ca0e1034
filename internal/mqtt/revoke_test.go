package mqtt

import (
	"context"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/hoist-ota/hoist/internal/device"
)

// A device whose credentials or permissions are taken away loses its live
// connection, not only its next login; other devices stay connected.
func TestRevokedDevicesAreDisconnected(t *testing.T) {
	f := mustFleet(t)
	e := mustEmbedded(t, f, nil)
	f.devices.OnRevoke(func(product, dev string) { e.broker.Disconnect(product, dev) })
	ctx := context.Background()

	secrets := map[string]string{"a": f.mustDevice(t, "a", "beta"), "b": f.mustDevice(t, "b"), "c": f.mustDevice(t, "c")}
	clients := map[string]paho.Client{}
	for name, sec := range secrets {
		clients[name] = mustDeviceClient(t, e.tcpURL, name, sec)
	}
	gone := func(name string) bool {
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if !clients[name].IsConnectionOpen() {
				return true
			}
			time.Sleep(20 * time.Millisecond) // poll interval of a condition wait
		}
		return false
	}

	// Removing a tag ends the connection (its tag subscriptions must go).
	empty := []string{}
	if _, err := f.devices.UpdateDevice(ctx, f.owner, "thermo", "a", device.DevicePatch{Tags: &empty}); err != nil {
		t.Fatal(err)
	}
	if !gone("a") {
		t.Fatal("device a kept its connection after losing a tag")
	}
	if _, err := f.devices.RotateSecret(ctx, f.owner, "thermo", "b"); err != nil {
		t.Fatal(err)
	}
	if !gone("b") {
		t.Fatal("device b kept its connection after its secret was rotated")
	}
	if _, err := connect(t, clientOpts(e.tcpURL, "thermo/b", "thermo/b", secrets["b"])); err == nil {
		t.Fatal("the old secret still connects")
	}
	if !clients["c"].IsConnectionOpen() {
		t.Fatal("an unrelated device was disconnected")
	}
	if err := f.devices.DeleteDevice(ctx, f.owner, "thermo", "c"); err != nil {
		t.Fatal(err)
	}
	if !gone("c") {
		t.Fatal("a deleted device kept its connection")
	}
}

// A device whose secret is rotated, or that is deleted, loses the
// persistent session the broker keeps for it: it starts afresh with its
// new secret, and nothing queued for the old credentials reaches it.
func TestRevokedDevicesLoseTheirSessions(t *testing.T) {
	f := mustFleet(t)
	e := mustEmbedded(t, f, nil)
	f.devices.OnRevoke(func(product, dev string) { e.broker.Disconnect(product, dev) })
	ctx := context.Background()
	persistent := func(id, secret string) (paho.Client, bool) {
		opts := clientOpts(e.tcpURL, id, "thermo/"+strings.SplitN(id, "/", 3)[1], secret).SetCleanSession(false)
		c := paho.NewClient(opts)
		tok := c.Connect()
		if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			t.Fatalf("connect %s: %v", id, tok.Error())
		}
		t.Cleanup(func() { c.Disconnect(0) })
		return c, tok.(*paho.ConnectToken).SessionPresent()
	}
	held := func(id string) bool { _, ok := e.broker.srv.Clients.Get(id); return ok }

	secret := f.mustDevice(t, "a")
	c, _ := persistent("thermo/a", secret)
	subscribe(t, c, "cmd/thermo/a/#", &inbox{})
	c.Disconnect(0)
	if _, present := persistent("thermo/a", secret); !present {
		t.Fatal("the broker kept no session: the test proves nothing")
	}
	rotated, err := f.devices.RotateSecret(ctx, f.owner, "thermo", "a")
	if err != nil {
		t.Fatal(err)
	}
	if held("thermo/a") {
		t.Fatal("the session of a rotated device is still held")
	}
	if _, present := persistent("thermo/a", rotated.Secret); present {
		t.Error("the device with its new secret inherited the old session")
	}

	// Sessions of other client ids of a deleted device go too, and only its.
	secB := f.mustDevice(t, "b")
	secC := f.mustDevice(t, "c")
	b, _ := persistent("thermo/b/esp32", secB)
	b.Disconnect(0)
	persistent("thermo/c", secC)
	if !held("thermo/b/esp32") {
		t.Fatal("no session for thermo/b/esp32")
	}
	if err := f.devices.DeleteDevice(ctx, f.owner, "thermo", "b"); err != nil {
		t.Fatal(err)
	}
	if held("thermo/b/esp32") {
		t.Error("the session of a deleted device is still held")
	}
	if !held("thermo/c") {
		t.Error("an unrelated device lost its session")
	}
}
