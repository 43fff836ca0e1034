package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/ota"
)

// campaignTargetView names a campaign's devices: exactly one field is set.
type campaignTargetView struct {
	Device string `json:"device,omitempty" example:"dev-0001"`
	Tag    string `json:"tag,omitempty" example:"floor-2"`
	All    bool   `json:"all,omitempty"`
}

// campaignView is an OTA campaign with its devices counted per state.
type campaignView struct {
	ID         string             `json:"id"`
	ProjectID  string             `json:"projectId"`
	Product    string             `json:"product" example:"thermo"`
	ResourceID string             `json:"resourceId"`
	Version    string             `json:"version" example:"1.2.0"`
	Target     campaignTargetView `json:"target"`
	// RequestID is the requestId of the ota_upgrade command, which the
	// devices' progress reports quote.
	RequestID string `json:"requestId"`
	// Status is paused while a campaign with waves is paused.
	Status string `json:"status" enums:"active,paused,completed,cancelled,expired"`
	Total  int64  `json:"total" example:"120"`
	// Counts has every state as a key (zero included): waiting (a device
	// of a wave not started), sent, accepted, downloading, downloaded,
	// verified, installing, rebooting, succeeded, failed, rejected,
	// skipped, expired, cancelled.
	Counts map[string]int64 `json:"counts"`
	// Waves is absent for a campaign without waves.
	Waves       *campaignWavesView `json:"waves,omitempty"`
	ExpiresAt   time.Time          `json:"expiresAt"`
	CancelledAt *time.Time         `json:"cancelledAt" extensions:"x-nullable"`
	CreatedBy   string             `json:"createdBy"`
	CreatedTime time.Time          `json:"createdTime"`
	UpdatedTime time.Time          `json:"updatedTime"`
}

func viewCampaign(c ota.Campaign) campaignView {
	v := campaignView{ID: c.ID, ProjectID: c.ProjectID, Product: c.Product, ResourceID: c.ResourceID, Version: c.Version,
		RequestID: c.RequestID, Status: string(c.Status), Total: c.Total(), Counts: make(map[string]int64, len(c.Counts)),
		ExpiresAt: c.ExpiresAt, CancelledAt: c.CancelledAt, CreatedBy: c.CreatedBy, CreatedTime: c.CreatedTime, UpdatedTime: c.UpdatedTime}
	switch c.TargetKind {
	case ota.TargetDevice:
		v.Target.Device = c.TargetValue
	case ota.TargetTag:
		v.Target.Tag = c.TargetValue
	default:
		v.Target.All = true
	}
	for st, n := range c.Counts {
		v.Counts[string(st)] = n
	}
	v.Waves = viewWaves(c)
	return v
}

// campaignDeviceView is where one device of a campaign is.
type campaignDeviceView struct {
	Device string `json:"device" example:"dev-0001"`
	// Wave is the device's wave (absent in a campaign without waves).
	Wave     int    `json:"wave,omitempty" example:"2"`
	State    string `json:"state" example:"downloading" enums:"waiting,sent,accepted,downloading,downloaded,verified,installing,rebooting,succeeded,failed,rejected,skipped,expired,cancelled"`
	Progress int    `json:"progress" example:"40"`
	Error    string `json:"error"`
	// LastReport is the device's last progress report as received, null
	// before the first.
	LastReport  json.RawMessage `json:"lastReport" swaggertype:"object" extensions:"x-nullable"`
	UpdatedTime time.Time       `json:"updatedTime"`
}

func viewEntry(e ota.Entry) campaignDeviceView {
	return campaignDeviceView{Device: e.Device, Wave: e.Wave, State: string(e.State), Progress: e.Progress, Error: e.Error,
		LastReport: e.LastReport, UpdatedTime: e.UpdatedTime}
}

// historyView is one progress report as received.
type historyView struct {
	ID         int64  `json:"id"`
	CampaignID string `json:"campaignId"`
	Device     string `json:"device" example:"dev-0001"`
	// MessageID is the last level of the report's topic ("" when unknown).
	MessageID string `json:"messageId" example:"k3f9-1a2b"`
	// State is what the report said ("" when it named no state).
	State      string          `json:"state" example:"installing"`
	Report     json.RawMessage `json:"report" swaggertype:"object" extensions:"x-nullable"`
	ReceivedAt time.Time       `json:"receivedAt"`
}

func viewHistory(h ota.HistoryEntry) historyView {
	return historyView{ID: h.ID, CampaignID: h.CampaignID, Device: h.Device, MessageID: h.MessageID, State: string(h.State),
		Report: h.Raw, ReceivedAt: h.ReceivedAt}
}

