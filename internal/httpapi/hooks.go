package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/mqtt"
	"github.com/hoist-ota/hoist/internal/mqtt/topic"
)

// The external brokers' HTTP auth hooks (PROTOCOLS §5). They answer in the
// formats the brokers expect, not in the envelope; errors (a malformed
// body, a wrong secret, hooks disabled, a failing registry) are envelopes
// with a 4xx/5xx status, which both brokers treat as "not allowed". The
// decisions come from mqtt.Auth, the same mechanism as the embedded broker.

// HeaderHookSecret carries the shared secret of the broker hooks.
const HeaderHookSecret = "X-Hoist-Hook-Secret"

// hookBodyLimit bounds a hook request body.
const hookBodyLimit = 16 << 10

// requireHookSecret lets a hook request through only with the configured
// secret (compared in constant time). Without a secret, or without the
// MQTT auth, the hooks do not exist (404).
func (s *Server) requireHookSecret(c *gin.Context) {
	if s.hookSecret == "" || s.brokerAuth == nil {
		s.respondError(c, apperr.New(apperr.NotFound, "no route for %s %s", c.Request.Method, c.Request.URL.Path))
		return
	}
	got, want := sha256.Sum256([]byte(c.GetHeader(HeaderHookSecret))), sha256.Sum256([]byte(s.hookSecret))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		s.respondError(c, apperr.New(apperr.Unauthorized, "missing or wrong %s header", HeaderHookSecret))
		return
	}
	c.Next()
}

type emqxAuthnRequest struct {
	ClientID string `json:"clientid,omitempty" example:"thermo/dev-1"`
	Username string `json:"username,omitempty" example:"thermo/dev-1"`
	Password string `json:"password,omitempty" example:"ds_..."`
	PeerHost string `json:"peerhost,omitempty" example:"10.0.0.7"`
}

type emqxAuthnResponse struct {
	Result      string `json:"result" enums:"allow,deny" example:"allow"`
	IsSuperuser bool   `json:"is_superuser" example:"false"`
}

// handleEMQXAuthn godoc
//
//	@Summary		EMQX 5 HTTP authentication of an MQTT client
//	@Description	Devices connect with username {product}/{device}, their secret as password and a client id that starts with {product}/{device}; Hoist's own account (mqtt.username/password) is the superuser. A refusal is result deny (200). Configure the HTTP authenticator with method POST and this JSON body, and the header X-Hoist-Hook-Secret.
//	@Tags			device-hooks
//	@Accept			json
//	@Produce		json
//	@Param			X-Hoist-Hook-Secret	header		string				true	"mqtt.hookSecret"
//	@Param			body				body		emqxAuthnRequest	true	"EMQX placeholders ${clientid}, ${username}, ${password}, ${peerhost}"
//	@Success		200					{object}	emqxAuthnResponse
//	@Failure		400					{object}	errorEnvelope	"malformed body"
//	@Failure		401					{object}	errorEnvelope	"missing or wrong secret"
//	@Failure		404					{object}	errorEnvelope	"hooks disabled (no mqtt.hookSecret)"
//	@Router			/api/hooks/emqx/authn [post]
func (s *Server) handleEMQXAuthn(c *gin.Context) {
	var req emqxAuthnRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	id, err := s.brokerAuth.Authenticate(c.Request.Context(), req.ClientID, req.Username, req.Password)
	switch {
	case apperr.Is(err, apperr.Unauthorized):
		c.JSON(http.StatusOK, emqxAuthnResponse{Result: "deny"})
	case err != nil:
		s.respondError(c, err)
	default:
		c.JSON(http.StatusOK, emqxAuthnResponse{Result: "allow", IsSuperuser: id.Superuser})
	}
}

type emqxAuthzRequest struct {
	ClientID string `json:"clientid,omitempty" example:"thermo/dev-1"`
	Username string `json:"username,omitempty" example:"thermo/dev-1"`
	Topic    string `json:"topic,omitempty" example:"update_status/thermo/dev-1/6543a1"`
	Action   string `json:"action,omitempty" enums:"publish,subscribe" example:"publish"`
}

type emqxAuthzResponse struct {
	Result string `json:"result" enums:"allow,deny" example:"allow"`
}

// handleEMQXAuthz godoc
//
//	@Summary		EMQX 5 HTTP authorization of a publish or subscribe
//	@Description	The device ACL of PROTOCOLS §3 with the device's current tags. EMQX must run with authorization no_match = deny, so that what this hook does not allow is denied.
//	@Tags			device-hooks
//	@Accept			json
//	@Produce		json
//	@Param			X-Hoist-Hook-Secret	header		string				true	"mqtt.hookSecret"
//	@Param			body				body		emqxAuthzRequest	true	"EMQX placeholders ${clientid}, ${username}, ${topic}, ${action}"
//	@Success		200					{object}	emqxAuthzResponse
//	@Failure		400					{object}	errorEnvelope	"malformed body, no topic, or an action other than publish/subscribe"
//	@Failure		401					{object}	errorEnvelope	"missing or wrong secret"
//	@Failure		404					{object}	errorEnvelope	"hooks disabled (no mqtt.hookSecret)"
//	@Router			/api/hooks/emqx/authz [post]
func (s *Server) handleEMQXAuthz(c *gin.Context) {
	var req emqxAuthzRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	actions := map[string]topic.Action{"publish": topic.Publish, "subscribe": topic.Subscribe}
	action, ok := actions[req.Action]
	if !ok {
		s.respondError(c, apperr.Fields(apperr.FieldError{Field: "action", Message: "must be publish or subscribe"}))
		return
	}
	allowed, err := s.authorize(c, req.ClientID, req.Username, req.Topic, action)
	if err != nil {
		s.respondError(c, err)
		return
	}
	result := "deny"
	if allowed {
		result = "allow"
	}
	c.JSON(http.StatusOK, emqxAuthzResponse{Result: result})
}

