package mqtt

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/mqtt/topic"
)

// External is how the bridge reaches an external broker (EMQX, Mosquitto).
type External struct {
	URL      string
	Username string
	Password string
	// ClientID is this node's stable client id; empty means "hoist-" + the
	// host name.
	ClientID string
	// Shared subscribes as $share/{ShareGroup}/..., so that each message
	// reaches one node of the group.
	Shared bool
	// ShareGroup empty means topic.ShareGroup.
	ShareGroup string
	// ReconnectMax bounds the wait between connection attempts; 0 means 30s.
	ReconnectMax time.Duration
	// AdoptAfter is how long a peer must stay offline (its Will said so)
	// before this node takes over its session; 0 means 10 s.
	AdoptAfter time.Duration
}

// ExternalConfig returns the external broker settings of c.
func ExternalConfig(c config.MQTT) External {
	return External{URL: c.URL, Username: c.Username, Password: c.Password, ClientID: c.ClientID, Shared: c.SharedSubscription}
}

// connectTimeout bounds one connection attempt and one subscription.
const connectTimeout = 10 * time.Second

// external is the Bridge's transport on an external broker: one paho
// client with a persistent session (clean session off, QoS 1), which
// reconnects by itself and resubscribes on every connection (the broker may
// have lost the session).
type external struct {
	e      External
	br     *Bridge
	log    *slog.Logger
	client paho.Client
	// subscriptions counts successful (re)subscriptions.
	subscriptions atomic.Int64
	// peers is what the node knows of the other nodes' presence.
	peers *peers
	// handing is set while the node gives its share back at stop.
	handing atomic.Bool
}

// NewExternalBridge returns a bridge on an external broker. Nothing
// connects before Run.
func NewExternalBridge(e External, o BridgeOptions) *Bridge {
	if e.ClientID == "" {
		host, _ := os.Hostname()
		e.ClientID = "hoist-" + host
	}
	if e.ShareGroup == "" {
		e.ShareGroup = topic.ShareGroup
	}
	if e.ReconnectMax <= 0 {
		e.ReconnectMax = 30 * time.Second
	}
	if e.AdoptAfter <= 0 {
		e.AdoptAfter = 10 * time.Second
	}
	br := newBridge(o)
	x := &external{e: e, br: br, log: o.Log, peers: newPeers(e.ClientID)}
	opts := paho.NewClientOptions().AddBroker(e.URL).SetClientID(e.ClientID).
		SetUsername(e.Username).SetPassword(e.Password).
		SetProtocolVersion(4).SetCleanSession(false).SetOrderMatters(false).SetStore(newCopyingStore()).
		// Messages are acknowledged after they are handled (at least once).
		SetAutoAckDisabled(true).
		SetAutoReconnect(true).SetMaxReconnectInterval(e.ReconnectMax).SetConnectRetry(false).
		SetConnectTimeout(connectTimeout).SetKeepAlive(30 * time.Second).
		SetDefaultPublishHandler(x.receive).
		SetOnConnectHandler(x.onConnect).
		SetConnectionLostHandler(func(_ paho.Client, err error) {
			x.log.Warn("mqtt: connection to the broker lost, reconnecting", "url", e.URL, "error", err)
		})
	// Peers learn from this Will that the node died and take over its
	// session (adopt.go).
	opts.SetBinaryWill(x.presenceTopic(e.ClientID), presencePayload(presenceOffline), 1, true)
	x.client = paho.NewClient(opts)
	br.tr = x
	return br
}

// receive is paho's handler for every message of the subscriptions and of
// the persistent session. paho runs it in a goroutine of its own
// (OrderMatters false), so waiting for the sink holds no other message; the
// broker's in-flight window bounds how many wait. The message is
// acknowledged only once the sink made it durable; otherwise it stays
// unacknowledged in the session and the broker delivers it again after the
// next reconnect.
func (x *external) receive(_ paho.Client, m paho.Message) {
	if name := m.Topic(); strings.HasPrefix(name, presenceRoot) {
		x.presence(name, m.Payload())
		m.Ack()
		return
	}
	x.take(m)
}

// take handles a device message and acknowledges it once durable, or at
// once when malformed (redelivery cannot help).
func (x *external) take(m paho.Message) {
	t, ok := x.br.parse(m.Topic())
	if !ok {
		m.Ack()
		return
	}
	if err := x.br.handle(context.Background(), t, m.Payload()); err == nil {
		m.Ack()
	}
}

// filters are the subscriptions, shared or not.
func (x *external) filters() map[string]byte {
	out := make(map[string]byte, len(deviceFilters))
	for _, f := range deviceFilters {
		if x.e.Shared {
			f = topic.Shared(x.e.ShareGroup, f)
		}
		out[f] = 1
	}
	return out
}

// onConnect (re)subscribes; paho runs it on its own goroutine after every
// connection.
func (x *external) onConnect(c paho.Client) {
	tok := c.SubscribeMultiple(x.filters(), nil)
	if !tok.WaitTimeout(connectTimeout) {
		x.log.Error("mqtt: subscription timed out; device messages may be missed until the next reconnect", "url", x.e.URL)
		return
	}
	if err := tok.Error(); err != nil {
		x.log.Error("mqtt: subscription failed", "url", x.e.URL, "error", err)
		return
	}
	if st, ok := tok.(*paho.SubscribeToken); ok {
		for f, code := range st.Result() {
			if code > 2 {
				x.log.Error("mqtt: the broker refused a subscription (check its ACL for Hoist's account)", "filter", f, "code", code)
				return
			}
		}
	}
	x.subscriptions.Add(1)
	x.log.Info("mqtt: connected to the broker", "url", x.e.URL, "clientId", x.e.ClientID, "shared", x.e.Shared)
	x.announce(c)
}

// run connects (retrying with backoff until it succeeds or ctx ends),
// leaves reconnection to paho, and when ctx ends hands its share back
// (handOver) and disconnects.
func (x *external) run(ctx context.Context) error {
	wait := time.Second
	for {
		tok := x.client.Connect()
		select {
		case <-tok.Done():
		case <-ctx.Done():
			tok.WaitTimeout(connectTimeout)
			x.client.Disconnect(250)
			return nil
		}
		if tok.Error() == nil {
			break
		}
		x.log.Warn("mqtt.url (HOIST_MQTT_URL): cannot connect to the broker, retrying", "url", x.e.URL, "clientId", x.e.ClientID,
			"error", tok.Error(), "retryIn", wait)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil
		}
		wait = min(2*wait, x.e.ReconnectMax)
	}
	x.adoptLoop(ctx)
	x.handOver()
	return nil
}

func (x *external) connected() bool { return x.client.IsConnectionOpen() }

// publishTimeout bounds the wait for a PUBACK whatever the caller's
// context says.
const publishTimeout = 10 * time.Second

// publish waits for the broker's PUBACK, for ctx or for publishTimeout.
// While the connection is known to be down it fails at once (Unavailable)
// rather than queueing a command for an unknown time. A publish that timed
// out may still be delivered once the connection is back (paho keeps it).
func (x *external) publish(ctx context.Context, name string, payload []byte) error {
	if !x.client.IsConnectionOpen() {
		return apperr.New(apperr.Unavailable, "mqtt: not connected to the broker")
	}
	ctx, cancel := context.WithTimeout(ctx, publishTimeout)
	defer cancel()
	tok := x.client.Publish(name, 1, false, payload)
	select {
	case <-tok.Done():
		if err := tok.Error(); err != nil {
			return apperr.Wrap(err, apperr.Unavailable, "mqtt: publish %s failed", name)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("mqtt: publish %s: %w", name, ctx.Err())
	}
}
