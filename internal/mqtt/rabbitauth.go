package mqtt

import "strings"

// RabbitMQ resource kinds and permissions of its HTTP auth backend.
const (
	RabbitQueue    = "queue"
	RabbitExchange = "exchange"
	RabbitTopic    = "topic"
)

// RabbitResource decides RabbitMQ's resource check (auth_http.resource_path)
// for an authenticated user: Hoist's own account may do anything; a device
// (with an id ClientIDMatches accepts) may configure, read and write only
// its own MQTT subscription queues (the MQTT plugin names them
// mqtt-subscription-{clientid}qos0 and ...qos1) and read and write the
// amq.topic exchange, where the topic check (Authorize on the routing key)
// then decides. Everything else is denied.
func (a *Auth) RabbitResource(username, clientID, resource, name, permission string) bool {
	if a.Superuser(username) {
		return true
	}
	if _, _, ok := ParseUsername(username); !ok || !ClientIDMatches(clientID, username) {
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
