package mqtt

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/netfault"

	"github.com/hoist-ota/hoist/internal/testwait"
)

// payloads returns the distinct payloads of n's sink with prefix.
func payloads(n *externalNode, prefix string) map[string]bool {
	out := map[string]bool{}
	for _, c := range n.sink.snapshot() {
		if strings.HasPrefix(c.Payload, prefix) {
			out[c.Payload] = true
		}
	}
	return out
}

// A node that stops hands its share back: messages sent after it stopped
// all reach the node that remains (the broker queues none for the stopped
// node's session).
func TestExternalStopHandsTheShareBack(t *testing.T) {
	url := testBrokerURL(t)
	group := randomName("g")
	n1 := mustExternal(t, External{URL: url, Shared: true, ShareGroup: group})
	n2 := mustExternal(t, External{URL: url, Shared: true, ShareGroup: group})
	testwait.For(t, "the nodes to see each other", func() bool {
		return n1.bridge.tr.(*external).peers.others() && n2.bridge.tr.(*external).peers.others()
	})
	n1.stop()
	p := randomName("p")
	dev := anonymous(t, url)
	for i := range 30 {
		publish(t, dev, fmt.Sprintf("update_status/%s/d%d/m", p, i), 1, fmt.Sprintf(`{"after":%d}`, i))
	}
	testwait.For(t, "all 30 at the remaining node", func() bool { return len(payloads(n2, `{"after"`)) == 30 })
}

// A node that dies (its connection drops, it never comes back) does not
// keep what the broker gave it: messages it had not acknowledged stay in
// its session, another node takes that session over, and every message
// reaches the living node.
func TestExternalDeadNodeIsAdopted(t *testing.T) {
	url := testBrokerURL(t)
	group := randomName("g")
	proxy := netfault.Start(t, strings.TrimPrefix(url, "tcp://"))
	dead := mustExternal(t, External{URL: "tcp://" + proxy.Addr(), Shared: true, ShareGroup: group})
	gate := make(chan struct{}) // the dead node never finishes a message
	dead.sink.gate = gate
	t.Cleanup(func() { close(gate) })
	live := mustExternal(t, External{URL: url, Shared: true, ShareGroup: group})
	testwait.For(t, "the nodes to see each other", func() bool {
		return dead.bridge.tr.(*external).peers.others() && live.bridge.tr.(*external).peers.others()
	})
	p := randomName("p")
	dev := anonymous(t, url)
	for i := range 30 {
		publish(t, dev, fmt.Sprintf("update_status/%s/d%d/m", p, i), 1, fmt.Sprintf(`{"n":%d}`, i))
	}
	testwait.For(t, "the dead node to hold some", func() bool { return len(payloads(dead, `{"n"`)) > 0 })
	proxy.Cut()
	testwait.For(t, "all 30 at the living node", func() bool { return len(payloads(live, `{"n"`)) == 30 })
	testwait.For(t, "the takeover to finish", func() bool { return live.bridge.Stats().Adoptions == 1 })
}
