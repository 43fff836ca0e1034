package mqtt

import (
	"strings"

	"github.com/hoist-ota/hoist/internal/topic"
)

// RabbitMQ resource kinds and permissions of its HTTP auth backend.
const (
	RabbitQueue    = "queue"
	RabbitExchange = "exchange"
	RabbitTopic    = "topic"
)

// RabbitClientID reports whether clientID may be used by the device
// username {product}/{device} on RabbitMQ: the username itself, or the
// username followed by a character that cannot continue a name ("/", ":",
// "@", ...), e.g. "p/d" or "p/d/sim" but not "p/d-sim". RabbitMQ cannot
// tell Hoist which ids other devices hold, and its MQTT plugin names a
// client's subscription queue after the id alone, so an id that might be
// another device's ("p/d2" for device "d") must be refused.
func RabbitClientID(clientID, username string) bool {
	if !ClientIDMatches(clientID, username) {
		return false
	}
	rest := clientID[len(username):]
	return rest == "" || !topic.ValidName(rest[:1])
}

// RabbitResource decides RabbitMQ's resource check (auth_http.resource_path)
// for an authenticated user: Hoist's own account may do anything; a device
// (with an id RabbitClientID accepts) may configure, read and write only
// its own MQTT subscription queues (the MQTT plugin names them
// mqtt-subscription-{clientid}qos0 and ...qos1) and read and write the
// amq.topic exchange, where the topic check (Authorize on the routing key)
// then decides. Everything else is denied.
func (a *Auth) RabbitResource(username, clientID, resource, name, permission string) bool {
	if a.Superuser(username) {
		return true
	}
	if _, _, ok := ParseUsername(username); !ok || !RabbitClientID(clientID, username) {
		return false
	}
	switch resource {
	case RabbitQueue:
		q, ok := strings.CutPrefix(name, "mqtt-subscription-"+clientID+"qos")
		return ok && (q == "0" || q == "1")
	case RabbitExchange:
		return name == "amq.topic" && (permission == "read" || permission == "write")
	}
	return false
}
