package release

import (
	"cmp"
	"slices"
	"unicode/utf16"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// Deployment is a CodePush deployment as the update check sees it: one
// channel and platform of a project (its deployment key names it) and its
// releases of type 6 or 7, disabled ones included (a device may run one,
// which ends the scan of PROTOCOLS §6), newest first. It is immutable once
// compiled and shared by every check.
type Deployment struct {
	ProjectID string
	Channel   string
	Platform  Platform
	rel       []cpRelease
}

// cpRelease is a release with its range parsed once.
type cpRelease struct {
	r         *Resource
	rng       SemverRange
	disabled  bool
	mandatory bool
	rollout   int // effective, 1..100
}

// NewDeployment compiles a deployment from its releases (any order; the
// newest by versionCode is offered first). A release whose stored range no
// longer parses matches no binary version.
func NewDeployment(projectID, channel string, p Platform, rs []Resource) *Deployment {
	d := &Deployment{ProjectID: projectID, Channel: channel, Platform: p}
	own := slices.Clone(rs)
	slices.SortFunc(own, func(a, b Resource) int {
		if c := cmp.Compare(b.VersionCode, a.VersionCode); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	for i := range own {
		r := &own[i]
		rng, err := ParseSemverRange(r.TargetBinaryRange)
		if err != nil {
			rng = SemverRange{} // no set: satisfies nothing
		}
		d.rel = append(d.rel, cpRelease{r: r, rng: rng, disabled: r.Status != StatusEnabled,
			mandatory: r.UpdateType == UpdateForced, rollout: effectivePercent(r.RolloutPercent)})
	}
	return d
}

// CodePushQuery is an update check of the CodePush acquisition SDK.
type CodePushQuery struct {
	// AppVersion is the binary version as sent (normalised by Decide).
	AppVersion  string
	PackageHash string
	Label       string
	IsCompanion bool
	// ClientUniqueID is the rollout key; "" gets no unfinished rollout.
	ClientUniqueID string
}

// CodePushAnswer is the update_info of PROTOCOLS §6, without URLs.
type CodePushAnswer struct {
	// Release is the offered release when IsAvailable (else nil).
	Release                *Resource
	IsAvailable            bool
	IsMandatory            bool
	UpdateAppVersion       bool
	ShouldRunBinaryVersion bool
	// AppVersion is the answer's app_version (the request's when an
	// update is available; the latest release's range when the binary is
	// newer than it or does not satisfy it; "" otherwise).
	AppVersion string
	// DiffBase is the earlier release of the deployment whose package the
	// device runs (its package_hash names it), when a diff to Release
	// can be served; nil otherwise.
	DiffBase *Resource
}

// ReleaseID returns the id of the deployment's release with this label
// ("" when none): what a client that reports the label runs.
func (d *Deployment) ReleaseID(label string) string {
	if d == nil || label == "" {
		return ""
	}
	for _, c := range d.rel {
		if c.r.Label == label {
			return c.r.ID
		}
	}
	return ""
}

// Decide answers a CodePush update check with the reference server's
// rules (PROTOCOLS §6). Invalid when the app version is not semver even
// after normalisation. It reads only the compiled deployment.
func (d *Deployment) Decide(q CodePushQuery) (CodePushAnswer, error) {
	norm, changed := NormalizeAppVersion(q.AppVersion)
	v, err := ParseSemver(norm)
	if err != nil {
		return CodePushAnswer{}, apperr.New(apperr.Invalid,
			"An update check must include a binary version that conforms to the semver standard (e.g. '1.0.0'); got %q", q.AppVersion)
	}
	norm = v.String()
	a, rollout := d.pick(q, v, norm, false)
	if rollout < 100 && a.Release != nil {
		orig, _ := d.pick(q, v, norm, true)
		tag := a.Release.Label
		if tag == "" {
			tag = a.Release.PackageHash
		}
		if q.ClientUniqueID == "" || !SelectedForRollout(q.ClientUniqueID, rollout, tag) {
			a = orig
		}
	}
	if changed && a.AppVersion == norm {
		a.AppVersion = q.AppVersion
	}
	if a.Release != nil && q.PackageHash != "" && q.PackageHash != a.Release.PackageHash {
		for i := range d.rel {
			if r := d.rel[i].r; r.PackageHash == q.PackageHash && r.VersionCode < a.Release.VersionCode && r.StorageKey != "" {
				a.DiffBase = r
				break
			}
		}
	}
	return a, nil
}

// pick is getUpdatePackage of the reference server; rollout is the
// offered release's (100 when none or finished).
func (d *Deployment) pick(q CodePushQuery, v Semver, norm string, ignoreRollouts bool) (CodePushAnswer, int) {
	var a CodePushAnswer
	found := false
	var latestEnabled, latestSatisfying *cpRelease
	mandatory := false
	for i := range d.rel {
		c := &d.rel[i]
		// PROTOCOLS §6 rule 1. (The reference server reads an absent
		// label or hash as the string "undefined", so there a client that
		// sends no label never finds its package; §6 is followed here.)
		found = found || (q.Label == "" && q.PackageHash == "") || (q.Label != "" && c.r.Label == q.Label) ||
			(q.Label == "" && c.r.PackageHash == q.PackageHash)
		if c.disabled || ignoreRollouts && c.rollout < 100 {
			continue
		}
		if latestEnabled == nil {
			latestEnabled = c
		}
		if !q.IsCompanion && !c.rng.Satisfies(v) {
			continue
		}
		if latestSatisfying == nil {
			latestSatisfying = c
		}
		if found {
			break
		}
		if c.mandatory {
			mandatory = true
			break
		}
	}
	a.ShouldRunBinaryVersion = latestSatisfying == nil
	if latestEnabled == nil {
		return a, 100
	}
	if a.ShouldRunBinaryVersion || latestSatisfying.r.PackageHash == q.PackageHash {
		if latestEnabled.rng.GreaterThanRange(v) {
			a.AppVersion = latestEnabled.r.TargetBinaryRange
		} else if !latestEnabled.rng.Satisfies(v) {
			a.UpdateAppVersion, a.AppVersion = true, latestEnabled.r.TargetBinaryRange
		}
		return a, 100
	}
	a.Release, a.IsAvailable = latestSatisfying.r, true
	a.IsMandatory = mandatory || latestSatisfying.mandatory
	a.AppVersion = norm
	return a, latestSatisfying.rollout
}

// SelectedForRollout is the reference server's rollout test: a device gets
// a release rolled out to percent when abs(h) % 100 < percent, h being the
// JavaScript hash of clientID + "-" + tag (the label, else the package
// hash) with only the shift wrapping to int32 (PROTOCOLS §6).
func SelectedForRollout(clientID string, percent int, tag string) bool {
	h := RolloutHash(clientID + "-" + tag)
	if h < 0 {
		h = -h
	}
	return h%100 < int64(percent)
}

// RolloutHash is the reference server's getHashCode over the UTF-16 code
// units of s: h = (h << 5) - h + c in JavaScript number semantics.
func RolloutHash(s string) int64 {
	var h int64
	for _, c := range utf16.Encode([]rune(s)) {
		h = int64(int32(uint32(int32(uint32(h)))<<5)) - h + int64(c)
	}
	return h
}
