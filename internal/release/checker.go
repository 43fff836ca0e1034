package release

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/snapcache"
)

// Checker answers the public update check for every client protocol, from
// memory: per project it keeps a compiled answer (the decision Snapshot and
// each resource rendered once per protocol), drops it when the project's
// releases change (Invalidate, called for this node's changes and for those
// other nodes announce), decides per request, and reports what the client
// will do with the answer to the Recorders (statistics, metrics). A protocol
// handler only parses its request and writes the views it is handed.
//
// While the database is down, a project whose answer was compiled before
// keeps getting it (stale-if-error); one never compiled is Unavailable.
type Checker struct {
	src       CatalogSource
	cache     *snapcache.Cache[*compiled]
	keys      keyIndex
	recorders []Recorder
	now       func() time.Time

	mu    sync.Mutex
	views []ViewFunc
}

// CatalogSource loads what the update check needs of a project; NotFound
// when it does not exist. *Service is one.
type CatalogSource interface {
	Catalog(ctx context.Context, projectID string) (Catalog, error)
	// CatalogResource loads one resource as Catalog lists it; in false
	// when Catalog would leave it out (disabled, deleted, firmware).
	CatalogResource(ctx context.Context, projectID, id string) (r Resource, url string, in bool, err error)
}

// Recorder is told of every answered check (statistics, metrics). Record
// runs on the request's goroutine after the answer is decided: it must be
// cheap and must not keep o.SystemInfo beyond the call unless it copies it.
type Recorder interface {
	Record(o Outcome)
}

// ViewFunc renders a resource once for one client protocol (its JSON, or
// parts of it); url is the resource's download URL (Catalog.URLs).
type ViewFunc func(r Resource, url string) (any, error)

// ViewID names a registered ViewFunc.
type ViewID int

// CheckerOptions tune a Checker.
type CheckerOptions struct {
	// MaxProjects bounds how many compiled projects are kept (default
	// 100,000).
	MaxProjects int
	// Recorders are told of every answered check.
	Recorders []Recorder
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Keys lists every CodePush deployment key for CheckCodePush; nil:
	// CodePush checks find no deployment.
	Keys KeySource
}

// NewChecker returns a Checker reading catalogs from src.
func NewChecker(src CatalogSource, o CheckerOptions) *Checker {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxProjects <= 0 {
		o.MaxProjects = 100_000
	}
	c := &Checker{src: src, recorders: o.Recorders, now: o.Now}
	c.keys.src, c.keys.now = o.Keys, o.Now
	c.cache = snapcache.New(c.load, o.MaxProjects, o.Now)
	return c
}

// AddView registers a protocol's rendering of resources and returns its id
// for Answer.View. Views are registered while the server is built, before
// the first check: registering one later is a programming error (answers
// compiled without it would lack it) and panics.
func (c *Checker) AddView(fn ViewFunc) ViewID {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cache.Loads() > 0 {
		panic("release: Checker.AddView after the first check")
	}
	c.views = append(c.views, fn)
	return ViewID(len(c.views) - 1)
}

// Invalidate marks a project's compiled answer for a rebuild (another
// node's change): the next check starts it in the background and is
// answered with the previous one meanwhile, as are the checks until the
// rebuild is in place (and, if it fails, after).
func (c *Checker) Invalidate(projectID string) {
	c.cache.Invalidate(projectID)
	c.keys.markDirty()
}

// refreshTimeout bounds a rebuild run by the request that made a change.
const refreshTimeout = 30 * time.Second

// Refresh rebuilds a project's compiled answer now (this node's change, in
// the request that made it): checks meanwhile get the previous answer,
// never waiting for the rebuild, and every check after Refresh returns
// sees the change. When the rebuild fails, the project is left invalidated
// (the next check tries again).
func (c *Checker) Refresh(projectID string) {
	c.keys.markDirty()
	ctx, cancel := context.WithTimeout(context.Background(), refreshTimeout)
	defer cancel()
	c.cache.Refresh(ctx, projectID) //nolint:errcheck // see above
	c.keys.markDirty()
}

// RefreshResource is Refresh for a change of one resource (resourceID;
// "" is any other change): the compiled answer is derived from the
// current one with that resource read again, replaced or removed, instead
// of compiling the whole catalog, so its cost hardly grows with the
// catalog. It falls back to Refresh when it cannot (a CodePush release, a
// channel not compiled, an answer not up to date).
func (c *Checker) RefreshResource(projectID, resourceID string) {
	if resourceID == "" {
		c.Refresh(projectID)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), refreshTimeout)
	defer cancel()
	c.cache.Apply(ctx, projectID, func(ctx context.Context, prev *compiled) (*compiled, bool, error) { //nolint:errcheck // as Refresh
		if prev.missing {
			return nil, false, nil
		}
		r, url, in, err := c.src.CatalogResource(ctx, projectID, resourceID)
		if err != nil {
			return nil, false, err
		}
		c.mu.Lock()
		views := c.views
		c.mu.Unlock()
		return prev.withResource(resourceID, r, url, in, views)
	})
}

// Applied counts changes applied to a compiled answer without compiling
// it again (RefreshResource).
func (c *Checker) Applied() uint64 { return c.cache.Applies() }