type campaignCreateRequest struct {
	ResourceID string             `json:"resourceId,omitempty"`
	Product    string             `json:"product,omitempty" example:"thermo"`
	Target     campaignTargetView `json:"target,omitempty"`
	// TTLSeconds is the campaign's lifetime, 60 to 2592000; 0 or absent
	// means one day.
	TTLSeconds int64 `json:"ttlSeconds,omitempty" example:"86400"`
	// Waves, when given, is the wave plan (at most 20 waves, each exactly
	// one of tag, count, percent); the devices it leaves make one more
	// wave. Only the first wave is sent the command now.
	Waves []waveRequest `json:"waves,omitempty"`
	// SuccessThreshold is the percent (0-100) of the current wave's devices
	// that must have succeeded (or were skipped) before the next wave
	// starts; default 95. Only with waves.
	SuccessThreshold *int `json:"successThreshold,omitempty" example:"95"`
	// ErrorThreshold is the percent (0-100) of the started waves' devices
	// failed, rejected or expired above which the campaign pauses; default
	// 10. Only with waves.
	ErrorThreshold *int `json:"errorThreshold,omitempty" example:"10"`
	// WaveTimeoutSeconds, when set (60 to ttlSeconds), expires the started
	// waves' devices without a final report that long after the current
	// wave started (they count as failures). Only with waves.
	WaveTimeoutSeconds int64 `json:"waveTimeoutSeconds,omitempty" example:"3600"`
}

// ttl converts ttlSeconds; huge values stay out of range instead of
// overflowing.
func ttl(seconds int64) time.Duration {
	return time.Duration(max(min(seconds, 1<<40), -1)) * time.Second
}

// handleCampaignCreate godoc
//
//	@Summary		Start an OTA campaign (maintainers, owners)
//	@Description	Sends an enabled firmware resource (type 5, made for the product) to one device, the devices with a tag, or every device of the product. The device list is fixed now; devices whose reported firmware version already equals the resource's are skipped, the others recorded as sent and sent ota_upgrade {url, version, size, md5, sha256, type, requestId, expiresAt} with a download URL signed for the campaign's lifetime: one publish on the tag topic for a tag, one per device otherwise. 503 when MQTT is off or the broker took nothing (no campaign is left then).
//	@Description
//	@Description	With waves (a tag or all target), the devices are split into waves now: a tag wave takes the target's devices with that tag, then count and percent (of the whole target, rounded up) waves take from the others in an order fixed by a hash of the campaign id and device name; the devices left make a last wave. Only the first wave is sent the command (one publish per device); the others are waiting and sent nothing. The next wave starts when the current one's succeeded (or skipped) devices reach successThreshold percent; the campaign pauses when failed, rejected or expired devices pass errorThreshold percent of the started waves' devices, or when a wave ended below successThreshold. See /pause, /resume, /advance, /abort and /events.
//	@Tags			ota
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		campaignCreateRequest	true	"campaign"
//	@Success		201		{object}	okEnvelope{data=campaignView}
//	@Failure		400		{object}	errorEnvelope	"bad input, not an enabled firmware of the product, a tag no device has"
//	@Failure		403		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope	"product, device or resource not found"
//	@Failure		503		{object}	errorEnvelope	"MQTT off or broker unavailable"
//	@Router			/api/v1/ota/campaigns [post]
func (s *Server) handleCampaignCreate(c *gin.Context) {
	var req campaignCreateRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	cp, err := s.ota.CreateCampaign(c.Request.Context(), principal(c), ota.NewCampaign{
		ResourceID: req.ResourceID, Product: req.Product, TTL: ttl(req.TTLSeconds), BaseURL: s.baseURL(c),
		Target: ota.Target{Device: req.Target.Device, Tag: req.Target.Tag, All: req.Target.All},
		Waves:  waveSpecs(req.Waves), SuccessThreshold: req.SuccessThreshold, ErrorThreshold: req.ErrorThreshold,
		WaveTimeout: ttl(req.WaveTimeoutSeconds),
	})
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusCreated, viewCampaign(cp))
}

// handleCampaignList godoc
//
//	@Summary	OTA campaigns I can see, newest first
//	@Tags		ota
//	@Produce	json
//	@Security	BearerAuth
//	@Param		projectId	query		string	false	"only this project's"
//	@Param		product		query		string	false	"only this product's"
//	@Param		pageNum		query		int		false	"page, from 1"
//	@Param		pageSize	query		int		false	"records per page (max 100)"
//	@Param		sortKey		query		string	false	"createdTime"
//	@Param		order		query		string	false	"ASC or DESC"
//	@Success	200			{object}	okEnvelope{data=listView[campaignView]}
//	@Failure	400			{object}	errorEnvelope
//	@Failure	404			{object}	errorEnvelope
//	@Router		/api/v1/ota/campaigns [get]
func (s *Server) handleCampaignList(c *gin.Context) {
	pg, err := parsePage(c, ota.CampaignSortKeys)
	if err != nil {
		s.respondError(c, err)
		return
	}
	f := ota.CampaignFilter{ProjectID: c.Query("projectId"), Product: c.Query("product")}
	items, total, err := s.ota.ListCampaigns(c.Request.Context(), principal(c), f, pg)
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondList(c, pg, items, total, viewCampaign)
}

// handleCampaignGet godoc
//
//	@Summary		An OTA campaign with its devices counted per state
//	@Description	Devices still in an open state after the campaign's expiry are counted as expired.
//	@Tags			ota
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"campaign id"
//	@Success		200	{object}	okEnvelope{data=campaignView}
//	@Failure		404	{object}	errorEnvelope
//	@Router			/api/v1/ota/campaigns/{id} [get]
func (s *Server) handleCampaignGet(c *gin.Context) {
	cp, err := s.ota.Campaign(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewCampaign(cp))
}

