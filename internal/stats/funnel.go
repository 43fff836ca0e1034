package stats

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hoist-ota/hoist/internal/flush"
	"github.com/hoist-ota/hoist/internal/release"
)

// Step is a step of a release's adoption funnel.
type Step uint8

// The steps, as stored.
const (
	StepOffered    Step = 1 // a check was offered the release
	StepDownloaded Step = 2 // its download link was fetched (with the device segment)
	StepApplied    Step = 3 // a later check reported the release's versionCode
	StepNotApplied Step = 4 // downloaded, and two further checks still offered it
)

// SketchMerge merges a day's sketch of one step of a release into the
// stored one: Merge gets the stored encoding (nil when none) and returns
// the new one.
type SketchMerge struct {
	ResourceID string
	Day        int32 // days since the Unix epoch
	Step       Step
	Merge      func(old []byte) ([]byte, error)
}

// VersionMerge merges a day's sketch of the devices running a wgt
// versionCode in a project's channel into the stored one.
type VersionMerge struct {
	ProjectID   string
	Channel     string
	Day         int32
	VersionCode int64
	Merge       func(old []byte) ([]byte, error)
}

// StoredVersionSketch is a stored day's sketch of a version.
type StoredVersionSketch struct {
	VersionCode int64
	Encoding    []byte
}

// StoredSketch is a stored day's sketch of a step.
type StoredSketch struct {
	Day      int32
	Step     Step
	Encoding []byte
}

// PendingChange changes a downloaded device's wait for its install: Before
// further checks are added to a wait that exists, Downloaded starts one
// (a wait that exists goes on: a device that downloads again after a
// failed install is still waiting since its first download), After checks
// are then added to it; Applied ends it instead.
type PendingChange struct {
	ResourceID string
	Hash       uint64
	Day        int32
	Downloaded bool
	Applied    bool
	Before     int // checks offered the release before this window's download (all, without one)
	After      int // checks offered the release after this window's download
}

// FunnelStore persists the funnel.
type FunnelStore interface {
	// MergeFunnelSketches merges every sketch in one transaction.
	MergeFunnelSketches(ctx context.Context, ms []SketchMerge) error
	// FunnelSketches returns a release's sketches of the days from..to.
	FunnelSketches(ctx context.Context, resourceID string, from, to int32) ([]StoredSketch, error)
	// ApplyFunnelPending applies the changes in one transaction and removes
	// the waits that reached minChecks further checks, returning them.
	ApplyFunnelPending(ctx context.Context, cs []PendingChange, minChecks int) ([]PendingChange, error)
	// MergeVersionSketches merges every version sketch in one transaction.
	MergeVersionSketches(ctx context.Context, ms []VersionMerge) error
	// VersionSketches returns a project's version sketches of the days
	// from..to ("" channel: every channel).
	VersionSketches(ctx context.Context, projectID, channel string, from, to int32) ([]StoredVersionSketch, error)
}

type versionKey struct {
	project, channel string
	day              int32
	code             int64
}

type sketchKey struct {
	resource string
	day      int32
	step     Step
}

type pendKey struct {
	resource string
	hash     uint64
}

type pendState struct {
	downloaded bool // in this window
	before     int  // checks offered the release before the window's download
	after      int  // and after it
	applied    bool
	day        int32
}

// maxVersionKeys bounds the (project, channel, day, versionCode) sketches
// held between flushes: clients choose the versionCode they send.
const maxVersionKeys = 10_000

// notAppliedAfter is the number of further checks still offered a
// downloaded release after which its device counts as not applied.
const notAppliedAfter = 2

// FunnelOptions configure a Funnel.
type FunnelOptions struct {
	FlushEvery time.Duration // default 5 s
	// MaxPending bounds the device waits changed between flushes (default
	// 100 000); beyond, changes are dropped and counted.
	MaxPending int
}

