// Package bus tells every Hoist node that a project's releases changed, so
// each drops its cached update-check answer. A node's own changes do not go
// through the bus (they invalidate locally, at once); the bus carries them
// to the other nodes, over Redis pub/sub.
package bus

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a change bus on a Redis channel.
type Redis struct {
	c       redis.UniversalClient
	channel string
	log     *slog.Logger
}

// NewRedis returns a bus on the given channel name.
func NewRedis(c redis.UniversalClient, channel string, log *slog.Logger) *Redis {
	return &Redis{c: c, channel: channel, log: log}
}

// Publish announces a change of a project's releases. A failure is logged,
// not returned: the change is committed already and other nodes heal when
// their cached answers expire.
func (r *Redis) Publish(ctx context.Context, projectID string) {
	if err := r.c.Publish(context.WithoutCancel(ctx), r.channel, projectID).Err(); err != nil {
		r.log.Warn("release change not announced to other nodes", "projectId", projectID, "error", err)
	}
}

// Run calls fn with every announced project id until ctx ends. go-redis
// reconnects by itself; when Redis is down at the start, Run keeps trying.
// Announcements made while it is disconnected are missed: the database
// poll (Poller) carries them.
func (r *Redis) Run(ctx context.Context, fn func(projectID string)) error {
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

func (r *Redis) listen(ctx context.Context, fn func(projectID string)) error {
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
