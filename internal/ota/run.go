package ota

import (
	"context"
	"time"
)

// Run expires due campaigns and deletes dedupe marks older than
// DedupeRetention every SweepEvery, until ctx ends. (Device messages are
// written by Ingest in the transaction that acknowledges them: there is
// nothing to flush at the end.)
func (s *Service) Run(ctx context.Context) error {
	sweep := time.NewTicker(s.opts.SweepEvery)
	defer sweep.Stop()
	for {
		select {
		case <-sweep.C:
			s.sweep(ctx)
		case <-ctx.Done():
			return nil
		}
	}
}

// sweep runs one expiry and dedupe sweep; failures are logged and retried
// at the next.
func (s *Service) sweep(ctx context.Context) {
	if n, err := s.ExpireDue(ctx); err != nil {
		s.log.Warn("OTA expiry sweep failed; retried at the next", "error", err)
	} else if n > 0 {
		s.log.Info("OTA devices expired", "devices", n)
	}
	if _, err := s.SweepDedupe(ctx, s.opts.DedupeRetention); err != nil {
		s.log.Warn("dedupe sweep failed; retried at the next", "error", err)
	}
}
