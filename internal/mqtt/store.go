package mqtt

import (
	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
)

// copyingStore is paho's memory store handing out copies of PUBLISH
// packets. With a persistent session paho resends what is stored after a
// reconnect and marks it DUP on the packet it got from the store; with the
// plain memory store that is the very packet its writer may still be
// sending (a data race inside paho). A copy keeps them apart.
type copyingStore struct{ paho.Store }

func newCopyingStore() *copyingStore { return &copyingStore{Store: paho.NewMemoryStore()} }

func (s *copyingStore) Get(key string) packets.ControlPacket {
	m := s.Store.Get(key)
	if p, ok := m.(*packets.PublishPacket); ok {
		cp := *p
		return &cp
	}
	return m
}
