package mqtt

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/device"
	"github.com/hoist-ota/hoist/internal/mqtt/topic"
)

// hookTimeout bounds each registry call a hook makes on a client's
// connection goroutine.
const hookTimeout = 5 * time.Second

// Denials counts what the embedded broker refused since it started.
type Denials struct {
	Connect   int64 // bad username, secret or client id
	Will      int64 // a Will topic the device may not publish to
	Publish   int64 // a publish to a topic the device may not use
	Subscribe int64 // a subscription, or a delivery, outside the device's namespace
}

// authHook is the embedded broker's authentication, ACL and online
// tracking. mochi refuses everything no hook allows, so it is also what
// lets anyone in at all.
type authHook struct {
	mochi.HookBase
	auth    *Auth
	devices *device.Service
	clients *mochi.Clients // the broker's, connected or keeping a session
	log     *slog.Logger
	warn    *rateLog
	now     func() time.Time

	deniedConnect, deniedWill, deniedPublish, deniedSubscribe atomic.Int64

	onCommandSub func(product, device string)
	// Refused CONNECTs per client address and username, and (5 times as
	// many) per address. Not per username alone: anyone could then lock a
	// device out by guessing for its name.
	failUser, failIP *failures

	mu        sync.RWMutex
	conns     map[*mochi.Client]*session // authenticated clients
	live      map[string]*session        // client id → its established session
	perDevice map[string]int             // "product/device" → established sessions
	lastSweep time.Time
}

// session is one authenticated device connection.
type session struct {
	product, device, ip string
	tags                atomic.Pointer[[]string] // as of CONNECT or the last tags/ subscription
	established         bool                     // guarded by authHook.mu
	gone                atomic.Bool              // disconnected, or its Will is being sent
	online              atomic.Bool              // MarkOnline succeeded for it
}

func (s *session) key() string { return s.product + "/" + s.device }

func newAuthHook(devices *device.Service, clients *mochi.Clients, log *slog.Logger, now func() time.Time) *authHook {
	return &authHook{
		auth: NewAuth(devices, Credentials{}), devices: devices, clients: clients, log: log, now: now,
		warn:  newRateLog(log, time.Minute, now),
		conns: map[*mochi.Client]*session{}, live: map[string]*session{}, perDevice: map[string]int{},
	}
}

func (h *authHook) ID() string { return "hoist-auth" }

func (h *authHook) Provides(b byte) bool {
	return bytes.Contains([]byte{
		mochi.OnConnectAuthenticate, mochi.OnACLCheck, mochi.OnSessionEstablished, mochi.OnDisconnect,
		mochi.OnSubscribe, mochi.OnSubscribed, mochi.OnPublish, mochi.OnWill,
	}, []byte{b})
}

func (h *authHook) denials() Denials {
	return Denials{Connect: h.deniedConnect.Load(), Will: h.deniedWill.Load(),
		Publish: h.deniedPublish.Load(), Subscribe: h.deniedSubscribe.Load()}
}

