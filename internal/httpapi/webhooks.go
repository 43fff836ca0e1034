package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/webhook"
)

// webhookView is a webhook as shown: never its secret.
type webhookView struct {
	ID        string `json:"id"`
	ProjectID string `json:"projectId"`
	URL       string `json:"url" example:"https://hooks.example.com/hoist"`
	// SecretHint is the end of the secret, which is never shown again
	// after creation.
	SecretHint  string    `json:"secretHint" example:"…c0de"`
	Events      []string  `json:"events" example:"release.published,rollout.halted"`
	Format      string    `json:"format" enums:"json,dingtalk,feishu,wecom,slack"`
	Enabled     bool      `json:"enabled"`
	CreatedBy   string    `json:"createdBy"`
	CreatedTime time.Time `json:"createdTime"`
	UpdatedTime time.Time `json:"updatedTime"`
}

func viewWebhook(w webhook.Webhook) webhookView {
	events := w.Events
	if events == nil {
		events = []string{}
	}
	return webhookView{ID: w.ID, ProjectID: w.ProjectID, URL: w.URL, SecretHint: w.SecretHint(), Events: events,
		Format: string(w.Format), Enabled: w.Enabled, CreatedBy: w.CreatedBy, CreatedTime: w.CreatedTime, UpdatedTime: w.UpdatedTime}
}

// webhookRequest creates (url, secret and events required) or updates
// (absent fields unchanged) a webhook.
type webhookRequest struct {
	// URL is https://, or http:// to a loopback address; at most 1024
	// characters.
	URL *string `json:"url,omitempty" example:"https://hooks.example.com/hoist"`
	// Secret signs every delivery: 16 to 128 printable ASCII characters.
	// For DingTalk robots with 加签, give the robot's SEC… secret.
	Secret *string `json:"secret,omitempty" example:"whsec-0123456789abcdef"`
	// Events are among release.published, rollout.advanced,
	// rollout.halted, rollout.completed, campaign.wave_started,
	// campaign.paused, campaign.finished.
	Events *[]string `json:"events,omitempty" example:"release.published"`
	// Format of the body (default json).
	Format  *string `json:"format,omitempty" enums:"json,dingtalk,feishu,wecom,slack" example:"json"`
	Enabled *bool   `json:"enabled,omitempty"`
}

func (r webhookRequest) fields() webhook.Fields {
	f := webhook.Fields{URL: r.URL, Secret: r.Secret, Events: r.Events, Enabled: r.Enabled}
	if r.Format != nil {
		ft := webhook.Format(*r.Format)
		f.Format = &ft
	}
	return f
}

type attemptView struct {
	N    int       `json:"n"`
	Time time.Time `json:"time"`
	// StatusCode is the receiver's answer; 0 when there was none.
	StatusCode int `json:"statusCode" example:"200"`
	// Response is the first KiB of the response body.
	Response   string `json:"response"`
	Error      string `json:"error"`
	DurationMs int64  `json:"durationMs"`
}

type deliveryView struct {
	// ID is sent as X-Hoist-Delivery and as the body's id.
	ID    string `json:"id"`
	Event string `json:"event" example:"release.published"`
	State string `json:"state" enums:"pending,succeeded,failed"`
	// AttemptCount counts the attempts made.
	AttemptCount int `json:"attemptCount"`
	// NextAttemptTime is when a pending delivery is tried (again).
	NextAttemptTime *time.Time `json:"nextAttemptTime,omitempty"`
	CreatedTime     time.Time  `json:"createdTime"`
	DoneTime        *time.Time `json:"doneTime,omitempty"`
	// Data is the event's data.
	Data     json.RawMessage `json:"data" swaggertype:"object"`
	Attempts []attemptView   `json:"attempts"`
}

func viewDelivery(d webhook.Delivery) deliveryView {
	v := deliveryView{ID: d.ID, Event: d.Event, State: string(d.State), AttemptCount: d.Attempts, CreatedTime: d.CreatedTime,
		Data: d.Data, Attempts: make([]attemptView, len(d.Tries))}
	if len(v.Data) == 0 {
		v.Data = json.RawMessage("null")
	}
	if d.State == webhook.Pending {
		t := d.NextAttemptTime
		v.NextAttemptTime = &t
	}
	if !d.DoneTime.IsZero() {
		t := d.DoneTime
		v.DoneTime = &t
	}
	for i, a := range d.Tries {
		v.Attempts[i] = attemptView{N: a.N, Time: a.Time, StatusCode: a.StatusCode, Response: a.Response, Error: a.Error,
			DurationMs: a.Duration.Milliseconds()}
	}
	return v
}

// handleWebhookList godoc
//
//	@Summary		Webhooks of a project (maintainers, owners)
//	@Description	Oldest first. Viewers get 403: webhooks are shown only to those who manage them.
//	@Tags			webhooks
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"project id"
//	@Success		200	{object}	okEnvelope{data=[]webhookView}
//	@Failure		403	{object}	errorEnvelope
//	@Failure		404	{object}	errorEnvelope
//	@Router			/api/v1/projects/{id}/webhooks [get]
func (s *Server) handleWebhookList(c *gin.Context) {
	ws, err := s.webhooks.List(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, mapSlice(ws, viewWebhook))
}

