package mqtt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/mqtt/topic"
)

// RabbitMQ is how the bridge reaches RabbitMQ: devices speak MQTT to its
// MQTT plugin, which publishes their messages to the amq.topic exchange;
// Hoist consumes them over AMQP 0-9-1 from one durable quorum queue that
// every node reads (competing consumers), and publishes commands to
// amq.topic.
type RabbitMQ struct {
	// URL is amqp://host:5672/vhost (amqps:// for TLS), without credentials.
	URL      string
	Username string
	Password string
	// Name is the connection name RabbitMQ shows; empty means "hoist-" +
	// the host name.
	Name string
	// Queue is the device-message queue; empty means DefaultRabbitQueue.
	Queue string
	// Prefetch bounds the unacknowledged deliveries per node; 0 means 1000.
	Prefetch int
	// ReconnectMax bounds the wait between connection attempts; 0 means 30 s.
	ReconnectMax time.Duration
}

// DefaultRabbitQueue is the quorum queue of device messages.
const DefaultRabbitQueue = "hoist.device-messages"

// rabbitExchange is where RabbitMQ's MQTT plugin publishes device messages
// and where it binds the devices' subscriptions.
const rabbitExchange = "amq.topic"

// RabbitMQConfig returns the RabbitMQ settings of c (mqtt.url is the AMQP
// URL in this mode).
func RabbitMQConfig(c config.MQTT) RabbitMQ {
	return RabbitMQ{URL: c.URL, Username: c.Username, Password: c.Password, Name: c.ClientID}
}

// rabbit is the Bridge's transport on RabbitMQ. A delivery is acknowledged
// only once the sink made it durable and requeued otherwise; deliveries a
// node holds unacknowledged when it dies go back to the queue and to the
// other nodes, so no session takeover is needed.
type rabbit struct {
	r        RabbitMQ
	br       *Bridge
	log      *slog.Logger
	sess     atomic.Pointer[rabbitSession]
	handlers sync.WaitGroup
	// nackDelay spaces the redelivery of a message the sink refused.
	nackDelay time.Duration
}

// rabbitSession is one AMQP connection with its publishing channel (in
// confirm mode).
type rabbitSession struct {
	conn *amqp.Connection
	pub  *amqp.Channel
}

// NewRabbitMQBridge returns a bridge on RabbitMQ. Nothing connects before
// Run.
func NewRabbitMQBridge(r RabbitMQ, o BridgeOptions) *Bridge {
	if r.Name == "" {
		host, _ := os.Hostname()
		r.Name = "hoist-" + host
	}
	if r.Queue == "" {
		r.Queue = DefaultRabbitQueue
	}
	if r.Prefetch <= 0 {
		r.Prefetch = 1000
	}
	if r.ReconnectMax <= 0 {
		r.ReconnectMax = 30 * time.Second
	}
	br := newBridge(o)
	br.tr = &rabbit{r: r, br: br, log: o.Log, nackDelay: time.Second}
	return br
}

// run connects, consumes until the connection drops (then reconnects with
// backoff) or ctx ends; then it cancels its consumer, waits up to
// drainTimeout for the deliveries being handled to be acknowledged, and
// closes the connection (whatever is still unacknowledged goes back to the
// queue).
func (x *rabbit) run(ctx context.Context) error {
	wait := time.Second
	for ctx.Err() == nil {
		s, deliveries, err := x.connect()
		if err != nil {
			x.log.Warn("mqtt.url (HOIST_MQTT_URL): cannot consume from RabbitMQ, retrying", "url", x.r.URL, "queue", x.r.Queue,
				"error", err, "retryIn", wait)
			select {
			case <-time.After(wait):
			case <-ctx.Done():
			}
			wait = min(2*wait, x.r.ReconnectMax)
			continue
		}
		wait = time.Second
		x.sess.Store(s)
		x.log.Info("mqtt: consuming device messages from RabbitMQ", "url", x.r.URL, "queue", x.r.Queue, "name", x.r.Name)
		closed := s.conn.NotifyClose(make(chan *amqp.Error, 1))
		// A publishing channel RabbitMQ closed (a channel error) is
		// renewed with the connection.
		pubClosed := s.pub.NotifyClose(make(chan *amqp.Error, 1))
		x.consume(ctx, deliveries, closed, pubClosed)
		x.sess.Store(nil)
		if ctx.Err() != nil {
			x.drain()
			_ = s.conn.Close()
			return nil
		}
		x.log.Warn("mqtt: connection to RabbitMQ lost, reconnecting", "url", x.r.URL)
		_ = s.conn.Close()
	}
	return nil
}

