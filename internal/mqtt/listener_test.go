package mqtt

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hoist-ota/hoist/internal/testwait"
)

// faultyListener fails its next Accept calls with the errors queued in
// fail, then accepts normally.
type faultyListener struct {
	net.Listener
	mu    sync.Mutex
	fail  []error
	calls atomic.Int64
}

func (l *faultyListener) inject(errs ...error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fail = append(l.fail, errs...)
}

func (l *faultyListener) Accept() (net.Conn, error) {
	l.calls.Add(1)
	l.mu.Lock()
	if len(l.fail) > 0 {
		err := l.fail[0]
		l.fail = l.fail[1:]
		l.mu.Unlock()
		return nil, err
	}
	l.mu.Unlock()
	return l.Listener.Accept()
}

// emfile is what Accept returns when the process is out of descriptors.
func emfile() error {
	return &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
}

// mustBrokerOn starts a broker (no bridge) on the given listeners.
func mustBrokerOn(tb testing.TB, f fleet, tcp, ws net.Listener, mutate func(*BrokerOptions)) *Broker {
	tb.Helper()
	o := BrokerOptions{Devices: f.devices, Log: discardLog()}
	if mutate != nil {
		mutate(&o)
	}
	b, err := NewBroker(tcp, ws, o)
	if err != nil {
		tb.Fatal(err)
	}
	if err := b.Start(nil); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { b.Close() })
	return b
}

// A burst of "too many open files" on Accept does not stop the TCP
// listener: it backs off and a device connects afterwards, and the broker
// stays healthy.
func TestTCPListenerSurvivesTemporaryAcceptErrors(t *testing.T) {
	f := mustFleet(t)
	secret := f.mustDevice(t, "a")
	ln := &faultyListener{Listener: mustListen(t)}
	ln.inject(emfile(), emfile(), emfile(), emfile(), emfile())
	logs := &syncBuffer{}
	b := mustBrokerOn(t, f, ln, nil, func(o *BrokerOptions) { o.Log = slog.New(slog.NewTextHandler(logs, nil)) })
	url := "tcp://" + ln.Addr().String()
	testwait.For(t, "the injected errors to be consumed", func() bool { return ln.calls.Load() > 5 })
	mustDeviceClient(t, url, "a", secret).Disconnect(0)
	if err := b.ListenerErr(); err != nil {
		t.Fatalf("healthy broker reports %v", err)
	}
	if n := strings.Count(logs.String(), "level=WARN msg=\"mqtt accept failed; retrying\""); n != 1 {
		t.Errorf("retries logged %d times at warn, want once a minute:\n%s", n, logs.String())
	}
	// Again, after it has been serving.
	ln.inject(emfile(), emfile())
	calls := ln.calls.Load()
	// The pending Accept returns a real connection first; the next one fails.
	mustDeviceClient(t, url, "a", secret).Disconnect(0)
	testwait.For(t, "the second burst", func() bool { return ln.calls.Load() > calls+2 })
	mustDeviceClient(t, url, "a", secret).Disconnect(0)
}

// A listener that stops for good is logged and reported by ListenerErr.
func TestListenerStoppedForGoodIsReported(t *testing.T) {
	f := mustFleet(t)
	logs := &syncBuffer{}
	ln := &faultyListener{Listener: mustListen(t)}
	ln.inject(errors.New("listener broken"))
	b := mustBrokerOn(t, f, ln, nil, func(o *BrokerOptions) { o.Log = slog.New(slog.NewTextHandler(logs, nil)) })
	testwait.For(t, "the listener to stop", func() bool { return b.ListenerErr() != nil })
	if err := b.ListenerErr(); err == nil || !strings.Contains(err.Error(), "listener broken") {
		t.Fatalf("ListenerErr = %v", err)
	}
	if !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("no error logged: %s", logs.String())
	}
	// The WebSocket listener (net/http's Serve) retries temporary errors
	// and reports a permanent one the same way.
	wsln := &faultyListener{Listener: mustListen(t)}
	wsln.inject(emfile(), emfile(), errors.New("ws listener broken"))
	w := mustBrokerOn(t, f, mustListen(t), wsln, nil)
	testwait.For(t, "the websocket listener to stop", func() bool { return w.ListenerErr() != nil })
	if err := w.ListenerErr(); !strings.Contains(err.Error(), "listener ws stopped: ws listener broken") {
		t.Fatalf("ws ListenerErr = %v", err)
	}
	// Closing the broker is not a failure of a healthy one.
	g := mustBrokerOn(t, f, mustListen(t), mustListen(t), nil)
	g.Close()
	if err := g.ListenerErr(); err != nil {
		t.Errorf("closed broker reports %v", err)
	}
}

