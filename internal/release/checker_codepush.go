package release

import (
	"context"
	"sync"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// KeySource lists every deployment key with its project (*Service is one).
type KeySource interface {
	KeyIndex(ctx context.Context) (map[string]string, error)
}

// keyIndex is the node-wide map deployment key → project the CodePush check
// starts from. It is loaded whole, and reloaded when a key is missing:
// at once after a change (Invalidate marks it dirty), otherwise at most once
// per keyReloadEvery, so unknown keys cannot make a database read per
// request. A rotated key stays in the map until the next load, but the
// project's compiled answer no longer has it.
type keyIndex struct {
	src KeySource
	now func() time.Time

	mu     sync.Mutex
	m      map[string]string
	loaded time.Time
	dirty  bool
}

const keyReloadEvery = time.Second

func (k *keyIndex) markDirty() {
	k.mu.Lock()
	k.dirty = true
	k.mu.Unlock()
}

// project returns the project of key, "" when unknown.
func (k *keyIndex) project(ctx context.Context, key string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if p, ok := k.m[key]; ok {
		return p, nil
	}
	if k.src == nil || k.m != nil && !k.dirty && k.now().Sub(k.loaded) < keyReloadEvery {
		return "", nil
	}
	m, err := k.src.KeyIndex(ctx)
	if err != nil {
		if k.m != nil {
			return "", nil // keep the last index while the database is down
		}
		return "", apperr.Wrap(err, apperr.Unavailable, "update check temporarily unavailable")
	}
	k.m, k.loaded, k.dirty = m, k.now(), false
	return m[key], nil
}

// compileDeployments builds the project's CodePush deployments, one per
// deployment key of an existing channel.
func compileDeployments(projectID string, cat Catalog, channels map[string][]Resource) map[string]*Deployment {
	if len(cat.Keys) == 0 {
		return nil
	}
	type dk struct {
		ch string
		t  Type
	}
	byDep := map[dk][]Resource{}
	for _, r := range cat.CodePush {
		byDep[dk{r.Channel, r.Type}] = append(byDep[dk{r.Channel, r.Type}], r)
	}
	out := make(map[string]*Deployment, len(cat.Keys))
	for _, k := range cat.Keys {
		if _, ok := channels[k.Channel]; !ok {
			continue
		}
		out[k.Key] = NewDeployment(projectID, k.Channel, k.Platform, byDep[dk{k.Channel, k.Platform.CodePushType()}])
	}
	return out
}

// CodePushResult is a CodePush check's answer and where it came from.
type CodePushResult struct {
	CodePushAnswer
	Deployment *Deployment
	cp         *compiled
}

// View returns a registered protocol's rendering of r (an enabled release
// of this answer's project), nil when there is none.
func (a *CodePushResult) View(id ViewID, r *Resource) any {
	if r == nil || int(id) >= len(a.cp.views) {
		return nil
	}
	return a.cp.views[id][r.ID]
}

// CheckCodePush answers a CodePush update check from memory (PROTOCOLS
// §6). Invalid for a missing or unknown deployment key and for an app
// version that is not semver; Unavailable as Check.
func (c *Checker) CheckCodePush(ctx context.Context, key string, q CodePushQuery) (CodePushResult, error) {
	if key == "" {
		return CodePushResult{}, apperr.New(apperr.Invalid, "An update check must include a valid deployment key")
	}
	projectID, err := c.keys.project(ctx, key)
	if err != nil {
		return CodePushResult{}, err
	}
	var d *Deployment
	var cp *compiled
	if projectID != "" {
		if cp, err = c.cache.Get(ctx, projectID); err != nil {
			return CodePushResult{}, apperr.Wrap(err, apperr.Unavailable, "update check temporarily unavailable")
		}
		d = cp.deployments[key]
	}
	if d == nil {
		return CodePushResult{}, apperr.New(apperr.Invalid, "unknown deployment key %q", key)
	}
	a, err := d.Decide(q)
	if err != nil {
		return CodePushResult{}, err
	}
	o := Outcome{ProjectID: projectID, Channel: d.Channel, Platform: d.Platform, UUID: q.ClientUniqueID,
		DeviceHash: DeviceHash(q.ClientUniqueID), Time: c.now()}
	if o.DeviceHash != 0 {
		o.InstalledID = d.ReleaseID(q.Label) // the adoption funnel's "applied"
	}
	if a.Release != nil {
		o.Result, o.WgtID, o.WgtVersionCode = ApplyWgt, a.Release.ID, 0
	}
	for _, r := range c.recorders {
		r.Record(o)
	}
	return CodePushResult{CodePushAnswer: a, Deployment: d, cp: cp}, nil
}
