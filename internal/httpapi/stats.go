package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/stats"
)

type dayCountView struct {
	Day   string `json:"day" example:"2026-11-21"`
	Count int64  `json:"count"`
}

type keyCountView struct {
	Key   string `json:"key"`
	Count int64  `json:"count"`
}

type codeCountView struct {
	VersionCode int64 `json:"versionCode"`
	Count       int64 `json:"count"`
}

// statsView is a project's update-check statistics over a range of days.
type statsView struct {
	From         string         `json:"from" example:"2026-10-23"`
	To           string         `json:"to" example:"2026-11-21"`
	ChecksPerDay []dayCountView `json:"checksPerDay"`
	// Channels counts checks by the channel the device got.
	Channels []keyCountView `json:"channels"`
	// Platforms counts checks by platform (key: android, ios).
	Platforms []keyCountView `json:"platforms"`
	// Results counts checks by what the client will apply (key: none, wgt,
	// native): a newer native build first, else a newer wgt.
	Results []keyCountView `json:"results"`
	// WgtVersions counts checks by the wgt versionCode the device reported;
	// WgtVersionDevices counts distinct devices (estimates, see the
	// adoption funnel), most first: what "devices on each version" means.
	// In WgtVersions and NativeVersions, versionCode -1 counts the checks
	// of the versions past the first 500 (wgt, native) pairs a node saw
	// for the project that day (made-up codes add no rows without end).
	WgtVersions       []codeCountView `json:"wgtVersions"`
	WgtVersionDevices []codeCountView `json:"wgtVersionDevices"`
	NativeVersions    []codeCountView `json:"nativeVersions"`
	// Offers counts how often each resource was offered as an update the
	// client applies (key: resource id).
	Offers []keyCountView `json:"offers"`
	// Downloads counts GETs of each resource's stable download link
	// (/d/{resourceId}/...); a resumed download may count twice.
	Downloads        []keyCountView `json:"downloads"`
	NewDevicesPerDay []dayCountView `json:"newDevicesPerDay"`
}

func mapSlice[A, B any](in []A, f func(A) B) []B {
	out := make([]B, len(in))
	for i, a := range in {
		out[i] = f(a)
	}
	return out
}

func viewStats(r stats.Report) statsView {
	day := func(d stats.DayCount) dayCountView { return dayCountView{d.Day, d.Count} }
	key := func(k stats.KeyCount) keyCountView { return keyCountView{k.Key, k.Count} }
	code := func(c stats.CodeCount) codeCountView { return codeCountView{c.VersionCode, c.Count} }
	return statsView{From: r.From, To: r.To, ChecksPerDay: mapSlice(r.ChecksPerDay, day), Channels: mapSlice(r.Channels, key),
		Platforms: mapSlice(r.Platforms, key),
		Results:   mapSlice(r.Results, key), WgtVersions: mapSlice(r.WgtVersions, code), NativeVersions: mapSlice(r.NativeVersions, code),
		Offers: mapSlice(r.Offers, key), Downloads: mapSlice(r.Downloads, key), NewDevicesPerDay: mapSlice(r.NewDevicesPerDay, day)}
}

// handleStats godoc
//
//	@Summary		Update-check statistics of a project
//	@Description	Checks per day, channel and platform, what was offered, the versions devices run, offers per resource, new devices per day. Counts are written in batches every few seconds.
//	@Tags			stats
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string	true	"project id"
//	@Param			from	query		string	false	"first day, YYYY-MM-DD (default: 29 days before to)"
//	@Param			to		query		string	false	"last day, YYYY-MM-DD (default: today, UTC)"
//	@Param			channel	query		string	false	"only this release channel's checks, offers and downloads (new devices are the project's)"
//	@Success		200		{object}	okEnvelope{data=statsView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Router			/api/v1/projects/{id}/stats [get]
func (s *Server) handleStats(c *gin.Context) {
	r, err := s.reports.Report(c.Request.Context(), principal(c), c.Param("id"), c.Query("from"), c.Query("to"), c.Query("channel"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	v := viewStats(r)
	v.WgtVersionDevices = []codeCountView{}
	if s.funnel != nil {
		from, _ := time.Parse(time.DateOnly, r.From)
		to, _ := time.Parse(time.DateOnly, r.To)
		devices, err := s.funnel.VersionDevices(c.Request.Context(), c.Param("id"), c.Query("channel"), from, to)
		if err != nil {
			s.respondError(c, err)
			return
		}
		v.WgtVersionDevices = mapSlice(devices, func(c stats.CodeCount) codeCountView { return codeCountView{c.VersionCode, c.Count} })
	}
	respondOK(c, http.StatusOK, v)
}