// authorize runs the ACL for both brokers; a missing topic is Invalid.
func (s *Server) authorize(c *gin.Context, clientID, username, filter string, actions ...topic.Action) (bool, error) {
	if filter == "" {
		return false, apperr.Fields(apperr.FieldError{Field: "topic", Message: "is required"})
	}
	for _, a := range actions {
		ok, err := s.brokerAuth.Authorize(c.Request.Context(), clientID, username, filter, a)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

type mosquittoUserRequest struct {
	Username string `json:"username,omitempty" example:"thermo/dev-1"`
	Password string `json:"password,omitempty" example:"ds_..."`
	ClientID string `json:"clientid,omitempty" example:"thermo/dev-1"`
}

type mosquittoSuperuserRequest struct {
	Username string `json:"username,omitempty" example:"hoist"`
}

type mosquittoACLRequest struct {
	Username string `json:"username,omitempty" example:"thermo/dev-1"`
	ClientID string `json:"clientid,omitempty" example:"thermo/dev-1"`
	Topic    string `json:"topic,omitempty" example:"cmd/thermo/dev-1/#"`
	Acc      int    `json:"acc,omitempty" enums:"1,2,3,4" example:"4"`
}

// allowStatus answers mosquitto-go-auth in status mode: 200 allow, 403 deny.
func allowStatus(c *gin.Context, allowed bool) {
	if allowed {
		c.Status(http.StatusOK)
		return
	}
	c.Status(http.StatusForbidden)
}

// handleMosquittoUser godoc
//
//	@Summary		mosquitto-go-auth HTTP backend: user check
//	@Description	Same rules as the EMQX authentication. Configure auth_opt_http_params_mode json and auth_opt_http_response_mode status.
//	@Tags			device-hooks
//	@Accept			json
//	@Param			X-Hoist-Hook-Secret	header	string					true	"mqtt.hookSecret"
//	@Param			body				body	mosquittoUserRequest	true	"user check"
//	@Success		200					"allowed"
//	@Failure		403					"denied"
//	@Failure		400					{object}	errorEnvelope	"malformed body"
//	@Failure		401					{object}	errorEnvelope	"missing or wrong secret"
//	@Failure		404					{object}	errorEnvelope	"hooks disabled (no mqtt.hookSecret)"
//	@Router			/api/hooks/mosquitto/user [post]
func (s *Server) handleMosquittoUser(c *gin.Context) {
	var req mosquittoUserRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	_, err := s.brokerAuth.Authenticate(c.Request.Context(), req.ClientID, req.Username, req.Password)
	if err != nil && !apperr.Is(err, apperr.Unauthorized) {
		s.respondError(c, err)
		return
	}
	allowStatus(c, err == nil)
}

// handleMosquittoSuperuser godoc
//
//	@Summary	mosquitto-go-auth HTTP backend: superuser check
//	@Tags		device-hooks
//	@Accept		json
//	@Param		X-Hoist-Hook-Secret	header	string						true	"mqtt.hookSecret"
//	@Param		body				body	mosquittoSuperuserRequest	true	"Hoist's own username (mqtt.username) is the only superuser"
//	@Success	200					"superuser"
//	@Failure	403					"not a superuser"
//	@Failure	400					{object}	errorEnvelope	"malformed body"
//	@Failure	401					{object}	errorEnvelope	"missing or wrong secret"
//	@Failure	404					{object}	errorEnvelope	"hooks disabled (no mqtt.hookSecret)"
//	@Router		/api/hooks/mosquitto/superuser [post]
func (s *Server) handleMosquittoSuperuser(c *gin.Context) {
	var req mosquittoSuperuserRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	allowStatus(c, s.brokerAuth.Superuser(req.Username))
}

// mosquittoAcc maps mosquitto's access bits to the ACL actions that must
// all allow: 1 read (delivery), 2 write (publish), 3 both, 4 subscribe.
var mosquittoAcc = map[int][]topic.Action{
	1: {topic.Read}, 2: {topic.Publish}, 3: {topic.Read, topic.Publish}, 4: {topic.Subscribe},
}

// handleMosquittoACL godoc
//
//	@Summary		mosquitto-go-auth HTTP backend: ACL check
//	@Description	The device ACL of PROTOCOLS §3 with the device's current tags. acc: 1 read (a delivery), 2 write (publish), 3 read and write (both must be allowed, which no device topic is), 4 subscribe.
//	@Tags			device-hooks
//	@Accept			json
//	@Param			X-Hoist-Hook-Secret	header	string				true	"mqtt.hookSecret"
//	@Param			body				body	mosquittoACLRequest	true	"ACL check"
//	@Success		200					"allowed"
//	@Failure		403					"denied"
//	@Failure		400					{object}	errorEnvelope	"malformed body, no topic, or acc not 1-4"
//	@Failure		401					{object}	errorEnvelope	"missing or wrong secret"
//	@Failure		404					{object}	errorEnvelope	"hooks disabled (no mqtt.hookSecret)"
//	@Router			/api/hooks/mosquitto/acl [post]
func (s *Server) handleMosquittoACL(c *gin.Context) {
	var req mosquittoACLRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	actions, ok := mosquittoAcc[req.Acc]
	if !ok {
		s.respondError(c, apperr.Fields(apperr.FieldError{Field: "acc", Message: "must be 1 (read), 2 (write), 3 (read and write) or 4 (subscribe)"}))
		return
	}
	allowed, err := s.authorize(c, req.ClientID, req.Username, req.Topic, actions...)
	if err != nil {
		s.respondError(c, err)
		return
	}
	allowStatus(c, allowed)
}

// emqxEventRequest is an EMQX 5 webhook body for client connect and
// disconnect events (a rule on "$events/client_connected" and
// "$events/client_disconnected" with an HTTP action, or the webhook
// bridge).
type emqxEventRequest struct {
	// Event is client.connected, client.disconnected or
	// session.subscribed (rule-engine forms with underscores accepted too).
	Event string `json:"event,omitempty" example:"client.connected"`
	// Topic is the subscribed filter of session.subscribed.
	Topic    string `json:"topic,omitempty" example:"cmd/thermo/dev-1/#"`
	ClientID string `json:"clientid,omitempty"`
	Username string `json:"username,omitempty" example:"thermo/dev-1"`
	// Peername is ip:port of the device.
	Peername string `json:"peername,omitempty" example:"10.0.0.7:52311"`
	// Timestamp is the event time in Unix milliseconds (connected_at or
	// disconnected_at work too); 0 means now.
	Timestamp      int64 `json:"timestamp,omitempty"`
	ConnectedAt    int64 `json:"connected_at,omitempty"`
	DisconnectedAt int64 `json:"disconnected_at,omitempty"`
}

// handleEMQXEvents godoc
//
//	@Summary		EMQX 5 client events: device online state, and OTA commands missed while offline
//	@Description	With an external broker Hoist does not see connections; EMQX reports them here (rule SELECT * FROM "$events/client_connected", "$events/client_disconnected", "$events/session_subscribed" with an HTTP action POSTing this JSON and the header X-Hoist-Hook-Secret). A device's subscription to its command or tag topics makes Hoist resend the OTA commands it missed while offline. Events of unknown users (Hoist's own account, anonymous) are ignored.
//	@Tags			device-hooks
//	@Accept			json
//	@Produce		json
//	@Param			X-Hoist-Hook-Secret	header		string				true	"mqtt.hookSecret"
//	@Param			body				body		emqxEventRequest	true	"the event"
//	@Success		200					{object}	okEnvelope
//	@Failure		400					{object}	errorEnvelope	"malformed body or unknown event"
//	@Failure		401					{object}	errorEnvelope	"missing or wrong secret"
//	@Failure		404					{object}	errorEnvelope	"hooks disabled (no mqtt.hookSecret)"
//	@Router			/api/hooks/emqx/events [post]
func (s *Server) handleEMQXEvents(c *gin.Context) {
	var req emqxEventRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	ev := strings.ReplaceAll(strings.TrimPrefix(req.Event, "$events/"), "_", ".")
	if ev != "client.connected" && ev != "client.disconnected" && ev != "session.subscribed" {
		s.respondError(c, apperr.Fields(apperr.FieldError{Field: "event", Message: "must be client.connected, client.disconnected or session.subscribed"}))
		return
	}
	product, dev, ok := mqtt.ParseUsername(req.Username)
	if !ok {
		respondOK(c, http.StatusOK, nil) // Hoist's own client or a refused one: nothing to record
		return
	}
	if ev == "session.subscribed" {
		if s.onCommandSub != nil && (strings.HasPrefix(req.Topic, "cmd/"+product+"/"+dev+"/") || strings.HasPrefix(req.Topic, "tags/"+product+"/")) {
			go s.onCommandSub(product, dev)
		}
		respondOK(c, http.StatusOK, nil)
		return
	}
	at := s.now()
	if ms := max(req.Timestamp, req.ConnectedAt, req.DisconnectedAt); ms > 0 {
		at = time.UnixMilli(ms)
	}
	var err error
	if ev == "client.connected" {
		ip, _, splitErr := net.SplitHostPort(req.Peername)
		if splitErr != nil {
			ip = req.Peername
		}
		err = s.devices.MarkOnline(c.Request.Context(), product, dev, ip, at)
	} else {
		err = s.devices.MarkOffline(c.Request.Context(), product, dev, at)
	}
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, nil)
}
