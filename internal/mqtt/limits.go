package mqtt

import (
	"net"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits protect the embedded broker from clients that hold connections or
// guess secrets. The zero value limits nothing.
type Limits struct {
	// ConnectTimeout is how long a new connection may take to send its
	// CONNECT before it is closed; 0 means no limit.
	ConnectTimeout time.Duration
	// ConnectRatePerIP and ConnectBurstPerIP bound new connections per
	// client address (a token bucket: ConnectRatePerIP per second, up to
	// ConnectBurstPerIP at once); a connection over the limit is closed at
	// once. A rate of 0 means no limit.
	ConnectRatePerIP  float64
	ConnectBurstPerIP int
	// AuthFailuresPerMinute is how many refused CONNECTs (bad secret,
	// unknown device, foreign client id) a username may have per minute
	// from one client address, and five times that an address for all
	// usernames; further CONNECTs are refused without checking the secret
	// until the minute ends. 0 means no limit.
	AuthFailuresPerMinute int
}

// ipGate admits connection attempts per client address by a token bucket.
// A nil *ipGate admits everything. Safe for concurrent use.
type ipGate struct {
	limit rate.Limit
	burst int
	idle  time.Duration // a bucket unused this long is full again: forget it
	now   func() time.Time

	mu        sync.Mutex
	buckets   map[string]*gateBucket
	lastSweep time.Time
}

type gateBucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newIPGate(perSecond float64, burst int, now func() time.Time) *ipGate {
	if perSecond <= 0 {
		return nil
	}
	burst = max(burst, 1)
	idle := max(time.Duration(float64(burst)/perSecond*float64(time.Second)), time.Minute)
	return &ipGate{limit: rate.Limit(perSecond), burst: burst, idle: idle, now: now, buckets: map[string]*gateBucket{}}
}

// allow counts an attempt from addr's host.
func (g *ipGate) allow(addr net.Addr) bool {
	if g == nil || addr == nil {
		return true
	}
	return g.allowHost(hostOf(addr.String()))
}

func (g *ipGate) allowHost(host string) bool {
	if g == nil {
		return true
	}
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	g.sweepLocked(now)
	b := g.buckets[host]
	if b == nil {
		b = &gateBucket{lim: rate.NewLimiter(g.limit, g.burst)}
		g.buckets[host] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}

func (g *ipGate) sweepLocked(now time.Time) {
	if now.Sub(g.lastSweep) < g.idle {
		return
	}
	g.lastSweep = now
	for k, b := range g.buckets {
		if now.Sub(b.seen) >= g.idle {
			delete(g.buckets, k)
		}
	}
}

// hostOf is the host part of "host:port", or addr itself.
func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// failures counts refused CONNECTs per key (an address, a username) in
// fixed one-minute windows. A nil *failures blocks nothing. Safe for
// concurrent use.
type failures struct {
	limit int
	now   func() time.Time

	mu        sync.Mutex
	windows   map[string]*failWindow
	lastSweep time.Time
}

type failWindow struct {
	start time.Time
	n     int
}

const failWindowLen = time.Minute

func newFailures(perMinute int, now func() time.Time) *failures {
	if perMinute <= 0 {
		return nil
	}
	return &failures{limit: perMinute, now: now, windows: map[string]*failWindow{}}
}

// blocked reports whether any key reached the limit in its current window.
func (f *failures) blocked(keys ...string) bool {
	if f == nil {
		return false
	}
	now := f.now()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range keys {
		if w := f.windows[k]; w != nil && now.Sub(w.start) < failWindowLen && w.n >= f.limit {
			return true
		}
	}
	return false
}

// fail counts a refusal against every key.
func (f *failures) fail(keys ...string) {
	if f == nil {
		return
	}
	now := f.now()
	f.mu.Lock()
	defer f.mu.Unlock()
	if now.Sub(f.lastSweep) >= failWindowLen {
		f.lastSweep = now
		for k, w := range f.windows {
			if now.Sub(w.start) >= failWindowLen {
				delete(f.windows, k)
			}
		}
	}
	for _, k := range keys {
		w := f.windows[k]
		if w == nil || now.Sub(w.start) >= failWindowLen {
			w = &failWindow{start: now}
			f.windows[k] = w
		}
		w.n++
	}
}
