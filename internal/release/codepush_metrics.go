package release

import (
	"context"
	"sync"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
)

// LabelMetrics counts what CodePush clients reported of one label (or
// binary app version) of a deployment (PROTOCOLS §6): devices running it
// (Active: a successful install adds one and takes one from what it
// replaced), downloads, successful and failed installs.
type LabelMetrics struct {
	Active     int64
	Downloaded int64
	Installed  int64
	Failed     int64
}

func (m *LabelMetrics) add(d LabelMetrics) {
	m.Active += d.Active
	m.Downloaded += d.Downloaded
	m.Installed += d.Installed
	m.Failed += d.Failed
}

// LabelKey names a label of a deployment.
type LabelKey struct {
	ProjectID string
	Channel   string
	Platform  Platform
	Label     string
}

// LabelDelta is a change to a label's counts (Active may be negative).
type LabelDelta struct {
	LabelKey
	LabelMetrics
}

// MetricsStore persists report counts, adding deltas to existing ones.
type MetricsStore interface {
	AddCodePushMetrics(ctx context.Context, ds []LabelDelta) error
	// CodePushMetrics returns a label's stored counts (zero when none).
	CodePushMetrics(ctx context.Context, k LabelKey) (LabelMetrics, error)
}

// CodePushMetrics records the clients' deploy and download reports. A
// report is acknowledged only once it is committed (PROTOCOLS §6: the SDK
// keeps a report it could not deliver and sends it again): reports that
// arrive while a commit runs wait and share the next transaction (a group
// commit), so a burst costs a few transactions, not one per report. It is
// safe for concurrent use and needs no background loop.
type CodePushMetrics struct {
	store MetricsStore

	mu       sync.Mutex
	next     *metricsBatch // reports waiting for the next commit
	flushing bool          // a commit is running
}

// metricsBatch is the reports of one commit; err is set before done closes.
type metricsBatch struct {
	deltas map[LabelKey]*LabelMetrics
	done   chan struct{}
	err    error
}

// commitTimeout bounds one commit, whoever's request runs it.
const commitTimeout = 10 * time.Second

// NewCodePushMetrics returns a recorder writing to store.
func NewCodePushMetrics(store MetricsStore) *CodePushMetrics {
	return &CodePushMetrics{store: store}
}

// maxMetricLabel bounds a counted label or app version (clients send
// them): longer ones are not counted, so that no batch can fail on them.
const maxMetricLabel = 64

// record adds a report to the next commit and returns once that commit is
// done: nil when the report is durable, an Unavailable error otherwise (the
// report is then not counted, and the client sends it again).
func (c *CodePushMetrics) record(ctx context.Context, add func(at func(*Deployment, string) *LabelMetrics)) error {
	c.mu.Lock()
	if c.next == nil {
		c.next = &metricsBatch{deltas: map[LabelKey]*LabelMetrics{}, done: make(chan struct{})}
	}
	b := c.next
	add(func(d *Deployment, label string) *LabelMetrics {
		if label == "" || len(label) > maxMetricLabel {
			return &LabelMetrics{} // counted nowhere
		}
		k := LabelKey{d.ProjectID, d.Channel, d.Platform, label}
		if b.deltas[k] == nil {
			b.deltas[k] = &LabelMetrics{}
		}
		return b.deltas[k]
	})
	lead := !c.flushing
	c.flushing = true
	c.mu.Unlock()
	if lead {
		c.commit(context.WithoutCancel(ctx))
	}
	select {
	case <-b.done:
		return b.err
	case <-ctx.Done():
		return apperr.Wrap(ctx.Err(), apperr.Unavailable, "the report was not recorded in time")
	}
}

// commit writes the waiting batch. When more reports arrived meanwhile, a
// new leader commits them, so no request waits for more than its own batch
// and the one before it.
func (c *CodePushMetrics) commit(ctx context.Context) {
	c.mu.Lock()
	b := c.next
	c.next = nil
	c.mu.Unlock()
	out := make([]LabelDelta, 0, len(b.deltas))
	for k, m := range b.deltas {
		if *m != (LabelMetrics{}) {
			out = append(out, LabelDelta{k, *m})
		}
	}
	if len(out) > 0 {
		tctx, cancel := context.WithTimeout(ctx, commitTimeout)
		if err := c.store.AddCodePushMetrics(tctx, out); err != nil {
			b.err = apperr.Wrap(err, apperr.Unavailable, "the report could not be recorded; send it again")
		}
		cancel()
	}
	close(b.done)
	c.mu.Lock()
	if c.next == nil {
		c.flushing = false
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	go c.commit(ctx)
}

// Downloaded records a download report of label (see record for the
// error). A nil recorder records nothing (so does every method).
func (c *CodePushMetrics) Downloaded(ctx context.Context, d *Deployment, label string) error {
	if c == nil {
		return nil
	}
	return c.record(ctx, func(at func(*Deployment, string) *LabelMetrics) { at(d, label).Downloaded++ })
}

// Deployed records a deploy report: labelOrAppVersion now runs on the
// device, or failed to install; on success, previous (of prev; d when nil)
// stops running on it. See record for the error.
func (c *CodePushMetrics) Deployed(ctx context.Context, d *Deployment, labelOrAppVersion string, failed bool, prev *Deployment, previous string) error {
	if c == nil {
		return nil
	}
	return c.record(ctx, func(at func(*Deployment, string) *LabelMetrics) {
		lm := at(d, labelOrAppVersion)
		if failed {
			lm.Failed++
			return
		}
		lm.Installed++
		lm.Active++
		if previous != "" {
			if prev == nil {
				prev = d
			}
			at(prev, previous).Active--
		}
	})
}

// Get returns a label's recorded counts.
func (c *CodePushMetrics) Get(ctx context.Context, k LabelKey) (LabelMetrics, error) {
	if c == nil {
		return LabelMetrics{}, nil
	}
	m, err := c.store.CodePushMetrics(ctx, k)
	if err != nil {
		return LabelMetrics{}, err
	}
	m.Active = max(m.Active, 0)
	return m, nil
}

// Deployment returns the compiled deployment of a key (nil when unknown),
// for the report handlers.
func (c *Checker) Deployment(ctx context.Context, key string) (*Deployment, error) {
	projectID, err := c.keys.project(ctx, key)
	if err != nil || projectID == "" {
		return nil, err
	}
	cp, err := c.cache.Get(ctx, projectID)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Unavailable, "temporarily unavailable")
	}
	return cp.deployments[key], nil
}

// CodePushMetricsOf returns a CodePush release's report counts (members);
// Invalid for another type.
func (s *Service) CodePushMetricsOf(ctx context.Context, p account.Principal, m *CodePushMetrics, id string) (Resource, LabelMetrics, error) {
	r, err := s.Get(ctx, p, id)
	if err != nil {
		return Resource{}, LabelMetrics{}, err
	}
	if !r.Type.IsCodePush() {
		return Resource{}, LabelMetrics{}, apperr.New(apperr.Invalid, "%s is not a CodePush release", r.Type.Label())
	}
	lm, err := m.Get(ctx, LabelKey{r.ProjectID, r.Channel, r.Type.Platform(), r.Label})
	return r, lm, err
}
