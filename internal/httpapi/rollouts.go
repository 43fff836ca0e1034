package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/release"
)

// stageBody is one stage of a staged rollout.
type stageBody struct {
	Percent    int   `json:"percent" example:"10"`
	MinMinutes int64 `json:"minMinutes" example:"1440"`
}

// gatesBody are a staged rollout's gates.
type gatesBody struct {
	MinDownloaded        int64 `json:"minDownloaded" example:"100"`
	MinAppliedPercent    int   `json:"minAppliedPercent" example:"80"`
	MaxNotAppliedPercent *int  `json:"maxNotAppliedPercent" example:"10"`
}

// planBody sets a release's staged rollout.
type planBody struct {
	Stages []stageBody `json:"stages" binding:"required"`
	Gates  gatesBody   `json:"gates"`
}

// planView is a staged rollout with its history.
type planView struct {
	ResourceID   string          `json:"resourceId"`
	Stages       []stageBody     `json:"stages"`
	Gates        gatesBody       `json:"gates"`
	Stage        int             `json:"stage" example:"1"` // 1-based
	Percent      int             `json:"percent" example:"10"`
	State        string          `json:"state" enums:"running,paused,halted,completed,aborted"`
	StageStarted time.Time       `json:"stageStarted"`
	Events       []planEventView `json:"events"`
}

// planEventView is one change of a plan, newest first.
type planEventView struct {
	At          time.Time   `json:"at"`
	Actor       string      `json:"actor" example:"hoist"`
	Action      string      `json:"action" example:"advanced"`
	FromPercent int         `json:"fromPercent"`
	ToPercent   int         `json:"toPercent"`
	Reason      string      `json:"reason"`
	Numbers     numbersView `json:"numbers"`
}

// numbersView is the adoption funnel that decided a change.
type numbersView struct {
	Offered    int64 `json:"offered"`
	Downloaded int64 `json:"downloaded"`
	Applied    int64 `json:"applied"`
	NotApplied int64 `json:"notApplied"`
}

func viewPlan(p release.Plan, evs []release.PlanEvent) planView {
	max := p.Gates.MaxNotAppliedPercent
	v := planView{ResourceID: p.ResourceID, Stage: p.Stage + 1, Percent: p.Percent(), State: string(p.State),
		StageStarted: p.StageStarted, Gates: gatesBody{p.Gates.MinDownloaded, p.Gates.MinAppliedPercent, &max},
		Events: make([]planEventView, len(evs))}
	for _, s := range p.Stages {
		v.Stages = append(v.Stages, stageBody{s.Percent, int64(s.MinDuration / time.Minute)})
	}
	for i, e := range evs {
		v.Events[i] = planEventView{e.At, e.Actor, e.Action, e.FromPercent, e.ToPercent, e.Reason, numbersView(e.Numbers)}
	}
	return v
}

// handleRolloutPlanSet godoc
//
//	@Summary		Give a release a staged rollout
//	@Description	Stages of increasing percent ending at 100, each held at least minMinutes; at the end of a stage the controller (every 30 s, on every node; one wins) reads the release's adoption funnel since publication and advances when the gates pass, halts (percent frozen, state halted, webhook rollout.halted) when one fails: notApplied/downloaded above maxNotAppliedPercent (default 100: no gate) or applied/downloaded below minAppliedPercent (default 0), judged once at least minDownloaded (default 1) devices downloaded it. The release's rolloutPercent becomes the first stage's at once; the bucket of a device is stable, so widening never takes the update from a device that had it. Replaces an earlier plan. Owners and maintainers; enabled app releases only.
//	@Tags			resources
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string		true	"resource id"
//	@Param			body	body		planBody	true	"stages and gates"
//	@Success		200		{object}	okEnvelope{data=planView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		403		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Router			/api/v1/resources/{id}/rollout-plan [put]
func (s *Server) handleRolloutPlanSet(c *gin.Context) {
	var in planBody
	if err := bindJSON(c, &in); err != nil {
		s.respondError(c, err)
		return
	}
	stages := make([]release.Stage, len(in.Stages))
	for i, st := range in.Stages {
		stages[i] = release.Stage{Percent: st.Percent, MinDuration: time.Duration(st.MinMinutes) * time.Minute}
	}
	g := release.Gates{MinDownloaded: in.Gates.MinDownloaded, MinAppliedPercent: in.Gates.MinAppliedPercent, MaxNotAppliedPercent: 100}
	if in.Gates.MaxNotAppliedPercent != nil {
		g.MaxNotAppliedPercent = *in.Gates.MaxNotAppliedPercent
	}
	p, err := s.rollouts.SetPlan(c.Request.Context(), principal(c), c.Param("id"), stages, g)
	if err != nil {
		s.respondError(c, err)
		return
	}
	s.respondPlan(c, p.ResourceID)
}

func (s *Server) respondPlan(c *gin.Context, id string) {
	p, evs, err := s.rollouts.Plan(c.Request.Context(), principal(c), id)
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewPlan(p, evs))
}

// handleRolloutPlan godoc
//
//	@Summary		A release's staged rollout and its history
//	@Description	The plan, its current stage and state, and its last 100 changes (newest first), each with who or what made it (a user id, or "hoist" for the controller), why, and the funnel numbers that decided.
//	@Tags			resources
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"resource id"
//	@Success		200	{object}	okEnvelope{data=planView}
//	@Failure		404	{object}	errorEnvelope	"no such release, or it has no plan"
//	@Router			/api/v1/resources/{id}/rollout-plan [get]
func (s *Server) handleRolloutPlan(c *gin.Context) { s.respondPlan(c, c.Param("id")) }

// handleRolloutPlanAction godoc
//
//	@Summary		Pause, resume, advance or abort a staged rollout
//	@Description	pause: a running plan stops advancing (the percent stays). resume: a paused or halted plan runs again, its stage's minimum duration starting now. advance: to the next stage now, whatever the gates. abort: the plan ends, the percent stays (disable the release to withdraw it). 409 when the plan's state does not allow the action.
//	@Tags			resources
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string	true	"resource id"
//	@Param			action	path		string	true	"pause, resume, advance or abort"
//	@Success		200		{object}	okEnvelope{data=planView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Failure		409		{object}	errorEnvelope
//	@Router			/api/v1/resources/{id}/rollout-plan/{action} [post]
func (s *Server) handleRolloutPlanAction(c *gin.Context) {
	if _, err := s.rollouts.Act(c.Request.Context(), principal(c), c.Param("id"), c.Param("action")); err != nil {
		s.respondError(c, err)
		return
	}
	s.respondPlan(c, c.Param("id"))
}
