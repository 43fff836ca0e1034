package release

import (
	"fmt"
	"testing"
)

// project50 is a realistic busy project: for each platform four native
// builds (the newest at 20% rollout) and five wgt per native line (the
// newest of each line at 25%, one older disabled), plus two firmware.
func project50() []Resource {
	var out []Resource
	n := 0
	id := func() string { n++; return fmt.Sprintf("%032x", uint64(n)*0x9e3779b97f4a7c15) }
	for _, p := range []Platform{PlatformAndroid, PlatformIOS} {
		for line := range int64(4) {
			native := 100 + 10*line
			r := res(id(), p.NativeType(), native, 0)
			if line == 3 {
				r.RolloutPercent = 20
			}
			out = append(out, r)
			for k := range int64(5) {
				w := res(id(), p.WgtType(), native*10+k, native)
				switch k {
				case 4:
					w.RolloutPercent = 25
				case 2:
					w.Status = StatusDisabled
				}
				out = append(out, w)
			}
		}
	}
	out = append(out, res(id(), TypeFirmware, 1, 0), res(id(), TypeFirmware, 2, 0))
	return out
}

// decideQueries mixes the request shapes the update check sees.
func decideQueries() []Query {
	return []Query{
		android(120, "3f2c9a7e-1b4d-4e8a-9c6f-0d5e7b2a1c34"),
		android(130, "device-42"),
		ios(110, "A1B2C3D4-E5F6-4789-ABCD-EF0123456789"),
		{Platform: PlatformIOS, UUID: "device-7"},
		android(100, ""),
		android(999, "device-9"),
	}
}

func BenchmarkDecide(b *testing.B) {
	s := NewSnapshot(project50())
	for _, q := range decideQueries() {
		name := fmt.Sprintf("%s/native=%d,%t/uuid=%t", q.Platform, q.NativeVersionCode, q.HasNativeVersionCode, q.UUID != "")
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var d Decision
			for b.Loop() {
				d = s.Decide(q)
			}
			_ = d
		})
	}
}

func BenchmarkNewSnapshot(b *testing.B) {
	in := project50()
	b.ReportAllocs()
	for b.Loop() {
		_ = NewSnapshot(in)
	}
}
