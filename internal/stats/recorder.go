package stats

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hoist-ota/hoist/internal/flush"
	"github.com/hoist-ota/hoist/internal/release"
)

// Options configure a Recorder.
type Options struct {
	FlushEvery time.Duration // default 5 s
	// DeviceQueue bounds the first-seen devices waiting for a flush (default
	// 50 000); a flush starts early when it is half full, and beyond it
	// devices are dropped and counted (the database cannot keep up).
	DeviceQueue int
	// SeenMax bounds the per-node memory of known devices (default
	// 1 000 000, about 20 MiB: a 64-bit hash each); when full it is
	// cleared, and the database ignores repeats.
	SeenMax int
	// NewDevicesPerIPPerMinute bounds the first-seen devices one client
	// address may add per minute (by the checks' Time); beyond, they are
	// dropped, counted, and recorded by a later check. 0 means no limit.
	NewDevicesPerIPPerMinute int
}

type countKey struct {
	project  string
	day      int32 // days since the Unix epoch
	channel  string
	platform string
	wgt      int64
	native   int64
	result   release.Apply
}

// OtherVersions is the versionCode under which the checks of a project's
// versions past its MaxVersionsPerDay of a day are counted: clients choose
// the codes they send, and made-up ones must not add rows without end.
const OtherVersions = -1

// MaxVersionsPerDay bounds the (wgt, native) versionCode pairs a node
// counts one project's checks under per day; later pairs are counted as
// OtherVersions (the totals stay exact).
const MaxVersionsPerDay = 500

type versionsKey struct {
	project string
	day     int32
}

type offerKey struct {
	project  string
	day      int32
	resource string
}

// Recorder aggregates update checks in memory and writes them in batches.
type Recorder struct {
	store Store
	opts  Options
	log   *slog.Logger

	mu     sync.Mutex
	checks map[countKey]int64
	offers map[offerKey]int64
	seen   map[uint64]struct{} // hash of project and device key
	// versions holds the version pairs counted per project and day; a
	// flush forgets the days before yesterday.
	versions map[versionsKey]map[[2]int64]struct{}
	lastDay  int32         // the latest day a check was of
	kick     chan struct{} // an early flush: the device queue is half full
	devices  []NewDevice
	perIP    *ipWindows // nil: no per-address limit

	flushMu sync.Mutex // one flush at a time
	dropped atomic.Int64
}

// NewRecorder returns a recorder writing to store.
func NewRecorder(store Store, opts Options, log *slog.Logger) *Recorder {
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = 5 * time.Second
	}
	if opts.DeviceQueue <= 0 {
		opts.DeviceQueue = 50_000
	}
	if opts.SeenMax <= 0 {
		opts.SeenMax = 1_000_000
	}
	r := &Recorder{store: store, opts: opts, log: log, checks: map[countKey]int64{},
		offers: map[offerKey]int64{}, seen: map[uint64]struct{}{}, kick: make(chan struct{}, 1),
		versions: map[versionsKey]map[[2]int64]struct{}{}}
	if opts.NewDevicesPerIPPerMinute > 0 {
		r.perIP = &ipWindows{limit: opts.NewDevicesPerIPPerMinute, max: opts.SeenMax / 10, counts: map[string]*ipWindow{}}
	}
	return r
}

// maxUUID bounds the device ids that are recorded.
const maxUUID = 128

// Record counts one check. It never blocks on the database: a full device
// queue, or a client address over its new-device limit, drops the device
// and counts the drop (Dropped). A new device's systemInfo is cut to a few
// known, short fields. A Recorder is a release.Recorder.
func (r *Recorder) Record(c release.Outcome) {
	day := int32(c.Time.Unix() / 86400)
	r.mu.Lock()
	defer r.mu.Unlock()
	wgt, native := r.versionPair(c.ProjectID, day, c.WgtVersionCode, c.NativeVersionCode)
	r.checks[countKey{c.ProjectID, day, c.Channel, string(c.Platform), wgt, native, c.Result}]++
	if c.WgtID != "" {
		r.offers[offerKey{c.ProjectID, day, c.WgtID}]++
	}
	if c.NativeID != "" {
		r.offers[offerKey{c.ProjectID, day, c.NativeID}]++
	}
	if c.UUID == "" || len(c.UUID) > maxUUID {
		return
	}
	h := c.DeviceHash
	if h == 0 {
		h = release.DeviceHash(c.UUID) // an outcome built without it (CodePush)
	}
	k := h ^ release.DeviceHash(c.ProjectID)*0x9e3779b97f4a7c15
	if _, ok := r.seen[k]; ok {
		return
	}
	if len(r.devices) >= r.opts.DeviceQueue || !r.perIP.allow(c.ClientIP, c.Time) {
		r.dropped.Add(1)
		return
	}
	if len(r.seen) >= r.opts.SeenMax {
		clear(r.seen)
	}
	r.seen[k] = struct{}{}
	if len(r.devices) == r.opts.DeviceQueue/2 {
		select {
		case r.kick <- struct{}{}:
		default:
		}
	}
	r.devices = append(r.devices, NewDevice{ProjectID: c.ProjectID, UUID: c.UUID, Platform: string(c.Platform),
		FirstSeen: c.Time.UTC(), SystemInfo: boundSystemInfo(c.SystemInfo)})
}

