// Package bus tells every Hoist node that a project's releases changed, so
// each drops its cached update-check answer. A node's own changes do not go
// through the bus (they invalidate locally, at once); the bus carries them
// to the other nodes, over Redis pub/sub.
package bus

import (
	"context"
	"fmt"
	"log/slog"

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

// Run calls fn with every announced project id until ctx ends. It is
// reconnects by itself (go-redis); announcements made while it is
// disconnected are missed, which the cached answers' expiry bounds.
func (r *Redis) Run(ctx context.Context, fn func(projectID string)) error {
	sub := r.c.Subscribe(ctx, r.channel)
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil { // the subscription confirmation
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("bus: subscribe %s: %w", r.channel, err)
	}
	ch := sub.Channel()
	for {
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-ch:
			if !ok {
				return nil
			}
			fn(m.Payload)
		}
	}
}
