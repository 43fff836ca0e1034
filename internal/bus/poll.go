package bus

import (
	"context"
	"log/slog"
	"time"
)

// Change is one recorded change of a project's releases.
type Change struct {
	ID        int64
	ProjectID string
}

// ChangeLog is the shared record of release changes (the database).
type ChangeLog interface {
	// RecordChange appends a change.
	RecordChange(ctx context.Context, projectID string, at time.Time) error
	// ChangesSince returns up to limit changes with an id above afterID,
	// in id order.
	ChangesSince(ctx context.Context, afterID int64, limit int) ([]Change, error)
	// LastChangeID returns the highest id, 0 when there is none.
	LastChangeID(ctx context.Context) (int64, error)
	// SweepChanges deletes changes recorded before before.
	SweepChanges(ctx context.Context, before time.Time) error
}

// Poller carries release changes between nodes through the database, so
// that they arrive within a poll interval whether or not Redis is up. A
// change is recorded by the node that made it (Record) and read by every
// node (Run).
type Poller struct {
	log   ChangeLog
	every time.Duration
	l     *slog.Logger
}

// pollWindow is how far below the highest id seen a poll looks again: ids
// of transactions that committed late (an auto-increment id is taken at
// insert, not at commit) are still caught.
const pollWindow = 64

// changeRetention is how long recorded changes are kept.
const changeRetention = time.Hour

// NewPoller returns a Poller polling every every (0 means 1 s).
func NewPoller(log ChangeLog, every time.Duration, l *slog.Logger) *Poller {
	if every <= 0 {
		every = time.Second
	}
	return &Poller{log: log, every: every, l: l}
}

// Record records a change. A failure is logged: the change is committed,
// and the other nodes' answers are rebuilt when they expire.
func (p *Poller) Record(ctx context.Context, projectID string) {
	if err := p.log.RecordChange(context.WithoutCancel(ctx), projectID, time.Now().UTC()); err != nil {
		p.l.Warn("release change not recorded for the other nodes", "projectId", projectID, "error", err)
	}
}

// Run calls fn with the project of every change recorded after it
// started, until ctx ends. Errors (the database is down) are logged once
// per outage and polling goes on.
func (p *Poller) Run(ctx context.Context, fn func(projectID string)) error {
	var cursor int64
	started := false
	seen := map[int64]bool{}
	failing := false
	tick := time.NewTicker(p.every)
	defer tick.Stop()
	sweep := time.NewTicker(10 * time.Minute)
	defer sweep.Stop()
	for {
		if !started {
			id, err := p.log.LastChangeID(ctx)
			if err == nil {
				cursor, started = id, true
			}
		} else {
			cs, err := p.log.ChangesSince(ctx, max(cursor-pollWindow, 0), 1000)
			switch {
			case err != nil && !failing:
				failing = true
				p.l.Warn("cannot poll release changes; retrying", "error", err)
			case err == nil:
				if failing {
					failing = false
					p.l.Info("polling release changes again")
				}
				for _, c := range cs {
					if !seen[c.ID] {
						seen[c.ID] = true
						if c.ID > cursor-pollWindow {
							fn(c.ProjectID)
						}
					}
					cursor = max(cursor, c.ID)
				}
				for id := range seen {
					if id <= cursor-pollWindow {
						delete(seen, id)
					}
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-sweep.C:
			if err := p.log.SweepChanges(ctx, time.Now().Add(-changeRetention)); err != nil {
				p.l.Warn("cannot sweep old release changes", "error", err)
			}
		}
	}
}
