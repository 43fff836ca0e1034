package mqtt

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/hoist-ota/hoist/internal/device"
	"github.com/hoist-ota/hoist/internal/mqtt/topic"

	"github.com/hoist-ota/hoist/internal/testwait"
)

func isRefusal(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "bad user name or password") || strings.Contains(err.Error(), "not Authorized"))
}

// Devices get in with their secret and a client id of their own, over TCP
// and WebSocket alike; everyone else gets a CONNACK refusal.
func TestBrokerAuthenticatesDevices(t *testing.T) {
	f := mustFleet(t)
	secret := f.mustDevice(t, "a")
	secretA2 := f.mustDevice(t, "a2")
	s := mustEmbedded(t, f, nil)
	// a2 holds its client id, which also starts with "thermo/a".
	mustConnect(t, clientOpts(s.tcpURL, "thermo/a2", "thermo/a2", secretA2))
	for _, url := range []string{s.tcpURL, s.wsURL} {
		refused := []struct{ name, clientID, username, password string }{
			{"wrong secret", "thermo/a", "thermo/a", secret + "x"},
			{"no secret", "thermo/a", "thermo/a", ""},
			{"unknown device", "thermo/zz", "thermo/zz", secret},
			{"no product", "a", "a", secret},
			{"client id of another device", "thermo/b", "thermo/a", secret},
			{"client id held by another device", "thermo/a2", "thermo/a", secret},
			{"client id extending the name", "thermo/a-sim", "thermo/a", secret},
			{"client id of a longer name", "thermo/a2/x", "thermo/a", secret},
			{"client id of another product", "other/a", "thermo/a", secret},
			{"empty client id", "", "thermo/a", secret},
			{"wildcard username", "thermo/+", "thermo/+", secret},
		}
		for _, r := range refused {
			opts := clientOpts(url, r.clientID, r.username, r.password)
			if r.clientID == "" {
				opts.SetCleanSession(true)
			}
			if _, err := connect(t, opts); !isRefusal(err) {
				t.Errorf("%s %s: want a refusal, got %v", url, r.name, err)
			}
		}
		for _, id := range []string{"thermo/a", "thermo/a/esp32"} {
			c := mustConnect(t, clientOpts(url, id, "thermo/a", secret))
			c.Disconnect(0)
		}
	}
	if d := s.broker.Denials(); d.Connect != 22 {
		t.Errorf("denials: %+v", d)
	}
	for _, line := range strings.Split(s.logs.String(), "\n") {
		if strings.Contains(line, "refused") {
			t.Errorf("refusal logged at info or above: %s", line)
		}
	}
}

// A Will is published without the publish ACL, so a foreign Will topic is
// refused at CONNECT.
func TestWillTopicCheckedAtConnect(t *testing.T) {
	f := mustFleet(t)
	secret := f.mustDevice(t, "a")
	f.mustDevice(t, "b")
	s := mustEmbedded(t, f, nil)
	for _, will := range []string{"update_status/thermo/b/m1", "cmd/thermo/a/x/plain/r1", "#", "$SYS/x"} {
		opts := clientOpts(s.tcpURL, "thermo/a", "thermo/a", secret).SetWill(will, "{}", 1, false)
		if _, err := connect(t, opts); !isRefusal(err) {
			t.Errorf("will %s: want a refusal, got %v", will, err)
		}
	}
	if d := s.broker.Denials(); d.Will != 4 {
		t.Errorf("denials: %+v", d)
	}
	// Its own status topic is fine, and the Will reaches the bridge.
	opts := clientOpts(s.tcpURL, "thermo/a", "thermo/a", secret).SetWill("update_status/thermo/a/will-1", `{"online":false}`, 1, true)
	mustConnect(t, opts)
	// Drop the connection without DISCONNECT, so that the broker sends the Will.
	cl, ok := s.broker.srv.Clients.Get("thermo/a")
	if !ok {
		t.Fatal("client not found")
	}
	cl.Net.Conn.Close()
	testwait.For(t, "the will", func() bool { return s.sink.has(`{"online":false}`) })
	if n := len(s.broker.srv.Topics.Messages("update_status/#")); n != 0 {
		t.Errorf("a retained will was kept: %d", n)
	}
}

