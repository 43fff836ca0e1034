// Package topic is the MQTT topic codec and device ACL of PROTOCOLS §3. It
// is pure: every function here is safe for concurrent use and does no I/O.
package topic

import (
	"strconv"
	"strings"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/device"
)

// MaxNameLen is the longest product, device, tag, command, message id or
// request id a topic may carry (device.MaxNameLen).
const MaxNameLen = device.MaxNameLen

// ValidName reports whether s may be used as a product, device, tag,
// command, message id or request id: device.ValidName, which owns the rule.
// Such a name is exactly one topic level and can never be a wildcard or
// start with '$'. "." and ".." are valid names: MQTT gives them no path
// meaning.
func ValidName(s string) bool { return device.ValidName(s) }

// Topic roots of PROTOCOLS §3.
const (
	rootStatus    = "update_status"
	rootOTAStatus = "update_ota_status"
	rootCmdResp   = "cmd_resp"
	rootCmd       = "cmd"
	rootTags      = "tags"
)

// Subscription filters of the server's own client, one per device → server
// topic of PROTOCOLS §3. Wrap them with Shared when several servers share
// one broker.
const (
	FilterStatus       = rootStatus + "/+/+/+"
	FilterOTAStatus    = rootOTAStatus + "/+/+/+"
	FilterCommandReply = rootCmdResp + "/+/+/+/+/+"
)

// ShareGroup is the shared-subscription group of every Hoist server, so that
// each device message is handled by exactly one of them.
const ShareGroup = "hoist"

// Shared returns filter as an MQTT 5 shared subscription of group:
// "$share/{group}/{filter}". It does not validate its arguments.
func Shared(group, filter string) string { return "$share/" + group + "/" + filter }

// Command payload encodings of PROTOCOLS §3.
const (
	EncodingPlain  = "plain"
	EncodingBase64 = "base64"
)

// DeviceTopicKind says which device → server topic a DeviceTopic is.
type DeviceTopicKind uint8

// The device → server topics. The zero value is no kind.
const (
	StatusReport DeviceTopicKind = iota + 1 // update_status/{p}/{d}/{messageId}
	OTAStatus                               // update_ota_status/{p}/{d}/{messageId}
	CommandReply                            // cmd_resp/{p}/{d}/{command}/{requestId}/{messageId}
)

// String returns the topic root of k, or "" for an unknown kind.
func (k DeviceTopicKind) String() string {
	switch k {
	case StatusReport:
		return rootStatus
	case OTAStatus:
		return rootOTAStatus
	case CommandReply:
		return rootCmdResp
	}
	return ""
}

// DeviceTopic is a parsed device → server topic. Command and RequestID are
// set only for CommandReply. Every set field is a ValidName.
type DeviceTopic struct {
	Kind      DeviceTopicKind
	Product   string
	Device    string
	MessageID string
	Command   string
	RequestID string
}

// String re-encodes t as a topic. For a DeviceTopic returned by
// ParseDeviceTopic it returns the parsed topic exactly.
func (t DeviceTopic) String() string {
	if t.Kind == CommandReply {
		return rootCmdResp + "/" + t.Product + "/" + t.Device + "/" + t.Command + "/" + t.RequestID + "/" + t.MessageID
	}
	return t.Kind.String() + "/" + t.Product + "/" + t.Device + "/" + t.MessageID
}