// Funnel counts each release's adoption funnel: distinct devices offered,
// downloaded, applied and not applied, per day. Distinct devices are
// HyperLogLog sketches (fixed memory per release and day, 0.81 % standard
// error); the waits between a download and an install are rows in the
// store, changed in batches. Counts are derived from checks and downloads
// and written every FlushEvery: a node killed loses at most that much. It
// is a release.Recorder.
type Funnel struct {
	store FunnelStore
	opts  FunnelOptions
	log   *slog.Logger

	mu       sync.Mutex
	sketches map[sketchKey]*sketch
	versions map[versionKey]*sketch
	pending  map[pendKey]pendState
	flushMu  sync.Mutex
	dropped  atomic.Int64
}

// NewFunnel returns a funnel writing to store.
func NewFunnel(store FunnelStore, opts FunnelOptions, log *slog.Logger) *Funnel {
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = 5 * time.Second
	}
	if opts.MaxPending <= 0 {
		opts.MaxPending = 100_000
	}
	return &Funnel{store: store, opts: opts, log: log, sketches: map[sketchKey]*sketch{}, versions: map[versionKey]*sketch{},
		pending: map[pendKey]pendState{}}
}

func dayOf(t time.Time) int32 { return int32(t.Unix() / 86400) }

func (f *Funnel) add(resource string, day int32, step Step, h uint64) {
	k := sketchKey{resource, day, step}
	s := f.sketches[k]
	if s == nil {
		s = newSketch()
		f.sketches[k] = s
	}
	s.add(h)
}

func (f *Funnel) pend(resource string, h uint64, day int32, change func(*pendState)) {
	k := pendKey{resource, h}
	p, ok := f.pending[k]
	if !ok {
		if len(f.pending) >= f.opts.MaxPending {
			f.dropped.Add(1)
			return
		}
		p.day = day
	}
	change(&p)
	f.pending[k] = p
}

// Record counts a check: the wgt it offers (and, for a device that
// downloaded it, one more check still without it) and the wgt the device
// reports it runs. Checks without a device key count nothing here.
func (f *Funnel) Record(o release.Outcome) {
	if o.DeviceHash == 0 {
		return
	}
	day := dayOf(o.Time)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range [2]string{o.WgtID, o.NativeID} {
		if id == "" {
			continue
		}
		f.add(id, day, StepOffered, o.DeviceHash)
		// Calls are ordered by f.mu: a check recorded after a download
		// came after it.
		f.pend(id, o.DeviceHash, day, func(p *pendState) {
			if p.downloaded {
				p.after++
			} else {
				p.before++
			}
		})
	}
	if o.WgtVersionCode > 0 { // devices on each version (CodePush checks have none)
		k := versionKey{o.ProjectID, o.Channel, day, o.WgtVersionCode}
		s := f.versions[k]
		if s == nil && len(f.versions) >= maxVersionKeys {
			f.dropped.Add(1) // a client sending made-up versionCodes fills no memory
		} else if s == nil {
			s = newSketch()
			f.versions[k] = s
		}
		if s != nil {
			s.add(o.DeviceHash)
		}
	}
	if o.InstalledID != "" {
		f.add(o.InstalledID, day, StepApplied, o.DeviceHash)
		f.pend(o.InstalledID, o.DeviceHash, day, func(p *pendState) { p.applied = true })
	}
}

// Downloaded counts a download of a release by a device (its hash from the
// link's device segment) at t.
func (f *Funnel) Downloaded(resourceID string, h uint64, t time.Time) {
	day := dayOf(t)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.add(resourceID, day, StepDownloaded, h)
	f.pend(resourceID, h, day, func(p *pendState) {
		if !p.downloaded {
			p.downloaded, p.applied, p.day = true, false, day
		}
	})
}

// Installed counts a device's report that it installed a release (a
// CodePush deploy report): applied, its wait over.
func (f *Funnel) Installed(resourceID string, h uint64, t time.Time) {
	day := dayOf(t)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.add(resourceID, day, StepApplied, h)
	f.pend(resourceID, h, day, func(p *pendState) { p.applied = true })
}

// InstallFailed counts a device's report that installing a release failed
// (a CodePush deploy report): not applied at once, its wait over.
func (f *Funnel) InstallFailed(resourceID string, h uint64, t time.Time) {
	day := dayOf(t)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.add(resourceID, day, StepNotApplied, h)
	f.pend(resourceID, h, day, func(p *pendState) { p.applied = true })
}