// A device publishes only its own device → server topics and subscribes
// only to its own command topics; denied messages reach nobody.
func TestDeviceIsConfinedToItsTopics(t *testing.T) {
	f := mustFleet(t)
	secA, secB := f.mustDevice(t, "a"), f.mustDevice(t, "b")
	s := mustEmbedded(t, f, nil)
	// a handles its messages in order, so that a marker proves what came before it.
	a := mustConnect(t, clientOpts(s.tcpURL, "thermo/a", "thermo/a", secA).SetOrderMatters(true))
	b := mustDeviceClient(t, s.tcpURL, "b", secB)

	var inA inbox
	for _, filter := range []string{"#", "+/thermo/a/#", "cmd/thermo/+/#", "cmd/thermo/b/#", "update_status/thermo/a/+", "$SYS/#", "tags/thermo/x/cmd/#"} {
		if code := subscribe(t, a, filter, &inA); code != 0x80 {
			t.Errorf("a subscribing to %s: SUBACK %#x, want 0x80", filter, code)
		}
	}
	if code := subscribe(t, a, "cmd/thermo/a/#", &inA); code != 1 {
		t.Fatalf("a's own commands: SUBACK %#x", code)
	}

	// b speaks for a (QoS 0: denied silently; QoS 1 would close b's connection).
	publish(t, b, "update_status/thermo/a/m1", 0, `{"spoofed":1}`)
	publish(t, b, "cmd/thermo/a/reboot/plain/r1", 0, "spoofed command")
	publish(t, b, "update_ota_status/thermo/a/m2", 0, `{"spoofed":2}`)
	publish(t, b, "anything/else", 0, `{"spoofed":3}`)
	// Then for itself, on the same connection: this one arrives, after them.
	publish(t, b, "update_status/thermo/b/m3", 1, `{"own":1}`)
	// The broker handles b's packets in order: its own status at the sink
	// means the spoofed ones were decided before it.
	testwait.For(t, "b's own status", func() bool { return s.sink.has(`{"own":1}`) })
	// A marker for a, published after that: a spoofed command routed to a
	// would have reached a before it.
	marker := "cmd/thermo/a/marker/plain/m0"
	if err := s.bridge.Publish(context.Background(), marker, []byte("marker")); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "a's marker", func() bool { return slices.Contains(inA.list(), marker+" marker") })
	for _, c := range s.sink.snapshot() {
		if strings.Contains(c.Payload, "spoofed") {
			t.Errorf("spoofed message reached the sink: %+v", c)
		}
	}
	// (paho hands a message to every handler whose filter matches, granted
	// or not, so the marker may be there more than once.)
	if got := slices.DeleteFunc(inA.list(), func(m string) bool { return m == marker+" marker" }); len(got) != 0 {
		t.Errorf("a received %v", got)
	}
	if d := s.broker.Denials(); d.Publish != 4 || d.Subscribe != 7 {
		t.Errorf("denials: %+v", d)
	}
}