// ParseDeviceTopic parses a device → server topic of PROTOCOLS §3. Any other
// topic, a missing or extra level, an empty level, a wildcard, or a level
// that is not a ValidName is an apperr Invalid error. The returned strings
// share topic's memory; parsing allocates nothing on success.
func ParseDeviceTopic(topic string) (DeviceTopic, error) {
	root, rest, more := strings.Cut(topic, "/")
	var kind DeviceTopicKind
	switch root {
	case rootStatus:
		kind = StatusReport
	case rootOTAStatus:
		kind = OTAStatus
	case rootCmdResp:
		kind = CommandReply
	default:
		return DeviceTopic{}, topicError(topic, "not a device topic (want update_status, update_ota_status or cmd_resp)")
	}
	n := 3
	if kind == CommandReply {
		n = 5
	}
	var parts [5]string
	for i := range n {
		if !more {
			return DeviceTopic{}, topicError(topic, "want "+strconv.Itoa(n+1)+" levels")
		}
		var level string
		level, rest, more = strings.Cut(rest, "/")
		if !ValidName(level) {
			if strings.ContainsAny(level, "+#") {
				return DeviceTopic{}, topicError(topic, "wildcards are not allowed in a topic name")
			}
			return DeviceTopic{}, topicError(topic, "level "+strconv.Itoa(i+2)+" must be 1 to 64 characters of A-Z a-z 0-9 _ . -")
		}
		parts[i] = level
	}
	if more {
		return DeviceTopic{}, topicError(topic, "want "+strconv.Itoa(n+1)+" levels")
	}
	if kind == CommandReply {
		return DeviceTopic{Kind: kind, Product: parts[0], Device: parts[1], Command: parts[2], RequestID: parts[3], MessageID: parts[4]}, nil
	}
	return DeviceTopic{Kind: kind, Product: parts[0], Device: parts[1], MessageID: parts[2]}, nil
}

// topicError returns an Invalid error quoting at most 100 bytes of topic, so
// that a hostile topic cannot blow up logs.
func topicError(topic, reason string) error {
	if len(topic) > 100 {
		topic = topic[:100] + "..."
	}
	return apperr.New(apperr.Invalid, "invalid device topic %q: %s", topic, reason)
}

// CommandTopic returns cmd/{product}/{device}/{command}/{encoding}/{requestID}
// followed by /{expiresAt as unix seconds} unless expiresAt is zero. It does
// not validate: the caller passes ValidName parts and EncodingPlain or
// EncodingBase64.
func CommandTopic(product, device, command, encoding, requestID string, expiresAt time.Time) string {
	return rootCmd + "/" + product + "/" + device + "/" + command + "/" + encoding + "/" + requestID + expirySuffix(expiresAt)
}

// TagCommandTopic returns tags/{product}/{tag}/cmd/{command}/{encoding}/{requestID}
// followed by /{expiresAt as unix seconds} unless expiresAt is zero. Like
// CommandTopic it does not validate.
func TagCommandTopic(product, tag, command, encoding, requestID string, expiresAt time.Time) string {
	return rootTags + "/" + product + "/" + tag + "/" + rootCmd + "/" + command + "/" + encoding + "/" + requestID + expirySuffix(expiresAt)
}

func expirySuffix(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return "/" + strconv.FormatInt(t.Unix(), 10)
}

// DeviceCommandFilter returns cmd/{product}/{device}/#, the filter a device
// subscribes to for its own commands.
func DeviceCommandFilter(product, device string) string {
	return rootCmd + "/" + product + "/" + device + "/#"
}

// TagCommandFilter returns tags/{product}/{tag}/cmd/#, the filter a device
// subscribes to for the commands of one of its tags.
func TagCommandFilter(product, tag string) string {
	return rootTags + "/" + product + "/" + tag + "/" + rootCmd + "/#"
}

// ValidFilter reports whether filter is a well-formed MQTT topic filter:
// non-empty, '+' only as a whole level, '#' only as the whole last level.
// It does not interpret "$share/" prefixes.
func ValidFilter(filter string) bool {
	if filter == "" {
		return false
	}
	for {
		level, rest, more := strings.Cut(filter, "/")
		switch {
		case level == "#":
			return !more
		case level != "+" && strings.ContainsAny(level, "+#"):
			return false
		case !more:
			return true
		}
		filter = rest
	}
}

