package mqtt

import (
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"testing"
)

// connectPacket is an MQTT 3.1.1 CONNECT with clean session, username and
// password, written by hand so that the measuring side holds nothing but a
// socket per device.
func connectPacket(clientID, username, password string) []byte {
	str := func(s string) []byte { return append([]byte{byte(len(s) >> 8), byte(len(s))}, s...) }
	body := append([]byte{0, 4, 'M', 'Q', 'T', 'T', 4, 0xC2, 0, 60}, str(clientID)...)
	body = append(body, str(username)...)
	body = append(body, str(password)...)
	var rl []byte
	for n := len(body); ; {
		b := byte(n % 128)
		if n /= 128; n > 0 {
			b |= 0x80
		}
		rl = append(rl, b)
		if n == 0 {
			break
		}
	}
	return append(append([]byte{0x10}, rl...), body...)
}

// BenchmarkMemoryPerConnectedDevice connects HOIST_BENCH_DEVICES (default
// 1 000) authenticated devices to the embedded broker over TCP and reports
// the broker's live heap per connection (make bench-scale).
func BenchmarkMemoryPerConnectedDevice(b *testing.B) {
	if os.Getenv("HOIST_BENCH_SCALE") == "" {
		b.Skip("set HOIST_BENCH_SCALE=1 (make bench-scale)")
	}
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("HOIST_BENCH_DEVICES")); err == nil && v > 0 && v <= 20_000 {
		n = v
	}
	f := mustFleet(b)
	secrets := make([]string, n)
	for i := range n {
		secrets[i] = f.mustDevice(b, fmt.Sprint("m", i))
	}
	for range b.N {
		s := mustEmbedded(b, f, func(bo *BrokerOptions, _ *BridgeOptions) { bo.Limits.ConnectRatePerIP = 0 })
		addr := s.tcpURL[len("tcp://"):]
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		conns := make([]net.Conn, 0, n)
		for i := range n {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			name := fmt.Sprint("thermo/m", i)
			if _, err := c.Write(connectPacket(name, name, secrets[i])); err != nil {
				b.Fatal(err)
			}
			ack := make([]byte, 4)
			if _, err := io.ReadFull(c, ack); err != nil || ack[0] != 0x20 || ack[3] != 0 {
				b.Fatalf("device %d: CONNACK %v %v", i, ack, err)
			}
			conns = append(conns, c)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(n)/1024, "KiB/device")
		for _, c := range conns {
			c.Close()
		}
	}
}
