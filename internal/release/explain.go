package release

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/project"
)

// Reason is why a candidate was not offered (machine-readable).
type Reason string

// Reasons a candidate is skipped.
const (
	ReasonDisabled       Reason = "disabled"
	ReasonOtherChannel   Reason = "other_channel"
	ReasonNativeMismatch Reason = "native_mismatch"
	ReasonNotNewer       Reason = "not_newer"
	ReasonOutsideRollout Reason = "outside_rollout"
	ReasonSuperseded     Reason = "superseded"
)

// Verdicts of a trace step.
const (
	VerdictOffered = "offered"
	VerdictSkipped = "skipped"
)

// Step is one candidate the decision looked at.
type Step struct {
	ResourceID  string
	Type        Type
	Version     string
	VersionCode int64
	Channel     string
	Verdict     string // VerdictOffered or VerdictSkipped
	Reason      Reason // "" when offered
	// Bucket and Percent are the device's rollout bucket and the
	// resource's percent, for ReasonOutsideRollout.
	Bucket, Percent int
	// Message says it in a sentence.
	Message string
}

// Explanation is what a device would get, and why.
type Explanation struct {
	Channel string
	// Pinned is true when the channel comes from a pin, not the URL.
	Pinned bool
	Decision
	// Outcome is what the client would apply.
	Outcome Outcome
	Trace   []Step
}

// tracer collects steps while decide runs.
type tracer struct{ steps []Step }

func step(r *Resource, verdict string, reason Reason, msg string) Step {
	return Step{ResourceID: r.ID, Type: r.Type, Version: r.Version, VersionCode: r.VersionCode, Channel: r.Channel,
		Verdict: verdict, Reason: reason, Message: msg}
}

func (t *tracer) skipped(c *candidate, why Reason, q Query) {
	st := step(c.r, VerdictSkipped, why, "")
	switch why {
	case ReasonNotNewer:
		st.Message = fmt.Sprintf("a rollback to %d, which the device runs already (it reports %d)", c.floor, q.WgtVersionCode)
	case ReasonOutsideRollout:
		st.Percent = c.percent
		if q.UUID == "" {
			st.Message = fmt.Sprintf("rolled out to %d%% of devices; the device sent no uuid or deviceId, so it gets only releases at 100%%", c.percent)
		} else {
			st.Bucket = int(fnvString(c.seed, q.UUID) % 100)
			st.Message = fmt.Sprintf("rolled out to %d%% of devices (buckets 0-%d); this device is in bucket %d", c.percent, c.percent-1, st.Bucket)
		}
	}
	t.steps = append(t.steps, st)
}

func (t *tracer) offered(c *candidate, installed int64) {
	msg := "offered: the newest eligible release"
	if c.r.VersionCode <= installed {
		msg = fmt.Sprintf("offered, but not newer than what the device runs (%d): the client keeps what it has", installed)
	}
	t.steps = append(t.steps, step(c.r, VerdictOffered, "", msg))
}

// below marks the candidates under the offered one.
func (t *tracer) below(rest []candidate, installed int64) {
	for i := range rest {
		r := rest[i].r
		if r.VersionCode <= installed {
			t.steps = append(t.steps, step(r, VerdictSkipped, ReasonNotNewer,
				fmt.Sprintf("not newer than what the device runs (%d)", installed)))
			continue
		}
		t.steps = append(t.steps, step(r, VerdictSkipped, ReasonSuperseded, "a newer eligible release is offered instead"))
	}
}

// mismatched marks the wgt built for another native build than the
// device's.
func (t *tracer) mismatched(all []candidate, native int64) {
	for i := range all {
		if r := all[i].r; r.NativeVersionCode != native {
			t.steps = append(t.steps, step(r, VerdictSkipped, ReasonNativeMismatch,
				fmt.Sprintf("built for native build %d; the device runs %d", r.NativeVersionCode, native)))
		}
	}
}

// Explain answers what the device of req would get and why, through the
// update check's own path: the same compiled answer, channel choice and
// decision (so it cannot disagree with a check made at the same moment).
// all is every resource of the project, for the candidates the compiled
// answer does not hold (disabled ones, other channels); Explain records
// nothing in the statistics.
func (c *Checker) Explain(ctx context.Context, req *Request, all []Resource) (Explanation, error) {
	cp, channel, pinned, err := c.resolve(ctx, req)
	if err != nil {
		return Explanation{}, err
	}
	var tr tracer
	d := cp.channels[channel].decide(req.Query, &tr)
	ex := Explanation{Channel: channel, Pinned: pinned, Decision: d, Outcome: c.outcome(req, channel, d)}
	typ := func(r *Resource) bool { return typeFor(r.Type, req.Platform) }
	for i := range all {
		r := &all[i]
		if !typ(r) {
			continue
		}
		switch {
		case r.Channel != channel:
			tr.steps = append(tr.steps, step(r, VerdictSkipped, ReasonOtherChannel,
				fmt.Sprintf("published to channel %s; the device gets %s", r.Channel, channel)))
		case r.Status != StatusEnabled:
			tr.steps = append(tr.steps, step(r, VerdictSkipped, ReasonDisabled, "disabled: never offered"))
		}
	}
	// Native builds first, then wgt, each newest first.
	slices.SortStableFunc(tr.steps, func(a, b Step) int {
		if a.Type.IsNative() != b.Type.IsNative() {
			if a.Type.IsNative() {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.VersionCode, a.VersionCode)
	})
	ex.Trace = tr.steps
	return ex, nil
}

// AppResources returns every app resource of a project, enabled or not
// (members): the candidates Explain lists.
func (s *Service) AppResources(ctx context.Context, p account.Principal, projectID string) ([]Resource, error) {
	if _, _, err := s.projects.Access(ctx, p, projectID, project.Read); err != nil {
		return nil, err
	}
	return s.store.AppResources(ctx, projectID)
}

// typeFor reports whether t is an app type of platform p.
func typeFor(t Type, p Platform) bool {
	return (t.IsWgt() || t.IsNative()) && t.Platform() == p
}