// Hits, Loads and Stale count checks answered from memory, compilations,
// and checks answered with an outdated answer because compiling failed.
func (c *Checker) Hits() uint64 { return c.cache.Hits() }

// Loads counts compilations (first use, change, expiry).
func (c *Checker) Loads() uint64 { return c.cache.Loads() }

// Stale counts checks answered with a project's last answer because
// compiling the current one failed (database down).
func (c *Checker) Stale() uint64 { return c.cache.Stale() }

// negativeTTL is how long "no such project" is kept; project ids are
// random, so a real project is practically never asked for before it
// exists.
const negativeTTL = 30 * time.Second

// compiled is a project's answer material.
type compiled struct {
	missing  bool                 // the project does not exist (kept negativeTTL)
	channels map[string]*Snapshot // every channel of the project, empty ones too
	pins     map[string]string    // device key → channel
	views    []map[string]any     // views[ViewID][resource id]
	// deployments maps each deployment key to its compiled CodePush
	// deployment.
	deployments map[string]*Deployment
	// byChannel holds the resources each channel's Snapshot was made of,
	// in snapshotOrder, channelOf the channel of each (for withResource).
	byChannel map[string][]Resource
	channelOf map[string]string
}

// withResource returns cp with resource id replaced by r (in: r is in the
// catalog, url its download URL) or removed (!in), recompiling only the
// channels it leaves or joins. ok is false when the change needs a full
// compilation: a CodePush release (deployments are compiled from them
// all) or a channel that is not compiled.
func (cp *compiled) withResource(id string, r Resource, url string, in bool, views []ViewFunc) (next *compiled, ok bool, err error) {
	old, had := cp.channelOf[id]
	if had {
		i := slices.IndexFunc(cp.byChannel[old], func(x Resource) bool { return x.ID == id })
		if i < 0 || cp.byChannel[old][i].Type.IsCodePush() {
			return nil, false, nil
		}
	}
	if r.Type.IsCodePush() || len(views) != len(cp.views) {
		return nil, false, nil
	}
	if in {
		if _, ok := cp.channels[r.Channel]; !ok {
			return nil, false, nil
		}
	}
	n := *cp
	n.channels, n.byChannel, n.channelOf = maps.Clone(cp.channels), maps.Clone(cp.byChannel), maps.Clone(cp.channelOf)
	touched := map[string]bool{}
	if had {
		n.byChannel[old] = slices.DeleteFunc(slices.Clone(cp.byChannel[old]), func(x Resource) bool { return x.ID == id })
		delete(n.channelOf, id)
		touched[old] = true
	}
	if in { // at its place in snapshotOrder, so that NewSnapshot need not sort
		rs := n.byChannel[r.Channel]
		i, _ := slices.BinarySearchFunc(rs, r, snapshotOrder)
		n.byChannel[r.Channel] = slices.Insert(slices.Clone(rs), i, r)
		n.channelOf[id] = r.Channel
		touched[r.Channel] = true
	}
	for ch := range touched {
		n.channels[ch] = NewSnapshot(n.byChannel[ch])
	}
	n.views = make([]map[string]any, len(cp.views))
	for v, m := range cp.views {
		m = maps.Clone(m)
		delete(m, id)
		if in {
			if m[id], err = views[v](r, url); err != nil {
				return nil, false, err
			}
		}
		n.views[v] = m
	}
	return &n, true, nil
}

