// Package ingest makes device messages durable before they are
// acknowledged: a Committer collects the messages submitted concurrently
// (by the MQTT side, one goroutine per message in flight), applies them in
// one database transaction per batch (group commit), and answers each
// submitter once its batch is committed — or, while the database cannot
// take them, written to a local Spool that is replayed into the database,
// in order, as soon as it can.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/ota"
)

// Applier applies a batch in one transaction: err non-nil means nothing
// was committed; otherwise outcomes[i] is msgs[i]'s (nil,
// ota.ErrDuplicate, or a permanent error). ota.Service.Ingest is one.
type Applier func(ctx context.Context, msgs []ota.Message) (outcomes []error, err error)

// Options configure a Committer. Log is required. The Applier is Run's
// argument, not an option: the bridge that submits to a Committer is built
// before the OTA service that applies (the service sends through the
// bridge), so what applies is bound only when the Committer runs.
type Options struct {
	// Spool keeps batches the database refused; nil means none: a batch
	// the database refuses is then not durable and its submitters get an
	// error (their messages stay unacknowledged, for the sender to send
	// again).
	Spool *Spool
	Log   *slog.Logger
	// MaxBatch bounds the messages of one transaction; 0 means 500.
	MaxBatch int
	// ApplyTimeout bounds one transaction; 0 means 10 s.
	ApplyTimeout time.Duration
	// RetryMax bounds the wait between replays of the spool; 0 means 5 s.
	RetryMax time.Duration
	// MaxAttempts is how often a spooled batch may fail with the database
	// up (an error that is not apperr Unavailable) before it is moved to
	// the spool's dead/ folder; 0 means 10.
	MaxAttempts int
}

// Stats counts what a Committer did since it started.
type Stats struct {
	Applied    int64 // messages committed (fresh)
	Duplicates int64 // dropped as already applied
	Rejected   int64 // dropped for good (malformed, unknown device, ...)
	Spooled    int64 // messages written to the spool
	Replayed   int64 // spooled messages later committed
	Failed     int64 // messages answered with an error (not durable)
	Buried     int64 // spooled batches moved to dead/
	Batches    int64 // transactions committed
	Pending    int   // spooled batches waiting for the database
}

// ErrStopped is the error of a message submitted to a stopped Committer.
var ErrStopped = apperr.New(apperr.Unavailable, "ingest: stopped")

type request struct {
	m    ota.Message
	done chan error
}

// Committer is the group committer. Run it, then Submit from any number of
// goroutines.
type Committer struct {
	o       Options
	in      chan request
	stopped chan struct{}
	stopMu  sync.RWMutex
	closed  bool

	applied, duplicates, rejected, spooled, replayed, failed, buried, batches atomic.Int64

	// owned by Run's goroutine
	apply      Applier
	nextReplay time.Time
	backoff    time.Duration
	attempts   int
}

