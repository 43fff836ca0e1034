package release

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkRebuildAfterAnEdit compares, on projects of 1,000 and 10,000
// wgt releases, compiling the whole answer again (Refresh, what every
// change did before) with applying the one edited release (RefreshResource).
// The catalog source is in memory here, so the database read a full
// compilation also makes (most of its cost on a real database) is not
// even counted.
func BenchmarkRebuildAfterAnEdit(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		src := &fakeCatalogs{byID: map[string][]Resource{}}
		rs := make([]Resource, n)
		for i := range rs {
			rs[i] = Resource{ID: fmt.Sprintf("r%05d", i), ProjectID: "p", Type: TypeWgtAndroid, Version: fmt.Sprint("1.0.", i),
				VersionCode: int64(1000 + i), NativeVersionCode: 100, Status: StatusEnabled, Channel: DefaultChannel, RolloutPercent: 50}
		}
		src.set("p", rs...)
		c := NewChecker(src, CheckerOptions{})
		c.AddView(func(r Resource, url string) (any, error) { return map[string]any{"id": r.ID, "url": url}, nil })
		if _, err := c.Check(context.Background(), &Request{ProjectID: "p", Query: android(100, "u")}); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("full/%d", n), func(b *testing.B) {
			for range b.N {
				c.Refresh("p")
			}
		})
		b.Run(fmt.Sprintf("applied/%d", n), func(b *testing.B) {
			for range b.N {
				c.RefreshResource("p", "r00500")
			}
			if c.Applied() == 0 {
				b.Fatal("nothing was applied")
			}
		})
	}
}