// OnConnectAuthenticate admits a device with its secret and a matching
// client id that no other device holds (connected, or keeping a
// persistent session: taking it over would disconnect that device and
// inherit its queued commands), and a Will only on a topic it may publish
// to (mochi sends Wills without the publish ACL). A username from an
// address, or an address, with too many refusals this minute is refused
// without a look at the secret.
func (h *authHook) OnConnectAuthenticate(cl *mochi.Client, pk packets.Packet) bool {
	ctx, cancel := context.WithTimeout(context.Background(), hookTimeout)
	defer cancel()
	username := string(pk.Connect.Username)
	ip := hostOf(cl.Net.Remote)
	userKey := ip + " " + username
	if h.failUser.blocked(userKey) || h.failIP.blocked(ip) {
		h.deniedConnect.Add(1)
		h.log.Debug("mqtt connect refused: too many failures", "clientId", cl.ID, "username", username, "remote", cl.Net.Remote)
		return false
	}
	if old, ok := h.clients.Get(pk.Connect.ClientIdentifier); ok && string(old.Properties.Username) != username {
		h.deniedConnect.Add(1)
		h.failUser.fail(userKey)
		h.failIP.fail(ip)
		h.log.Debug("mqtt connect refused: client id held by another client", "clientId", cl.ID, "username", username)
		return false
	}
	id, err := h.auth.Authenticate(ctx, pk.Connect.ClientIdentifier, username, string(pk.Connect.Password))
	switch {
	case apperr.Is(err, apperr.Unauthorized):
		h.deniedConnect.Add(1)
		h.failUser.fail(userKey)
		h.failIP.fail(ip)
		h.log.Debug("mqtt connect refused", "clientId", cl.ID, "username", username, "remote", cl.Net.Remote)
		return false
	case err != nil:
		h.deniedConnect.Add(1)
		h.warn.Log(slog.LevelWarn, "registry", "mqtt connect refused: device registry failed", "error", err)
		return false
	case id.Superuser: // not reachable without server credentials; never over the network
		return false
	}
	if pk.Connect.WillFlag && !topic.CheckWill(id.Product, id.Device, pk.Connect.WillTopic) {
		h.deniedWill.Add(1)
		h.log.Debug("mqtt connect refused: will topic not allowed", "clientId", cl.ID, "willTopic", pk.Connect.WillTopic)
		return false
	}
	s := &session{product: id.Product, device: id.Device, ip: cl.Net.Remote}
	s.tags.Store(&id.Tags)
	h.mu.Lock()
	h.sweepLocked()
	h.conns[cl] = s
	h.mu.Unlock()
	return true
}

// sweepLocked forgets, at most once a minute, clients that authenticated
// but closed before their session was established (mochi calls no hook
// for them).
func (h *authHook) sweepLocked() {
	now := h.now()
	if now.Sub(h.lastSweep) < time.Minute {
		return
	}
	h.lastSweep = now
	for cl, s := range h.conns {
		if !s.established && cl.Closed() {
			delete(h.conns, cl)
		}
	}
}

func (h *authHook) session(cl *mochi.Client) *session {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.conns[cl]
}

// OnACLCheck applies Allow: to publishes (write), and to subscriptions and
// deliveries (read) with the tags of the device's last tags/ subscription.
// The in-process client is the only superuser.
func (h *authHook) OnACLCheck(cl *mochi.Client, filter string, write bool) bool {
	if cl.Net.Inline {
		return true
	}
	s := h.session(cl)
	action := topic.Subscribe
	if write {
		action = topic.Publish
	}
	if s != nil && Allow(Identity{Product: s.product, Device: s.device, Tags: *s.tags.Load()}, filter, action) {
		return true
	}
	if write {
		h.deniedPublish.Add(1)
	} else {
		h.deniedSubscribe.Add(1)
	}
	h.log.Debug("mqtt acl denied", "clientId", cl.ID, "topic", filter, "write", write)
	return false
}

// OnSubscribe reloads the device's tags before a subscription to a tag
// filter is checked, so that the ACL uses its current tags.
func (h *authHook) OnSubscribe(cl *mochi.Client, pk packets.Packet) packets.Packet {
	if cl.Net.Inline {
		return pk
	}
	needTags := false
	for _, f := range pk.Filters {
		needTags = needTags || strings.HasPrefix(f.Filter, "tags/")
	}
	s := h.session(cl)
	if !needTags || s == nil {
		return pk
	}
	ctx, cancel := context.WithTimeout(context.Background(), hookTimeout)
	defer cancel()
	tags, err := h.devices.Tags(ctx, s.product, s.device)
	switch {
	case apperr.Is(err, apperr.NotFound):
		tags = nil
	case err != nil: // keep the tags known so far
		h.warn.Log(slog.LevelWarn, s.key(), "mqtt subscribe: cannot load device tags", "device", s.key(), "error", err)
		return pk
	}
	s.tags.Store(&tags)
	return pk
}

// OnPublish strips the retain flag of device messages: devices may not
// leave retained messages on the broker (a retained status would be
// replayed to Hoist's subscription on every restart).
func (h *authHook) OnPublish(cl *mochi.Client, pk packets.Packet) (packets.Packet, error) {
	if !cl.Net.Inline && pk.FixedHeader.Retain {
		pk.FixedHeader.Retain = false
	}
	return pk, nil
}