// versionPair returns the codes a check is counted under: its own, or
// OtherVersions once the project has MaxVersionsPerDay pairs that day.
// r.mu is held.
func (r *Recorder) versionPair(project string, day int32, wgt, native int64) (int64, int64) {
	vk := versionsKey{project, day}
	set := r.versions[vk]
	if set == nil {
		set = map[[2]int64]struct{}{}
		r.versions[vk] = set
	}
	r.lastDay = max(r.lastDay, day)
	pair := [2]int64{wgt, native}
	if _, ok := set[pair]; ok {
		return wgt, native
	}
	if len(set) >= MaxVersionsPerDay {
		return OtherVersions, OtherVersions
	}
	set[pair] = struct{}{}
	return wgt, native
}

// Dropped is the number of first-seen devices dropped because the queue
// was full or their client address was over its limit.
func (r *Recorder) Dropped() int64 { return r.dropped.Load() }

// Run flushes every FlushEvery until ctx ends, then flushes once more with
// a fresh deadline so that nothing counted is lost at shutdown.
func (r *Recorder) Run(ctx context.Context) error {
	if err := flush.EveryOr(ctx, r.opts.FlushEvery, r.kick, r.Flush, r.log, "statistics"); err != nil {
		return fmt.Errorf("stats: final flush: %w", err)
	}
	return nil
}

// Flush writes what was counted since the last flush. On failure the
// counts are put back, so a later flush writes them.
func (r *Recorder) Flush(ctx context.Context) error {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	r.mu.Lock()
	checks, offers, devices := r.checks, r.offers, r.devices
	r.checks, r.offers, r.devices = map[countKey]int64{}, map[offerKey]int64{}, nil
	for k := range r.versions { // the days before yesterday are over
		if k.day < r.lastDay-1 {
			delete(r.versions, k)
		}
	}
	r.mu.Unlock()

	cs := make([]CheckCount, 0, len(checks))
	for k, n := range checks {
		cs = append(cs, CheckCount{ProjectID: k.project, Day: dayString(k.day), Channel: k.channel, Platform: k.platform,
			WgtVersionCode: k.wgt, NativeVersionCode: k.native, Result: k.result.String(), Checks: n})
	}
	os := make([]OfferCount, 0, len(offers))
	for k, n := range offers {
		os = append(os, OfferCount{ProjectID: k.project, Day: dayString(k.day), ResourceID: k.resource, Offers: n})
	}
	// Each part is written on its own, and only what failed is put back:
	// a part that succeeded must not be counted twice.
	var firstErr error
	if len(cs) > 0 {
		if err := r.store.AddChecks(ctx, cs); err != nil {
			firstErr = err
			r.putBack(checks, nil, nil)
		}
	}
	if len(os) > 0 {
		if err := r.store.AddOffers(ctx, os); err != nil {
			firstErr = firstNonNil(firstErr, err)
			r.putBack(nil, offers, nil)
		}
	}
	if len(devices) > 0 {
		if err := r.store.AddDevices(ctx, devices); err != nil {
			firstErr = firstNonNil(firstErr, err)
			r.putBack(nil, nil, devices)
		}
	}
	return firstErr
}

func firstNonNil(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func (r *Recorder) putBack(checks map[countKey]int64, offers map[offerKey]int64, devices []NewDevice) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, n := range checks {
		r.checks[k] += n
	}
	for k, n := range offers {
		r.offers[k] += n
	}
	r.devices = append(devices, r.devices...)
}

func dayString(d int32) string {
	return time.Unix(int64(d)*86400, 0).UTC().Format(time.DateOnly)
}

// ipWindows counts new devices per client address in one-minute windows
// (by the checks' times). Guarded by Recorder.mu.
type ipWindows struct {
	limit  int
	max    int // addresses remembered before the map is cleared
	counts map[string]*ipWindow
}

type ipWindow struct {
	start time.Time
	n     int
}

// allow counts a new device from ip at t and reports whether it is within
// the limit; an unknown address ("") is not limited.
func (w *ipWindows) allow(ip string, t time.Time) bool {
	if w == nil || ip == "" {
		return true
	}
	c := w.counts[ip]
	if c == nil || t.Sub(c.start) >= time.Minute || t.Before(c.start) {
		if c == nil && len(w.counts) >= max(w.max, 1000) {
			clear(w.counts)
		}
		c = &ipWindow{start: t}
		w.counts[ip] = c
	}
	if c.n >= w.limit {
		return false
	}
	c.n++
	return true
}
