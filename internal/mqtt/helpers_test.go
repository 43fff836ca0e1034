package mqtt

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/device"
	"github.com/hoist-ota/hoist/internal/mqtt/topic"
	"github.com/hoist-ota/hoist/internal/project"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

// fleet is a real device registry on a fresh SQLite database with product
// "thermo" owned by one user.
type fleet struct {
	devices *device.Service
	owner   account.Principal
}

func mustFleet(tb testing.TB) fleet {
	tb.Helper()
	ctx := context.Background()
	st := storetest.MustOpen(tb, config.DriverSQLite)
	now := time.Now().UTC()
	u := account.User{ID: "0123456789abcdef0123456789abcdef", Username: "owner", Role: account.RoleUser,
		PasswordHash: "x", TokenVersion: 1, CreatedTime: now, UpdatedTime: now}
	if err := st.Accounts().CreateUser(ctx, &u, func(int64) error { return nil }); err != nil {
		tb.Fatal(err)
	}
	projects := project.NewService(st.Projects(), time.Now, storetest.Logger())
	owner := account.Principal{UserID: u.ID, Username: u.Username, Role: u.Role}
	name := "Fleet"
	pr, err := projects.Create(ctx, owner, project.Fields{Name: &name})
	if err != nil {
		tb.Fatal(err)
	}
	devices := device.NewService(st.Devices(), projects, []byte("device-key"), time.Now, storetest.Logger())
	if _, err := devices.CreateProduct(ctx, owner, device.ProductFields{Name: "thermo", ProjectID: pr.ID}); err != nil {
		tb.Fatal(err)
	}
	return fleet{devices: devices, owner: owner}
}

// mustDevice creates thermo/{name} with tags and returns its secret.
func (f fleet) mustDevice(tb testing.TB, name string, tags ...string) string {
	tb.Helper()
	d, err := f.devices.CreateDevice(context.Background(), f.owner, "thermo", device.NewDevice{Name: name, Tags: tags})
	if err != nil {
		tb.Fatal(err)
	}
	return d.Secret
}

func (f fleet) mustLookup(tb testing.TB, name string) device.Device {
	tb.Helper()
	d, err := f.devices.Lookup(context.Background(), "thermo", name)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// call is one Sink call.
type call struct {
	Kind, Product, Device, MessageID, Command, RequestID, Payload string
}

// recordingSink records its calls. Calls with a payload containing "fail"
// return an error (recorded all the same); gate, when set, holds every
// call until it is closed.
type recordingSink struct {
	mu    sync.Mutex
	calls []call
	gate  chan struct{}
	// failFirst fails that many calls of a payload before taking it.
	failFirst map[string]int
}

func (s *recordingSink) record(c call) error {
	s.mu.Lock()
	s.calls = append(s.calls, c)
	fail := s.failFirst != nil && s.failFirst[c.Payload] > 0
	if fail {
		s.failFirst[c.Payload]--
	}
	s.mu.Unlock()
	if s.gate != nil {
		<-s.gate
	}
	if fail || strings.Contains(c.Payload, "fail") {
		return fmt.Errorf("sink refuses %s", c.Payload)
	}
	return nil
}

func (s *recordingSink) Submit(_ context.Context, m DeviceMessage) error {
	kinds := map[topic.DeviceTopicKind]string{topic.StatusReport: "status", topic.OTAStatus: "ota", topic.CommandReply: "reply"}
	t := m.Topic
	return s.record(call{Kind: kinds[t.Kind], Product: t.Product, Device: t.Device, MessageID: t.MessageID,
		Command: t.Command, RequestID: t.RequestID, Payload: string(m.Payload)})
}

func (s *recordingSink) snapshot() []call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]call(nil), s.calls...)
}

// has reports whether a call with this payload was recorded.
func (s *recordingSink) has(payload string) bool {
	for _, c := range s.snapshot() {
		if c.Payload == payload {
			return true
		}
	}
	return false
}

// count returns how many calls carried this payload.
func (s *recordingSink) count(payload string) int {
	n := 0
	for _, c := range s.snapshot() {
		if c.Payload == payload {
			n++
		}
	}
	return n
}

// syncBuffer is a log destination safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func mustListen(tb testing.TB) net.Listener {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	return ln
}

// embeddedSetup is a running broker with its bridge.
type embeddedSetup struct {
	broker  *Broker
	bridge  *Bridge
	sink    *recordingSink
	logs    *syncBuffer
	tcpURL  string
	wsURL   string
	devices *device.Service
	stop    func() // ends the bridge's Run and waits for it
}

