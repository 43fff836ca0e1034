package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/ota"

	"github.com/hoist-ota/hoist/internal/testwait"
)

// db stands in for the database behind ota.Service.Ingest (the committer's
// edge): it records committed messages in order and can be taken down.
type db struct {
	mu        sync.Mutex
	down      bool
	poison    string // a payload it refuses with the database up
	committed []string
	batches   [][]string
	gate      chan struct{} // when set, each apply waits for it
	entered   chan int      // when set, each apply first sends its batch size
}

func (d *db) apply(_ context.Context, msgs []ota.Message) ([]error, error) {
	if d.entered != nil {
		d.entered <- len(msgs)
	}
	if d.gate != nil {
		<-d.gate
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.down {
		return nil, apperr.New(apperr.Unavailable, "database unavailable")
	}
	var batch []string
	for _, m := range msgs {
		if string(m.Payload) == d.poison {
			return nil, errors.New("constraint violated")
		}
		batch = append(batch, string(m.Payload))
	}
	d.committed = append(d.committed, batch...)
	d.batches = append(d.batches, batch)
	return make([]error, len(msgs)), nil
}

func (d *db) set(down bool) {
	d.mu.Lock()
	d.down = down
	d.mu.Unlock()
}

func (d *db) snapshot() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.committed...)
}

func run(t *testing.T, apply Applier, o Options) *Committer {
	t.Helper()
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	c := New(o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, apply) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return c
}

func msg(i int) ota.Message {
	return ota.Message{Kind: ota.KindStatus, Product: "p", Device: "d", MessageID: fmt.Sprint("m", i), Payload: []byte(fmt.Sprint(i))}
}

// Messages submitted while a transaction runs form the next batch: many
// submitters, few transactions.
func TestGroupCommit(t *testing.T) {
	d := &db{gate: make(chan struct{}), entered: make(chan int, 1000)}
	opened := false
	t.Cleanup(func() {
		if !opened {
			close(d.gate)
		}
	})
	c := run(t, d.apply, Options{})
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			if err := c.Submit(context.Background(), msg(i)); err != nil {
				t.Error(err)
			}
		})
	}
	// The first transaction is held until all 200 are submitted: the ones
	// in it and the ones waiting in line.
	first := <-d.entered
	testwait.For(t, "200 submitted", func() bool { return first+len(c.in) == 200 })
	opened = true
	close(d.gate)
	wg.Wait()
	if n := len(d.snapshot()); n != 200 {
		t.Fatalf("%d committed", n)
	}
	if st := c.Stats(); st.Batches > 3 || st.Applied != 200 {
		t.Fatalf("stats %+v: expected the waiting messages to share transactions", st)
	}
}

// While the database is down, messages are acknowledged once spooled; when
// it is back they are committed in the order they came, before (never
// around) what arrives after.
func TestSpoolWhileTheDatabaseIsDown(t *testing.T) {
	dir := t.TempDir()
	sp, err := OpenSpool(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := &db{}
	c := run(t, d.apply, Options{Spool: sp, RetryMax: 50 * time.Millisecond})
	ctx := context.Background()
	for i := range 3 {
		if err := c.Submit(ctx, msg(i)); err != nil {
			t.Fatal(err)
		}
	}
	d.set(true)
	for i := 3; i < 10; i++ {
		if err := c.Submit(ctx, msg(i)); err != nil {
			t.Fatalf("spooled message %d not acknowledged: %v", i, err)
		}
	}
	if sp.Len() == 0 || c.Stats().Spooled != 7 {
		t.Fatalf("spool %d, stats %+v", sp.Len(), c.Stats())
	}
	d.set(false)
	for i := 10; i < 12; i++ {
		if err := c.Submit(ctx, msg(i)); err != nil {
			t.Fatal(err)
		}
	}
	// The spool file goes after its batch is committed: wait for both.
	testwait.For(t, "the spool to drain", func() bool { return len(d.snapshot()) == 12 && sp.Len() == 0 })
	for i, p := range d.snapshot() {
		if p != fmt.Sprint(i) {
			t.Fatalf("committed out of order: %v", d.snapshot())
		}
	}
	// Messages 10 and 11 went to the spool too when it was not drained
	// yet (never around it): everything spooled was replayed.
	if st := c.Stats(); sp.Len() != 0 || st.Replayed != st.Spooled || st.Spooled < 7 {
		t.Fatalf("spool %d, stats %+v", sp.Len(), c.Stats())
	}
}

// A spooled batch survives the process: a new committer on the same
// directory replays it. Half-written files are ignored.
func TestSpoolSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	sp, _ := OpenSpool(dir)
	if err := sp.Append([]ota.Message{msg(1), msg(2)}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "00000000000000000009.batch.tmp"), []byte("[{"), 0o600); err != nil {
		t.Fatal(err)
	}
	again, err := OpenSpool(dir)
	if err != nil || again.Len() != 1 {
		t.Fatalf("reopened: %d %v", again.Len(), err)
	}
	d := &db{}
	run(t, d.apply, Options{Spool: again})
	testwait.For(t, "the replay", func() bool { return len(d.snapshot()) == 2 })
}

// A spooled batch that the database keeps refusing while up is moved to
// dead/ and the rest goes on.
func TestPoisonBatchIsBuried(t *testing.T) {
	dir := t.TempDir()
	sp, _ := OpenSpool(dir)
	sp.Append([]ota.Message{msg(666)})
	sp.Append([]ota.Message{msg(1)})
	d := &db{poison: "666"}
	c := run(t, d.apply, Options{Spool: sp, RetryMax: 10 * time.Millisecond, MaxAttempts: 3})
	testwait.For(t, "the good batch", func() bool { return len(d.snapshot()) == 1 })
	if ents, _ := os.ReadDir(filepath.Join(dir, "dead")); len(ents) != 1 || c.Stats().Buried != 1 {
		t.Fatalf("dead/ has %d, stats %+v", len(ents), c.Stats())
	}
}

// Without a spool, a batch the database refuses is not durable: its
// submitters get an error (so the message stays unacknowledged).
func TestNoSpoolFailsTheBatch(t *testing.T) {
	d := &db{down: true}
	c := run(t, d.apply, Options{})
	if err := c.Submit(context.Background(), msg(1)); !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("submit with the database down: %v", err)
	}
	if c.Stats().Failed != 1 {
		t.Fatalf("stats %+v", c.Stats())
	}
}

// A stopped committer takes nothing.
func TestSubmitAfterStop(t *testing.T) {
	d := &db{}
	c := New(Options{Log: slog.New(slog.DiscardHandler)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, d.apply) }()
	if err := c.Submit(context.Background(), msg(1)); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-done
	if err := c.Submit(context.Background(), msg(2)); !errors.Is(err, ErrStopped) {
		t.Fatalf("after stop: %v", err)
	}
}
