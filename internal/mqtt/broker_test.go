package mqtt

import (
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

func mustListen(tb testing.TB) net.Listener {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	return ln
}

func mustBroker(tb testing.TB) (tcpAddr, wsAddr string) {
	tb.Helper()
	tcp, ws := mustListen(tb), mustListen(tb)
	b, err := NewBroker(tcp, ws, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		tb.Fatal(err)
	}
	if err := b.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := b.Close(); err != nil {
			tb.Error(err)
		}
		b.Close() // a second Close is harmless
	})
	return tcp.Addr().String(), ws.Addr().String()
}

// Until devices exist, the embedded broker must refuse every client, over
// TCP and WebSocket alike, with a proper MQTT CONNACK.
func TestBrokerRefusesUnknownClients(t *testing.T) {
	tcpAddr, wsAddr := mustBroker(t)
	for _, url := range []string{"tcp://" + tcpAddr, "ws://" + wsAddr + WSPath} {
		opts := paho.NewClientOptions().AddBroker(url).SetClientID("p1/d1").
			SetUsername("p1/d1").SetPassword("guess").SetProtocolVersion(4).
			SetConnectTimeout(5 * time.Second).SetAutoReconnect(false).SetConnectRetry(false)
		c := paho.NewClient(opts)
		tok := c.Connect()
		if !tok.WaitTimeout(10 * time.Second) {
			t.Fatalf("%s: no CONNACK within 10s", url)
		}
		err := tok.Error()
		if err == nil {
			c.Disconnect(0)
			t.Fatalf("%s: connection accepted", url)
		}
		if !strings.Contains(err.Error(), "bad user name or password") && !strings.Contains(err.Error(), "not Authorized") {
			t.Fatalf("%s: want an MQTT refusal, got %v", url, err)
		}
	}
}

func TestWebSocketIsServedOnlyAtMQTTPath(t *testing.T) {
	_, wsAddr := mustBroker(t)
	opts := paho.NewClientOptions().AddBroker("ws://" + wsAddr + "/other").SetClientID("x").
		SetConnectTimeout(5 * time.Second).SetAutoReconnect(false)
	c := paho.NewClient(opts)
	tok := c.Connect()
	tok.WaitTimeout(10 * time.Second)
	if tok.Error() == nil || strings.Contains(tok.Error().Error(), "bad user name") {
		t.Fatalf("want a WebSocket handshake failure on /other, got %v", tok.Error())
	}
}