// mustEmbedded starts a broker on f's registry and a bridge on it; mutate
// may change the options first. Both stop at cleanup, bridge first.
func mustEmbedded(tb testing.TB, f fleet, mutate func(*BrokerOptions, *BridgeOptions)) *embeddedSetup {
	tb.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	sink := &recordingSink{}
	bo := BrokerOptions{Devices: f.devices, Log: log}
	bro := BridgeOptions{Sink: sink, Log: log}
	if mutate != nil {
		mutate(&bo, &bro)
	}
	tcp, ws := mustListen(tb), mustListen(tb)
	b, err := NewBroker(tcp, ws, bo)
	if err != nil {
		tb.Fatal(err)
	}
	br, err := NewEmbeddedBridge(b, bro)
	if err != nil {
		tb.Fatal(err)
	}
	if err := b.Start(nil); err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- br.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				tb.Error(err)
			}
		})
	}
	tb.Cleanup(func() {
		if rs, ok := bro.Sink.(*recordingSink); ok && rs.gate != nil {
			select {
			case <-rs.gate:
			default:
				close(rs.gate)
			}
		}
		stop()
		if err := b.Close(); err != nil {
			tb.Error(err)
		}
		b.Close() // a second Close is harmless
	})
	scheme := "tcp"
	if bo.TLS != nil {
		scheme = "ssl"
	}
	rs, _ := bro.Sink.(*recordingSink)
	return &embeddedSetup{broker: b, bridge: br, sink: rs, logs: logs, devices: f.devices, stop: stop,
		tcpURL: scheme + "://" + tcp.Addr().String(), wsURL: "ws://" + ws.Addr().String() + WSPath}
}

// clientOpts are the options of a test device client.
func clientOpts(url, clientID, username, password string) *paho.ClientOptions {
	return paho.NewClientOptions().AddBroker(url).SetClientID(clientID).
		SetUsername(username).SetPassword(password).SetProtocolVersion(4).
		SetConnectTimeout(5 * time.Second).SetAutoReconnect(false).SetConnectRetry(false).
		SetOrderMatters(false)
}

// connect connects with opts and returns the client, or the CONNECT error.
func connect(tb testing.TB, opts *paho.ClientOptions) (paho.Client, error) {
	tb.Helper()
	c := paho.NewClient(opts)
	tok := c.Connect()
	if !tok.WaitTimeout(10 * time.Second) {
		tb.Fatal("no CONNACK within 10s")
	}
	if err := tok.Error(); err != nil {
		return nil, err
	}
	tb.Cleanup(func() { c.Disconnect(0) })
	return c, nil
}

func mustConnect(tb testing.TB, opts *paho.ClientOptions) paho.Client {
	tb.Helper()
	c, err := connect(tb, opts)
	if err != nil {
		tb.Fatalf("connect %v: %v", opts.ClientID, err)
	}
	return c
}

// mustDeviceClient connects thermo/{name} with its secret.
func mustDeviceClient(tb testing.TB, url, name, secret string) paho.Client {
	tb.Helper()
	return mustConnect(tb, clientOpts(url, "thermo/"+name, "thermo/"+name, secret))
}

// inbox collects the messages a client receives on its subscriptions.
type inbox struct {
	mu   sync.Mutex
	msgs []string // "topic payload"
}

func (in *inbox) handler(_ paho.Client, m paho.Message) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.msgs = append(in.msgs, m.Topic()+" "+string(m.Payload()))
}

func (in *inbox) list() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]string(nil), in.msgs...)
}

// subscribe subscribes c to filter with QoS 1 and returns the SUBACK code
// (0x80 is a refusal).
func subscribe(tb testing.TB, c paho.Client, filter string, in *inbox) byte {
	tb.Helper()
	tok := c.Subscribe(filter, 1, in.handler)
	if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		tb.Fatalf("subscribe %s: %v", filter, tok.Error())
	}
	return tok.(*paho.SubscribeToken).Result()[filter]
}

func publish(tb testing.TB, c paho.Client, topic string, qos byte, payload string) {
	tb.Helper()
	tok := c.Publish(topic, qos, false, payload)
	if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		tb.Fatalf("publish %s: %v", topic, tok.Error())
	}
}

// sessionEvents sits in the broker's hook chain after Hoist's own hook
// (mochi runs the hooks of one event in order): a session it has seen
// established or ended is one Hoist's hook has finished handling, online
// or offline record included.
type sessionEvents struct {
	mochi.HookBase
	mu          sync.Mutex
	established map[string]int
	ended       map[string]int
}

// watchSessions adds a sessionEvents hook to b.
func watchSessions(tb testing.TB, b *Broker) *sessionEvents {
	tb.Helper()
	e := &sessionEvents{established: map[string]int{}, ended: map[string]int{}}
	if err := b.srv.AddHook(e, nil); err != nil {
		tb.Fatal(err)
	}
	return e
}

// ID implements mochi.Hook.
func (e *sessionEvents) ID() string { return "test-session-events" }

// Provides implements mochi.Hook.
func (e *sessionEvents) Provides(b byte) bool {
	return b == mochi.OnSessionEstablished || b == mochi.OnDisconnect
}

// OnSessionEstablished implements mochi.Hook.
func (e *sessionEvents) OnSessionEstablished(cl *mochi.Client, _ packets.Packet) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.established[cl.ID]++
}

// OnDisconnect implements mochi.Hook.
func (e *sessionEvents) OnDisconnect(cl *mochi.Client, _ error, _ bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ended[cl.ID]++
}

// counts returns how many sessions of clientID were established and ended.
func (e *sessionEvents) counts(clientID string) (established, ended int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.established[clientID], e.ended[clientID]
}

// randomName is a fresh valid topic level.
func randomName(prefix string) string {
	var b [6]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