// A command published by Hoist reaches its device only; a tag command
// reaches exactly the devices that hold the tag when they subscribe.
func TestCommandsReachOnlyTheirDevices(t *testing.T) {
	f := mustFleet(t)
	secrets := map[string]string{
		"a": f.mustDevice(t, "a", "red"),
		"b": f.mustDevice(t, "b", "red", "blue"),
		"c": f.mustDevice(t, "c", "blue"),
	}
	s := mustEmbedded(t, f, nil)
	clients, inboxes := map[string]paho.Client{}, map[string]*inbox{}
	for _, name := range []string{"a", "b", "c"} {
		// In order, so that a last marker proves what came before it.
		clients[name] = mustConnect(t, clientOpts(s.tcpURL, "thermo/"+name, "thermo/"+name, secrets[name]).SetOrderMatters(true))
		inboxes[name] = &inbox{}
		if code := subscribe(t, clients[name], topic.DeviceCommandFilter("thermo", name), inboxes[name]); code != 1 {
			t.Fatalf("%s: SUBACK %#x", name, code)
		}
	}
	for name, want := range map[string]byte{"a": 1, "b": 1, "c": 0x80} {
		in := inboxes[name]
		if want == 0x80 {
			in = &inbox{} // paho routes by its own filters, granted or not
		}
		if code := subscribe(t, clients[name], topic.TagCommandFilter("thermo", "red"), in); code != want {
			t.Fatalf("%s subscribing to red: SUBACK %#x, want %#x", name, code, want)
		}
	}
	// Tags are read when the device subscribes: c gains red, then may.
	red := []string{"blue", "red"}
	if _, err := f.devices.UpdateDevice(context.Background(), f.owner, "thermo", "c", device.DevicePatch{Tags: &red}); err != nil {
		t.Fatal(err)
	}
	if code := subscribe(t, clients["c"], "tags/thermo/red/cmd/reboot/#", inboxes["c"]); code != 1 {
		t.Fatalf("c after gaining red: SUBACK %#x", code)
	}

	ctx := context.Background()
	cmdA := topic.CommandTopic("thermo", "a", "reboot", topic.EncodingPlain, "r1", time.Time{})
	if err := s.bridge.Publish(ctx, cmdA, []byte("for a")); err != nil {
		t.Fatal(err)
	}
	tagRed := topic.TagCommandTopic("thermo", "red", "reboot", topic.EncodingPlain, "r2", time.Unix(1900000000, 0))
	if err := s.bridge.Publish(ctx, tagRed, []byte("for red")); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"a": {cmdA + " for a", tagRed + " for red"},
		"b": {tagRed + " for red"},
		"c": {tagRed + " for red"},
	}
	// A last command to each device: once it arrived, so did every command
	// published before it (one broker queue per client, handled in order).
	for name := range want {
		marker := topic.CommandTopic("thermo", name, "marker", topic.EncodingPlain, "m", time.Time{})
		if err := s.bridge.Publish(ctx, marker, []byte("marker")); err != nil {
			t.Fatal(err)
		}
		testwait.For(t, name+"'s marker", func() bool { return slices.Contains(inboxes[name].list(), marker+" marker") })
	}
	for name, msgs := range want {
		got := slices.DeleteFunc(inboxes[name].list(), func(m string) bool { return strings.HasSuffix(m, " marker") })
		slices.Sort(got)
		slices.Sort(msgs)
		if !slices.Equal(got, msgs) {
			t.Errorf("%s received %q, want %q", name, got, msgs)
		}
	}
	if err := s.bridge.Publish(ctx, "cmd/thermo/+/x", nil); err == nil {
		t.Error("published to a wildcard topic")
	}
}

// Devices may not leave retained messages: the flag is stripped, the
// message still arrives.
func TestDeviceRetainIsStripped(t *testing.T) {
	f := mustFleet(t)
	secret := f.mustDevice(t, "a")
	s := mustEmbedded(t, f, nil)
	c := mustDeviceClient(t, s.tcpURL, "a", secret)
	tok := c.Publish("update_status/thermo/a/m1", 1, true, `{"retained":true}`)
	if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	testwait.For(t, "the status", func() bool { return s.sink.has(`{"retained":true}`) })
	if n := len(s.broker.srv.Topics.Messages("update_status/#")); n != 0 {
		t.Fatalf("%d retained messages kept", n)
	}
}

