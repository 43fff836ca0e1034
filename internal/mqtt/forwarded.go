package mqtt

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// proxies are the trusted reverse proxies of the WebSocket listener.
type proxies []netip.Prefix

// parseProxies parses IPs and CIDRs ("10.0.0.1", "10.0.0.0/8").
func parseProxies(list []string) (proxies, error) {
	var out proxies
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("mqtt: trusted proxy %q is not an IP or CIDR", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

func (ps proxies) trusts(host string) bool {
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr is the request's client as host:port: the peer, or, when the
// peer is a trusted proxy, the right-most X-Forwarded-For address that is
// not itself a trusted proxy (with the peer's port, which only keeps the
// form).
func (ps proxies) clientAddr(r *http.Request) string {
	host, port, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil || len(ps) == 0 || !ps.trusts(host) {
		return r.RemoteAddr
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if _, err := netip.ParseAddr(h); err != nil {
			break
		}
		if !ps.trusts(h) {
			return net.JoinHostPort(h, port)
		}
	}
	return r.RemoteAddr
}

// remoteAddr is a net.Addr for a forwarded client address.
type remoteAddr string

func (a remoteAddr) Network() string { return "tcp" }
func (a remoteAddr) String() string  { return string(a) }