// New returns a Committer; nothing runs before Run.
func New(o Options) *Committer {
	if o.MaxBatch <= 0 {
		o.MaxBatch = 500
	}
	if o.ApplyTimeout <= 0 {
		o.ApplyTimeout = 10 * time.Second
	}
	if o.RetryMax <= 0 {
		o.RetryMax = 5 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	return &Committer{o: o, in: make(chan request, 4*o.MaxBatch), stopped: make(chan struct{})}
}

// Stats returns the counters.
func (c *Committer) Stats() Stats {
	s := Stats{Applied: c.applied.Load(), Duplicates: c.duplicates.Load(), Rejected: c.rejected.Load(),
		Spooled: c.spooled.Load(), Replayed: c.replayed.Load(), Failed: c.failed.Load(), Buried: c.buried.Load(),
		Batches: c.batches.Load()}
	if c.o.Spool != nil {
		s.Pending = c.o.Spool.Len()
	}
	return s
}

// Backlog returns how many spooled batches wait for the database (0
// without a spool): a readiness signal.
func (c *Committer) Backlog() int {
	if c.o.Spool == nil {
		return 0
	}
	return c.o.Spool.Len()
}

// Submit hands m over and waits until it is durable: nil once its batch
// is committed to the database or written to the spool (the caller may
// acknowledge it then: a duplicate or a message refused for good is
// durable too — there is nothing more to do with it); an error when it is
// not (the database and the spool failed, the Committer stopped, or ctx
// ended): the caller must not acknowledge it.
func (c *Committer) Submit(ctx context.Context, m ota.Message) error {
	r := request{m: m, done: make(chan error, 1)}
	c.stopMu.RLock()
	if c.closed {
		c.stopMu.RUnlock()
		return ErrStopped
	}
	select {
	case c.in <- r:
	case <-ctx.Done():
		c.stopMu.RUnlock()
		return ctx.Err()
	}
	c.stopMu.RUnlock()
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run commits batches through apply (required) until ctx ends, then
// refuses new messages, commits those already submitted and returns.
// Spooled batches are replayed while it runs (from an earlier run too).
// Messages submitted before Run wait for it.
func (c *Committer) Run(ctx context.Context, apply Applier) error {
	c.apply = apply
	defer close(c.stopped)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	work := context.WithoutCancel(ctx)
	for {
		select {
		case r := <-c.in:
			c.process(work, c.collect(r))
		case <-tick.C:
			c.replay(work, time.Now())
		case <-ctx.Done():
			c.stopMu.Lock()
			c.closed = true
			c.stopMu.Unlock()
			for {
				select {
				case r := <-c.in:
					c.process(work, c.collect(r))
				default:
					return nil
				}
			}
		}
	}
}

// collect takes what else is waiting, up to MaxBatch: whatever queued
// while the last transaction ran forms the next batch (group commit).
func (c *Committer) collect(first request) []request {
	batch := []request{first}
	for len(batch) < c.o.MaxBatch {
		select {
		case r := <-c.in:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

func (c *Committer) process(ctx context.Context, batch []request) {
	msgs := make([]ota.Message, len(batch))
	for i, r := range batch {
		msgs[i] = r.m
	}
	c.replay(ctx, time.Now())
	if c.o.Spool == nil || c.o.Spool.Len() == 0 { // keep the order: after the spool, never around it
		outcomes, err := c.applyBatch(ctx, msgs)
		if err == nil {
			c.count(outcomes)
			for _, r := range batch {
				r.done <- nil
			}
			return
		}
		if c.o.Spool == nil {
			c.fail(batch, apperr.Wrap(err, apperr.Unavailable, "ingest: the database did not take %d messages", len(batch)))
			return
		}
		c.o.Log.Warn("ingest: the database did not take a batch; spooling it", "messages", len(batch), "error", err)
		c.scheduleReplay(time.Now())
	}
	if err := c.o.Spool.Append(msgs); err != nil {
		c.o.Log.Error("ingest: cannot spool a batch; its messages stay unacknowledged", "messages", len(batch), "error", err)
		c.fail(batch, apperr.Wrap(err, apperr.Unavailable, "ingest: spool failed"))
		return
	}
	c.spooled.Add(int64(len(batch)))
	for _, r := range batch {
		r.done <- nil
	}
}

func (c *Committer) applyBatch(ctx context.Context, msgs []ota.Message) ([]error, error) {
	actx, cancel := context.WithTimeout(ctx, c.o.ApplyTimeout)
	defer cancel()
	outcomes, err := func() (out []error, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("ingest: apply panicked: %v", p)
			}
		}()
		return c.apply(actx, msgs)
	}()
	if err == nil {
		c.batches.Add(1)
	}
	return outcomes, err
}

func (c *Committer) count(outcomes []error) {
	for _, o := range outcomes {
		switch {
		case o == nil:
			c.applied.Add(1)
		case errors.Is(o, ota.ErrDuplicate):
			c.duplicates.Add(1)
		default:
			c.rejected.Add(1)
		}
	}
}

func (c *Committer) fail(batch []request, err error) {
	c.failed.Add(int64(len(batch)))
	for _, r := range batch {
		r.done <- err
	}
}

func (c *Committer) scheduleReplay(now time.Time) {
	c.backoff = min(max(2*c.backoff, 100*time.Millisecond), c.o.RetryMax)
	c.nextReplay = now.Add(c.backoff)
}

// replay applies spooled batches, oldest first, while the database takes
// them (for at most a second, so that new messages are not held long).
func (c *Committer) replay(ctx context.Context, now time.Time) {
	if c.o.Spool == nil || c.o.Spool.Len() == 0 || now.Before(c.nextReplay) {
		return
	}
	deadline := now.Add(time.Second)
	for time.Now().Before(deadline) {
		name, msgs, ok, err := c.o.Spool.Peek()
		if err != nil {
			c.o.Log.Error("ingest: cannot read the spool", "error", err)
			c.scheduleReplay(time.Now())
			return
		}
		if !ok {
			c.backoff = 0
			c.o.Log.Info("ingest: spool replayed")
			return
		}
		outcomes, err := c.applyBatch(ctx, msgs)
		if err != nil {
			c.attempts++
			if !apperr.Is(err, apperr.Unavailable) && c.attempts >= c.o.MaxAttempts {
				c.o.Log.Error("ingest: a spooled batch keeps failing with the database up; moved to dead/", "file", name, "error", err)
				if berr := c.o.Spool.Bury(name); berr == nil {
					c.buried.Add(1)
				}
				c.attempts = 0
				continue
			}
			c.scheduleReplay(time.Now())
			return
		}
		c.attempts = 0
		c.count(outcomes)
		c.replayed.Add(int64(len(msgs)))
		if err := c.o.Spool.Remove(name); err != nil {
			c.o.Log.Error("ingest: cannot remove a replayed batch (it will be replayed again, deduplicated)", "file", name, "error", err)
			c.scheduleReplay(time.Now())
			return
		}
	}
}
