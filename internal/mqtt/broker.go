// Package mqtt adapts MQTT to Hoist: the embedded broker (mochi-mqtt) with
// Hoist's own authentication and ACL (Auth, also behind the external
// brokers' HTTP hooks), and the Bridge that carries device messages to a
// Sink and Hoist's commands to devices, over the embedded broker or an
// external one (paho).
package mqtt

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"

	"github.com/hoist-ota/hoist/internal/device"
)

// Limits of the embedded broker.
const (
	// MaxPacketBytes bounds every packet a client sends.
	MaxPacketBytes = 256 << 10
	// SessionExpiry is how long the broker keeps the session (subscriptions,
	// queued QoS 1 commands) of a disconnected device that asked for a
	// persistent one.
	SessionExpiry = 24 * time.Hour
)

// BrokerOptions are the embedded broker's dependencies. Devices and Log are
// required.
type BrokerOptions struct {
	Devices *device.Service
	// TLS, when not nil, makes the TCP listener speak MQTT over TLS and the
	// WebSocket listener wss.
	TLS *tls.Config
	Log *slog.Logger
	// Now is the clock of online and offline records; nil means time.Now.
	Now func() time.Time
	// Limits bound slow, frequent and guessing clients; the zero value
	// limits nothing.
	Limits Limits
	// TrustedProxies are the IPs or CIDRs (a wss-terminating proxy) whose
	// X-Forwarded-For the WebSocket listener believes for the client's
	// address. Empty: the peer is the client.
	TrustedProxies []string
}

// Broker is the embedded MQTT broker. It admits devices with their secret
// and a matching client id, confines each to its own topics (PROTOCOLS §3),
// records them online and offline, and keeps no retained message from
// them. Hoist's in-process client is its only superuser.
type Broker struct {
	srv       *mochi.Server
	hook      *authHook
	health    *health
	closeOnce sync.Once
}

// clientWritesPending bounds each connected client's outbound queue.
const clientWritesPending = 128

// NewBroker returns a broker serving MQTT on tcp and, when ws is not nil,
// MQTT over WebSocket at path /mqtt on ws. The listeners are already bound
// (so that bind errors surface before anything starts); the broker owns and
// closes them.
func NewBroker(tcp, ws net.Listener, o BrokerOptions) (*Broker, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	caps := mochi.NewDefaultServerCapabilities()
	caps.MaximumPacketSize = MaxPacketBytes
	caps.MaximumSessionExpiryInterval = uint32(SessionExpiry / time.Second)
	// Each client's outbound queue is a channel of this many pointers,
	// allocated at connect: mochi's 8192 cost 64 KiB per connected device.
	// A device receives a command now and then; a full queue drops the
	// packet (a QoS 1 one stays owed and is sent again on reconnect).
	caps.MaximumClientWritesPending = clientWritesPending
	srv := mochi.New(&mochi.Options{
		// mochi logs per client and per packet at info and warn (a denied
		// publish is a warning): those lines are debug for Hoist.
		Logger:       slog.New(demote{o.Log.Handler()}),
		Capabilities: caps,
		InlineClient: true,
	})
	hook := newAuthHook(o.Devices, srv.Clients, o.Log, o.Now)
	hook.failUser = newFailures(o.Limits.AuthFailuresPerMinute, o.Now)
	hook.failIP = newFailures(5*o.Limits.AuthFailuresPerMinute, o.Now)
	if err := srv.AddHook(hook, nil); err != nil {
		return nil, fmt.Errorf("mqtt: auth hook: %w", err)
	}
	if o.TLS != nil {
		tcp = tls.NewListener(tcp, o.TLS)
		if ws != nil {
			ws = tls.NewListener(ws, o.TLS)
		}
	}
	h := &health{}
	gate := newIPGate(o.Limits.ConnectRatePerIP, o.Limits.ConnectBurstPerIP, o.Now)
	if err := srv.AddListener(newNetListener("tcp", tcp, h, gate, o.Limits.ConnectTimeout, newRateLog(o.Log, time.Minute, o.Now))); err != nil {
		return nil, fmt.Errorf("mqtt: tcp listener: %w", err)
	}
	if ws != nil {
		trusted, err := parseProxies(o.TrustedProxies)
		if err != nil {
			return nil, err
		}
		wl := newWSListener("ws", ws, h, gate, o.Limits.ConnectTimeout)
		wl.proxies = trusted
		if err := srv.AddListener(wl); err != nil {
			return nil, fmt.Errorf("mqtt: websocket listener: %w", err)
		}
	}
	return &Broker{srv: srv, hook: hook, health: h}, nil
}

// ServerTLS loads a PEM certificate and key for the broker's listeners.
func ServerTLS(certFile, keyFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("mqtt: tls certificate: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// Start begins accepting connections; it returns at once.
// onCommandSubscription, when not nil, is called (in its own goroutine)
// after a device's subscription to its command or tag topics is granted:
// the moment it can receive commands it missed while offline. It is given
// here rather than to NewBroker because it reaches the OTA service, which
// is built after the broker (it sends through the broker's bridge).
func (b *Broker) Start(onCommandSubscription func(product, device string)) error {
	b.hook.onCommandSub = onCommandSubscription
	if err := b.srv.Serve(); err != nil {
		return fmt.Errorf("mqtt: serve: %w", err)
	}
	return nil
}

// Close disconnects every client (recording them offline) and closes the
// listeners. It is safe to call more than once (mochi's own Close is not).
func (b *Broker) Close() error {
	var err error
	b.closeOnce.Do(func() { err = b.srv.Close() })
	return err
}

// ListenerErr returns nil while every listener of the broker accepts
// connections, and otherwise the errors that stopped the others for good
// (temporary Accept errors are retried and never reported). Closing the
// broker is not an error. /readyz fails while it is not nil.
func (b *Broker) ListenerErr() error { return b.health.err() }

// Denials returns how many connections, Wills, publishes and
// subscriptions the broker refused since it started (for metrics).
func (b *Broker) Denials() Denials { return b.hook.denials() }

// demote is a slog handler that turns records below error into debug.
type demote struct{ slog.Handler }

func (d demote) Enabled(ctx context.Context, l slog.Level) bool {
	if l < slog.LevelError {
		l = slog.LevelDebug
	}
	return d.Handler.Enabled(ctx, l)
}

func (d demote) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelError {
		r.Level = slog.LevelDebug
	}
	return d.Handler.Handle(ctx, r)
}

func (d demote) WithAttrs(as []slog.Attr) slog.Handler { return demote{d.Handler.WithAttrs(as)} }
func (d demote) WithGroup(n string) slog.Handler       { return demote{d.Handler.WithGroup(n)} }

// Disconnect closes every connection of a device (device "" means every
// device of the product), for credentials that were revoked, and drops the
// persistent sessions the broker keeps for it. It returns how many
// connections it closed.
func (b *Broker) Disconnect(product, device string) int {
	n := b.hook.disconnect(product, device)
	b.purgeSessions(product, device)
	return n
}

// Connections returns the number of authenticated device connections.
func (b *Broker) Connections() int {
	b.hook.mu.RLock()
	defer b.hook.mu.RUnlock()
	return len(b.hook.conns)
}
