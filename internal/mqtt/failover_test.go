package mqtt

import (
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
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
	waitFor(t, "the nodes to see each other", func() bool {
		return n1.bridge.tr.(*external).peers.others() && n2.bridge.tr.(*external).peers.others()
	})
	n1.stop()
	p := randomName("p")
	dev := anonymous(t, url)
	for i := range 30 {
		publish(t, dev, fmt.Sprintf("update_status/%s/d%d/m", p, i), 1, fmt.Sprintf(`{"after":%d}`, i))
	}
	waitFor(t, "all 30 at the remaining node", func() bool { return len(payloads(n2, `{"after"`)) == 30 })
}

// tcpProxy forwards connections to a broker until killed: then every
// connection drops without an MQTT DISCONNECT, as when a node is killed.
type tcpProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func mustProxy(tb testing.TB, target string) *tcpProxy {
	tb.Helper()
	p := &tcpProxy{ln: mustListen(tb)}
	go func() {
		for {
			c, err := p.ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go func() { io.Copy(u, c); u.Close() }()
			go func() { io.Copy(c, u); c.Close() }()
		}
	}()
	tb.Cleanup(p.kill)
	return p
}

func (p *tcpProxy) url() string { return "tcp://" + p.ln.Addr().String() }

func (p *tcpProxy) kill() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

// A node that dies (its connection drops, it never comes back) does not
// keep what the broker gave it: messages it had not acknowledged stay in
// its session, another node takes that session over, and every message
// reaches the living node.
func TestExternalDeadNodeIsAdopted(t *testing.T) {
	url := testBrokerURL(t)
	group := randomName("g")
	proxy := mustProxy(t, strings.TrimPrefix(url, "tcp://"))
	dead := mustExternal(t, External{URL: proxy.url(), Shared: true, ShareGroup: group})
	gate := make(chan struct{}) // the dead node never finishes a message
	dead.sink.gate = gate
	t.Cleanup(func() { close(gate) })
	live := mustExternal(t, External{URL: url, Shared: true, ShareGroup: group})
	waitFor(t, "the nodes to see each other", func() bool {
		return dead.bridge.tr.(*external).peers.others() && live.bridge.tr.(*external).peers.others()
	})
	p := randomName("p")
	dev := anonymous(t, url)
	for i := range 30 {
		publish(t, dev, fmt.Sprintf("update_status/%s/d%d/m", p, i), 1, fmt.Sprintf(`{"n":%d}`, i))
	}
	waitFor(t, "the dead node to hold some", func() bool { return len(payloads(dead, `{"n"`)) > 0 })
	proxy.kill()
	waitFor(t, "all 30 at the living node", func() bool { return len(payloads(live, `{"n"`)) == 30 })
	waitFor(t, "the takeover to finish", func() bool { return live.bridge.Stats().Adoptions == 1 })
}
