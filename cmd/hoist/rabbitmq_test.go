package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/hoist-ota/hoist/internal/devicesim"
)

const rabbitHookSecret = "rabbit-hook-secret-0123456789"

// TestServeWithRabbitMQ runs `hoist serve` in mqtt.mode rabbitmq against a
// private RabbitMQ node whose MQTT plugin authenticates devices through
// Hoist's hooks: simulated devices connect with their secrets, a wrong
// secret and another device's topics are refused, an OTA campaign reaches
// every device, and every report RabbitMQ acknowledged is in the history.
func TestServeWithRabbitMQ(t *testing.T) {
	rabbitServer(t)
	data := filepath.Join(t.TempDir(), "data")
	httpAddr := fmt.Sprintf("127.0.0.1:%d", loopbackPort(t))
	base := "http://" + httpAddr
	node := newRabbitNode(t, 0, base, rabbitHookSecret)
	started := time.Now()
	node.start(t)
	t.Logf("RabbitMQ node up in %s", time.Since(started).Round(100*time.Millisecond))
	env := baseEnv(t, "HOIST_DATA_DIR="+data, "HOIST_HTTP_ADDR="+httpAddr, "HOIST_PUBLIC_BASE_URL="+base,
		"HOIST_MQTT_MODE=rabbitmq", fmt.Sprintf("HOIST_MQTT_URL=amqp://127.0.0.1:%d/", node.amqp),
		"HOIST_MQTT_USERNAME=hoist", "HOIST_MQTT_PASSWORD=hoist-amqp-password", "HOIST_MQTT_CLIENT_ID=hoist-e2e",
		"HOIST_MQTT_HOOK_SECRET="+rabbitHookSecret, "HOIST_AUTH_CAPTCHA=off", "HOIST_AUTH_REGISTRATION=open",
		"HOIST_JWT_SECRET=rabbitmq-e2e-secret-0123456789abcdef")
	p := startServe(t, env)
	waitReady(t, base, p)

	owner := mustFleetOwner(t, base)
	tok := struct{ Token string }{owner.Token}
	ctx := context.Background()
	creds, err := createSimDevices(ctx, base, tok.Token, "meter", "blue", 3)
	if err != nil {
		t.Fatal(err)
	}
	broker := fmt.Sprintf("tcp://127.0.0.1:%d", node.mqtt)

	// Refusals: a wrong secret, and another device's command topic.
	bad := creds[0]
	bad.Secret = "wrong"
	if err := mqttConnect(broker, bad, "/probe"); err == nil {
		t.Fatal("a wrong device secret was accepted by RabbitMQ")
	}
	// MQTT over WebSocket (rabbitmq_web_mqtt, path /ws), as browsers and
	// mini-programs connect.
	ws := fmt.Sprintf("ws://127.0.0.1:%d/ws", node.ws)
	if err := mqttConnect(ws, creds[2], "/ws"); err != nil {
		t.Fatalf("device over WebSocket: %v", err)
	}
	if err := mqttConnect(ws, bad, "/ws"); err == nil {
		t.Fatal("a wrong device secret was accepted over WebSocket")
	}
	// The same with MQTT.js, the client browsers and mini-programs use: its
	// status report reaches Hoist.
	runMQTTJS(t, ws, creds[1], "")
	runMQTTJS(t, ws, bad, "refused")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var d struct{ LastStatus json.RawMessage }
		code := apiCall(t, base, "GET", "/api/v1/products/meter/devices/"+creds[1].Name, tok.Token, nil, &d)
		if code == 200 && strings.Contains(string(d.LastStatus), "mqttjs") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the MQTT.js device's status never reached Hoist: HTTP %d %s", code, d.LastStatus)
		}
	}
	c := paho.NewClient(paho.NewClientOptions().AddBroker(broker).SetClientID(creds[0].Product + "/" + creds[0].Name + "/probe").
		SetUsername(creds[0].Product + "/" + creds[0].Name).SetPassword(creds[0].Secret).SetProtocolVersion(4).SetConnectTimeout(10 * time.Second))
	if tok := c.Connect(); !tok.WaitTimeout(15*time.Second) || tok.Error() != nil {
		t.Fatalf("device with its own secret: %v", tok.Error())
	}
	// RabbitMQ 3.10 answers a refused subscription with the SUBACK failure
	// code 0x80 or by closing the connection: either is a refusal.
	sub := c.Subscribe("cmd/meter/"+creds[1].Name+"/#", 1, nil)
	if !sub.WaitTimeout(15*time.Second) && c.IsConnectionOpen() {
		t.Fatal("no SUBACK for another device's command topic")
	}
	if st, ok := sub.(*paho.SubscribeToken); ok && sub.Error() == nil && c.IsConnectionOpen() {
		for f, code := range st.Result() {
			if code < 0x80 {
				t.Fatalf("subscription to another device's %s granted (QoS %d)", f, code)
			}
		}
	}
	t.Logf("another device's command topic: SUBACK %v, connection open %v", sub.(*paho.SubscribeToken).Result(), c.IsConnectionOpen())
	c.Disconnect(100)
	// A publish on another device's topic: RabbitMQ closes the connection.
	c = paho.NewClient(paho.NewClientOptions().AddBroker(broker).SetClientID(creds[0].Product + "/" + creds[0].Name + "/probe").
		SetUsername(creds[0].Product + "/" + creds[0].Name).SetPassword(creds[0].Secret).SetProtocolVersion(4).SetConnectTimeout(10 * time.Second))
	if tok := c.Connect(); !tok.WaitTimeout(15*time.Second) || tok.Error() != nil {
		t.Fatalf("device with its own secret: %v", tok.Error())
	}
	c.Publish("update_status/meter/"+creds[1].Name+"/forged", 1, false, `{"forged":true}`)
	for deadline := time.Now().Add(15 * time.Second); c.IsConnectionOpen(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a publish on another device's topic did not close the connection")
		}
	}
	c.Disconnect(100)

	// A campaign through RabbitMQ.
	res := struct{ ID string }{owner.mustFirmware(t, base)}
	sim := devicesim.New(devicesim.Options{Broker: broker, Devices: creds, Firmware: "1.0.0"})
	if err := sim.Start(ctx); err != nil {
		t.Fatalf("devices through RabbitMQ: %v", err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		sim.Stop(sctx)
	}()
	var camp struct{ ID string }
	if code := apiCall(t, base, "POST", "/api/v1/ota/campaigns", tok.Token, map[string]any{"resourceId": res.ID, "product": "meter",
		"target": map[string]any{"tag": "blue"}, "ttlSeconds": 3600}, &camp); code != 201 {
		t.Fatalf("campaign: HTTP %d", code)
	}
	var counts map[string]int64
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(300 * time.Millisecond) {
		var c struct {
			Counts map[string]int64
			Status string
		}
		apiCall(t, base, "GET", "/api/v1/ota/campaigns/"+camp.ID, tok.Token, nil, &c)
		counts = c.Counts
		if c.Status == "completed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("campaign not completed: %+v\n%s", c, p.log())
		}
	}
	if counts["succeeded"] != int64(len(creds)) {
		t.Fatalf("counts %v, want %d succeeded", counts, len(creds))
	}

	// Every acknowledged report is in the history.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "hoist.db")+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	acked := sim.Acked()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(300 * time.Millisecond) {
		lost := missingReports(t, db, camp.ID, acked)
		if len(lost) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged reports are not in the history: %v", len(lost), len(acked), lost)
		}
	}
	if len(acked) < 3*len(creds) {
		t.Fatalf("only %d reports acknowledged", len(acked))
	}
	t.Logf("campaign of %d devices through RabbitMQ: %v, %d acknowledged reports all recorded", len(creds), counts, len(acked))
}

