package release

import (
	"fmt"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// Stage is one step of a staged rollout: the release goes to Percent of
// devices for at least MinDuration before its gates are judged.
type Stage struct {
	Percent     int
	MinDuration time.Duration
}

// Gates decide, at the end of a stage, whether the rollout goes on. Ratios
// are percents of the devices that downloaded the release (its adoption
// funnel since publication).
type Gates struct {
	MinDownloaded        int64 // wait until this many devices downloaded it
	MinAppliedPercent    int   // halt when fewer applied it (0: no gate)
	MaxNotAppliedPercent int   // halt when more did not (100: no gate)
}

// PlanState is where a staged rollout is.
type PlanState string

// The states of a plan. Running plans are judged by the controller;
// paused and halted ones wait for an operator; completed and aborted ones
// are over.
const (
	PlanRunning   PlanState = "running"
	PlanPaused    PlanState = "paused"
	PlanHalted    PlanState = "halted"
	PlanCompleted PlanState = "completed"
	PlanAborted   PlanState = "aborted"
)

// Plan is a release's staged rollout.
type Plan struct {
	ResourceID   string
	ProjectID    string
	Stages       []Stage
	Gates        Gates
	Stage        int // index into Stages
	State        PlanState
	StageStarted time.Time
	UpdatedTime  time.Time
}

// PlanEvent records a change of a plan: who or what made it, and why.
type PlanEvent struct {
	ResourceID  string
	At          time.Time
	Actor       string // a user id, or ControllerActor
	Action      string // started, advanced, halted, completed, paused, resumed, aborted
	FromPercent int
	ToPercent   int
	Reason      string
	Numbers     FunnelNumbers
}

// ControllerActor names the controller in plan events.
const ControllerActor = "hoist"

// FunnelNumbers are a release's adoption funnel since publication.
type FunnelNumbers struct {
	Offered, Downloaded, Applied, NotApplied int64
}

// maxStages bounds a plan.
const maxStages = 10

// Validate checks a new plan: 1–10 stages of strictly increasing percents
// in 1..100 ending at 100, durations from 0 to 30 days, gate percents in
// 0..100.
func (p *Plan) Validate() error {
	var fs []apperr.FieldError
	if len(p.Stages) == 0 || len(p.Stages) > maxStages {
		fs = append(fs, apperr.FieldError{Field: "stages", Message: fmt.Sprintf("must have 1 to %d stages", maxStages)})
	}
	prev := 0
	for i, s := range p.Stages {
		field := fmt.Sprintf("stages[%d]", i)
		if s.Percent <= prev || s.Percent > 100 {
			fs = append(fs, apperr.FieldError{Field: field + ".percent", Message: "must grow from stage to stage, within 1..100"})
		}
		if s.MinDuration < 0 || s.MinDuration > 30*24*time.Hour {
			fs = append(fs, apperr.FieldError{Field: field + ".minDuration", Message: "must be between 0 and 30 days"})
		}
		prev = s.Percent
	}
	if len(p.Stages) > 0 && p.Stages[len(p.Stages)-1].Percent != 100 {
		fs = append(fs, apperr.FieldError{Field: "stages", Message: "the last stage must be 100 %"})
	}
	g := p.Gates
	if g.MinDownloaded < 0 {
		fs = append(fs, apperr.FieldError{Field: "gates.minDownloaded", Message: "must not be negative"})
	}
	if g.MinAppliedPercent < 0 || g.MinAppliedPercent > 100 {
		fs = append(fs, apperr.FieldError{Field: "gates.minAppliedPercent", Message: "must be within 0..100"})
	}
	if g.MaxNotAppliedPercent < 0 || g.MaxNotAppliedPercent > 100 {
		fs = append(fs, apperr.FieldError{Field: "gates.maxNotAppliedPercent", Message: "must be within 0..100"})
	}
	if len(fs) > 0 {
		return apperr.Fields(fs...)
	}
	return nil
}

// Percent is the rollout percent of the plan's current stage.
func (p *Plan) Percent() int { return p.Stages[p.Stage].Percent }

// Verdict is the controller's judgement of a running plan.
type Verdict int

// What the controller does.
const (
	Wait Verdict = iota
	Advance
	Halt
)

// Judge decides what a running plan does at now given its release's
// funnel, and says why (the numbers that decided).
func (p *Plan) Judge(n FunnelNumbers, now time.Time) (Verdict, string) {
	if p.State != PlanRunning {
		return Wait, "not running"
	}
	s := p.Stages[p.Stage]
	if now.Before(p.StageStarted.Add(s.MinDuration)) {
		return Wait, fmt.Sprintf("stage %d runs until %s", p.Stage+1, p.StageStarted.Add(s.MinDuration).UTC().Format(time.RFC3339))
	}
	if p.Stage == len(p.Stages)-1 {
		return Advance, "the last stage reached 100 %"
	}
	g := p.Gates
	if n.Downloaded < max(g.MinDownloaded, 1) {
		return Wait, fmt.Sprintf("%d devices downloaded it, the gate needs %d", n.Downloaded, max(g.MinDownloaded, 1))
	}
	applied := 100 * float64(n.Applied) / float64(n.Downloaded)
	notApplied := 100 * float64(n.NotApplied) / float64(n.Downloaded)
	if notApplied > float64(g.MaxNotAppliedPercent) {
		return Halt, fmt.Sprintf("not applied %.1f %% of %d downloads, above %d %%", notApplied, n.Downloaded, g.MaxNotAppliedPercent)
	}
	if applied < float64(g.MinAppliedPercent) {
		return Halt, fmt.Sprintf("applied %.1f %% of %d downloads, below %d %%", applied, n.Downloaded, g.MinAppliedPercent)
	}
	return Advance, fmt.Sprintf("applied %.1f %%, not applied %.1f %% of %d downloads", applied, notApplied, n.Downloaded)
}
