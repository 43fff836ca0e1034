package release

import (
	"context"
	"testing"
	"time"
)

// countingKeys is a KeySource that counts its loads.
type countingKeys struct {
	m     map[string]string
	loads int
}

func (k *countingKeys) KeyIndex(context.Context) (map[string]string, error) {
	k.loads++
	out := make(map[string]string, len(k.m))
	for a, b := range k.m {
		out[a] = b
	}
	return out, nil
}

// TestKeyIndexBoundsReloads: unknown keys reload the index at most once per
// keyReloadEvery; a change (markDirty) makes the next miss reload at once.
func TestKeyIndexBoundsReloads(t *testing.T) {
	now := time.Unix(1000, 0)
	src := &countingKeys{m: map[string]string{"k1": "p1"}}
	idx := keyIndex{src: src, now: func() time.Time { return now }}
	ctx := context.Background()
	if p, _ := idx.project(ctx, "k1"); p != "p1" || src.loads != 1 {
		t.Fatalf("k1 → %q after %d loads", p, src.loads)
	}
	for range 100 {
		if p, _ := idx.project(ctx, "nope"); p != "" {
			t.Fatal("an unknown key resolved")
		}
	}
	if src.loads != 1 {
		t.Fatalf("100 unknown keys made %d loads, want none", src.loads-1)
	}
	now = now.Add(keyReloadEvery)
	idx.project(ctx, "nope")
	if src.loads != 2 {
		t.Fatalf("after %v: %d loads, want 2", keyReloadEvery, src.loads)
	}
	// A key created just now is found at once after the change is announced.
	src.m["k2"] = "p2"
	idx.markDirty()
	if p, _ := idx.project(ctx, "k2"); p != "p2" || src.loads != 3 {
		t.Fatalf("k2 → %q after %d loads", p, src.loads)
	}
	if p, _ := idx.project(ctx, "k1"); p != "p1" || src.loads != 3 {
		t.Fatalf("a known key reloaded: %d loads", src.loads)
	}
}

func FuzzCodePushDecide(f *testing.F) {
	d := NewDeployment("p", DefaultChannel, PlatformAndroid, []Resource{cp(1, "1.x"), cp(2, "^1.2.0", cpMandatory),
		cp(3, ">=1.0.0 <2.0.0", cpRollout(40)), cp(4, "banana")})
	for _, s := range []string{"1", "2.0", "2.0-beta", "1.2.3", "v1.2.3", "1.2.3-rc.1+b", "", "1.", ".1"} {
		f.Add(s, "v2", "h1", "client")
	}
	f.Fuzz(func(t *testing.T, appVersion, label, hash, client string) {
		a, err := d.Decide(CodePushQuery{AppVersion: appVersion, Label: label, PackageHash: hash, ClientUniqueID: client})
		if err != nil {
			return
		}
		if a.IsAvailable != (a.Release != nil) || a.IsAvailable && a.ShouldRunBinaryVersion {
			t.Fatalf("inconsistent answer %+v", a)
		}
	})
}
