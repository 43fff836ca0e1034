package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/ota"
)

// otaSendRequest is seed 000's OTA request: a described file (url,
// version, size, md5, type), or Hoist's resourceId instead.
type otaSendRequest struct {
	URL        string `json:"url,omitempty" example:"https://files.example.com/fw-1.2.0.bin"`
	ResourceID string `json:"resourceId,omitempty"`
	Version    string `json:"version,omitempty" example:"1.2.0"`
	Size       int64  `json:"size,omitempty" example:"123456"`
	MD5        string `json:"md5,omitempty"`
	SHA256     string `json:"sha256,omitempty"`
	Type       string `json:"type,omitempty" example:"firmware"`
	// TTLSeconds is how long the command is valid, 60 to 2592000; 0 or
	// absent means one day.
	TTLSeconds int64 `json:"ttlSeconds,omitempty" example:"86400"`
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
