package mqtt

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"strings"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/device"
	"github.com/hoist-ota/hoist/internal/mqtt/topic"
)

// Credentials are Hoist's own account on an external broker. The broker
// hooks treat it as the one superuser; empty Username or Password means
// there is none.
type Credentials struct {
	Username string
	Password string
}

// Identity is who an MQTT client is: Hoist itself (Superuser) or the
// device Product/Device with its tags as last looked up.
type Identity struct {
	Superuser bool
	Product   string
	Device    string
	Tags      []string
}

// errDenied is every refusal of Authenticate and Identify, whatever the
// reason, so that a caller cannot tell an unknown device from a wrong
// secret.
var errDenied = apperr.New(apperr.Unauthorized, "bad MQTT credentials")

// Auth decides who may connect to the broker and what they may do there
// (PROTOCOLS §3). It is the one mechanism behind the embedded broker's hook
// and the external brokers' HTTP hooks. Safe for concurrent use.
type Auth struct {
	devices *device.Service
	server  Credentials
}

// NewAuth returns the broker authentication and ACL over the device
// registry. server is Hoist's own account (the superuser); the embedded
// broker passes none, since its only superuser is the in-process client.
func NewAuth(devices *device.Service, server Credentials) *Auth {
	return &Auth{devices: devices, server: server}
}

// Authenticate checks a CONNECT: Hoist's own username and password give the
// superuser; otherwise username must be {product}/{device}, password that
// device's secret and clientID must belong to it (see ClientIDMatches). It
// returns the identity with the device's current tags. Every refusal is an
// apperr Unauthorized error; other errors are failures of the registry.
func (a *Auth) Authenticate(ctx context.Context, clientID, username, password string) (Identity, error) {
	if a.Superuser(username) {
		if equalSecret(password, a.server.Password) {
			return Identity{Superuser: true}, nil
		}
		return Identity{}, errDenied
	}
	product, dev, ok := ParseUsername(username)
	if !ok || !ClientIDMatches(clientID, username) {
		return Identity{}, errDenied
	}
	d, err := a.devices.VerifySecret(ctx, product, dev, password)
	if apperr.Is(err, apperr.Unauthorized) {
		return Identity{}, errDenied
	}
	if err != nil {
		return Identity{}, err
	}
	return Identity{Product: d.Product, Device: d.Name, Tags: d.Tags}, nil
}

// Superuser reports whether username is Hoist's own account. Without
// configured credentials nobody is.
func (a *Auth) Superuser(username string) bool {
	return a.server.Username != "" && a.server.Password != "" && username == a.server.Username
}

// Authorize decides whether the client (authenticated before, by the
// broker) may do action on the topic or filter: the superuser anything, a
// device what Allow permits. The device's tags are looked up only for
// tags/... filters, so that they are current. A username that is neither
// Hoist's nor a device's, a client id that does not match it, or a device
// that no longer exists is denied. Errors are failures of the registry.
func (a *Auth) Authorize(ctx context.Context, clientID, username, filter string, action topic.Action) (bool, error) {
	if a.Superuser(username) {
		return true, nil
	}
	product, dev, ok := ParseUsername(username)
	if !ok || !ClientIDMatches(clientID, username) {
		return false, nil
	}
	id := Identity{Product: product, Device: dev}
	if allowed := Allow(id, filter, action); allowed || action == topic.Publish || !strings.HasPrefix(filter, "tags/") {
		return allowed, nil
	}
	tags, err := a.devices.Tags(ctx, product, dev)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	id.Tags = tags
	return Allow(id, filter, action), nil
}

// Allow is the ACL of PROTOCOLS §3 for an authenticated identity: the
// superuser may do anything, a device what topic.Allowed permits with the
// tags in id.
func Allow(id Identity, filter string, action topic.Action) bool {
	if id.Superuser {
		return true
	}
	return topic.Allowed(id.Product, id.Device, id.Tags, filter, action)
}

// ParseUsername splits a device username {product}/{device}; ok is false
// unless both are valid names.
func ParseUsername(username string) (product, dev string, ok bool) {
	product, dev, found := strings.Cut(username, "/")
	if !found || !topic.ValidName(product) || !topic.ValidName(dev) {
		return "", "", false
	}
	return product, dev, true
}

// ClientIDMatches reports whether clientID may be used by the device
// username {product}/{device}: it is exactly the username or the username,
// "/" and a non-empty suffix, e.g. "p/d" or "p/d/esp32" (PROTOCOLS §3). No
// looser prefix: "p/d2" or "p/d-sim" would let device "d" take the id, and
// so the session, of device "d2".
func ClientIDMatches(clientID, username string) bool {
	if username == "" {
		return false
	}
	suffix, ok := strings.CutPrefix(clientID, username)
	return ok && (suffix == "" || len(suffix) > 1 && suffix[0] == '/')
}

// equalSecret compares two secrets in constant time, whatever their
// lengths.
func equalSecret(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}
