// Package mqtt adapts MQTT to Hoist: the embedded broker (mochi-mqtt) with
// Hoist's own authentication and ACL, and (later) the client bridge to an
// external broker.
package mqtt

import (
	"fmt"
	"log/slog"
	"net"
	"sync"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
)

// Broker is the embedded MQTT broker. Until the device registry exists it
// authenticates nobody: mochi refuses every CONNECT when no auth hook allows
// it, which is the safe default for a broker listening on a network.
type Broker struct {
	srv       *mochi.Server
	closeOnce sync.Once
}

// NewBroker returns a broker serving MQTT on tcp and, when ws is not nil,
// MQTT over WebSocket at path /mqtt on ws. The listeners are already bound
// (so that bind errors surface before anything starts); the broker owns and
// closes them.
func NewBroker(tcp, ws net.Listener, log *slog.Logger) (*Broker, error) {
	srv := mochi.New(&mochi.Options{Logger: log})
	if err := srv.AddListener(listeners.NewNet("tcp", tcp)); err != nil {
		return nil, fmt.Errorf("mqtt: tcp listener: %w", err)
	}
	if ws != nil {
		if err := srv.AddListener(newWSListener("ws", ws)); err != nil {
			return nil, fmt.Errorf("mqtt: websocket listener: %w", err)
		}
	}
	return &Broker{srv: srv}, nil
}

// Start begins accepting connections; it returns at once.
func (b *Broker) Start() error {
	if err := b.srv.Serve(); err != nil {
		return fmt.Errorf("mqtt: serve: %w", err)
	}
	return nil
}

// Close disconnects every client and closes the listeners. It is safe to call
// more than once (mochi's own Close is not).
func (b *Broker) Close() error {
	var err error
	b.closeOnce.Do(func() { err = b.srv.Close() })
	return err
}
