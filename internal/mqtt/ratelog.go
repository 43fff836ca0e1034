package mqtt

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// rateLog logs a message at most once per key (a kind of problem and a
// device, say "sink:thermo/dev-1") per interval, and says how many it held
// back since the last line, so that a misbehaving device or a failing
// database cannot flood the log. Safe for concurrent use.
type rateLog struct {
	log   *slog.Logger
	every time.Duration
	now   func() time.Time

	mu        sync.Mutex
	last      map[string]*rateEntry
	lastPrune time.Time
}

type rateEntry struct {
	at         time.Time
	suppressed int
}

// maxRateKeys is how many keys rateLog remembers before it forgets the
// ones older than its interval.
const maxRateKeys = 10000

func newRateLog(log *slog.Logger, every time.Duration, now func() time.Time) *rateLog {
	return &rateLog{log: log, every: every, now: now, last: map[string]*rateEntry{}}
}

// Log writes msg with args at level unless key was logged less than the
// interval ago.
func (r *rateLog) Log(level slog.Level, key, msg string, args ...any) {
	if !r.log.Enabled(context.Background(), level) {
		return
	}
	now := r.now()
	r.mu.Lock()
	e := r.last[key]
	if e != nil && now.Sub(e.at) < r.every {
		e.suppressed++
		r.mu.Unlock()
		return
	}
	suppressed := 0
	if e == nil {
		r.pruneLocked(now)
		e = &rateEntry{}
		r.last[key] = e
	} else {
		suppressed = e.suppressed
	}
	e.at, e.suppressed = now, 0
	r.mu.Unlock()
	if suppressed > 0 {
		args = append(args, "suppressed", suppressed)
	}
	r.log.Log(context.Background(), level, msg, args...)
}

// pruneLocked forgets keys not logged within the interval once the map is
// large, at most once per interval.
func (r *rateLog) pruneLocked(now time.Time) {
	if len(r.last) < maxRateKeys || now.Sub(r.lastPrune) < r.every {
		return
	}
	r.lastPrune = now
	for k, e := range r.last {
		if now.Sub(e.at) >= r.every {
			delete(r.last, k)
		}
	}
}
