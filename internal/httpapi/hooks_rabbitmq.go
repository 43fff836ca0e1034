package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/mqtt"
	"github.com/hoist-ota/hoist/internal/mqtt/topic"
)

// RabbitMQ's HTTP auth backend (rabbitmq_auth_backend_http) with
// auth_http.http_method = post: form parameters in, a plain-text body out
// ("allow", "allow administrator" or "deny"). RabbitMQ cannot send custom
// headers, but it sends HTTP basic credentials when the configured URL
// carries them (http://rabbitmq:SECRET@hoist:3000/api/hooks/rabbitmq/user):
// the password is mqtt.hookSecret, so the secret stays out of query strings
// and access logs. Errors are envelopes with a 4xx/5xx status, which
// RabbitMQ treats as a refusal.

// requireRabbitHookSecret lets a request through only with mqtt.hookSecret
// as its basic-auth password (any username) or in X-Hoist-Hook-Secret.
// Without a secret the hooks do not exist (404).
func (s *Server) requireRabbitHookSecret(c *gin.Context) {
	if s.hookSecret == "" || s.brokerAuth == nil {
		s.respondError(c, apperr.New(apperr.NotFound, "no route for %s %s", c.Request.Method, c.Request.URL.Path))
		return
	}
	got := c.GetHeader(HeaderHookSecret)
	if _, pw, ok := c.Request.BasicAuth(); ok {
		got = pw
	}
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(s.hookSecret))
	if got == "" || subtle.ConstantTimeCompare(g[:], w[:]) != 1 {
		c.Header("WWW-Authenticate", `Basic realm="hoist-hooks"`)
		s.respondError(c, apperr.New(apperr.Unauthorized, "missing or wrong hook secret (basic-auth password)"))
		return
	}
	c.Next()
}

// rabbitAnswer writes RabbitMQ's plain-text answer.
func rabbitAnswer(c *gin.Context, allowed bool, tags ...string) {
	body := "deny"
	if allowed {
		body = strings.Join(append([]string{"allow"}, tags...), " ")
	}
	c.String(http.StatusOK, body)
}

// rabbitForm reads the form fields, the first of which is required.
func rabbitForm(c *gin.Context, fields ...string) (map[string]string, error) {
	if err := c.Request.ParseForm(); err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "malformed form body")
	}
	out := make(map[string]string, len(fields))
	for _, f := range fields {
		out[f] = c.Request.PostForm.Get(f)
	}
	if out[fields[0]] == "" {
		return nil, apperr.Fields(apperr.FieldError{Field: fields[0], Message: "is required"})
	}
	return out, nil
}

// handleRabbitUser godoc
//
//	@Summary		RabbitMQ HTTP auth backend: user check (auth_http.user_path)
//	@Description	Devices connect over MQTT with username {product}/{device}, their secret as password and a client id that is {product}/{device}, optionally followed by / and a suffix (p/d/sim; not p/d-sim, which could be another device's: RabbitMQ names a client's subscription queue after its id). Hoist's own account (mqtt.username/password, its AMQP login) is answered "allow administrator". Protected by HTTP basic auth with mqtt.hookSecret as password: put it in the URL's userinfo in rabbitmq.conf.
//	@Tags			device-hooks
//	@Accept			x-www-form-urlencoded
//	@Produce		plain
//	@Security		HookBasic
//	@Param			username	formData	string	true	"{product}/{device} or Hoist's account"
//	@Param			password	formData	string	false	"device secret"
//	@Param			client_id	formData	string	false	"MQTT client id"
//	@Success		200			{string}	string			"allow | allow administrator | deny"
//	@Failure		400			{object}	errorEnvelope	"no username"
//	@Failure		401			{object}	errorEnvelope	"missing or wrong hook secret"
//	@Failure		404			{object}	errorEnvelope	"hooks disabled (no mqtt.hookSecret)"
//	@Router			/api/hooks/rabbitmq/user [post]
func (s *Server) handleRabbitUser(c *gin.Context) {
	f, err := rabbitForm(c, "username", "password", "client_id")
	if err != nil {
		s.respondError(c, err)
		return
	}
	id, err := s.brokerAuth.Authenticate(c.Request.Context(), f["client_id"], f["username"], f["password"])
	switch {
	case apperr.Is(err, apperr.Unauthorized):
		rabbitAnswer(c, false)
	case err != nil:
		s.respondError(c, err)
	case id.Superuser:
		rabbitAnswer(c, true, "administrator")
	default:
		rabbitAnswer(c, true)
	}
}

