package release

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/event"
	"github.com/hoist-ota/hoist/internal/project"
)

// RolloutStore keeps staged rollout plans.
type RolloutStore interface {
	// SavePlan inserts or replaces a resource's plan, sets the resource's
	// rollout percent to the plan's, and records ev, in one transaction.
	SavePlan(ctx context.Context, p Plan, ev PlanEvent) error
	// Plan returns a resource's plan (NotFound when it has none) and its
	// events, newest first (at most 100).
	Plan(ctx context.Context, resourceID string) (Plan, []PlanEvent, error)
	// RunningPlans returns every running plan.
	RunningPlans(ctx context.Context) ([]Plan, error)
	// UpdatePlan, in one transaction, locks a plan, calls fn (which may
	// refuse with an error, or return a nil event to change nothing), and
	// saves the plan fn left, the resource's rollout percent and the event.
	UpdatePlan(ctx context.Context, resourceID string, fn func(p *Plan) (*PlanEvent, error)) (Plan, error)
}

// FunnelReader reads a release's adoption funnel since a day.
type FunnelReader interface {
	FunnelSince(ctx context.Context, resourceID string, from time.Time) (FunnelNumbers, error)
}

// Rollouts runs staged rollouts: it keeps plans, judges running ones
// against their gates (on every node; one wins each change), and lets
// operators pause, resume, advance or abort.
type Rollouts struct {
	store    RolloutStore
	releases *Service
	funnel   FunnelReader
	events   event.Sink
	now      func() time.Time
	log      *slog.Logger
}

// NewRollouts returns the staged rollout service. events may be nil.
func NewRollouts(store RolloutStore, releases *Service, funnel FunnelReader, events event.Sink, now func() time.Time, log *slog.Logger) *Rollouts {
	if events == nil {
		events = event.Discard{}
	}
	return &Rollouts{store: store, releases: releases, funnel: funnel, events: events, now: now, log: log}
}

// SetPlan gives a release a staged rollout starting at its first stage
// (replacing any plan it had). Owners and maintainers; Invalid for a
// firmware or disabled release or a bad plan.
func (r *Rollouts) SetPlan(ctx context.Context, p account.Principal, resourceID string, stages []Stage, gates Gates) (Plan, error) {
	res, err := r.releases.Get(ctx, p, resourceID)
	if err != nil {
		return Plan{}, err
	}
	if _, _, err := r.releases.projects.Access(ctx, p, res.ProjectID, project.Publish); err != nil {
		return Plan{}, err
	}
	if res.Type == TypeFirmware || res.Status != StatusEnabled {
		return Plan{}, apperr.New(apperr.Invalid, "only an enabled app release can have a staged rollout (firmware uses campaign waves)")
	}
	now := r.now().UTC()
	plan := Plan{ResourceID: res.ID, ProjectID: res.ProjectID, Stages: stages, Gates: gates, State: PlanRunning,
		StageStarted: now, UpdatedTime: now}
	if err := plan.Validate(); err != nil {
		return Plan{}, err
	}
	// A CodePush rollout only grows (the reference server's rule, PATCH
	// keeps it too): devices already given the release keep it.
	if cur := effectivePercent(res.RolloutPercent); res.Type.IsCodePush() && plan.Percent() < cur {
		return Plan{}, apperr.Fields(apperr.FieldError{Field: "stages[0].percent",
			Message: fmt.Sprintf("must be at least %d: a CodePush release's rollout only grows", cur)})
	}
	ev := PlanEvent{ResourceID: res.ID, At: now, Actor: p.UserID, Action: "started",
		FromPercent: effectivePercent(res.RolloutPercent), ToPercent: plan.Percent(), Reason: "plan set"}
	if err := r.store.SavePlan(ctx, plan, ev); err != nil {
		return Plan{}, err
	}
	r.releases.changedResource(res.ProjectID, res.ID)
	return plan, nil
}

// Plan returns a release's plan and its events (members).
func (r *Rollouts) Plan(ctx context.Context, p account.Principal, resourceID string) (Plan, []PlanEvent, error) {
	if _, err := r.releases.Get(ctx, p, resourceID); err != nil {
		return Plan{}, nil, err
	}
	return r.store.Plan(ctx, resourceID)
}

