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
	Status    string `json:"status" enums:"active,completed,cancelled,expired"`
	Total     int64  `json:"total" example:"120"`
	// Counts has every state as a key (zero included): sent, accepted,
	// downloading, downloaded, verified, installing, rebooting, succeeded,
	// failed, rejected, skipped, expired, cancelled.
	Counts      map[string]int64 `json:"counts"`
	ExpiresAt   time.Time        `json:"expiresAt"`
	CancelledAt *time.Time       `json:"cancelledAt"`
	CreatedBy   string           `json:"createdBy"`
	CreatedTime time.Time        `json:"createdTime"`
	UpdatedTime time.Time        `json:"updatedTime"`
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
	return v
}

// campaignDeviceView is where one device of a campaign is.
type campaignDeviceView struct {
	Device   string `json:"device" example:"dev-0001"`
	State    string `json:"state" example:"downloading"`
	Progress int    `json:"progress" example:"40"`
	Error    string `json:"error"`
	// LastReport is the device's last progress report as received, null
	// before the first.
	LastReport  json.RawMessage `json:"lastReport" swaggertype:"object"`
	UpdatedTime time.Time       `json:"updatedTime"`
}

func viewEntry(e ota.Entry) campaignDeviceView {
	return campaignDeviceView{Device: e.Device, State: string(e.State), Progress: e.Progress, Error: e.Error,
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
	Report     json.RawMessage `json:"report" swaggertype:"object"`
	ReceivedAt time.Time       `json:"receivedAt"`
}

func viewHistory(h ota.HistoryEntry) historyView {
	return historyView{ID: h.ID, CampaignID: h.CampaignID, Device: h.Device, MessageID: h.MessageID, State: string(h.State),
		Report: h.Raw, ReceivedAt: h.ReceivedAt}
}

type campaignCreateRequest struct {
	ResourceID string             `json:"resourceId"`
	Product    string             `json:"product" example:"thermo"`
	Target     campaignTargetView `json:"target"`
	// TTLSeconds is the campaign's lifetime, 60 to 2592000; 0 or absent
	// means one day.
	TTLSeconds int64 `json:"ttlSeconds" example:"86400"`
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
//	@Param		state		query		string	false	"only devices in this state"	Enums(sent,accepted,downloading,downloaded,verified,installing,rebooting,succeeded,failed,rejected,skipped,expired,cancelled)
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
//	@Summary		Resume a stuck OTA campaign (maintainers, owners)
//	@Description	Sends the campaign's ota_upgrade command (the same request id and download URL) again to its devices still in a non-final state, for example after an outage; devices in a final state are left alone. 409 for a cancelled or expired campaign.
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

// otaSendRequest is seed 000's OTA request: a described file (url,
// version, size, md5, type), or Hoist's resourceId instead.
type otaSendRequest struct {
	URL        string `json:"url" example:"https://files.example.com/fw-1.2.0.bin"`
	ResourceID string `json:"resourceId"`
	Version    string `json:"version" example:"1.2.0"`
	Size       int64  `json:"size" example:"123456"`
	MD5        string `json:"md5"`
	SHA256     string `json:"sha256"`
	Type       string `json:"type" example:"firmware"`
	// TTLSeconds is how long the command is valid, 60 to 2592000; 0 or
	// absent means one day.
	TTLSeconds int64 `json:"ttlSeconds" example:"86400"`
}

// otaSentView says what was sent.
type otaSentView struct {
	RequestID string    `json:"requestId"`
	ExpiresAt time.Time `json:"expiresAt"`
	// CampaignID is set when the request named a resource (a one-device
	// campaign).
	CampaignID string `json:"campaignId,omitempty"`
}

// handleOTASend godoc
//
//	@Summary		Send ota_upgrade to one device (seed 000; maintainers, owners)
//	@Description	Body {url, version, size, md5, type} sends that file as ota_upgrade (with a requestId and expiry); its progress updates the device's latest progress. With resourceId instead, a one-device OTA campaign is created (file fields ignored) and tracked.
//	@Tags			ota
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			product	path		string			true	"product name"
//	@Param			device	path		string			true	"device name"
//	@Param			body	body		otaSendRequest	true	"what to send"
//	@Success		200		{object}	okEnvelope{data=otaSentView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		401		{object}	errorEnvelope
//	@Failure		403		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Failure		503		{object}	errorEnvelope	"MQTT off or broker unavailable"
//	@Router			/ota/{product}/{device} [post]
func (s *Server) handleOTASend(c *gin.Context) {
	var req otaSendRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	sent, err := s.ota.SendUpgrade(c.Request.Context(), principal(c), c.Param("product"), c.Param("device"), ota.Upgrade{
		ResourceID: req.ResourceID, URL: req.URL, Version: req.Version, Size: req.Size, MD5: req.MD5, SHA256: req.SHA256,
		Type: req.Type, TTL: ttl(req.TTLSeconds), BaseURL: s.baseURL(c),
	})
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, otaSentView{RequestID: sent.RequestID, ExpiresAt: sent.ExpiresAt, CampaignID: sent.CampaignID})
}

// handleOTAProgress godoc
//
//	@Summary		A device's latest OTA progress (seed 000)
//	@Description	The device's last update_ota_status report as it sent it, with ts replaced by the time Hoist received it (unix seconds, as seed 000 did) and these added: state (normalised; the campaign's state for the device when the report matched a campaign), campaignId (when it did), receivedAt. {} when the device has reported none.
//	@Tags			ota
//	@Produce		json
//	@Security		BearerAuth
//	@Param			product	path		string	true	"product name"
//	@Param			device	path		string	true	"device name"
//	@Success		200		{object}	okEnvelope{data=object}
//	@Failure		401		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Router			/ota/{product}/{device} [get]
func (s *Server) handleOTAProgress(c *gin.Context) {
	l, ok, err := s.ota.Latest(c.Request.Context(), principal(c), c.Param("product"), c.Param("device"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := map[string]any{}
	if ok {
		out = seedProgress(l)
	}
	respondOK(c, http.StatusOK, out)
}

// seedProgress is the latest report in seed 000's shape: the report's own
// fields, ts = receive time in unix seconds, plus Hoist's.
func seedProgress(l ota.Latest) map[string]any {
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(l.Report, &fields) // stored reports are JSON objects
	out := make(map[string]any, len(fields)+4)
	for k, v := range fields {
		out[k] = v
	}
	out["ts"] = l.ReceivedAt.Unix()
	out["receivedAt"] = l.ReceivedAt
	if l.State != "" {
		out["state"] = l.State
	}
	if l.CampaignID != "" {
		out["campaignId"] = l.CampaignID
	}
	return out
}