// OnWill strips the retain flag of a Will, like OnPublish, and notes that
// the session is ending.
func (h *authHook) OnWill(cl *mochi.Client, will mochi.Will) (mochi.Will, error) {
	if s := h.session(cl); s != nil {
		s.gone.Store(true)
	}
	will.Retain = false
	return will, nil
}

// OnSessionEstablished records the device online from its address.
func (h *authHook) OnSessionEstablished(cl *mochi.Client, _ packets.Packet) {
	h.mu.Lock()
	s := h.conns[cl]
	if s != nil {
		s.established = true
		h.live[cl.ID] = s
		h.perDevice[s.key()]++
	}
	h.mu.Unlock()
	if s != nil {
		h.markOnline(s)
	}
}

// OnDisconnect records the device offline when this was its last session,
// unless a new connection with the same client id took the session over.
func (h *authHook) OnDisconnect(cl *mochi.Client, _ error, _ bool) {
	h.mu.Lock()
	s := h.conns[cl]
	delete(h.conns, cl)
	last := false
	if s != nil && s.established {
		s.gone.Store(true)
		if h.live[cl.ID] == s {
			delete(h.live, cl.ID)
		}
		k := s.key()
		h.perDevice[k]--
		if last = h.perDevice[k] <= 0; last {
			delete(h.perDevice, k)
		}
	}
	h.mu.Unlock()
	if !last || cl.IsTakenOver() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), hookTimeout)
	defer cancel()
	if err := h.devices.MarkOffline(ctx, s.product, s.device, h.now()); err != nil && !apperr.Is(err, apperr.NotFound) {
		h.warn.Log(slog.LevelWarn, s.key(), "mqtt: cannot record device offline", "device", s.key(), "error", err)
	}
}

// statusSeen is called on the publishing device's connection goroutine
// when it sends a status report: a live session whose online record
// failed is recorded online now. Being on that goroutine, it cannot race
// the session's own OnDisconnect.
func (h *authHook) statusSeen(clientID string) {
	h.mu.RLock()
	s := h.live[clientID]
	h.mu.RUnlock()
	if s == nil || s.gone.Load() || s.online.Load() {
		return
	}
	h.markOnline(s)
}

func (h *authHook) markOnline(s *session) {
	ctx, cancel := context.WithTimeout(context.Background(), hookTimeout)
	defer cancel()
	err := h.devices.MarkOnline(ctx, s.product, s.device, s.ip, h.now())
	switch {
	case err == nil:
		s.online.Store(true)
	case apperr.Is(err, apperr.NotFound): // deleted while connected
	default:
		h.warn.Log(slog.LevelWarn, s.key(), "mqtt: cannot record device online", "device", s.key(), "error", err)
	}
}

// errRevoked is the stop cause of connections whose credentials were
// revoked.
var errRevoked = errors.New("mqtt: device credentials revoked")

// disconnect stops the sessions of a device, or of every device of the
// product when device is "".
func (h *authHook) disconnect(product, device string) int {
	h.mu.RLock()
	var victims []*mochi.Client
	for cl, s := range h.conns {
		if s.product == product && (device == "" || s.device == device) {
			victims = append(victims, cl)
		}
	}
	h.mu.RUnlock()
	for _, cl := range victims {
		cl.Stop(errRevoked)
	}
	return len(victims)
}

// OnSubscribed tells OnCommandSubscription when a device's subscription to
// its command or tag topics was granted.
func (h *authHook) OnSubscribed(cl *mochi.Client, pk packets.Packet, reasonCodes []byte) {
	if h.onCommandSub == nil || cl.Net.Inline {
		return
	}
	s := h.session(cl)
	if s == nil {
		return
	}
	for i, f := range pk.Filters {
		granted := i < len(reasonCodes) && reasonCodes[i] < 0x80
		if granted && (strings.HasPrefix(f.Filter, "cmd/"+s.key()+"/") || strings.HasPrefix(f.Filter, "tags/"+s.product+"/")) {
			go h.onCommandSub(s.product, s.device)
			return
		}
	}
}