// handleCampaignDevices godoc
//
//	@Summary	The devices of an OTA campaign and where each is
//	@Tags		ota
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id			path		string	true	"campaign id"
//	@Param		state		query		string	false	"only devices in this state"	Enums(waiting,sent,accepted,downloading,downloaded,verified,installing,rebooting,succeeded,failed,rejected,skipped,expired,cancelled)
//	@Param		pageNum		query		int		false	"page, from 1"
//	@Param		pageSize	query		int		false	"records per page (max 100)"
//	@Param		sortKey		query		string	false	"device or updatedTime"
//	@Param		order		query		string	false	"ASC or DESC"
//	@Success	200			{object}	okEnvelope{data=listView[campaignDeviceView]}
//	@Failure	400			{object}	errorEnvelope
//	@Failure	404			{object}	errorEnvelope
//	@Router		/api/v1/ota/campaigns/{id}/devices [get]
func (s *Server) handleCampaignDevices(c *gin.Context) {
	pg, err := parsePage(c, ota.EntrySortKeys)
	if err != nil {
		s.respondError(c, err)
		return
	}
	items, total, err := s.ota.CampaignDevices(c.Request.Context(), principal(c), c.Param("id"), ota.State(c.Query("state")), pg)
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondList(c, pg, items, total, viewEntry)
}

// handleCampaignHistory godoc
//
//	@Summary		The progress reports of an OTA campaign, newest first
//	@Description	Every report as received, including those that moved nothing (late, repeated, after cancellation). Reports are written in batches and show up a few seconds after they arrive.
//	@Tags			ota
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id			path		string	true	"campaign id"
//	@Param			device		query		string	false	"only this device's"
//	@Param			pageNum		query		int		false	"page, from 1"
//	@Param			pageSize	query		int		false	"records per page (max 100)"
//	@Param			sortKey		query		string	false	"receivedAt"
//	@Param			order		query		string	false	"ASC or DESC"
//	@Success		200			{object}	okEnvelope{data=listView[historyView]}
//	@Failure		400			{object}	errorEnvelope
//	@Failure		404			{object}	errorEnvelope
//	@Router			/api/v1/ota/campaigns/{id}/history [get]
func (s *Server) handleCampaignHistory(c *gin.Context) {
	pg, err := parsePage(c, ota.HistorySortKeys)
	if err != nil {
		s.respondError(c, err)
		return
	}
	items, total, err := s.ota.CampaignHistory(c.Request.Context(), principal(c), c.Param("id"), c.Query("device"), pg)
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondList(c, pg, items, total, viewHistory)
}

// handleCampaignCancel godoc
//
//	@Summary		Cancel an OTA campaign (maintainers, owners)
//	@Description	Devices in an open state become cancelled, which is final. Nothing is published: devices ignore the command once it expires, and a device already installing may still finish; its report is kept in the history but moves nothing. Cancelling twice returns the campaign unchanged.
//	@Tags			ota
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"campaign id"
//	@Success		200	{object}	okEnvelope{data=campaignView}
//	@Failure		403	{object}	errorEnvelope
//	@Failure		404	{object}	errorEnvelope
//	@Failure		409	{object}	errorEnvelope	"the campaign has expired"
//	@Router			/api/v1/ota/campaigns/{id}/cancel [post]
func (s *Server) handleCampaignCancel(c *gin.Context) {
	cp, err := s.ota.CancelCampaign(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewCampaign(cp))
}

// resumeView is a resumed campaign and how many devices it went to again.
type resumeView struct {
	Campaign campaignView `json:"campaign"`
	// Resent is the number of devices in a non-final state the command was
	// sent to again (a tag campaign publishes once on the tag topic).
	Resent int `json:"resent" example:"12"`
}

// handleCampaignResume godoc
//
//	@Summary		Resume a paused or stuck OTA campaign (maintainers, owners)
//	@Description	A paused campaign with waves is unpaused: its failures so far are accepted (the error threshold pauses it again only on more), its wave timeout starts again, and when its current wave has ended the next wave starts. Then the campaign's ota_upgrade command (the same request id and download URL) is sent again to its devices that were sent it and are still in a non-final state, for example after an outage; devices in a final state and those of waves not started are left alone. 409 for a cancelled or expired campaign.
//	@Tags			ota
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"campaign id"
//	@Success		200	{object}	okEnvelope{data=resumeView}
//	@Failure		403	{object}	errorEnvelope
//	@Failure		404	{object}	errorEnvelope
//	@Failure		409	{object}	errorEnvelope	"cancelled or expired"
//	@Failure		503	{object}	errorEnvelope	"the broker took none of the commands"
//	@Router			/api/v1/ota/campaigns/{id}/resume [post]
func (s *Server) handleCampaignResume(c *gin.Context) {
	cp, n, err := s.ota.ResumeCampaign(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, resumeView{Campaign: viewCampaign(cp), Resent: n})
}
