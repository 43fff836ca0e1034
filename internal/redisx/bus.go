package redisx

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hoist-ota/hoist/internal/bus"
)

// Bus is a bus.Bus on a Redis channel: every node hears at once of a
// change another node made. It is safe for concurrent use.
type Bus struct {
	c       redis.UniversalClient
	channel string
	log     *slog.Logger
}

var _ bus.Bus = (*Bus)(nil)

// NewBus returns a Bus on the given channel name.
func NewBus(c redis.UniversalClient, channel string, log *slog.Logger) *Bus {
	return &Bus{c: c, channel: channel, log: log}
}

// Publish announces a change of a project's releases. A failure is logged,
// not returned: the change is committed already and other nodes heal when
// their cached answers expire.
func (r *Bus) Publish(ctx context.Context, projectID string) {
	if err := r.c.Publish(context.WithoutCancel(ctx), r.channel, projectID).Err(); err != nil {
		r.log.Warn("release change not announced to other nodes", "projectId", projectID, "error", err)
	}
}

// Run calls fn with every announced project id until ctx ends. go-redis
// reconnects by itself; when Redis is down at the start, Run keeps trying.
// Announcements made while it is disconnected are missed: the database
// poll (bus.Poller) carries them.
func (r *Bus) Run(ctx context.Context, fn func(projectID string)) error {
	for {
		err := r.listen(ctx, fn)
		if ctx.Err() != nil {
			return nil
		}
		r.log.Warn("release change bus: cannot subscribe; retrying", "error", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(2 * time.Second):
		}
	}
}

// listen subscribes and calls fn with every announcement until ctx ends
// (nil) or the subscription fails.
func (r *Bus) listen(ctx context.Context, fn func(projectID string)) error {
	sub := r.c.Subscribe(ctx, r.channel)
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil { // the subscription confirmation
		return fmt.Errorf("bus: subscribe %s: %w", r.channel, err)
	}
	ch := sub.Channel()
	for {
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-ch:
			if !ok {
				return fmt.Errorf("bus: subscription %s closed", r.channel)
			}
			fn(m.Payload)
		}
	}
}
