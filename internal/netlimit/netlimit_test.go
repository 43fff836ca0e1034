package netlimit

import (
	"context"
	"net"
	"testing"
	"time"
)

// TestListenerHoldsConnectionsOverItsSlots: with 2 slots shared by two
// listeners, a third connection is not accepted until one of the first
// two closes; then it is.
func TestListenerHoldsConnectionsOverItsSlots(t *testing.T) {
	s := New(2)
	var lns []net.Listener
	accepted := make(chan net.Conn, 10)
	for range 2 {
		raw, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln := s.Listener(raw)
		lns = append(lns, ln)
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				accepted <- c
			}
		}()
	}
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	dial := func(ln net.Listener) net.Conn {
		c, err := net.Dial("tcp", ln.Addr().String()) // completes in the backlog either way
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	dial(lns[0])
	dial(lns[1])
	first, second := <-accepted, <-accepted
	dial(lns[0])
	// The third waits in the backlog: the slots are both taken.
	if s.InUse() != 2 {
		t.Fatalf("%d slots in use, want 2", s.InUse())
	}
	select {
	case <-accepted:
		t.Fatal("a connection over the slots was accepted")
	default:
	}
	first.Close()
	select {
	case third := <-accepted:
		defer third.Close()
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting connection was not accepted after a slot was freed")
	}
	// The other listener accepts again as soon as a slot frees.
	second.Close()
	dial(lns[1])
	select {
	case fourth := <-accepted:
		fourth.Close()
	case <-time.After(10 * time.Second):
		t.Fatal("a connection was not accepted after a slot was freed")
	}
}

func TestAcquireWaitsUntilItsContextEnds(t *testing.T) {
	s := New(1)
	if err := s.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Acquire(ctx); err == nil {
		t.Fatal("acquired a slot over the limit")
	}
	s.Release()
	if err := s.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	var none *Slots // no limit
	if err := none.Acquire(context.Background()); err != nil || none.Cap() != 0 {
		t.Fatal("a nil Slots limits")
	}
	none.Release()
}

func TestBudget(t *testing.T) {
	for _, c := range []struct {
		limit        uint64
		conns, files int
	}{
		{20_000, 20_000 - 1_000 - 1_024, 1_024},
		{1_048_576, 1_048_576 - 52_428 - 1_024, 1_024},
		{1_024, 1_024 - 256 - 128, 128},
		{0, 0, 0},
	} {
		conns, files := Budget(c.limit)
		if conns != c.conns || files != c.files {
			t.Errorf("Budget(%d) = %d, %d; want %d, %d", c.limit, conns, files, c.conns, c.files)
		}
	}
}
