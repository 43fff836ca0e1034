package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/stats"
)

// funnelView is a release's adoption funnel: distinct devices at each step
// over the range, and per day.
type funnelView struct {
	From       string          `json:"from" example:"2026-12-01"`
	To         string          `json:"to" example:"2026-12-04"`
	Offered    int64           `json:"offered"`
	Downloaded int64           `json:"downloaded"`
	Applied    int64           `json:"applied"`
	NotApplied int64           `json:"notApplied"`
	Days       []funnelDayView `json:"days"`
}

// funnelDayView is one day of a funnel; applied is the devices that ran the
// release that day.
type funnelDayView struct {
	Day        string `json:"day" example:"2026-12-04"`
	Offered    int64  `json:"offered"`
	Downloaded int64  `json:"downloaded"`
	Applied    int64  `json:"applied"`
	NotApplied int64  `json:"notApplied"`
}

// handleFunnel godoc
//
//	@Summary		Adoption funnel of a release
//	@Description	Distinct devices over the days from..to that were offered the release by the update check, downloaded it through its link (the device segment the check wrote), applied it (a later check reported its versionCode), and did not apply it (downloaded, then two further checks still offered it). Counts are HyperLogLog estimates (standard error 0.81 %, near exact below a few thousand devices) and lag by the flush interval (5 s). Devices are keyed by systemInfo.uuid, else deviceId; checks without either are not counted. days lists each day with data; a day's applied is the devices that ran the release that day (adoption over time).
//	@Tags			stats
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string	true	"resource id"
//	@Param			from	query		string	false	"first day, YYYY-MM-DD (default: the release's creation day)"
//	@Param			to		query		string	false	"last day, YYYY-MM-DD (default: today, UTC)"
//	@Success		200		{object}	okEnvelope{data=funnelView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Failure		503		{object}	errorEnvelope
//	@Router			/api/v1/resources/{id}/funnel [get]
func (s *Server) handleFunnel(c *gin.Context) {
	r, err := s.releases.Get(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	from, to, err := stats.DayRange(c.Query("from"), c.Query("to"), s.now(), func(to time.Time) time.Time {
		created, earliest := r.CreatedTime.UTC().Truncate(24*time.Hour), to.AddDate(0, 0, -365)
		switch {
		case created.After(to):
			return to
		case created.Before(earliest):
			return earliest
		}
		return created
	})
	if err != nil {
		s.respondError(c, err)
		return
	}
	if s.funnel == nil {
		s.respondError(c, apperr.New(apperr.Unavailable, "the adoption funnel is not counted on this node"))
		return
	}
	f, err := s.funnel.Read(c.Request.Context(), r.ID, from, to)
	if err != nil {
		s.respondError(c, err)
		return
	}
	v := funnelView{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), Offered: f.Offered,
		Downloaded: f.Downloaded, Applied: f.Applied, NotApplied: f.NotApplied, Days: make([]funnelDayView, len(f.Days))}
	for i, d := range f.Days {
		v.Days[i] = funnelDayView{d.Day.Format(time.DateOnly), d.Offered, d.Downloaded, d.Applied, d.NotApplied}
	}
	respondOK(c, http.StatusOK, v)
}