// Connecting records the device online with its address; disconnecting
// records it offline, unless another connection took the session over.
func TestOnlineAndOffline(t *testing.T) {
	f := mustFleet(t)
	secret := f.mustDevice(t, "a")
	s := mustEmbedded(t, f, nil)
	seen := watchSessions(t, s.broker)
	c := mustDeviceClient(t, s.tcpURL, "a", secret)
	testwait.For(t, "online", func() bool { return f.mustLookup(t, "a").Online })
	if d := f.mustLookup(t, "a"); d.LastIP != "127.0.0.1" || d.LastSeenAt == nil {
		t.Fatalf("online record: %+v", d)
	}
	c.Disconnect(0)
	testwait.For(t, "offline", func() bool { return !f.mustLookup(t, "a").Online })

	// Two connections of one device: it stays online until both are gone.
	c1 := mustConnect(t, clientOpts(s.tcpURL, "thermo/a/1", "thermo/a", secret))
	c2 := mustConnect(t, clientOpts(s.tcpURL, "thermo/a/2", "thermo/a", secret))
	testwait.For(t, "online", func() bool { return f.mustLookup(t, "a").Online })
	testwait.For(t, "both sessions", func() bool {
		e1, _ := seen.counts("thermo/a/1")
		e2, _ := seen.counts("thermo/a/2")
		return e1 == 1 && e2 == 1
	})
	c1.Disconnect(0)
	testwait.For(t, "the broker to handle c1's disconnect", func() bool { _, ended := seen.counts("thermo/a/1"); return ended == 1 })
	if !f.mustLookup(t, "a").Online {
		t.Fatal("offline while a connection remains")
	}
	// A takeover (same client id) keeps it online.
	c3 := mustConnect(t, clientOpts(s.tcpURL, "thermo/a/2", "thermo/a", secret))
	testwait.For(t, "the old session to end", func() bool { return !c2.IsConnectionOpen() })
	testwait.For(t, "the broker to handle the takeover", func() bool {
		established, ended := seen.counts("thermo/a/2")
		return established == 2 && ended == 1
	})
	if !f.mustLookup(t, "a").Online {
		t.Fatal("offline after a takeover")
	}
	c3.Disconnect(0)
	testwait.For(t, "offline", func() bool { return !f.mustLookup(t, "a").Online })
}

// A status report of a connected device records it online when the
// connection's own record was lost (here: overwritten by a stale offline).
func TestStatusReportCountsAsOnline(t *testing.T) {
	f := mustFleet(t)
	secret := f.mustDevice(t, "a")
	s := mustEmbedded(t, f, nil)
	c := mustDeviceClient(t, s.tcpURL, "a", secret)
	testwait.For(t, "online", func() bool { return f.mustLookup(t, "a").Online })
	// Simulate a lost online record.
	if err := f.devices.MarkOffline(context.Background(), "thermo", "a", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	s.broker.hook.mu.RLock()
	s.broker.hook.live["thermo/a"].online.Store(false)
	s.broker.hook.mu.RUnlock()
	publish(t, c, "update_status/thermo/a/m1", 1, `{"v":1}`)
	testwait.For(t, "online again", func() bool { return f.mustLookup(t, "a").Online })
}

// With a certificate, the TCP listener speaks MQTT over TLS and the
// WebSocket listener wss.
func TestBrokerTLS(t *testing.T) {
	f := mustFleet(t)
	secret := f.mustDevice(t, "a")
	cert, pool := mustCert(t)
	s := mustEmbedded(t, f, func(o *BrokerOptions, _ *BridgeOptions) {
		o.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	})
	wss := strings.Replace(s.wsURL, "ws://", "wss://", 1)
	for _, url := range []string{s.tcpURL, wss} {
		opts := clientOpts(url, "thermo/a", "thermo/a", secret).SetTLSConfig(&tls.Config{RootCAs: pool, ServerName: "localhost"})
		c := mustConnect(t, opts)
		c.Disconnect(0)
	}
	plain := strings.Replace(s.tcpURL, "ssl://", "tcp://", 1)
	opts := clientOpts(plain, "thermo/a", "thermo/a", secret).SetConnectTimeout(time.Second)
	if _, err := connect(t, opts); err == nil {
		t.Fatal("plain MQTT accepted on the TLS listener")
	}
}

func TestWebSocketIsServedOnlyAtMQTTPath(t *testing.T) {
	s := mustEmbedded(t, mustFleet(t), nil)
	other := strings.Replace(s.wsURL, WSPath, "/other", 1)
	_, err := connect(t, clientOpts(other, "x", "", ""))
	if err == nil || isRefusal(err) {
		t.Fatalf("want a WebSocket handshake failure on /other, got %v", err)
	}
}

// mustCert returns a self-signed certificate for localhost and a pool
// trusting it.
func mustCert(tb testing.TB) (tls.Certificate, *x509.CertPool) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	parsed, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(parsed)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}
