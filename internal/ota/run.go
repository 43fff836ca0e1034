package ota

import (
	"context"
	"time"
)

// Run, until ctx ends, settles the campaigns whose devices reached a final
// state (next wave, pause, outcome; at most every SettleGap) and, every
// SweepEvery, expires due campaigns and waves, settles every unfinished
// campaign, sends the campaign events not sent yet and deletes dedupe
// marks older than DedupeRetention. (Device messages are written by Ingest
// in the transaction that acknowledges them: there is nothing to flush at
// the end.)
func (s *Service) Run(ctx context.Context) error {
	sweep := time.NewTicker(s.opts.SweepEvery)
	defer sweep.Stop()
	for {
		select {
		case <-sweep.C:
			s.sweep(ctx)
		case <-s.wake:
			s.settleKicked(ctx)
			gap := time.NewTimer(s.opts.SettleGap)
			select {
			case <-gap.C:
			case <-ctx.Done():
				gap.Stop()
				return nil
			}
		case <-ctx.Done():
			return nil
		}
	}
}

// sweep runs one expiry, settle and dedupe sweep; failures are logged and
// retried at the next.
func (s *Service) sweep(ctx context.Context) {
	if n, err := s.ExpireDue(ctx); err != nil {
		s.log.Warn("OTA expiry sweep failed; retried at the next", "error", err)
	} else if n > 0 {
		s.log.Info("OTA devices expired", "devices", n)
	}
	if err := s.Settle(ctx); err != nil {
		s.log.Warn("OTA campaigns not settled; retried at the next sweep", "error", err)
	}
	if _, err := s.SweepDedupe(ctx, s.opts.DedupeRetention); err != nil {
		s.log.Warn("dedupe sweep failed; retried at the next", "error", err)
	}
}
