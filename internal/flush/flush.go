// Package flush runs the periodic flush of counters kept in memory
// (statistics, download counts, CodePush reports): no row is written per
// request, and what is counted is written every few seconds and once more
// at shutdown.
package flush

import (
	"context"
	"log/slog"
	"time"
)

// finalTimeout bounds the flush at shutdown.
const finalTimeout = 10 * time.Second

// Every calls flush every interval until ctx ends; a failed flush is
// logged as "<what> not written yet" (the flusher keeps its counts for the
// next one). Then it flushes once more, with a fresh deadline, and returns
// that flush's error: what it could not write is lost.
func Every(ctx context.Context, every time.Duration, flush func(context.Context) error, log *slog.Logger, what string) error {
	return EveryOr(ctx, every, nil, flush, log, what)
}

// EveryOr is Every that also flushes when kick receives (a counter that
// fills up before the interval); kick may be nil.
func EveryOr(ctx context.Context, every time.Duration, kick <-chan struct{}, flush func(context.Context) error, log *slog.Logger, what string) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-kick:
			if err := flush(ctx); err != nil {
				log.Warn(what+" not written yet; kept for the next flush", "error", err)
			}
		case <-t.C:
			if err := flush(ctx); err != nil {
				log.Warn(what+" not written yet; kept for the next flush", "error", err)
			}
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalTimeout)
			defer cancel()
			return flush(fctx)
		}
	}
}
