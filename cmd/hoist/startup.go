package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"

	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/store"
)

// retry runs try until it succeeds, ctx ends or timeout passes, waiting
// with backoff (0.5 s doubling to 5 s) and logging each failure. It
// returns the last error, wrapped with what (the key to look at).
func retry(ctx context.Context, log *slog.Logger, what string, timeout time.Duration, try func(context.Context) error) error {
	deadline := time.Now().Add(timeout)
	wait := 500 * time.Millisecond
	for {
		err := try(ctx)
		if err == nil {
			return nil
		}
		if timeout <= 0 || time.Now().Add(wait).After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		log.Warn("not reachable yet; retrying", "what", what, "error", err, "retryIn", wait, "giveUpIn", time.Until(deadline).Round(time.Second))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, ctx.Err())
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// openStore opens the database, retrying for cfg.StartupTimeout, so that
// Hoist started before its database comes up once it does.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.Store, error) {
	var st *store.Store
	err := retry(ctx, log, "db.dsn (HOIST_DB_DSN): the database does not answer", cfg.StartupTimeout, func(ctx context.Context) error {
		var err error
		st, err = store.Open(ctx, cfg.DB, log)
		return err
	})
	return st, err
}

// routeLibraryLogs sends the MySQL driver's and the Redis client's own log
// lines through the structured logger.
func routeLibraryLogs(log *slog.Logger) {
	mysql.SetLogger(mysqlLog{log.With("component", "mysql")})
	redis.SetLogger(redisLog{log.With("component", "redis")})
}

type mysqlLog struct{ l *slog.Logger }

func (m mysqlLog) Print(v ...any) { m.l.Warn(fmt.Sprint(v...)) }

type redisLog struct{ l *slog.Logger }

func (r redisLog) Printf(_ context.Context, format string, v ...any) {
	r.l.Warn(fmt.Sprintf(format, v...))
}