// Match reports whether the MQTT topic filter matches the topic name, with
// MQTT 3.1.1/5 semantics: '+' matches exactly one level (which may be
// empty), a trailing '#' matches its parent level and any number of levels
// below it, and a filter starting with a wildcard does not match a topic
// starting with '$'. An invalid filter (see ValidFilter), an empty topic or
// a topic containing '+' or '#' matches nothing. "$share/{group}/" prefixes
// are not interpreted: strip them first.
func Match(filter, topic string) bool {
	if filter == "" || topic == "" || strings.ContainsAny(topic, "+#") {
		return false
	}
	if topic[0] == '$' && (filter[0] == '+' || filter[0] == '#') {
		return false
	}
	for {
		fl, frest, fmore := strings.Cut(filter, "/")
		if fl == "#" {
			return !fmore
		}
		if fl != "+" && strings.ContainsAny(fl, "+#") {
			return false
		}
		tl, trest, tmore := strings.Cut(topic, "/")
		if fl != "+" && fl != tl {
			return false
		}
		switch {
		case !fmore:
			return !tmore
		case !tmore:
			// "a/#" matches "a": the rest of the filter must be exactly "#".
			return frest == "#"
		}
		filter, topic = frest, trest
	}
}

// Action is what a device asks the broker to do with a topic.
type Action uint8

// The actions the ACL decides. Read is the delivery of a message to the
// device (mosquitto's "read" access), checked on a concrete topic.
const (
	Publish Action = iota + 1
	Subscribe
	Read
)

// Allowed is the device ACL of PROTOCOLS §3. The device {product}/{device}
// with the given current tags may:
//
//   - Publish only a topic that ParseDeviceTopic accepts and that names its
//     own product and device (so never a wildcard, never '$'-prefixed);
//   - Subscribe to, and Read, only a valid filter that begins with the
//     literal levels cmd/{product}/{device}/ or tags/{product}/{tag}/cmd/ for
//     a ValidName tag in tags. The prefix levels are literal names, so no
//     wildcard can occur before the prefix ends, and any '+' or '#' after it
//     can only match topics under that prefix: cmd/p/d/#, cmd/p/d/+/+/+ and
//     cmd/p/d/ota_upgrade/# are allowed, cmd/p/+/#, cmd/p/d (no trailing
//     level), cmd/p/d2/#, #, +/..., $SYS/... and $share/... are not.
//
// Everything else is denied, as is everything for an invalid product or
// device name or an unknown action. A nil tags slice means no tags.
func Allowed(product, device string, tags []string, topic string, action Action) bool {
	if !ValidName(product) || !ValidName(device) {
		return false
	}
	switch action {
	case Publish:
		t, err := ParseDeviceTopic(topic)
		return err == nil && t.Product == product && t.Device == device
	case Subscribe, Read:
		return ValidFilter(topic) && underDeviceNamespace(product, device, tags, topic)
	}
	return false
}

// underDeviceNamespace reports whether filter starts with
// cmd/{product}/{device}/ or tags/{product}/{tag}/cmd/ for an owned tag.
func underDeviceNamespace(product, device string, tags []string, filter string) bool {
	root, rest, _ := strings.Cut(filter, "/")
	p, rest, ok := strings.Cut(rest, "/")
	if !ok || p != product {
		return false
	}
	switch root {
	case rootCmd:
		d, _, ok := strings.Cut(rest, "/")
		return ok && d == device
	case rootTags:
		tag, rest, ok := strings.Cut(rest, "/")
		if !ok || !ValidName(tag) {
			return false
		}
		c, _, ok := strings.Cut(rest, "/")
		if !ok || c != rootCmd {
			return false
		}
		for _, owned := range tags {
			if owned == tag {
				return true
			}
		}
	}
	return false
}

// CheckWill reports whether a device may set willTopic as the Will topic of
// its CONNECT: exactly when it may publish to it.
func CheckWill(product, device, willTopic string) bool {
	return Allowed(product, device, nil, willTopic, Publish)
}
