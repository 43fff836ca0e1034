package mqtt

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/mochi-mqtt/server/v2/listeners"
)

// WSPath is where MQTT over WebSocket is served (browsers, WeChat
// mini-programs behind a wss:// reverse proxy).
const WSPath = "/mqtt"

// wsListener serves MQTT over WebSocket on an already bound listener.
// mochi's own WebSocket listener binds its address itself and serves on /,
// so it can neither report a bind error up front, nor use port 0, nor serve
// the /mqtt path clients expect. net/http retries temporary Accept errors
// itself; a permanent one is recorded in health.
type wsListener struct {
	id             string
	ln             net.Listener
	srv            *http.Server
	log            *slog.Logger
	upgrader       websocket.Upgrader
	establish      listeners.EstablishFn
	health         *health
	gate           *ipGate
	connectTimeout time.Duration
	proxies        proxies // whose X-Forwarded-For names the client
	conns          conns
	closed         atomic.Bool
	closeOnce      sync.Once
}

func newWSListener(id string, ln net.Listener, h *health, gate *ipGate, connectTimeout time.Duration) *wsListener {
	return &wsListener{
		id: id,
		ln: ln, health: h, gate: gate, connectTimeout: connectTimeout,
		upgrader: websocket.Upgrader{
			Subprotocols: []string{"mqtt", "mqttv3.1"},
			// Devices and mini-programs send no browser origin worth
			// checking; authentication happens in MQTT CONNECT.
			CheckOrigin: func(*http.Request) bool { return true },
		},
	}
}

func (l *wsListener) ID() string       { return l.id }
func (l *wsListener) Address() string  { return l.ln.Addr().String() }
func (l *wsListener) Protocol() string { return "ws" }

func (l *wsListener) Init(log *slog.Logger) error {
	l.log = log
	mux := http.NewServeMux()
	mux.HandleFunc(WSPath, l.handle)
	l.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(demote{log.Handler()}, slog.LevelDebug)}
	return nil
}

func (l *wsListener) Serve(establish listeners.EstablishFn) {
	l.establish = establish
	if err := l.srv.Serve(l.ln); err != nil && !errors.Is(err, http.ErrServerClosed) && !l.closed.Load() {
		l.log.Error("mqtt listener stopped: devices can no longer connect", "listener", l.id, "error", err)
		l.health.fail(l.id, err)
	}
}

func (l *wsListener) handle(w http.ResponseWriter, r *http.Request) {
	client := l.proxies.clientAddr(r)
	if !l.gate.allowHost(hostOf(client)) {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "too many connection attempts", http.StatusTooManyRequests)
		return
	}
	c, err := l.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered the client
	}
	defer c.Close()
	if !l.conns.add(c.NetConn()) {
		return
	}
	defer l.conns.done(c.NetConn())
	if l.connectTimeout > 0 {
		// mochi replaces this deadline with the keepalive one once the
		// CONNECT is read.
		_ = c.NetConn().SetDeadline(time.Now().Add(l.connectTimeout))
	}
	if err := l.establish(l.id, &wsConn{Conn: c.NetConn(), c: c, remote: remoteAddr(client)}); err != nil {
		l.log.Debug("mqtt websocket client ended", "error", err)
	}
}

func (l *wsListener) Close(closeClients listeners.CloseFn) {
	l.closeOnce.Do(func() {
		l.closed.Store(true)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = l.srv.Shutdown(ctx)
	})
	closeClients(l.id)
	l.conns.closeAll()
}

// wsConn carries the MQTT byte stream in binary WebSocket messages.
type wsConn struct {
	net.Conn
	c      *websocket.Conn
	r      io.Reader  // the message being read, nil between messages
	remote remoteAddr // the client, past a trusted proxy
}

// RemoteAddr is the client's address (the broker records it and limits
// by it), past a trusted proxy.
func (ws *wsConn) RemoteAddr() net.Addr { return ws.remote }

func (ws *wsConn) Read(p []byte) (int, error) {
	for {
		if ws.r == nil {
			op, r, err := ws.c.NextReader()
			if err != nil {
				return 0, err
			}
			if op != websocket.BinaryMessage {
				return 0, errors.New("mqtt websocket: text frame")
			}
			ws.r = r
		}
		n, err := ws.r.Read(p)
		if errors.Is(err, io.EOF) {
			ws.r = nil
			if n == 0 {
				continue
			}
			return n, nil
		}
		return n, err
	}
}

func (ws *wsConn) Write(p []byte) (int, error) {
	if err := ws.c.WriteMessage(websocket.BinaryMessage, p); err != nil {
		return 0, err
	}
	return len(p), nil
}
