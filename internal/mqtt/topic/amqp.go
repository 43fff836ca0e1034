package topic

import "strings"

// RabbitMQ's MQTT plugin carries MQTT topics as routing keys of the
// amq.topic exchange, where '.' separates levels and '*' matches one level.
// ToRoutingKey and FromRoutingKey are the mapping Hoist uses on that
// boundary: '/' and '.' swap places, and the one-level wildcard '+' is '*'
// ('#' is the same in both). The swap keeps names that contain '.' (valid
// product, device and tag names) one level.
//
// RabbitMQ 3.10 itself only maps '/' to '.' and leaves '.' as it is, so
// there a name with a '.' spans two routing-key levels: Hoist's ACL then
// reads the routing key as more levels than the device's topic and refuses
// it, and Hoist's commands to such a device match none of its
// subscriptions. Nothing leaks; such devices simply cannot use a 3.10
// broker (see the README).

var (
	toKey   = strings.NewReplacer("/", ".", ".", "/", "+", "*")
	fromKey = strings.NewReplacer(".", "/", "/", ".", "*", "+")
)

// ToRoutingKey returns the amq.topic routing key (or binding key, for a
// filter) of an MQTT topic or filter.
func ToRoutingKey(mqttTopic string) string { return toKey.Replace(mqttTopic) }

// FromRoutingKey returns the MQTT topic or filter of an amq.topic routing
// key (or binding key). A literal '*' in an MQTT topic reaches RabbitMQ as
// the AMQP wildcard, so it comes back as '+': the ACL judges it as the
// wildcard it is on the broker.
func FromRoutingKey(key string) string { return fromKey.Replace(key) }
