package release

import (
	"cmp"
	"slices"
)

// Snapshot is an immutable, indexed view of one project's offerable app
// resources, built once per resource change and shared by every update check
// of the project (PROTOCOLS §2: the hot path must not touch the database).
// It is safe for concurrent use. A nil *Snapshot behaves as an empty one.
type Snapshot struct {
	// res owns the copies; candidates point into it, so it is never
	// appended to after NewSnapshot.
	res  []Resource
	plat [2]platformIndex // indexed by platformSlot
}

// platformIndex holds one platform's candidates, each list sorted by
// VersionCode descending so that Decide takes the first eligible entry.
type platformIndex struct {
	native []candidate
	wgt    []candidate
	// wgtByNative groups wgt by the native versionCode they were built for,
	// so a request costs one map lookup however many native lines exist.
	wgtByNative map[int64][]candidate
	// wgtByCode finds the release a device runs from the versionCode it
	// reports (the adoption funnel's "applied").
	wgtByCode map[int64]string
}

// candidate is a resource with its rollout inputs precomputed, so Decide
// only hashes the device uuid.
type candidate struct {
	r       *Resource
	percent int    // effective rollout, 1..100
	seed    uint32 // FNV-1a state after hashing r.ID + ":"
	// floor is, for a rollback, the versionCode of the content it
	// re-publishes: devices reporting that code or less are not offered it
	// (they run it already; offering it again would loop forever).
	floor int64
}

// Query is what the update check knows about the asking device.
type Query struct {
	Platform Platform
	// NativeVersionCode is the device's native build; it is only consulted
	// when HasNativeVersionCode is true, because 0 is a valid code.
	NativeVersionCode    int64
	HasNativeVersionCode bool
	// UUID is the device's key: systemInfo.uuid, else systemInfo.deviceId.
	// Empty means the device is offered only resources at 100% rollout.
	UUID string
	// WgtVersionCode is the device's installed hot update (0 when none):
	// it only keeps rollbacks from devices that run their content already.
	WgtVersionCode int64
}

// Decision is the answer of the update check: the resources to offer, nil
// when there is nothing. The pointers point into the Snapshot and are shared
// by all requests: callers must treat them as read-only.
type Decision struct {
	Native *Resource
	Wgt    *Resource
}

