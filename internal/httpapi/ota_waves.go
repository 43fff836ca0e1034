package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/ota"
)

// waveRequest is one wave of a plan: exactly one field is set.
type waveRequest struct {
	// Tag: the target's devices with this tag (say a canary group).
	Tag string `json:"tag,omitempty" example:"canary"`
	// Count: this many devices.
	Count int `json:"count,omitempty" example:"10"`
	// Percent: this percent of the target's devices, rounded up.
	Percent int `json:"percent,omitempty" example:"25"`
}

func waveSpecs(ws []waveRequest) []ota.WaveSpec {
	if len(ws) == 0 {
		return nil
	}
	out := make([]ota.WaveSpec, len(ws))
	for i, w := range ws {
		out[i] = ota.WaveSpec{Tag: w.Tag, Count: w.Count, Percent: w.Percent}
	}
	return out
}

// campaignWavesView is a campaign's waves: the plan with each wave's
// devices counted, where the campaign is, and its thresholds.
type campaignWavesView struct {
	// Current is the current wave (1-based): the waves up to it started.
	Current            int   `json:"current" example:"2"`
	SuccessThreshold   int   `json:"successThreshold" example:"95"`
	ErrorThreshold     int   `json:"errorThreshold" example:"10"`
	WaveTimeoutSeconds int64 `json:"waveTimeoutSeconds" example:"0"`
	// WaveDeadline is when the started waves' devices without a final
	// state expire; null without a wave timeout (or once passed).
	WaveDeadline *time.Time `json:"waveDeadline" extensions:"x-nullable"`
	// PausedAt is set while the campaign is paused, with the reason.
	PausedAt    *time.Time `json:"pausedAt" extensions:"x-nullable"`
	PauseReason string     `json:"pauseReason"`
	// Started is the number of devices of the started waves; Failures
	// those of them failed, rejected or expired; FailuresAcked the
	// failures accepted by the last resume (the error threshold pauses
	// again only on more).
	Started       int64      `json:"started" example:"40"`
	Failures      int64      `json:"failures" example:"1"`
	FailuresAcked int64      `json:"failuresAcked" example:"0"`
	List          []waveView `json:"list"`
}

// waveView is one wave: its spec (none for the last wave of the devices
// the plan left), its devices and where they are.
type waveView struct {
	Number  int    `json:"number" example:"1"`
	Tag     string `json:"tag,omitempty" example:"canary"`
	Count   int    `json:"count,omitempty"`
	Percent int    `json:"percent,omitempty"`
	// Rest marks the wave of the devices the plan left.
	Rest bool `json:"rest,omitempty"`
	Size int  `json:"size" example:"12"`
	// Status: waiting (not started), running (devices not final yet) or
	// done.
	Status string `json:"status" enums:"waiting,running,done"`
	// Succeeded counts succeeded and skipped devices; Failures failed,
	// rejected and expired ones.
	Succeeded int64 `json:"succeeded" example:"11"`
	Failures  int64 `json:"failures" example:"0"`
	// Counts has every state as a key (zero included).
	Counts map[string]int64 `json:"counts"`
}

// viewWaves is c's waves, nil without waves.
func viewWaves(c ota.Campaign) *campaignWavesView {
	if len(c.Waves) == 0 {
		return nil
	}
	st := c.Stats()
	v := &campaignWavesView{Current: c.Wave, SuccessThreshold: c.SuccessThreshold, ErrorThreshold: c.ErrorThreshold,
		WaveTimeoutSeconds: int64(c.WaveTimeout / time.Second), WaveDeadline: c.WaveDeadline, PausedAt: c.PausedAt,
		PauseReason: c.PauseReason, Started: st.Started, Failures: st.Failures, FailuresAcked: c.FailuresAcked,
		List: make([]waveView, len(c.Waves))}
	for i, w := range c.Waves {
		wv := waveView{Number: i + 1, Tag: w.Tag, Count: w.Count, Percent: w.Percent, Rest: w.Rest(), Size: w.Size,
			Counts: map[string]int64{}}
		var open int64
		if i < len(c.WaveCounts) {
			for s, n := range c.WaveCounts[i] {
				wv.Counts[string(s)] = n
				switch {
				case s == ota.StateSucceeded || s == ota.StateSkipped:
					wv.Succeeded += n
				case s == ota.StateFailed || s == ota.StateRejected || s == ota.StateExpired:
					wv.Failures += n
				case !s.Final():
					open += n
				}
			}
		}
		switch {
		case i+1 > c.Wave:
			wv.Status = "waiting"
		case open > 0:
			wv.Status = "running"
		default:
			wv.Status = "done"
		}
		v.List[i] = wv
	}
	return v
}

