// Package netfault injects network faults in tests: a TCP proxy in front
// of a real server (a database, a broker) that can be cut, as when the
// server goes away or a node dies without a goodbye.
package netfault

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy forwards every connection it accepts to a target until Cut.
type Proxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	down  bool // Down: connections are dropped as they come
}

// Start listens on a free loopback port and forwards to target
// (host:port); the proxy is cut at cleanup.
func Start(tb testing.TB, target string) *Proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{ln: ln}
	go p.serve(target)
	tb.Cleanup(p.Cut)
	return p
}

func (p *Proxy) serve(target string) {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		u, err := net.Dial("tcp", target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, u)
		p.mu.Unlock()
		go func() { io.Copy(u, c); u.Close() }()
		go func() { io.Copy(c, u); c.Close() }()
	}
}

// Addr returns the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Cut closes the listener and every forwarded connection: new connections
// are refused and open ones drop without a protocol goodbye. It is safe to
// call more than once.
func (p *Proxy) Cut() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// Down drops every forwarded connection and every new one until Up: the
// server is unreachable at the same address, as during an outage.
func (p *Proxy) Down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// Up ends a Down: new connections reach the server again.
func (p *Proxy) Up() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}