// snapshotOrder is the order of a Snapshot's resources: highest
// VersionCode first. VersionCode is meant to be unique per type, but
// imported data may repeat one; the ID tie-break keeps the answer
// independent of the order the store returned the rows in.
func snapshotOrder(a, b Resource) int {
	if c := cmp.Compare(b.VersionCode, a.VersionCode); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// NewSnapshot indexes the resources that an update check may offer: enabled
// (StatusEnabled) resources of types 1–4; disabled ones and firmware (type 5,
// not an app update) are dropped. The kept resources are copied, so the
// caller may reuse or mutate resources afterwards. An empty or nil slice
// gives a valid, empty snapshot. It never returns nil.
func NewSnapshot(resources []Resource) *Snapshot {
	s := &Snapshot{res: make([]Resource, 0, len(resources))}
	for _, r := range resources {
		if r.Status != StatusEnabled {
			continue
		}
		if _, ok := typeSlot(r.Type); !ok {
			continue
		}
		s.res = append(s.res, r)
	}
	if !slices.IsSortedFunc(s.res, snapshotOrder) { // resources kept in this order need no sort
		slices.SortFunc(s.res, snapshotOrder)
	}
	for i := range s.res {
		r := &s.res[i]
		slot, _ := typeSlot(r.Type)
		p := &s.plat[slot]
		c := candidate{r: r, percent: effectivePercent(r.RolloutPercent), seed: seedFor(r.ID)}
		// A rollback (or a promoted copy of one) re-publishes older content.
		c.floor = r.OriginVersionCode
		if r.Type.IsNative() {
			p.native = append(p.native, c)
			continue
		}
		p.wgt = append(p.wgt, c)
		if p.wgtByNative == nil {
			p.wgtByNative = make(map[int64][]candidate)
			p.wgtByCode = make(map[int64]string)
		}
		if _, dup := p.wgtByCode[r.VersionCode]; !dup && c.floor == 0 {
			p.wgtByCode[r.VersionCode] = r.ID // a rollback's content reports its origin's code
		}
		p.wgtByNative[r.NativeVersionCode] = append(p.wgtByNative[r.NativeVersionCode], c)
	}
	return s
}

// Len returns the number of resources the snapshot can offer (enabled,
// types 1–4). It is 0 for a nil snapshot.
func (s *Snapshot) Len() int {
	if s == nil {
		return 0
	}
	return len(s.res)
}

// Resources returns a copy of the snapshot's resources, ordered by
// VersionCode descending (ties by ID), for diagnostics and tests. It
// allocates; the hot path uses Decide. It returns nil for an empty snapshot.
func (s *Snapshot) Resources() []Resource {
	if s.Len() == 0 {
		return nil
	}
	return slices.Clone(s.res)
}

// Decide picks what to offer the device (PROTOCOLS §2):
//   - Native: the highest-VersionCode native build of the platform (type 3
//     android, 4 ios) that is eligible for the device under rollout;
//   - Wgt: the highest-VersionCode eligible wgt of the platform (type 1
//     android, 2 ios) built for q.NativeVersionCode, or, when the query has
//     no native version code, the highest eligible wgt of any native line.
//
// A resource not eligible under rollout is skipped in favour of the next
// lower one, and so is a rollback for a device that reports the versionCode
// of the content it re-publishes (or less). An unknown platform gets an
// empty Decision rather than Android's answer, so a validation gap upstream
// cannot ship the wrong build. Decide does not allocate.
func (s *Snapshot) Decide(q Query) Decision { return s.decide(q, nil) }

// Installed returns the id of the enabled wgt release of platform p whose
// versionCode a device reports as installed ("" when none).
func (s *Snapshot) Installed(p Platform, wgtVersionCode int64) string {
	slot, ok := platformSlot(p)
	if s == nil || !ok || wgtVersionCode <= 0 {
		return ""
	}
	return s.plat[slot].wgtByCode[wgtVersionCode]
}

// decide is Decide, telling tr (when not nil) about every candidate it
// looked at: Explain runs the very code the update check runs.
func (s *Snapshot) decide(q Query, tr *tracer) Decision {
	if s == nil {
		return Decision{}
	}
	slot, ok := platformSlot(q.Platform)
	if !ok {
		return Decision{}
	}
	p := &s.plat[slot]
	wgt := p.wgt
	if q.HasNativeVersionCode {
		wgt = p.wgtByNative[q.NativeVersionCode]
		if tr != nil {
			tr.mismatched(p.wgt, q.NativeVersionCode)
		}
	}
	return Decision{
		Native: firstEligible(p.native, q, q.NativeVersionCode, tr),
		Wgt:    firstEligible(wgt, q, q.WgtVersionCode, tr),
	}
}

// firstEligible returns the first candidate the device may receive, nil if
// none. installed is the device's code of this kind (for the trace).
func firstEligible(list []candidate, q Query, installed int64, tr *tracer) *Resource {
	for i := range list {
		c := &list[i]
		if why := c.ineligible(q); why != "" {
			if tr != nil {
				tr.skipped(c, why, q)
			}
			continue
		}
		if tr != nil {
			tr.offered(c, installed)
			tr.below(list[i+1:], installed)
		}
		return c.r
	}
	return nil
}

// ineligible says why the device may not receive c ("" when it may).
func (c *candidate) ineligible(q Query) Reason {
	if c.floor > 0 && q.WgtVersionCode <= c.floor {
		return ReasonNotNewer
	}
	if c.percent >= 100 {
		return ""
	}
	// A device without a uuid has no stable bucket; giving it a rollout
	// would make the rollout's size meaningless.
	if q.UUID != "" && int(fnvString(c.seed, q.UUID)%100) < c.percent {
		return ""
	}
	return ReasonOutsideRollout
}

// effectivePercent maps stored rollout values to 1..100. Resources imported
// from upushy have no rollout column and arrive as 0; they were fully
// released there, so anything outside 1..100 counts as 100 rather than
// silently hiding a live release.
func effectivePercent(p int) int {
	if p < 1 || p > 100 {
		return 100
	}
	return p
}

// Bucket returns the rollout bucket, 0..99, of a device for a resource:
// fnv32a(resourceID + ":" + uuid) % 100 (PROTOCOLS §2). Hashing per resource
// keeps different rollouts independent, and raising a resource's percent
// only adds devices. It does not allocate.
func Bucket(resourceID, uuid string) int {
	return int(fnvString(seedFor(resourceID), uuid) % 100)
}

// FNV-1a 32-bit parameters, as in hash/fnv.
const (
	fnvOffset32 uint32 = 2166136261
	fnvPrime32  uint32 = 16777619
)

// seedFor returns the FNV-1a state after hashing resourceID + ":".
func seedFor(resourceID string) uint32 {
	h := fnvString(fnvOffset32, resourceID)
	h ^= ':'
	return h * fnvPrime32
}

// fnvString continues an FNV-1a hash over s. It is written out because
// hash/fnv goes through an interface and a []byte conversion.
func fnvString(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= fnvPrime32
	}
	return h
}

// platformSlot maps a query platform to its index slot.
func platformSlot(p Platform) (int, bool) {
	switch p {
	case PlatformAndroid:
		return 0, true
	case PlatformIOS:
		return 1, true
	}
	return 0, false
}

// typeSlot maps an app resource type to its platform's slot; ok is false
// for firmware and unknown types.
func typeSlot(t Type) (int, bool) {
	switch t {
	case TypeWgtAndroid, TypeAndroid:
		return 0, true
	case TypeWgtIOS, TypeIOS:
		return 1, true
	}
	return 0, false
}