// handleRabbitVhost godoc
//
//	@Summary	RabbitMQ HTTP auth backend: virtual host check (auth_http.vhost_path)
//	@Description	Hoist's account and any device username may use the virtual host (the user check authenticated them); the resource and topic checks decide the rest.
//	@Tags		device-hooks
//	@Accept		x-www-form-urlencoded
//	@Produce	plain
//	@Security	HookBasic
//	@Param		username	formData	string	true	"user"
//	@Param		vhost		formData	string	false	"virtual host"
//	@Success	200			{string}	string			"allow | deny"
//	@Failure	400			{object}	errorEnvelope	"no username"
//	@Failure	401			{object}	errorEnvelope	"missing or wrong hook secret"
//	@Failure	404			{object}	errorEnvelope	"hooks disabled (no mqtt.hookSecret)"
//	@Router		/api/hooks/rabbitmq/vhost [post]
func (s *Server) handleRabbitVhost(c *gin.Context) {
	f, err := rabbitForm(c, "username")
	if err != nil {
		s.respondError(c, err)
		return
	}
	_, _, device := mqtt.ParseUsername(f["username"])
	rabbitAnswer(c, device || s.brokerAuth.Superuser(f["username"]))
}

// handleRabbitResource godoc
//
//	@Summary	RabbitMQ HTTP auth backend: resource check (auth_http.resource_path)
//	@Description	Hoist's account may do anything. A device may use only its own MQTT subscription queues (mqtt-subscription-{client_id}qos0/qos1) and read and write the amq.topic exchange, where the topic check decides.
//	@Tags		device-hooks
//	@Accept		x-www-form-urlencoded
//	@Produce	plain
//	@Security	HookBasic
//	@Param		username	formData	string	true	"user"
//	@Param		client_id	formData	string	false	"MQTT client id"
//	@Param		resource	formData	string	true	"queue, exchange or topic"
//	@Param		name		formData	string	true	"resource name"
//	@Param		permission	formData	string	true	"configure, write or read"
//	@Success	200			{string}	string			"allow | deny"
//	@Failure	400			{object}	errorEnvelope	"no username"
//	@Failure	401			{object}	errorEnvelope	"missing or wrong hook secret"
//	@Failure	404			{object}	errorEnvelope	"hooks disabled (no mqtt.hookSecret)"
//	@Router		/api/hooks/rabbitmq/resource [post]
func (s *Server) handleRabbitResource(c *gin.Context) {
	f, err := rabbitForm(c, "username", "client_id", "resource", "name", "permission")
	if err != nil {
		s.respondError(c, err)
		return
	}
	rabbitAnswer(c, s.brokerAuth.RabbitResource(f["username"], f["client_id"], f["resource"], f["name"], f["permission"]))
}

// rabbitActions maps a topic permission to the ACL action: RabbitMQ's MQTT
// plugin checks "read" on a subscription's filter and "write" on a
// publish.
var rabbitActions = map[string]topic.Action{"read": topic.Subscribe, "write": topic.Publish}

// handleRabbitTopic godoc
//
//	@Summary		RabbitMQ HTTP auth backend: topic check (auth_http.topic_path)
//	@Description	The device ACL of PROTOCOLS §3 on the MQTT topic of the routing key ('.' and '/' swap, '*' is '+'), with the device's current tags; read is a subscription, write a publish. A device's allowed subscription to its command or tag topics makes Hoist resend the OTA commands it missed while offline. RabbitMQ 3.10 does not map '.' in MQTT topics, so a device, product or tag whose name contains '.' is refused here.
//	@Tags			device-hooks
//	@Accept			x-www-form-urlencoded
//	@Produce		plain
//	@Security		HookBasic
//	@Param			username				formData	string	true	"user"
//	@Param			resource				formData	string	false	"topic"
//	@Param			name					formData	string	true	"exchange (amq.topic)"
//	@Param			permission				formData	string	true	"read or write"
//	@Param			routing_key				formData	string	true	"routing key (publish) or binding key (subscribe)"
//	@Param			variable_map.client_id	formData	string	false	"MQTT client id"
//	@Success		200						{string}	string			"allow | deny"
//	@Failure		400						{object}	errorEnvelope	"no username, or permission not read/write"
//	@Failure		401						{object}	errorEnvelope	"missing or wrong hook secret"
//	@Failure		404						{object}	errorEnvelope	"hooks disabled (no mqtt.hookSecret)"
//	@Router			/api/hooks/rabbitmq/topic [post]
func (s *Server) handleRabbitTopic(c *gin.Context) {
	f, err := rabbitForm(c, "username", "name", "permission", "routing_key", "variable_map.client_id")
	if err != nil {
		s.respondError(c, err)
		return
	}
	action, ok := rabbitActions[f["permission"]]
	if !ok {
		s.respondError(c, apperr.Fields(apperr.FieldError{Field: "permission", Message: "must be read or write"}))
		return
	}
	user, clientID := f["username"], f["variable_map.client_id"]
	if s.brokerAuth.Superuser(user) {
		rabbitAnswer(c, true)
		return
	}
	if f["name"] != "amq.topic" {
		rabbitAnswer(c, false)
		return
	}
	filter := topic.FromRoutingKey(f["routing_key"])
	allowed, err := s.authorize(c, clientID, user, filter, action)
	if err != nil && !apperr.Is(err, apperr.Invalid) {
		s.respondError(c, err)
		return
	}
	if allowed && action == topic.Subscribe && s.onCommandSub != nil {
		product, dev, _ := mqtt.ParseUsername(user)
		go s.onCommandSub(product, dev)
	}
	rabbitAnswer(c, allowed)
}
