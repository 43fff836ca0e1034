package store

import (
	"context"
	"log/slog"
	"time"

	"gorm.io/gorm/logger"
)

// slowQuery is the duration from which a statement is logged as slow.
const slowQuery = 200 * time.Millisecond

// gormLogger logs slow statements only. Errors are returned to the caller,
// which decides whether to log them (log once, at the edge).
type gormLogger struct{ log *slog.Logger }

func newGormLogger(log *slog.Logger) logger.Interface { return gormLogger{log: log} }

func (l gormLogger) LogMode(logger.LogLevel) logger.Interface { return l }
func (gormLogger) Info(context.Context, string, ...any)       {}
func (gormLogger) Warn(context.Context, string, ...any)       {}
func (gormLogger) Error(context.Context, string, ...any)      {}

func (l gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), _ error) {
	if d := time.Since(begin); d >= slowQuery {
		sql, rows := fc()
		if len(sql) > 200 { // the statement's shape is enough; values stay out of logs
			sql = sql[:200] + "..."
		}
		l.log.WarnContext(ctx, "slow query", "duration", d.Round(time.Millisecond), "rows", rows, "sql", sql)
	}
}