func (c *Checker) load(ctx context.Context, projectID string) (*compiled, time.Time, error) {
	cat, err := c.src.Catalog(ctx, projectID)
	if apperr.Is(err, apperr.NotFound) {
		return &compiled{missing: true}, c.now().Add(negativeTTL), nil
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	c.mu.Lock()
	views := c.views
	c.mu.Unlock()
	byChannel := map[string][]Resource{DefaultChannel: nil}
	for _, ch := range cat.Channels {
		byChannel[ch] = nil
	}
	for _, r := range cat.Resources {
		if _, ok := byChannel[r.Channel]; ok {
			byChannel[r.Channel] = append(byChannel[r.Channel], r)
		}
	}
	cp := &compiled{channels: make(map[string]*Snapshot, len(byChannel)), pins: cat.Pins,
		views: make([]map[string]any, len(views)), byChannel: byChannel, channelOf: make(map[string]string, len(cat.Resources))}
	for ch, rs := range byChannel {
		slices.SortFunc(rs, snapshotOrder) // withResource keeps this order
		cp.channels[ch] = NewSnapshot(rs)
		for _, r := range rs {
			cp.channelOf[r.ID] = ch
		}
	}
	cp.deployments = compileDeployments(projectID, cat, byChannel)
	for v, fn := range views {
		m := make(map[string]any, len(cat.Resources))
		for i, r := range cat.Resources {
			if m[r.ID], err = fn(r, cat.URLs[i]); err != nil {
				return nil, time.Time{}, err
			}
		}
		cp.views[v] = m
	}
	return cp, cat.ValidUntil, nil
}

// Request is one update check, as every protocol knows it.
type Request struct {
	ProjectID string
	// Channel is the release channel asked for ("" for DefaultChannel); a
	// device pinned to a channel gets that one instead.
	Channel string
	// Query is the device as the decision needs it (its UUID is the
	// rollout key: systemInfo.uuid, else deviceId).
	Query
	// DeviceID is systemInfo.deviceId, which pins may name besides uuid.
	DeviceID string
	// SystemInfo is the device's own description, kept for a device seen
	// for the first time; ClientIP bounds how many new devices one address
	// may add. Both are only read during Check.
	SystemInfo []byte
	ClientIP   string
}

// Apply is what the client will do with an answer.
type Apply uint8

// What a client applies.
const (
	ApplyNone Apply = iota
	ApplyWgt
	ApplyNative
)

// String returns the stored name of a: "none", "wgt" or "native".
func (a Apply) String() string {
	switch a {
	case ApplyWgt:
		return "wgt"
	case ApplyNative:
		return "native"
	}
	return "none"
}

// Outcome is an answered check as statistics see it.
type Outcome struct {
	ProjectID         string
	Channel           string
	Platform          Platform
	WgtVersionCode    int64
	NativeVersionCode int64
	Result            Apply
	// WgtID and NativeID are the offered resources ("" when none).
	WgtID, NativeID string
	// UUID is the device's key, "" when unknown; DeviceHash its hash (0
	// when unknown), what the adoption funnel counts.
	UUID       string
	DeviceHash uint64
	// InstalledID is the wgt release the device reports it runs ("" when
	// its wgtVersionCode is no enabled release of the channel).
	InstalledID string
	// SystemInfo and ClientIP are the request's (see Request).
	SystemInfo []byte
	ClientIP   string
	Time       time.Time
}

// Answer is the decision for one check and access to its rendered views.
type Answer struct {
	Decision
	Outcome Outcome
	cp      *compiled
}

// View returns a registered protocol's rendering of r, an offered resource
// of this answer (nil when r is nil).
func (a *Answer) View(id ViewID, r *Resource) any {
	if r == nil || int(id) >= len(a.cp.views) {
		return nil
	}
	return a.cp.views[id][r.ID]
}

// Check decides what to offer the device and reports the outcome to the
// recorders. NotFound for an unknown project or channel; Unavailable when
// the project's answer cannot be compiled and none was compiled before.
func (c *Checker) Check(ctx context.Context, req *Request) (Answer, error) {
	cp, channel, _, err := c.resolve(ctx, req)
	if err != nil {
		return Answer{}, err
	}
	a := Answer{Decision: cp.channels[channel].Decide(req.Query), cp: cp}
	a.Outcome = c.outcome(req, channel, a.Decision)
	if a.Outcome.DeviceHash != 0 {
		a.Outcome.InstalledID = cp.channels[channel].Installed(req.Platform, req.WgtVersionCode)
	}
	for _, r := range c.recorders {
		r.Record(a.Outcome)
	}
	return a, nil
}

// resolve finds the project's compiled answer and the device's channel: the
// one it is pinned to (by uuid, else deviceId), else the one asked for,
// else DefaultChannel. A channel the project does not have is NotFound,
// pinned or not: the URL is wrong and should say so.
func (c *Checker) resolve(ctx context.Context, req *Request) (cp *compiled, channel string, pinned bool, err error) {
	cp, err = c.cache.Get(ctx, req.ProjectID)
	if err != nil {
		return nil, "", false, apperr.Wrap(err, apperr.Unavailable, "update check temporarily unavailable")
	}
	if cp.missing {
		return nil, "", false, apperr.New(apperr.NotFound, "project not found")
	}
	channel = req.Channel
	if channel == "" {
		channel = DefaultChannel
	} else if _, ok := cp.channels[channel]; !ok {
		return nil, "", false, apperr.New(apperr.NotFound, "channel %s not found in this project", channel)
	}
	if len(cp.pins) > 0 {
		if ch, ok := cp.pins[req.UUID]; ok && req.UUID != "" {
			return cp, ch, true, nil
		}
		if ch, ok := cp.pins[req.DeviceID]; ok && req.DeviceID != "" {
			return cp, ch, true, nil
		}
	}
	return cp, channel, false, nil
}

// outcome says what the client will apply (PROTOCOLS §2): a newer native
// build when there is one, else a newer wgt; not merely what was offered.
func (c *Checker) outcome(req *Request, channel string, d Decision) Outcome {
	o := Outcome{ProjectID: req.ProjectID, Channel: channel, Platform: req.Platform,
		WgtVersionCode: req.WgtVersionCode, NativeVersionCode: req.NativeVersionCode, UUID: req.UUID, DeviceHash: DeviceHash(req.UUID),
		SystemInfo: req.SystemInfo, ClientIP: req.ClientIP, Time: c.now()}
	switch {
	case d.Native != nil && d.Native.VersionCode > req.NativeVersionCode:
		o.NativeID, o.Result = d.Native.ID, ApplyNative
	case d.Wgt != nil && d.Wgt.VersionCode > req.WgtVersionCode:
		o.WgtID, o.Result = d.Wgt.ID, ApplyWgt
	}
	return o
}
