package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/mqtt"
	"github.com/hoist-ota/hoist/internal/ota"
)

// commandView is a command with the devices' replies.
type commandView struct {
	RequestID string `json:"requestId"`
	Product   string `json:"product" example:"lock-v1"`
	Device    string `json:"device,omitempty" example:"door-1"`
	Tag       string `json:"tag,omitempty"`
	Name      string `json:"name" example:"unlock"`
	Encoding  string `json:"encoding" enums:"plain,base64"`
	// Data is the payload as published.
	Data string `json:"data" example:"{\"door\":1}"`
	// Topic is where it was published (PROTOCOLS §3), with its expiry.
	Topic       string    `json:"topic" example:"cmd/lock-v1/door-1/unlock/plain/5f2b8c1d9e0a4b7c8d6e5f4a3b2c1d0e/1700000000"`
	ExpiresAt   time.Time `json:"expiresAt"`
	CreatedBy   string    `json:"createdBy"`
	CreatedTime time.Time `json:"createdTime"`
	// ReplyCount counts every reply; Replies lists at most 1000, by device.
	ReplyCount int64              `json:"replyCount"`
	Replies    []commandReplyView `json:"replies"`
}

// commandReplyView is a device's latest reply (cmd_resp) to a command.
type commandReplyView struct {
	Device string `json:"device" example:"door-1"`
	// Payload is the reply as sent when it is UTF-8 text, else its
	// standard base64 (then PayloadEncoding is base64).
	Payload         string    `json:"payload" example:"ok"`
	PayloadEncoding string    `json:"payloadEncoding" enums:"plain,base64"`
	ReceivedAt      time.Time `json:"receivedAt"`
}

func viewCommand(c ota.Command, rs []ota.Reply, total int64) commandView {
	v := commandView{RequestID: c.RequestID, Product: c.Product, Device: c.Device, Tag: c.Tag, Name: c.Name,
		Encoding: c.Encoding, Data: c.Data, Topic: mqtt.CommandTopic(c.Outbound()), ExpiresAt: c.ExpiresAt, CreatedBy: c.CreatedBy,
		CreatedTime: c.CreatedTime, ReplyCount: total, Replies: make([]commandReplyView, len(rs))}
	for i, r := range rs {
		v.Replies[i] = commandReplyView{Device: r.Device, Payload: string(r.Payload), PayloadEncoding: "plain", ReceivedAt: r.ReceivedAt}
		if !utf8.Valid(r.Payload) {
			v.Replies[i].Payload, v.Replies[i].PayloadEncoding = base64.StdEncoding.EncodeToString(r.Payload), "base64"
		}
	}
	return v
}

type commandCreateRequest struct {
	Name string `json:"name,omitempty" example:"unlock"`
	// Data is the payload: a string is sent as its text, any other JSON
	// value as its compact JSON; with encoding base64, a base64 string.
	Data     json.RawMessage `json:"data,omitempty" swaggertype:"string" example:"{\"door\":1}"`
	Encoding string          `json:"encoding,omitempty" enums:"plain,base64" example:"plain"`
	// TTLSeconds is how long the command is valid, 1 to 604800; 0 or
	// absent means 300.
	TTLSeconds int64 `json:"ttlSeconds,omitempty" example:"300"`
}

func (r commandCreateRequest) command(product, device, tag string) ota.NewCommand {
	return ota.NewCommand{Product: product, Device: device, Tag: tag, Name: r.Name, Data: r.Data, Encoding: r.Encoding, TTL: ttl(r.TTLSeconds)}
}

// handleDeviceCommandCreate godoc
//
//	@Summary		Send a command to a device (maintainers, owners)
//	@Description	Publishes data (QoS 1, not retained) on cmd/{product}/{device}/{name}/{encoding}/{requestId}/{expiresAtUnix}; devices ignore it after the expiry. Replies on cmd_resp/... show up in GET .../commands/{requestId}. 503 when MQTT is off or the broker did not take it (nothing is recorded then).
//	@Tags			commands
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			product	path		string					true	"product name"
//	@Param			device	path		string					true	"device name"
//	@Param			body	body		commandCreateRequest	true	"command"
//	@Success		201		{object}	okEnvelope{data=commandView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		403		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Failure		503		{object}	errorEnvelope	"MQTT off or broker unavailable"
//	@Router			/api/v1/products/{product}/devices/{device}/commands [post]
func (s *Server) handleDeviceCommandCreate(c *gin.Context) {
	s.createCommand(c, c.Param("device"), "")
}

// handleTagCommandCreate godoc
//
//	@Summary		Send a command to every device with a tag (maintainers, owners)
//	@Description	One publish (QoS 1, not retained) on tags/{product}/{tag}/cmd/{name}/{encoding}/{requestId}/{expiresAtUnix}, which devices with the tag subscribe to. Each device's reply shows up in GET .../commands/{requestId}.
//	@Tags			commands
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			product	path		string					true	"product name"
//	@Param			tag		path		string					true	"tag"
//	@Param			body	body		commandCreateRequest	true	"command"
//	@Success		201		{object}	okEnvelope{data=commandView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		403		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Failure		503		{object}	errorEnvelope	"MQTT off or broker unavailable"
//	@Router			/api/v1/products/{product}/tags/{tag}/commands [post]
func (s *Server) handleTagCommandCreate(c *gin.Context) {
	s.createCommand(c, "", c.Param("tag"))
}

func (s *Server) createCommand(c *gin.Context, device, tag string) {
	var req commandCreateRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	cmd, err := s.ota.SendCommand(c.Request.Context(), principal(c), req.command(c.Param("product"), device, tag))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusCreated, viewCommand(cmd, nil, 0))
}

// handleDeviceCommandGet godoc
//
//	@Summary	A command sent to a device, with its reply
//	@Tags		commands
//	@Produce	json
//	@Security	BearerAuth
//	@Param		product		path		string	true	"product name"
//	@Param		device		path		string	true	"device name"
//	@Param		requestId	path		string	true	"the command's requestId"
//	@Success	200			{object}	okEnvelope{data=commandView}
//	@Failure	404			{object}	errorEnvelope
//	@Router		/api/v1/products/{product}/devices/{device}/commands/{requestId} [get]
func (s *Server) handleDeviceCommandGet(c *gin.Context) {
	s.getCommand(c, c.Param("device"), "")
}

// handleTagCommandGet godoc
//
//	@Summary	A command sent to a tag, with the devices' replies
//	@Tags		commands
//	@Produce	json
//	@Security	BearerAuth
//	@Param		product		path		string	true	"product name"
//	@Param		tag			path		string	true	"tag"
//	@Param		requestId	path		string	true	"the command's requestId"
//	@Success	200			{object}	okEnvelope{data=commandView}
//	@Failure	404			{object}	errorEnvelope
//	@Router		/api/v1/products/{product}/tags/{tag}/commands/{requestId} [get]
func (s *Server) handleTagCommandGet(c *gin.Context) {
	s.getCommand(c, "", c.Param("tag"))
}

func (s *Server) getCommand(c *gin.Context, device, tag string) {
	cmd, rs, total, err := s.ota.Command(c.Request.Context(), principal(c), c.Param("product"), device, tag, c.Param("requestId"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewCommand(cmd, rs, total))
}
