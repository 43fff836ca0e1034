package ota

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// publishEach sends every message with at most PublishWorkers sends in
// flight. A failed send does not stop the others (a broker that is down
// fails them fast); ctx's end does. It returns which messages were sent,
// how many, and the first error (or ctx's, when it ended before every
// message was tried).
func (s *Service) publishEach(ctx context.Context, msgs []Outbound) ([]bool, int, error) {
	ok := make([]bool, len(msgs))
	var (
		next, sent atomic.Int64
		mu         sync.Mutex
		first      error
		wg         sync.WaitGroup
	)
	for range min(s.opts.PublishWorkers, len(msgs)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(msgs) || ctx.Err() != nil {
					return
				}
				if err := s.sender.Send(ctx, msgs[i]); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					continue
				}
				ok[i] = true
				sent.Add(1)
			}
		})
	}
	wg.Wait()
	n := int(sent.Load())
	if first == nil && n < len(msgs) {
		first = fmt.Errorf("publishing stopped: %w", ctx.Err())
	}
	return ok, n, first
}

// cleanupContext is for the writes that undo or settle a failed publish:
// they must happen even when the request or the publishing ran out of time.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
}

// publishError explains a failed publish; what says what became of the
// request. An error without an apperr code (a broker or network failure)
// is Unavailable.
func publishError(err error, what string) error {
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Code != apperr.Internal {
		return apperr.Wrap(err, ae.Code, "%s; %s", ae.Message, what)
	}
	return apperr.Wrap(err, apperr.Unavailable, "the MQTT broker did not take the command; %s", what)
}

// ResendPending sends a device the ota_upgrade commands of campaigns it
// has not acted on yet: it was offline when they were published, and the
// broker retains no command. The broker calls it once the device's
// command subscription is in place. It returns how many it sent.
func (s *Service) ResendPending(ctx context.Context, product, device string) (int, error) {
	cs, err := s.store.PendingUpgrades(ctx, product, device, s.now())
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, c := range cs {
		if err := s.sender.Send(ctx, c.upgradeTo(Address{Product: product, Device: device})); err != nil {
			return sent, fmt.Errorf("ota: resend campaign %s to %s/%s: %w", c.ID, product, device, err)
		}
		sent++
	}
	return sent, nil
}
