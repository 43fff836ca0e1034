package stats

import (
	"testing"

	"github.com/hoist-ota/hoist/internal/release"
)

// The estimate is within the sketch's error bound (3 standard errors of
// 0.81 %), close to exact when small, and merging sketches of overlapping
// device sets counts every device once, through the stored encoding.
func TestSketchEstimates(t *testing.T) {
	for _, n := range []int{0, 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000} {
		s := newSketch()
		for i := range n {
			s.add(release.DeviceHash("device-" + itoa64(int64(i))))
			s.add(release.DeviceHash("device-" + itoa64(int64(i)))) // a device counts once
		}
		got := s.estimate()
		tol := max(float64(n)*3*0.0081, 1) // 3 standard errors; ±1 when small
		if d := float64(got - int64(n)); d > tol || d < -tol {
			t.Errorf("%d devices estimated %d (tolerance %.0f)", n, got, tol)
		}
	}
	a, b := newSketch(), newSketch()
	for i := range 60_000 {
		h := release.DeviceHash(itoa64(int64(i)))
		if i < 40_000 {
			a.add(h)
		}
		if i >= 20_000 {
			b.add(h)
		}
	}
	enc, err := b.mergeEncoded(a.marshal())
	if err != nil {
		t.Fatal(err)
	}
	m, err := unmarshalSketch(enc)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.estimate(); got < 58_500 || got > 61_500 {
		t.Fatalf("union of 60 000 estimated %d", got)
	}
	if _, err := unmarshalSketch([]byte("Sxx")); err == nil {
		t.Fatal("a malformed sketch decoded")
	}
}

func itoa64(i int64) string {
	var b [20]byte
	n := len(b)
	for {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(b[n:])
		}
	}
}

// Made-up versionCodes from clients are bounded: past maxVersionKeys in a
// window they are dropped and counted, never a panic or unbounded memory.
func TestFunnelBoundsVersionKeys(t *testing.T) {
	f := NewFunnel(nil, FunnelOptions{}, nil)
	for i := range maxVersionKeys + 50 {
		f.Record(release.Outcome{ProjectID: "p", WgtVersionCode: int64(i + 1), DeviceHash: 7})
	}
	if len(f.versions) != maxVersionKeys || f.Dropped() != 50 {
		t.Fatalf("%d version keys, %d dropped", len(f.versions), f.Dropped())
	}
}