// A connection that sends no CONNECT is closed after ConnectTimeout, over
// TCP and WebSocket.
func TestSilentConnectionsAreClosed(t *testing.T) {
	f := mustFleet(t)
	tcp, ws := mustListen(t), mustListen(t)
	mustBrokerOn(t, f, tcp, ws, func(o *BrokerOptions) { o.Limits.ConnectTimeout = 200 * time.Millisecond })
	closedWithin := func(c net.Conn) error {
		defer c.Close()
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err := c.Read(make([]byte, 1))
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return fmt.Errorf("still open after 5s")
		}
		return nil
	}
	c, err := net.Dial("tcp", tcp.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if err := closedWithin(c); err != nil {
		t.Errorf("tcp: %v", err)
	}
	wc, _, err := websocket.DefaultDialer.Dial("ws://"+ws.Addr().String()+WSPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := closedWithin(wc.NetConn()); err != nil {
		t.Errorf("websocket: %v", err)
	}
}

// An address that opens connections faster than its limit has the extra
// ones closed at once; over WebSocket it is answered 429.
func TestConnectionAttemptsAreLimitedPerAddress(t *testing.T) {
	f := mustFleet(t)
	secret := f.mustDevice(t, "a")
	tcp, ws := mustListen(t), mustListen(t)
	mustBrokerOn(t, f, tcp, ws, func(o *BrokerOptions) {
		o.Limits.ConnectRatePerIP, o.Limits.ConnectBurstPerIP = 0.001, 2
	})
	url := "tcp://" + tcp.Addr().String()
	mustConnect(t, clientOpts(url, "thermo/a", "thermo/a", secret)).Disconnect(0)
	mustConnect(t, clientOpts(url, "thermo/a/2", "thermo/a", secret)).Disconnect(0)
	if _, err := connect(t, clientOpts(url, "thermo/a", "thermo/a", secret)); err == nil {
		t.Fatal("a third connection within the burst was admitted")
	}
	_, resp, err := websocket.DefaultDialer.Dial("ws://"+ws.Addr().String()+WSPath, nil)
	if err == nil || resp == nil || resp.StatusCode != 429 {
		t.Fatalf("websocket over the limit: %v %v", resp, err)
	}
}

// After AuthFailuresPerMinute refused CONNECTs, a username is refused
// without checking its secret until the minute is over.
func TestBadSecretsAreThrottled(t *testing.T) {
	f := mustFleet(t)
	secret := f.mustDevice(t, "a")
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	tcp := mustListen(t)
	b := mustBrokerOn(t, f, tcp, nil, func(o *BrokerOptions) {
		o.Limits.AuthFailuresPerMinute = 3
		o.Now = func() time.Time { return time.Unix(0, clock.Load()) }
	})
	url := "tcp://" + tcp.Addr().String()
	for i := range 3 {
		if _, err := connect(t, clientOpts(url, "thermo/a", "thermo/a", secret+"x")); !isRefusal(err) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	if _, err := connect(t, clientOpts(url, "thermo/a", "thermo/a", secret)); !isRefusal(err) {
		t.Fatalf("the right secret right after 3 failures: %v", err)
	}
	// Another device from the same address is not locked out by them...
	secB := f.mustDevice(t, "b")
	mustDeviceClient(t, url, "b", secB).Disconnect(0)
	// ...until the address itself has 5×3 refusals.
	for i := range 12 {
		id := fmt.Sprint("thermo/x", i)
		if _, err := connect(t, clientOpts(url, id, id, "guess")); !isRefusal(err) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	if _, err := connect(t, clientOpts(url, "thermo/b", "thermo/b", secB)); !isRefusal(err) {
		t.Fatalf("the address over its limit still connects: %v", err)
	}
	if d := b.Denials(); d.Connect != 17 {
		t.Errorf("denials %+v", d)
	}
	clock.Add(int64(time.Minute))
	mustDeviceClient(t, url, "a", secret)
}

// Behind a trusted proxy (wss terminated by nginx), the WebSocket
// listener limits each client by its forwarded address, not the proxy's.
func TestWebSocketLimitsUseForwardedAddressFromTrustedProxies(t *testing.T) {
	f := mustFleet(t)
	for _, trusted := range []bool{false, true} {
		ws := mustListen(t)
		mustBrokerOn(t, f, mustListen(t), ws, func(o *BrokerOptions) {
			o.Limits.ConnectRatePerIP, o.Limits.ConnectBurstPerIP = 0.001, 1
			if trusted {
				o.TrustedProxies = []string{"127.0.0.0/8"}
			}
		})
		codes := []int{}
		for _, client := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.1"} {
			h := http.Header{"X-Forwarded-For": {"198.51.100.9, " + client}}
			c, resp, err := websocket.DefaultDialer.Dial("ws://"+ws.Addr().String()+WSPath, h)
			if err == nil {
				c.Close()
				codes = append(codes, 101)
			} else if resp != nil {
				codes = append(codes, resp.StatusCode)
			}
		}
		want := []int{101, 429, 429}
		if trusted {
			want = []int{101, 101, 429}
		}
		if fmt.Sprint(codes) != fmt.Sprint(want) {
			t.Errorf("trusted %v: %v, want %v", trusted, codes, want)
		}
	}
}
