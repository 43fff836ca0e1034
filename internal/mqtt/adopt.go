package mqtt

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// Failover with an external broker. Each node keeps a persistent session
// (clean session off) in the shared-subscription group, so that the broker
// keeps what it delivered but the node has not acknowledged. A node that
// stops hands its share back: it unsubscribes (when other nodes remain, so
// that the broker stops giving it messages), finishes and acknowledges
// what it has, and announces "stopped". A node that dies cannot: the
// broker keeps queueing its share and its unacknowledged messages in its
// session until the same client id returns. So the nodes announce their
// presence on retained topics hoist-nodes/{clientId} (online at connect, a
// retained Will saying offline), and when a node has been offline for
// AdoptAfter, one live node (the smallest client id) connects with the
// dead node's client id, receives and acknowledges everything its session
// holds, unsubscribes it from the group and leaves. Duplicates this may
// cause (a message the dead node committed but could not acknowledge) are
// dropped by the database dedupe.

// presenceRoot prefixes the presence topics: hoist-nodes/{group}/{clientId}.
const presenceRoot = "hoist-nodes/"

// Presence states.
const (
	presenceOnline  = "online"
	presenceOffline = "offline" // died or stopped keeping its share: adopt
	presenceStopped = "stopped" // stopped and handed its share back (its retained presence is cleared)
)

func (x *external) presenceTopic(clientID string) string {
	return presenceRoot + x.e.ShareGroup + "/" + clientID
}

func presencePayload(state string) []byte {
	b, _ := json.Marshal(map[string]any{"state": state, "at": time.Now().Unix()})
	return b
}

// peers tracks the presence of the nodes.
type peers struct {
	self string
	mu   sync.Mutex
	m    map[string]peer
}

type peer struct {
	state   string
	since   time.Time
	adopted bool // taken over since it went offline
}

func newPeers(self string) *peers { return &peers{self: self, m: map[string]peer{}} }

func (p *peers) set(id, state string, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cur, ok := p.m[id]
	if ok && cur.state == state {
		return
	}
	p.m[id] = peer{state: state, since: now}
}

// others reports whether another node is online.
func (p *peers) others() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for id, pe := range p.m {
		if id != p.self && pe.state == presenceOnline {
			return true
		}
	}
	return false
}

// due returns the peers this node should adopt now: offline for at least
// after, not adopted yet, when this node is the smallest online client id.
func (p *peers) due(now time.Time, after time.Duration) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	online := []string{p.self}
	for id, pe := range p.m {
		if id != p.self && pe.state == presenceOnline {
			online = append(online, id)
		}
	}
	if slices.Min(online) != p.self {
		return nil
	}
	var out []string
	for id, pe := range p.m {
		if id != p.self && pe.state == presenceOffline && !pe.adopted && now.Sub(pe.since) >= after {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

func (p *peers) markAdopted(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pe, ok := p.m[id]; ok && pe.state == presenceOffline {
		pe.adopted = true
		p.m[id] = pe
	}
}

// presence takes a presence message.
func (x *external) presence(name string, payload []byte) {
	id := strings.TrimPrefix(name, presenceRoot+x.e.ShareGroup+"/")
	var v struct {
		State string `json:"state"`
	}
	if id == "" {
		return
	}
	if len(payload) == 0 { // cleared: the node stopped and handed over
		v.State = presenceStopped
	} else if json.Unmarshal(payload, &v) != nil || v.State == "" {
		return
	}
	if id == x.e.ClientID && v.State != presenceOnline && !x.handing.Load() {
		// Our own Will from an earlier life (or a dropped connection): we
		// are back; say so again.
		go x.client.Publish(x.presenceTopic(x.e.ClientID), 0, true, presencePayload(presenceOnline))
		return
	}
	x.peers.set(id, v.State, time.Now())
}

// Presence messages are published with QoS 0: paho stores QoS 1 publishes
// and, on a persistent session, resends what it finds stored right after
// connecting, racing the first send of a publish made from the connect
// handler. The retained Will (QoS 1) is kept by the broker, not by paho.

// announce says this node is online and subscribes to the presence of the
// others (their retained states arrive at once). Without a shared
// subscription too: every node receives every message then, and a dead
// node's session would queue them all until it returns.
func (x *external) announce(c paho.Client) {
	if tok := c.Publish(x.presenceTopic(x.e.ClientID), 0, true, presencePayload(presenceOnline)); !tok.WaitTimeout(connectTimeout) || tok.Error() != nil {
		x.log.Warn("mqtt: cannot announce this node's presence", "error", tok.Error())
	}
	if tok := c.Subscribe(x.presenceTopic("+"), 1, nil); !tok.WaitTimeout(connectTimeout) || tok.Error() != nil {
		x.log.Warn("mqtt: cannot follow the other nodes' presence; dead nodes' sessions will not be taken over", "error", tok.Error())
	}
}

// adoptLoop takes over dead peers' sessions until ctx ends.
func (x *external) adoptLoop(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			for _, id := range x.peers.due(time.Now(), x.e.AdoptAfter) {
				if ctx.Err() != nil {
					return
				}
				if x.adopt(ctx, id) {
					x.peers.markAdopted(id)
				}
			}
		}
	}
}

