package mqtt

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
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
// the /mqtt path clients expect.
type wsListener struct {
	id        string
	ln        net.Listener
	srv       *http.Server
	log       *slog.Logger
	upgrader  websocket.Upgrader
	establish listeners.EstablishFn
	closeOnce sync.Once
}

func newWSListener(id string, ln net.Listener) *wsListener {
	return &wsListener{
		id: id,
		ln: ln,
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
	l.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return nil
}

func (l *wsListener) Serve(establish listeners.EstablishFn) {
	l.establish = establish
	if err := l.srv.Serve(l.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		l.log.Error("mqtt websocket listener stopped", "error", err)
	}
}

func (l *wsListener) handle(w http.ResponseWriter, r *http.Request) {
	c, err := l.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered the client
	}
	defer c.Close()
	if err := l.establish(l.id, &wsConn{Conn: c.NetConn(), c: c}); err != nil {
		l.log.Debug("mqtt websocket client ended", "error", err)
	}
}

func (l *wsListener) Close(closeClients listeners.CloseFn) {
	l.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = l.srv.Shutdown(ctx)
	})
	closeClients(l.id)
}

// wsConn carries the MQTT byte stream in binary WebSocket messages.
type wsConn struct {
	net.Conn
	c *websocket.Conn
	r io.Reader // the message being read, nil between messages
}

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
