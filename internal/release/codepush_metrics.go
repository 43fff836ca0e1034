package release

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/flush"
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

// maxMetricKeys bounds the labels held between flushes; labels come from
// deployments that exist, so only a store that cannot keep up reaches it
// (further reports of new labels are then not counted).
const maxMetricKeys = 100_000

// CodePushMetrics aggregates the clients' deploy and download reports in
// memory and writes them in batches: a report is a map update, never a
// database row. It is safe for concurrent use.
type CodePushMetrics struct {
	store MetricsStore
	every time.Duration
	log   *slog.Logger

	mu      sync.Mutex
	pending map[LabelKey]*LabelMetrics
}

// NewCodePushMetrics returns an aggregator flushing to store every
// interval (5 s when zero).
func NewCodePushMetrics(store MetricsStore, every time.Duration, log *slog.Logger) *CodePushMetrics {
	if every <= 0 {
		every = 5 * time.Second
	}
	return &CodePushMetrics{store: store, every: every, log: log, pending: map[LabelKey]*LabelMetrics{}}
}

// maxMetricLabel bounds a counted label or app version (clients send
// them): longer ones are not counted, so that no batch can fail on them.
const maxMetricLabel = 64

// at returns the pending counts of a label; a scratch value (counted
// nowhere) beyond the bounds.
func (c *CodePushMetrics) at(d *Deployment, label string) *LabelMetrics {
	k := LabelKey{d.ProjectID, d.Channel, d.Platform, label}
	lm := c.pending[k]
	if lm == nil {
		if len(c.pending) >= maxMetricKeys || label == "" || len(label) > maxMetricLabel {
			return &LabelMetrics{}
		}
		lm = &LabelMetrics{}
		c.pending[k] = lm
	}
	return lm
}

// Downloaded counts a download report of label. A nil aggregator counts
// nothing (so does every method).
func (c *CodePushMetrics) Downloaded(d *Deployment, label string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.at(d, label).Downloaded++
	c.mu.Unlock()
}

// Deployed counts a deploy report: labelOrAppVersion now runs on the
// device, or failed to install; on success, previous (of prev; d when nil)
// stops running on it.
func (c *CodePushMetrics) Deployed(d *Deployment, labelOrAppVersion string, failed bool, prev *Deployment, previous string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lm := c.at(d, labelOrAppVersion)
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
		c.at(prev, previous).Active--
	}
}

// Get returns a label's counts: stored plus not yet flushed on this node.
func (c *CodePushMetrics) Get(ctx context.Context, k LabelKey) (LabelMetrics, error) {
	if c == nil {
		return LabelMetrics{}, nil
	}
	m, err := c.store.CodePushMetrics(ctx, k)
	if err != nil {
		return LabelMetrics{}, err
	}
	c.mu.Lock()
	if p := c.pending[k]; p != nil {
		m.add(*p)
	}
	c.mu.Unlock()
	m.Active = max(m.Active, 0)
	return m, nil
}

// Run flushes every interval until ctx ends, then flushes once more.
func (c *CodePushMetrics) Run(ctx context.Context) error {
	if err := flush.Every(ctx, c.every, c.Flush, c.log, "codepush report counts"); err != nil {
		c.log.Warn("codepush report counts lost at shutdown", "error", err)
	}
	return nil
}

// Flush writes the counts gathered so far; on failure they are kept for
// the next flush.
func (c *CodePushMetrics) Flush(ctx context.Context) error {
	c.mu.Lock()
	pending := c.pending
	c.pending = map[LabelKey]*LabelMetrics{}
	c.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	out := make([]LabelDelta, 0, len(pending))
	for k, m := range pending {
		out = append(out, LabelDelta{k, *m})
	}
	if err := c.store.AddCodePushMetrics(ctx, out); err != nil {
		c.mu.Lock()
		for k, m := range pending {
			if p := c.pending[k]; p != nil {
				p.add(*m)
			} else {
				c.pending[k] = m
			}
		}
		c.mu.Unlock()
		return err
	}
	return nil
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