// Act applies an operator's action to a plan: pause (a running plan),
// resume (a paused or halted one; its stage starts again), advance (to the
// next stage now, whatever the gates), abort (freeze the percent, end the
// plan). Conflict when the plan's state does not allow it.
func (r *Rollouts) Act(ctx context.Context, p account.Principal, resourceID, action string) (Plan, error) {
	res, err := r.releases.Get(ctx, p, resourceID)
	if err != nil {
		return Plan{}, err
	}
	if _, _, err := r.releases.projects.Access(ctx, p, res.ProjectID, project.Publish); err != nil {
		return Plan{}, err
	}
	now := r.now().UTC()
	out, err := r.store.UpdatePlan(ctx, resourceID, func(pl *Plan) (*PlanEvent, error) {
		ev := &PlanEvent{ResourceID: pl.ResourceID, At: now, Actor: p.UserID, Action: action,
			FromPercent: pl.Percent(), Reason: "by hand"}
		switch {
		case action == "pause" && pl.State == PlanRunning:
			pl.State = PlanPaused
			ev.Action = "paused"
		case action == "resume" && (pl.State == PlanPaused || pl.State == PlanHalted):
			pl.State, pl.StageStarted = PlanRunning, now
			ev.Action = "resumed"
		case action == "advance" && (pl.State == PlanRunning || pl.State == PlanPaused || pl.State == PlanHalted):
			advance(pl, now)
			ev.Action = "advanced"
			if pl.State == PlanCompleted {
				ev.Action = "completed"
			}
		case action == "abort" && pl.State != PlanCompleted && pl.State != PlanAborted:
			pl.State = PlanAborted
			ev.Action = "aborted"
		case action != "pause" && action != "resume" && action != "advance" && action != "abort":
			return nil, apperr.New(apperr.Invalid, "unknown action %q: pause, resume, advance or abort", action)
		default:
			return nil, apperr.New(apperr.Conflict, "cannot %s a %s rollout", action, pl.State)
		}
		ev.ToPercent = pl.Percent()
		pl.UpdatedTime = now
		return ev, nil
	})
	if err != nil {
		return Plan{}, err
	}
	r.releases.changedResource(out.ProjectID, out.ResourceID)
	return out, nil
}

// advance moves a plan to its next stage, or completes it at the last.
func advance(pl *Plan, now time.Time) {
	if pl.Stage < len(pl.Stages)-1 {
		pl.Stage++
		pl.State, pl.StageStarted = PlanRunning, now
		if pl.Stage == len(pl.Stages)-1 && pl.Stages[pl.Stage].MinDuration == 0 {
			pl.State = PlanCompleted
		}
		return
	}
	pl.State = PlanCompleted
}

// Tick judges every running plan once: advances those whose gates pass,
// halts those where one fails. Safe on several nodes at once: each change
// is made under the plan's row lock, after judging again what is locked.
func (r *Rollouts) Tick(ctx context.Context) error {
	plans, err := r.store.RunningPlans(ctx)
	if err != nil {
		return err
	}
	for _, pl := range plans {
		if err := r.judge(ctx, pl); err != nil {
			r.log.Warn("rollout: cannot judge a plan", "resource", pl.ResourceID, "error", err)
		}
	}
	return nil
}

func (r *Rollouts) judge(ctx context.Context, seen Plan) error {
	now := r.now().UTC()
	if v, _ := seen.Judge(FunnelNumbers{Downloaded: 1 << 62}, now); v == Wait {
		return nil // still within its minimum duration: no need to read the funnel
	}
	n, err := r.funnel.FunnelSince(ctx, seen.ResourceID, seen.StageStarted.AddDate(0, 0, -400))
	if err != nil {
		return err
	}
	var kind string
	out, err := r.store.UpdatePlan(ctx, seen.ResourceID, func(pl *Plan) (*PlanEvent, error) {
		if pl.Stage != seen.Stage || pl.State != PlanRunning {
			return nil, nil // another node (or an operator) acted first
		}
		v, why := pl.Judge(n, now)
		ev := &PlanEvent{ResourceID: pl.ResourceID, At: now, Actor: ControllerActor, FromPercent: pl.Percent(), Reason: why, Numbers: n}
		switch v {
		case Advance:
			advance(pl, now)
			ev.Action, kind = "advanced", event.RolloutAdvanced
			if pl.State == PlanCompleted {
				ev.Action, kind = "completed", event.RolloutCompleted
			}
		case Halt:
			pl.State = PlanHalted
			ev.Action, kind = "halted", event.RolloutHalted
		default:
			return nil, nil
		}
		ev.ToPercent = pl.Percent()
		pl.UpdatedTime = now
		return ev, nil
	})
	if err != nil || kind == "" {
		return err
	}
	r.releases.changedResource(out.ProjectID, out.ResourceID)
	if err := r.events.Emit(ctx, event.Event{Type: kind, Project: out.ProjectID, At: now, Data: map[string]any{
		"resourceId": out.ResourceID, "stage": out.Stage + 1, "percent": out.Percent(), "state": string(out.State),
		"downloaded": n.Downloaded, "applied": n.Applied, "notApplied": n.NotApplied}}); err != nil {
		r.log.Warn("rollout: event not queued", "resource", out.ResourceID, "event", kind, "error", err)
	}
	return nil
}

// Run judges the running plans every interval until ctx ends.
func (r *Rollouts) Run(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := r.Tick(ctx); err != nil && ctx.Err() == nil {
				r.log.Warn("rollout: tick", "error", fmt.Errorf("release: %w", err))
			}
		}
	}
}