// Dropped is the number of device waits (MaxPending) and version sketches
// (maxVersionKeys) not recorded because their bound was reached between two
// flushes.
func (f *Funnel) Dropped() int64 { return f.dropped.Load() }

// Run flushes every FlushEvery until ctx ends, then once more.
func (f *Funnel) Run(ctx context.Context) error {
	if err := flush.Every(ctx, f.opts.FlushEvery, f.Flush, f.log, "adoption funnel"); err != nil {
		return fmt.Errorf("stats: funnel final flush: %w", err)
	}
	return nil
}

// Flush writes what was counted since the last flush: the waits first (the
// devices that reached "not applied" join that step's sketch), then the
// sketches. On failure what was not written is kept for the next flush.
func (f *Funnel) Flush(ctx context.Context) error {
	f.flushMu.Lock()
	defer f.flushMu.Unlock()
	f.mu.Lock()
	sketches, pending, versions := f.sketches, f.pending, f.versions
	f.sketches, f.pending, f.versions = map[sketchKey]*sketch{}, map[pendKey]pendState{}, map[versionKey]*sketch{}
	f.mu.Unlock()

	if len(versions) > 0 {
		vs := make([]VersionMerge, 0, len(versions))
		for k, s := range versions {
			vs = append(vs, VersionMerge{ProjectID: k.project, Channel: k.channel, Day: k.day, VersionCode: k.code, Merge: s.mergeEncoded})
		}
		if err := f.store.MergeVersionSketches(ctx, vs); err != nil {
			f.putBackVersions(versions)
			f.putBack(sketches, pending)
			return err
		}
	}

	changes := make([]PendingChange, 0, len(pending))
	for k, p := range pending {
		c := PendingChange{ResourceID: k.resource, Hash: k.hash, Day: p.day, Applied: p.applied,
			Downloaded: p.downloaded, Before: p.before, After: p.after}
		if c.Applied || c.Downloaded || c.Before > 0 {
			changes = append(changes, c)
		}
	}
	if len(changes) > 0 {
		done, err := f.store.ApplyFunnelPending(ctx, changes, notAppliedAfter)
		if err != nil {
			f.putBack(sketches, pending)
			return err
		}
		for _, c := range done {
			k := sketchKey{c.ResourceID, c.Day, StepNotApplied}
			if sketches[k] == nil {
				sketches[k] = newSketch()
			}
			sketches[k].add(c.Hash)
		}
	}
	if len(sketches) == 0 {
		return nil
	}
	ms := make([]SketchMerge, 0, len(sketches))
	for k, s := range sketches {
		ms = append(ms, SketchMerge{ResourceID: k.resource, Day: k.day, Step: k.step, Merge: s.mergeEncoded})
	}
	if err := f.store.MergeFunnelSketches(ctx, ms); err != nil {
		f.putBack(sketches, nil) // the waits were written
		return err
	}
	return nil
}

// putBackVersions merges unwritten version sketches into the current window.
func (f *Funnel) putBackVersions(versions map[versionKey]*sketch) {
	f.mu.Lock()
	defer f.mu.Unlock()
	mergeInto(f.versions, versions)
}

// mergeInto merges the sketches of from into to, by key.
func mergeInto[K comparable](to, from map[K]*sketch) {
	for k, s := range from {
		if cur := to[k]; cur != nil {
			cur.merge(s)
		} else {
			to[k] = s
		}
	}
}

// VersionDevices returns the distinct devices that reported each wgt
// versionCode over the days from..to (UTC, inclusive) in a project's
// channel ("" for every channel), most devices first. Estimates, as the
// funnel's.
func (f *Funnel) VersionDevices(ctx context.Context, projectID, channel string, from, to time.Time) ([]CodeCount, error) {
	stored, err := f.store.VersionSketches(ctx, projectID, channel, dayOf(from), dayOf(to))
	if err != nil {
		return nil, err
	}
	merged := map[int64]*sketch{}
	for _, st := range stored {
		s, err := unmarshalSketch(st.Encoding)
		if err != nil {
			return nil, fmt.Errorf("stats: version %d of %s: %w", st.VersionCode, projectID, err)
		}
		if merged[st.VersionCode] == nil {
			merged[st.VersionCode] = newSketch()
		}
		merged[st.VersionCode].merge(s)
	}
	out := make([]CodeCount, 0, len(merged))
	for code, s := range merged {
		out = append(out, CodeCount{VersionCode: code, Count: s.estimate()})
	}
	slices.SortFunc(out, func(a, b CodeCount) int {
		if a.Count != b.Count {
			return int(b.Count - a.Count)
		}
		return int(b.VersionCode - a.VersionCode)
	})
	return out, nil
}

