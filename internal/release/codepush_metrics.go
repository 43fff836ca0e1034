package release

import (
	"context"
	"sync"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
)

// LabelMetrics counts what CodePush clients reported of one release
// (PROTOCOLS §6): devices running it (Active: a successful install adds
// one and takes one from the release it replaced), downloads, successful
// and failed installs.
type LabelMetrics struct {
	Active     int64 `json:"active"`
	Downloaded int64 `json:"downloaded"`
	Installed  int64 `json:"installed"`
	Failed     int64 `json:"failed"`
}

// metricKey names a label (or binary app version) of a deployment.
type metricKey struct {
	projectID, channel string
	platform           Platform
	label              string
}

// CodePushMetrics aggregates the clients' deploy and download reports in
// memory: a report is a map update, never a database row.
type CodePushMetrics struct {
	mu sync.Mutex
	m  map[metricKey]*LabelMetrics
}

// NewCodePushMetrics returns an empty aggregator.
func NewCodePushMetrics() *CodePushMetrics {
	return &CodePushMetrics{m: map[metricKey]*LabelMetrics{}}
}

func (c *CodePushMetrics) at(d *Deployment, label string) *LabelMetrics {
	k := metricKey{d.ProjectID, d.Channel, d.Platform, label}
	lm := c.m[k]
	if lm == nil {
		lm = &LabelMetrics{}
		c.m[k] = lm
	}
	return lm
}

// Downloaded counts a download report of label.
func (c *CodePushMetrics) Downloaded(d *Deployment, label string) {
	c.mu.Lock()
	c.at(d, label).Downloaded++
	c.mu.Unlock()
}

// Deployed counts a deploy report: labelOrAppVersion now runs (a failed
// install only counts as failed); previous (in prev, d when nil) stops
// running.
func (c *CodePushMetrics) Deployed(d *Deployment, labelOrAppVersion string, failed bool, prev *Deployment, previous string) {
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
		if p := c.at(prev, previous); p.Active > 0 {
			p.Active--
		}
	}
}

// Get returns the counts of a label of a deployment.
func (c *CodePushMetrics) Get(projectID, channel string, p Platform, label string) LabelMetrics {
	c.mu.Lock()
	defer c.mu.Unlock()
	if lm := c.m[metricKey{projectID, channel, p, label}]; lm != nil {
		return *lm
	}
	return LabelMetrics{}
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

// CodePushMetricsOf returns a CodePush release's counts (members).
func (s *Service) CodePushMetricsOf(ctx context.Context, p account.Principal, m *CodePushMetrics, id string) (Resource, LabelMetrics, error) {
	r, err := s.Get(ctx, p, id)
	if err != nil {
		return Resource{}, LabelMetrics{}, err
	}
	if !r.Type.IsCodePush() {
		return Resource{}, LabelMetrics{}, apperr.New(apperr.Invalid, "%s is not a CodePush release", r.Type.Label())
	}
	return r, m.Get(r.ProjectID, r.Channel, r.Type.Platform(), r.Label), nil
}
