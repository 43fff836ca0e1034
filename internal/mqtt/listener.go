package mqtt

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/mochi-mqtt/server/v2/listeners"
)

// Accept back-off after a temporary error, as net/http does: 5 ms doubling
// up to 1 s, reset by the next successful Accept.
const (
	acceptBackoffMin = 5 * time.Millisecond
	acceptBackoffMax = time.Second
)

// health records which of the broker's listeners stopped for good.
type health struct {
	mu      sync.Mutex
	stopped map[string]error
}

func (h *health) fail(id string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped == nil {
		h.stopped = map[string]error{}
	}
	h.stopped[id] = err
}

func (h *health) err() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	var errs []error
	for id, err := range h.stopped {
		errs = append(errs, fmt.Errorf("mqtt listener %s stopped: %w", id, err))
	}
	return errors.Join(errs...)
}

// netListener serves MQTT on a bound TCP (or TLS) listener. Unlike mochi's
// listeners.Net, which returns on the first Accept error, it retries
// temporary errors (out of file descriptors, aborted handshakes) with a
// back-off; any other error stops it, logged and recorded in health. It
// gives each connection connectTimeout to send its CONNECT and refuses
// connections from an address over its attempt limit.
type netListener struct {
	id             string
	ln             net.Listener
	log            *slog.Logger // mochi's (demoted below error)
	warn           *rateLog     // Hoist's, for retried Accept errors
	health         *health
	gate           *ipGate
	connectTimeout time.Duration

	conns     conns
	done      chan struct{}
	closeOnce sync.Once
}

func newNetListener(id string, ln net.Listener, h *health, gate *ipGate, connectTimeout time.Duration, warn *rateLog) *netListener {
	return &netListener{id: id, ln: ln, health: h, gate: gate, connectTimeout: connectTimeout, warn: warn, done: make(chan struct{})}
}

func (l *netListener) ID() string       { return l.id }
func (l *netListener) Address() string  { return l.ln.Addr().String() }
func (l *netListener) Protocol() string { return l.ln.Addr().Network() }

func (l *netListener) Init(log *slog.Logger) error {
	l.log = log
	return nil
}

func (l *netListener) closing() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

// Serve accepts until Close, or until a permanent Accept error.
func (l *netListener) Serve(establish listeners.EstablishFn) {
	var delay time.Duration
	for {
		conn, err := l.ln.Accept()
		if err != nil {
			if l.closing() {
				return
			}
			if !temporary(err) {
				l.log.Error("mqtt listener stopped: devices can no longer connect", "listener", l.id, "error", err)
				l.health.fail(l.id, err)
				return
			}
			delay = min(max(2*delay, acceptBackoffMin), acceptBackoffMax)
			l.warn.Log(slog.LevelWarn, "accept:"+l.id, "mqtt accept failed; retrying", "listener", l.id, "error", err, "retryIn", delay)
			select {
			case <-time.After(delay):
			case <-l.done:
				return
			}
			continue
		}
		delay = 0
		if !l.gate.allow(conn.RemoteAddr()) || !l.conns.add(conn) {
			conn.Close()
			continue
		}
		go l.establish(establish, conn)
	}
}

func (l *netListener) establish(establish listeners.EstablishFn, conn net.Conn) {
	if l.connectTimeout > 0 {
		// mochi replaces this deadline with the keepalive one once the
		// CONNECT is read.
		_ = conn.SetDeadline(time.Now().Add(l.connectTimeout))
	}
	defer l.conns.done(conn)
	if err := establish(l.id, conn); err != nil {
		l.log.Debug("mqtt client ended", "listener", l.id, "error", err)
	}
}

// Close stops accepting, closes the listener's clients and connections
// and waits for them.
func (l *netListener) Close(closeClients listeners.CloseFn) {
	l.closeOnce.Do(func() {
		close(l.done)
		_ = l.ln.Close()
	})
	closeClients(l.id)
	l.conns.closeAll()
}

// temporary reports whether an Accept error may go away by itself (the
// rule of net/http's Server.Serve).
func temporary(err error) bool {
	if errors.Is(err, net.ErrClosed) {
		return false
	}
	var ne interface{ Temporary() bool }
	return errors.As(err, &ne) && ne.Temporary()
}

// conns tracks a listener's connections while mochi serves them, so that
// Close can end them all and wait: mochi counts its clients with a
// WaitGroup whose Add runs inside each connection's goroutine, which must
// not race its Wait at shutdown (nor may a connection still waiting for
// its CONNECT hold the shutdown until its timeout).
type conns struct {
	wg     sync.WaitGroup
	mu     sync.Mutex
	open   map[net.Conn]struct{}
	closed bool
}

// add registers c; false once Close began (c must then be closed).
func (t *conns) add(c net.Conn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	if t.open == nil {
		t.open = map[net.Conn]struct{}{}
	}
	t.open[c] = struct{}{}
	t.wg.Add(1)
	return true
}

func (t *conns) done(c net.Conn) {
	t.mu.Lock()
	delete(t.open, c)
	t.mu.Unlock()
	t.wg.Done()
}

// closeAll closes every open connection and waits for their goroutines.
func (t *conns) closeAll() {
	t.mu.Lock()
	t.closed = true
	for c := range t.open {
		_ = c.Close()
	}
	t.mu.Unlock()
	t.wg.Wait()
}
