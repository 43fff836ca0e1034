package webhook

import (
	"context"
	"sync"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/ids"
)

// batch is how many due deliveries one claim round looks at.
const batch = 32

// Run delivers due deliveries every PollEvery (and at once when this node
// queued some) and deletes deliveries older than Retention every hour,
// until ctx ends. Deliveries in flight then are abandoned unrecorded and
// their leases given back, so that the next node (or the next start)
// sends them again. Failures of the database are logged and retried at the
// next round.
func (s *Service) Run(ctx context.Context) error {
	poll := time.NewTicker(s.opts.PollEvery)
	defer poll.Stop()
	sweep := time.NewTicker(time.Hour)
	defer sweep.Stop()
	s.sweep(ctx)
	for {
		if _, err := s.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("webhook deliveries: cannot read the queue; retried at the next poll", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-poll.C:
		case <-s.wake:
		case <-sweep.C:
			s.sweep(ctx)
		}
	}
}

// sweep deletes final deliveries older than Retention.
func (s *Service) sweep(ctx context.Context) {
	if _, err := s.store.SweepDeliveries(ctx, s.now().Add(-s.opts.Retention)); err != nil && ctx.Err() == nil {
		s.log.Warn("webhook deliveries sweep failed; retried in an hour", "error", err)
	}
}

// DeliverDue sends every delivery due now, Concurrency at a time, and
// returns how many it attempted. A delivery another node claimed first is
// left to it. The error is the queue's (the database's); a failed send is
// an attempt, recorded and retried later.
func (s *Service) DeliverDue(ctx context.Context) (int, error) {
	total := 0
	for ctx.Err() == nil {
		due, err := s.store.Due(ctx, s.now(), batch)
		if err != nil || len(due) == 0 {
			return total, err
		}
		n := s.deliverAll(ctx, due)
		total += n
		if n == 0 { // all taken by other nodes meanwhile
			return total, nil
		}
	}
	return total, nil
}

// deliverAll claims and sends ids, Concurrency at a time, and returns how
// many it attempted.
func (s *Service) deliverAll(ctx context.Context, due []string) int {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		n     int
		slots = make(chan struct{}, s.opts.Concurrency)
	)
	for _, id := range due {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			if s.deliver(ctx, id) {
				mu.Lock()
				n++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return n
}

// deliver claims one delivery, sends it and records the outcome. It
// reports whether it made an attempt.
func (s *Service) deliver(ctx context.Context, id string) bool {
	now := s.now()
	c, err := s.store.Claim(ctx, id, now, now.Add(s.opts.Lease), ids.New())
	if apperr.Is(err, apperr.NotFound) {
		return false // another node has it, or it is gone with its webhook
	}
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("webhook delivery: claim failed; retried at the next poll", "delivery", id, "error", err)
		}
		return false
	}
	var a Attempt
	disabled := !c.Webhook.Enabled
	if disabled {
		a = Attempt{Time: s.now().UTC(), Error: "not sent: the webhook is disabled"}
	} else {
		a = s.send(ctx, c)
		if ctx.Err() != nil {
			s.release(c)
			return false
		}
	}
	a.N = c.Delivery.Attempts + 1
	d := s.next(c.Delivery, a, disabled)
	if err := s.store.Finish(context.WithoutCancel(ctx), d, c.Token, a); err != nil && !apperr.Is(err, apperr.NotFound) {
		// The lease runs out and the delivery is sent again.
		s.log.Warn("webhook delivery: outcome not recorded; it is sent again after the lease", "delivery", id, "error", err)
	}
	return true
}

// release gives a claim back after the worker was stopped mid-send.
func (s *Service) release(c Claim) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.store.Release(ctx, c.Delivery.ID, c.Token, s.now()); err != nil {
		s.log.Warn("webhook delivery: lease not given back; sent again after it runs out", "delivery", c.Delivery.ID, "error", err)
	}
}

// next is d after attempt a: succeeded, due again after the backoff, or
// failed when final is set (the webhook is disabled) or the next try
// would come later than GiveUpAfter from queueing.
func (s *Service) next(d Delivery, a Attempt, final bool) Delivery {
	now := s.now().UTC().Truncate(time.Millisecond)
	d.Attempts = a.N
	switch {
	case a.Succeeded():
		d.State, d.DoneTime = Succeeded, now
	case final:
		d.State, d.DoneTime = Failed, now
	default:
		at := now.Add(s.Backoff(a.N))
		if at.After(d.CreatedTime.Add(s.opts.GiveUpAfter)) {
			d.State, d.DoneTime = Failed, now
		} else {
			d.State, d.NextAttemptTime = Pending, at
		}
	}
	return d
}

// Backoff is the wait after the n-th failed attempt: FirstRetry, doubled
// after each further failure, at most MaxRetry.
func (s *Service) Backoff(n int) time.Duration {
	d := s.opts.FirstRetry
	for i := 1; i < n && d < s.opts.MaxRetry; i++ {
		d *= 2
	}
	return min(d, s.opts.MaxRetry)
}
