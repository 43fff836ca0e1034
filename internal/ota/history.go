package ota

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// historyWriter collects progress reports and writes them in batches.
type historyWriter struct {
	store      Store
	batch, max int
	kick       chan struct{} // a full batch is waiting

	mu      sync.Mutex
	pending []HistoryEntry

	flushMu sync.Mutex // one write at a time, in arrival order
}

func newHistoryWriter(store Store, batch, max int) *historyWriter {
	return &historyWriter{store: store, batch: batch, max: max, kick: make(chan struct{}, 1)}
}

// add queues e. When the queue is full it writes first, and fails
// (Unavailable) when that fails, so that nothing is acknowledged that is
// not either written or queued.
func (h *historyWriter) add(ctx context.Context, e HistoryEntry) error {
	h.mu.Lock()
	full := len(h.pending) >= h.max
	h.mu.Unlock()
	if full {
		if err := h.flush(ctx); err != nil {
			return apperr.Wrap(err, apperr.Unavailable, "the OTA history cannot be written")
		}
	}
	h.mu.Lock()
	h.pending = append(h.pending, e)
	n := len(h.pending)
	h.mu.Unlock()
	if n >= h.batch {
		select {
		case h.kick <- struct{}{}:
		default:
		}
	}
	return nil
}

// flush writes what is queued; on failure it is queued again, ahead of
// what arrived meanwhile.
func (h *historyWriter) flush(ctx context.Context) error {
	h.flushMu.Lock()
	defer h.flushMu.Unlock()
	h.mu.Lock()
	batch := h.pending
	h.pending = nil
	h.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	if err := h.store.AddHistory(ctx, batch); err != nil {
		h.mu.Lock()
		h.pending = append(batch, h.pending...)
		h.mu.Unlock()
		return fmt.Errorf("ota: write %d history entries: %w", len(batch), err)
	}
	return nil
}

// Flush writes the progress history and latest progress received so far.
func (s *Service) Flush(ctx context.Context) error {
	err := s.history.flush(ctx)
	if s.batchedLatest != nil {
		if lerr := s.batchedLatest.flush(ctx); err == nil {
			err = lerr
		}
	}
	return err
}

// Run writes the progress history every FlushEvery (and whenever a batch
// is full) and expires due campaigns every SweepEvery, until ctx ends; then
// it writes the history once more with a fresh deadline, so that nothing
// acknowledged is lost. Stop the MQTT bridge before ending ctx: reports
// handled after the final write would wait for a next Flush.
func (s *Service) Run(ctx context.Context) error {
	flush := time.NewTicker(s.opts.FlushEvery)
	defer flush.Stop()
	sweep := time.NewTicker(s.opts.SweepEvery)
	defer sweep.Stop()
	for {
		select {
		case <-flush.C:
			s.flushLogged(ctx)
		case <-s.history.kick:
			s.flushLogged(ctx)
		case <-sweep.C:
			if n, err := s.ExpireDue(ctx); err != nil {
				s.log.Warn("OTA expiry sweep failed; retried at the next", "error", err)
			} else if n > 0 {
				s.log.Info("OTA devices expired", "devices", n)
			}
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := s.Flush(fctx); err != nil {
				return fmt.Errorf("ota: final flush: %w", err)
			}
			return nil
		}
	}
}

func (s *Service) flushLogged(ctx context.Context) {
	if err := s.Flush(ctx); err != nil {
		s.log.Warn("OTA history write failed; kept for the next one", "error", err)
	}
}