// campaignEventView is one change of a campaign's course.
type campaignEventView struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind" enums:"wave_started,paused,resumed,finished"`
	// Wave is the wave started, or the campaign's current wave.
	Wave int `json:"wave" example:"2"`
	// By is the id of the user who made the change, or "system".
	By     string `json:"by" example:"system"`
	Reason string `json:"reason" example:"wave 1: 10 of 10 devices succeeded (100%), the success threshold is 95%"`
	// Data is the event as sent to webhooks: campaignId, product,
	// version, kind, wave, waves, status, reason, by, counts and the wave
	// numbers that decided (stats).
	Data json.RawMessage `json:"data" swaggertype:"object"`
	Time time.Time       `json:"time"`
}

func viewCampaignEvent(e ota.CampaignEvent) campaignEventView {
	return campaignEventView{ID: e.ID, Kind: string(e.Kind), Wave: e.Wave, By: e.Actor, Reason: e.Reason, Data: e.Data, Time: e.At}
}

// handleCampaignPause godoc
//
//	@Summary		Pause an OTA campaign with waves (maintainers, owners)
//	@Description	No further wave starts until the campaign is resumed (POST /resume) or advanced (POST /advance). Devices already sent the command go on: a command cannot be withdrawn. Pausing a paused campaign returns it unchanged. 409 for a campaign without waves or one that is no longer active.
//	@Tags			ota
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"campaign id"
//	@Success		200	{object}	okEnvelope{data=campaignView}
//	@Failure		403	{object}	errorEnvelope
//	@Failure		404	{object}	errorEnvelope
//	@Failure		409	{object}	errorEnvelope	"no waves, or no longer active"
//	@Router			/api/v1/ota/campaigns/{id}/pause [post]
func (s *Server) handleCampaignPause(c *gin.Context) {
	cp, err := s.ota.PauseCampaign(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewCampaign(cp))
}

// handleCampaignAdvance godoc
//
//	@Summary		Start the next wave of an OTA campaign now (maintainers, owners)
//	@Description	Starts the next wave whatever the thresholds say; a paused campaign is resumed, accepting its failures so far. 409 for a campaign without waves, one no longer active, when the last wave has started, or when the campaign changed meanwhile.
//	@Tags			ota
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"campaign id"
//	@Success		200	{object}	okEnvelope{data=campaignView}
//	@Failure		403	{object}	errorEnvelope
//	@Failure		404	{object}	errorEnvelope
//	@Failure		409	{object}	errorEnvelope	"no waves, no next wave, or no longer active"
//	@Router			/api/v1/ota/campaigns/{id}/advance [post]
func (s *Server) handleCampaignAdvance(c *gin.Context) {
	cp, err := s.ota.AdvanceCampaign(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewCampaign(cp))
}

// handleCampaignAbort godoc
//
//	@Summary		Abort an OTA campaign (maintainers, owners)
//	@Description	The same as POST /cancel: devices in an open state, including the waiting devices of waves not started, become cancelled, which is final; nothing more is published. Aborting twice returns the campaign unchanged.
//	@Tags			ota
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"campaign id"
//	@Success		200	{object}	okEnvelope{data=campaignView}
//	@Failure		403	{object}	errorEnvelope
//	@Failure		404	{object}	errorEnvelope
//	@Failure		409	{object}	errorEnvelope	"the campaign has expired"
//	@Router			/api/v1/ota/campaigns/{id}/abort [post]
func (s *Server) handleCampaignAbort(c *gin.Context) { s.handleCampaignCancel(c) }

// handleCampaignEvents godoc
//
//	@Summary		The course of an OTA campaign: wave starts, pauses, resumes, the end
//	@Description	Each change with who made it (a user id, or system for a threshold, a wave timeout or the end), why, and the numbers that decided. Newest first unless order=ASC.
//	@Tags			ota
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id			path		string	true	"campaign id"
//	@Param			pageNum		query		int		false	"page, from 1"
//	@Param			pageSize	query		int		false	"records per page (max 100)"
//	@Param			order		query		string	false	"ASC or DESC"
//	@Success		200			{object}	okEnvelope{data=listView[campaignEventView]}
//	@Failure		400			{object}	errorEnvelope
//	@Failure		404			{object}	errorEnvelope
//	@Router			/api/v1/ota/campaigns/{id}/events [get]
func (s *Server) handleCampaignEvents(c *gin.Context) {
	pg, err := parsePage(c, []string{"createdTime"})
	if err != nil {
		s.respondError(c, err)
		return
	}
	items, total, err := s.ota.CampaignEvents(c.Request.Context(), principal(c), c.Param("id"), pg)
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondList(c, pg, items, total, viewCampaignEvent)
}