// putBack merges an unwritten window into the current one.
func (f *Funnel) putBack(sketches map[sketchKey]*sketch, pending map[pendKey]pendState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	mergeInto(f.sketches, sketches)
	for k, p := range pending {
		cur, ok := f.pending[k]
		switch {
		case !ok:
			f.pending[k] = p
		default: // the older window's checks came first
			if p.downloaded {
				cur.after += cur.before
				cur.before, cur.downloaded, cur.day = p.before, true, p.day
			} else {
				cur.before += p.before
			}
			cur.applied = cur.applied || p.applied
			f.pending[k] = cur
		}
	}
}

// FunnelCounts is a release's funnel over a range of days: distinct
// devices at each step (estimates; see Funnel), and per day.
type FunnelCounts struct {
	Offered, Downloaded, Applied, NotApplied int64
	Days                                     []FunnelDay
}

// FunnelDay is one day of a funnel; Applied is the devices that ran the
// release that day (its adoption over time).
type FunnelDay struct {
	Day                                      time.Time
	Offered, Downloaded, Applied, NotApplied int64
}

// Read returns a release's funnel for the days from..to (inclusive, UTC).
func (f *Funnel) Read(ctx context.Context, resourceID string, from, to time.Time) (FunnelCounts, error) {
	stored, err := f.store.FunnelSketches(ctx, resourceID, dayOf(from), dayOf(to))
	if err != nil {
		return FunnelCounts{}, err
	}
	total := map[Step]*sketch{}
	days := map[int32]*FunnelDay{}
	var order []int32
	for _, st := range stored {
		s, err := unmarshalSketch(st.Encoding)
		if err != nil {
			return FunnelCounts{}, fmt.Errorf("stats: funnel of %s, day %d: %w", resourceID, st.Day, err)
		}
		if total[st.Step] == nil {
			total[st.Step] = newSketch()
		}
		total[st.Step].merge(s)
		d := days[st.Day]
		if d == nil {
			d = &FunnelDay{Day: time.Unix(int64(st.Day)*86400, 0).UTC()}
			days[st.Day] = d
			order = append(order, st.Day)
		}
		*d.at(st.Step) = s.estimate()
	}
	var out FunnelCounts
	for step, s := range total {
		switch step {
		case StepOffered:
			out.Offered = s.estimate()
		case StepDownloaded:
			out.Downloaded = s.estimate()
		case StepApplied:
			out.Applied = s.estimate()
		case StepNotApplied:
			out.NotApplied = s.estimate()
		}
	}
	slices.Sort(order)
	for _, d := range order {
		out.Days = append(out.Days, *days[d])
	}
	return out, nil
}

func (d *FunnelDay) at(s Step) *int64 {
	switch s {
	case StepOffered:
		return &d.Offered
	case StepDownloaded:
		return &d.Downloaded
	case StepApplied:
		return &d.Applied
	default:
		return &d.NotApplied
	}
}

// FunnelSince returns a release's funnel from the day of from on (the
// staged rollout's gates read it): a release.FunnelReader.
func (f *Funnel) FunnelSince(ctx context.Context, resourceID string, from time.Time) (release.FunnelNumbers, error) {
	c, err := f.Read(ctx, resourceID, from, from.AddDate(2, 0, 0))
	if err != nil {
		return release.FunnelNumbers{}, err
	}
	return release.FunnelNumbers{Offered: c.Offered, Downloaded: c.Downloaded, Applied: c.Applied, NotApplied: c.NotApplied}, nil
}
