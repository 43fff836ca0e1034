package mqtt

import (
	"context"
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
			time.Sleep(20 * time.Millisecond)
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
