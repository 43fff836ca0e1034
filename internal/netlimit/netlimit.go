// Package netlimit shares a process's file descriptors out: a fixed number
// of slots for what clients make it open (connections, files it serves),
// so that what is left stays free for what it opens itself (database
// connections, SQLite files, logs). Out of slots, a listener stops
// accepting (new connections wait in the kernel's backlog, costing no
// descriptor) and a file waits for one, instead of every open failing
// with "too many open files" at once.
package netlimit

import (
	"context"
	"net"
	"sync"
)

// Slots is a counted set of descriptors. The zero value is not usable;
// use New. A nil *Slots has no limit.
type Slots struct {
	ch chan struct{}
}

// New returns n slots.
func New(n int) *Slots { return &Slots{ch: make(chan struct{}, max(n, 1))} }

// Acquire takes a slot, waiting for one until ctx ends.
func (s *Slots) Acquire(ctx context.Context) error {
	if s == nil {
		return nil
	}
	select {
	case s.ch <- struct{}{}:
		return nil
	default:
	}
	select {
	case s.ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Release gives back a slot taken by Acquire.
func (s *Slots) Release() {
	if s != nil {
		<-s.ch
	}
}

// InUse and Cap report the slots taken and their number.
func (s *Slots) InUse() int {
	if s == nil {
		return 0
	}
	return len(s.ch)
}

// Cap returns the number of slots (0 for no limit).
func (s *Slots) Cap() int {
	if s == nil {
		return 0
	}
	return cap(s.ch)
}

// Listener returns l handing out a connection only with a slot for it;
// the slot is given back when the connection is closed. Several
// listeners may share s. A nil s returns l.
func (s *Slots) Listener(l net.Listener) net.Listener {
	if s == nil {
		return l
	}
	return &listener{Listener: l, s: s, done: make(chan struct{})}
}

type listener struct {
	net.Listener
	s         *Slots
	done      chan struct{}
	closeOnce sync.Once
}

// Accept accepts the next connection, then waits for a slot for it: a
// listener holds at most one connection over the slots (within the
// reserve), and one listener waiting for a slot never keeps another from
// accepting when a slot frees.
func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	select {
	case l.s.ch <- struct{}{}:
	case <-l.done:
		c.Close()
		return nil, net.ErrClosed
	}
	return &conn{Conn: c, release: sync.OnceFunc(l.s.Release)}, nil
}

func (l *listener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

type conn struct {
	net.Conn
	release func()
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}

// Budget splits limit descriptors: a reserve for the process itself (a
// twentieth, at least 256), files for what it serves (an eighth, from 64
// to 1,024), and the rest for client connections. Zero limit: no budget.
func Budget(limit uint64) (conns, files int) {
	if limit == 0 || limit > 1<<30 {
		return 0, 0
	}
	n := int(limit)
	reserve := max(256, n/20)
	files = min(max(n/8, 64), 1024)
	conns = n - reserve - files
	if conns < 64 { // a tiny limit: share what there is
		return max(n/2, 1), max(n/8, 1)
	}
	return conns, files
}
