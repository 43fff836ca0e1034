package devicesim

import (
	"strings"
	"sync"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
)

// ackStore is paho's message store with an ear for acknowledgements: paho
// puts an outgoing QoS 1 PUBLISH in the store before sending it and deletes
// it when the broker's PUBACK arrives (and only then, with a persistent
// session), so a delete of a stored PUBLISH is the broker's acknowledgement.
// paho's publish tokens cannot tell: after a reconnect it completes the
// original token when it resends the message, PUBACK or not.
type ackStore struct {
	paho.Store
	onAck func(topic string)

	mu      sync.Mutex
	pending map[string]string // store key → topic
}

func newAckStore(onAck func(topic string)) *ackStore {
	return &ackStore{Store: paho.NewMemoryStore(), onAck: onAck, pending: map[string]string{}}
}

func (s *ackStore) Put(key string, m packets.ControlPacket) {
	if p, ok := m.(*packets.PublishPacket); ok && p.Qos > 0 && strings.HasPrefix(key, "o.") {
		s.mu.Lock()
		s.pending[key] = p.TopicName
		s.mu.Unlock()
	}
	s.Store.Put(key, m)
}

func (s *ackStore) Del(key string) {
	s.mu.Lock()
	topic, ok := s.pending[key]
	delete(s.pending, key)
	s.mu.Unlock()
	s.Store.Del(key)
	if ok {
		s.onAck(topic)
	}
}

// Get hands out a copy of a stored PUBLISH: paho marks a resent one DUP on
// the packet it gets here, which its writer may still be sending (a data
// race inside paho with the plain memory store).
func (s *ackStore) Get(key string) packets.ControlPacket {
	m := s.Store.Get(key)
	if p, ok := m.(*packets.PublishPacket); ok {
		cp := *p
		return &cp
	}
	return m
}

// Reset forgets what is pending without counting it acknowledged.
func (s *ackStore) Reset() {
	s.mu.Lock()
	s.pending = map[string]string{}
	s.mu.Unlock()
	s.Store.Reset()
}