// handleWebhookCreate godoc
//
//	@Summary		Add a webhook (maintainers, owners)
//	@Description	The project's events of the types listed are POSTed to url in format (json: {id, event, project, projectName, at, data}; dingtalk, feishu, wecom, slack: that robot's message body with a human-readable line), with X-Hoist-Timestamp (Unix seconds) and X-Hoist-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." + body)). A 2xx answer is success; others and network errors are retried with exponential backoff (30 s doubling to 1 h) for a day. The secret is never shown again. At most 20 per project (409).
//	@Tags			webhooks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string			true	"project id"
//	@Param			body	body		webhookRequest	true	"webhook"
//	@Success		201		{object}	okEnvelope{data=webhookView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		403		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Failure		409		{object}	errorEnvelope
//	@Router			/api/v1/projects/{id}/webhooks [post]
func (s *Server) handleWebhookCreate(c *gin.Context) {
	var req webhookRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	w, err := s.webhooks.Create(c.Request.Context(), principal(c), c.Param("id"), req.fields())
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusCreated, viewWebhook(w))
}

// handleWebhookGet godoc
//
//	@Summary	A webhook (maintainers, owners)
//	@Tags		webhooks
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id			path		string	true	"project id"
//	@Param		webhookId	path		string	true	"webhook id"
//	@Success	200			{object}	okEnvelope{data=webhookView}
//	@Failure	403			{object}	errorEnvelope
//	@Failure	404			{object}	errorEnvelope
//	@Router		/api/v1/projects/{id}/webhooks/{webhookId} [get]
func (s *Server) handleWebhookGet(c *gin.Context) {
	w, err := s.webhooks.Get(c.Request.Context(), principal(c), c.Param("id"), c.Param("webhookId"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewWebhook(w))
}

// handleWebhookUpdate godoc
//
//	@Summary		Change a webhook (maintainers, owners)
//	@Description	Absent fields are unchanged; a new secret replaces the old one. Pending deliveries go to the new URL, in the new format, signed with the new secret; those of a disabled webhook fail unsent.
//	@Tags			webhooks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id			path		string			true	"project id"
//	@Param			webhookId	path		string			true	"webhook id"
//	@Param			body		body		webhookRequest	true	"changes"
//	@Success		200			{object}	okEnvelope{data=webhookView}
//	@Failure		400			{object}	errorEnvelope
//	@Failure		403			{object}	errorEnvelope
//	@Failure		404			{object}	errorEnvelope
//	@Router			/api/v1/projects/{id}/webhooks/{webhookId} [patch]
func (s *Server) handleWebhookUpdate(c *gin.Context) {
	var req webhookRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	w, err := s.webhooks.Update(c.Request.Context(), principal(c), c.Param("id"), c.Param("webhookId"), req.fields())
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewWebhook(w))
}

// handleWebhookDelete godoc
//
//	@Summary	Delete a webhook and its deliveries (maintainers, owners)
//	@Tags		webhooks
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id			path		string	true	"project id"
//	@Param		webhookId	path		string	true	"webhook id"
//	@Success	200			{object}	okEnvelope
//	@Failure	403			{object}	errorEnvelope
//	@Failure	404			{object}	errorEnvelope
//	@Router		/api/v1/projects/{id}/webhooks/{webhookId} [delete]
func (s *Server) handleWebhookDelete(c *gin.Context) {
	if err := s.webhooks.Delete(c.Request.Context(), principal(c), c.Param("id"), c.Param("webhookId")); err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, nil)
}

// handleWebhookTest godoc
//
//	@Summary		Send a test delivery (maintainers, owners)
//	@Description	Queues a webhook.test event ({"webhookId","message"}) for this webhook, whatever it subscribes to; it is sent at once and listed with the deliveries. 409 when the webhook is disabled.
//	@Tags			webhooks
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id			path		string	true	"project id"
//	@Param			webhookId	path		string	true	"webhook id"
//	@Success		202			{object}	okEnvelope{data=deliveryView}
//	@Failure		403			{object}	errorEnvelope
//	@Failure		404			{object}	errorEnvelope
//	@Failure		409			{object}	errorEnvelope
//	@Router			/api/v1/projects/{id}/webhooks/{webhookId}/test [post]
func (s *Server) handleWebhookTest(c *gin.Context) {
	d, err := s.webhooks.Test(c.Request.Context(), principal(c), c.Param("id"), c.Param("webhookId"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusAccepted, viewDelivery(d))
}

// handleWebhookDeliveries godoc
//
//	@Summary		Deliveries of a webhook (maintainers, owners)
//	@Description	Newest first by default, each with its attempts (status, first KiB of the response, error, duration). Deliveries are kept 30 days.
//	@Tags			webhooks
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id			path		string	true	"project id"
//	@Param			webhookId	path		string	true	"webhook id"
//	@Param			pageNum		query		int		false	"page, from 1"
//	@Param			pageSize	query		int		false	"records per page (max 100)"
//	@Param			sortKey		query		string	false	"createdTime"
//	@Param			order		query		string	false	"ASC or DESC"
//	@Success		200			{object}	okEnvelope{data=listView[deliveryView]}
//	@Failure		400			{object}	errorEnvelope
//	@Failure		403			{object}	errorEnvelope
//	@Failure		404			{object}	errorEnvelope
//	@Router			/api/v1/projects/{id}/webhooks/{webhookId}/deliveries [get]
func (s *Server) handleWebhookDeliveries(c *gin.Context) {
	pg, err := parsePage(c, webhook.DeliverySortKeys)
	if err != nil {
		s.respondError(c, err)
		return
	}
	ds, total, err := s.webhooks.Deliveries(c.Request.Context(), principal(c), c.Param("id"), c.Param("webhookId"), pg)
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondList(c, pg, ds, total, viewDelivery)
}