// quietFor waits until no message arrived for quiet (last holds the time
// of the last one, unix nanoseconds), for at most limit or ctx.
func quietFor(ctx context.Context, last *atomic.Int64, quiet, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if time.Since(time.Unix(0, last.Load())) >= quiet {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// adopt connects with a dead peer's client id, handles and acknowledges
// what its session holds, and unsubscribes it from the group. It reports
// whether the session was drained.
func (x *external) adopt(ctx context.Context, id string) bool {
	var last atomic.Int64
	var inflight sync.WaitGroup
	last.Store(time.Now().UnixNano())
	handler := func(_ paho.Client, m paho.Message) {
		inflight.Add(1)
		defer inflight.Done()
		last.Store(time.Now().UnixNano())
		if strings.HasPrefix(m.Topic(), presenceRoot) {
			m.Ack()
			return
		}
		x.take(m)
	}
	opts := paho.NewClientOptions().AddBroker(x.e.URL).SetClientID(id).
		SetUsername(x.e.Username).SetPassword(x.e.Password).
		SetProtocolVersion(4).SetCleanSession(false).SetOrderMatters(false).SetAutoAckDisabled(true).SetStore(newCopyingStore()).
		SetAutoReconnect(false).SetConnectRetry(false).SetConnectTimeout(connectTimeout).
		SetKeepAlive(30 * time.Second).SetDefaultPublishHandler(handler)
	c := paho.NewClient(opts)
	if tok := c.Connect(); !tok.WaitTimeout(connectTimeout) || tok.Error() != nil {
		x.log.Warn("mqtt: cannot take over a dead node's session", "node", id, "error", tok.Error())
		return false
	}
	x.log.Info("mqtt: taking over a dead node's session", "node", id)
	defer c.Disconnect(250)
	quietFor(ctx, &last, time.Second, 20*time.Second)
	var filters []string
	for f := range x.filters() {
		filters = append(filters, f)
	}
	filters = uniqueStrings(append(filters, x.presenceTopic("+")))
	if tok := c.Unsubscribe(filters...); !tok.WaitTimeout(connectTimeout) || tok.Error() != nil {
		x.log.Warn("mqtt: cannot unsubscribe a dead node's session; it will be taken over again", "node", id, "error", tok.Error())
		return false
	}
	quietFor(ctx, &last, 500*time.Millisecond, 10*time.Second)
	inflight.Wait()
	// An empty retained message clears the dead node's presence: nothing
	// is left to take over.
	if tok := c.Publish(x.presenceTopic(id), 0, true, []byte{}); !tok.WaitTimeout(connectTimeout) {
		x.log.Warn("mqtt: cannot clear a taken-over node's presence", "node", id)
	}
	x.br.adoptions.Add(1)
	x.log.Info("mqtt: a dead node's session is drained and left the group", "node", id)
	return true
}

// handOver gives this node's share back before it disconnects: when other
// nodes are online it unsubscribes (the broker then routes everything to
// them), finishes what it received and announces "stopped"; as the last
// node it keeps its subscriptions (the broker keeps queueing for it) and
// announces "offline", so that a node that starts later adopts its
// session.
func (x *external) handOver() {
	x.handing.Store(true)
	state := presenceOffline
	if x.peers.others() && x.client.IsConnectionOpen() {
		var fs []string
		for f := range x.filters() {
			fs = append(fs, f)
		}
		tok := x.client.Unsubscribe(fs...)
		if tok.WaitTimeout(connectTimeout) && tok.Error() == nil {
			state = presenceStopped
			x.log.Info("mqtt: unsubscribed; the other nodes take the device messages")
		}
		// What the broker sent before the UNSUBACK may still be arriving:
		// let it, so that it is acknowledged before the disconnect.
		stopWaiting := time.Now().Add(2 * time.Second)
		for time.Now().Before(stopWaiting) {
			before := x.br.received.Load()
			time.Sleep(300 * time.Millisecond)
			if x.br.received.Load() == before {
				break
			}
		}
	}
	done := make(chan struct{})
	go func() { x.br.inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(drainTimeout):
	}
	if x.client.IsConnectionOpen() {
		payload := presencePayload(state)
		if state == presenceStopped {
			payload = []byte{} // handed over: clear the retained presence
		}
		if tok := x.client.Publish(x.presenceTopic(x.e.ClientID), 0, true, payload); !tok.WaitTimeout(connectTimeout) {
			x.log.Warn("mqtt: cannot announce this node's stop")
		}
	}
	x.client.Disconnect(1000)
}

func uniqueStrings(in []string) []string {
	slices.Sort(in)
	return slices.Compact(in)
}