// waitReady waits for /readyz (the bridge consumes from RabbitMQ).
func waitReady(t *testing.T, base string, p *proc) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready within 60 s:\n%s", p.log())
		}
	}
}

// mqttConnect tries one MQTT connection as the device.
func mqttConnect(broker string, d devicesim.Credentials, suffix string) error {
	id := d.Product + "/" + d.Name
	c := paho.NewClient(paho.NewClientOptions().AddBroker(broker).SetClientID(id + suffix).SetUsername(id).SetPassword(d.Secret).
		SetProtocolVersion(4).SetConnectTimeout(10 * time.Second))
	tok := c.Connect()
	if !tok.WaitTimeout(15 * time.Second) {
		return fmt.Errorf("connect timed out")
	}
	if tok.Error() == nil {
		c.Disconnect(100)
	}
	return tok.Error()
}

// missingReports returns the acknowledged OTA reports
// (update_ota_status/{product}/{device}/{messageId}) of the campaign that
// are not in its history.
func missingReports(t *testing.T, db *sql.DB, campaignID string, acked []string) []string {
	t.Helper()
	rows, err := db.Query("SELECT device, message_id FROM ota_history WHERE campaign_id = ?", campaignID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var dev, mid string
		if err := rows.Scan(&dev, &mid); err != nil {
			t.Fatal(err)
		}
		have[dev+"/"+mid] = true
	}
	var lost []string
	for _, a := range acked {
		parts := strings.Split(a, "/")
		if len(parts) == 4 && !have[parts[2]+"/"+parts[3]] {
			lost = append(lost, a)
		}
	}
	return lost
}

// runMQTTJS runs testdata/mqttjs-device.cjs (MQTT.js from web/node_modules)
// as device cred against url; expect "" wants it connected, subscribed and
// its QoS 1 status acknowledged, "refused" wants the connection refused.
// It skips when Node.js or web/node_modules/mqtt is missing (.ci/run
// installs the panel's packages first).
func runMQTTJS(t *testing.T, url string, cred devicesim.Credentials, expect string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node: skipped (Node.js not installed)")
	}
	modules, _ := filepath.Abs("../../web/node_modules")
	if _, err := os.Stat(filepath.Join(modules, "mqtt")); err != nil {
		t.Skip("MQTT.js: skipped (run npm ci in web/)")
	}
	cmd := exec.Command(node, "testdata/mqttjs-device.cjs")
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules, "URL="+url, "PRODUCT="+cred.Product, "DEVICE="+cred.Name,
		"SECRET="+cred.Secret, "EXPECT="+expect)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("MQTT.js device %s (expect %q): %v\n%s", cred.Name, expect, err, out)
	}
}