// consume hands deliveries to handlers until ctx ends or the connection
// or a channel closes.
func (x *rabbit) consume(ctx context.Context, deliveries <-chan amqp.Delivery, closed, pubClosed <-chan *amqp.Error) {
	for {
		select {
		case d, ok := <-deliveries:
			if !ok {
				return
			}
			x.handlers.Add(1)
			go x.deliver(d)
		case <-closed:
			return
		case <-pubClosed:
			return
		case <-ctx.Done():
			return
		}
	}
}

// drain waits (up to drainTimeout) for the handlers, so that their acks
// still reach RabbitMQ before the connection closes.
func (x *rabbit) drain() {
	done := make(chan struct{})
	go func() { x.handlers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(drainTimeout):
		x.log.Warn("mqtt: stopped with device messages still being handled (RabbitMQ redelivers them)")
	}
}

// deliver handles one delivery: ack once durable (or malformed for good),
// requeue otherwise.
func (x *rabbit) deliver(d amqp.Delivery) {
	defer x.handlers.Done()
	t, ok := x.br.parse(topic.FromRoutingKey(d.RoutingKey))
	if !ok {
		_ = d.Ack(false)
		return
	}
	if err := x.br.handle(context.Background(), t, d.Body); err != nil {
		if !errors.Is(err, errStopping) {
			// Spaced so that a failing sink is not a hot redelivery loop.
			time.Sleep(x.nackDelay)
		}
		_ = d.Nack(false, true)
		return
	}
	_ = d.Ack(false)
}

// connect dials, declares the queue with its bindings, and starts the
// consumer and the publishing channel.
func (x *rabbit) connect() (*rabbitSession, <-chan amqp.Delivery, error) {
	conn, err := amqp.DialConfig(x.r.URL, amqp.Config{
		SASL:       []amqp.Authentication{&amqp.PlainAuth{Username: x.r.Username, Password: x.r.Password}},
		Heartbeat:  10 * time.Second,
		Properties: amqp.Table{"connection_name": x.r.Name},
		Dial:       amqp.DefaultDial(connectTimeout),
	})
	if err != nil {
		return nil, nil, err
	}
	deliveries, pub, err := x.open(conn)
	if err != nil {
		_ = conn.Close()
		return nil, nil, err
	}
	return &rabbitSession{conn: conn, pub: pub}, deliveries, nil
}

func (x *rabbit) open(conn *amqp.Connection) (<-chan amqp.Delivery, *amqp.Channel, error) {
	ch, err := conn.Channel()
	if err != nil {
		return nil, nil, err
	}
	if err := ch.Qos(x.r.Prefetch, 0, false); err != nil {
		return nil, nil, fmt.Errorf("set prefetch: %w", err)
	}
	if _, err := ch.QueueDeclare(x.r.Queue, true, false, false, false, amqp.Table{"x-queue-type": "quorum"}); err != nil {
		return nil, nil, fmt.Errorf("declare quorum queue %s (an existing classic queue of that name must be deleted first): %w", x.r.Queue, err)
	}
	for _, f := range deviceFilters {
		if err := ch.QueueBind(x.r.Queue, topic.ToRoutingKey(f), rabbitExchange, false, nil); err != nil {
			return nil, nil, fmt.Errorf("bind %s to %s: %w", x.r.Queue, f, err)
		}
	}
	deliveries, err := ch.Consume(x.r.Queue, x.r.Name, false, false, false, false, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("consume %s: %w", x.r.Queue, err)
	}
	pub, err := conn.Channel()
	if err != nil {
		return nil, nil, err
	}
	if err := pub.Confirm(false); err != nil {
		return nil, nil, fmt.Errorf("publisher confirms: %w", err)
	}
	return deliveries, pub, nil
}

func (x *rabbit) connected() bool {
	s := x.sess.Load()
	return s != nil && !s.conn.IsClosed()
}

// publish sends a persistent message (QoS 1 for the devices) to amq.topic
// with the topic's routing key and waits for RabbitMQ's confirm, for ctx
// or for publishTimeout. While not connected it fails at once
// (Unavailable).
func (x *rabbit) publish(ctx context.Context, name string, payload []byte) error {
	s := x.sess.Load()
	if s == nil || s.conn.IsClosed() {
		return apperr.New(apperr.Unavailable, "mqtt: not connected to RabbitMQ")
	}
	ctx, cancel := context.WithTimeout(ctx, publishTimeout)
	defer cancel()
	dc, err := s.pub.PublishWithDeferredConfirmWithContext(ctx, rabbitExchange, topic.ToRoutingKey(name), false, false,
		amqp.Publishing{DeliveryMode: amqp.Persistent, Body: payload})
	if err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "mqtt: publish %s to RabbitMQ failed", name)
	}
	acked, err := dc.WaitContext(ctx)
	switch {
	case err != nil:
		return fmt.Errorf("mqtt: publish %s: %w", name, err)
	case !acked:
		return apperr.New(apperr.Unavailable, "mqtt: RabbitMQ refused the publish to %s", name)
	}
	return nil
}
