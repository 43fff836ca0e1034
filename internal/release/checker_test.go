package release

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/testwait"
)

// fakeCatalogs serves catalogs from memory; err makes every load fail (the
// database is down).
type fakeCatalogs struct {
	mu    sync.Mutex
	byID  map[string][]Resource
	err   error
	loads int
}

func (f *fakeCatalogs) Catalog(_ context.Context, projectID string) (Catalog, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.loads++
	if f.err != nil {
		return Catalog{}, f.err
	}
	rs, ok := f.byID[projectID]
	if !ok {
		return Catalog{}, apperr.New(apperr.NotFound, "project not found")
	}
	c := Catalog{Resources: rs}
	for _, r := range rs {
		c.URLs = append(c.URLs, "/d/"+r.ID)
	}
	return c, nil
}

func (f *fakeCatalogs) CatalogResource(_ context.Context, projectID, id string) (Resource, string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return Resource{}, "", false, f.err
	}
	for _, r := range f.byID[projectID] {
		if r.ID == id {
			return r, "/d/" + r.ID, r.Status == StatusEnabled, nil
		}
	}
	return Resource{}, "", false, nil
}

func (f *fakeCatalogs) set(projectID string, rs ...Resource) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.byID[projectID] = rs
}

type outcomes struct {
	mu  sync.Mutex
	got []Outcome
}

func (o *outcomes) Record(x Outcome) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.got = append(o.got, x)
}

func TestCheckerDecidesRendersAndRecords(t *testing.T) {
	src := &fakeCatalogs{byID: map[string][]Resource{}}
	src.set("p1", res("n110", TypeAndroid, 110, 0), res("w5", TypeWgtAndroid, 5, 100))
	rec := &outcomes{}
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	c := NewChecker(src, CheckerOptions{Recorders: []Recorder{rec}, Now: func() time.Time { return now }})
	view := c.AddView(func(r Resource, url string) (any, error) { return r.Version + "@" + url, nil })
	ctx := context.Background()

	// A device on native 100 with wgt 3: both offered, the client applies
	// the newer native build.
	q := android(100, "u1")
	q.WgtVersionCode = 3
	a, err := c.Check(ctx, &Request{ProjectID: "p1", Query: q, ClientIP: "10.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if idOf(a.Native) != "n110" || idOf(a.Wgt) != "w5" {
		t.Fatalf("decision native=%q wgt=%q", idOf(a.Native), idOf(a.Wgt))
	}
	if got := a.View(view, a.Native); got != "110@/d/n110" {
		t.Fatalf("native view %v", got)
	}
	if got := a.View(view, nil); got != nil {
		t.Fatalf("view of nothing offered: %v", got)
	}
	want := Outcome{ProjectID: "p1", Platform: PlatformAndroid, WgtVersionCode: 3, NativeVersionCode: 100,
		Result: ApplyNative, NativeID: "n110", UUID: "u1", ClientIP: "10.0.0.1", Time: now}
	if len(rec.got) != 1 || rec.got[0].Result != want.Result || rec.got[0].NativeID != want.NativeID ||
		rec.got[0].WgtID != "" || rec.got[0].ClientIP != want.ClientIP || !rec.got[0].Time.Equal(now) {
		t.Fatalf("recorded %+v, want %+v", rec.got, want)
	}

	// Native 110 with wgt 5 installed: nothing newer, nothing applied.
	q = android(110, "u1")
	q.WgtVersionCode = 5
	a, err = c.Check(ctx, &Request{ProjectID: "p1", Query: q})
	if err != nil {
		t.Fatal(err)
	}
	if a.Outcome.Result != ApplyNone || a.Native == nil {
		t.Fatalf("up to date: %+v (native offered %v)", a.Outcome, idOf(a.Native))
	}
	if src.loads != 1 {
		t.Fatalf("%d catalog loads for two checks, want 1", src.loads)
	}
}

func TestCheckerInvalidateAndStale(t *testing.T) {
	src := &fakeCatalogs{byID: map[string][]Resource{}}
	src.set("p1", res("w1", TypeWgtAndroid, 1, 100))
	c := NewChecker(src, CheckerOptions{})
	ctx := context.Background()
	check := func() (Answer, error) {
		return c.Check(ctx, &Request{ProjectID: "p1", Query: android(100, "u")})
	}
	if a, err := check(); err != nil || idOf(a.Wgt) != "w1" {
		t.Fatalf("first: %v %v", idOf(a.Wgt), err)
	}
	// Unchanged until invalidated (no load per check).
	src.set("p1", res("w1", TypeWgtAndroid, 1, 100), res("w2", TypeWgtAndroid, 2, 100))
	if a, _ := check(); idOf(a.Wgt) != "w1" {
		t.Fatalf("before invalidation: %v", idOf(a.Wgt))
	}
	// Invalidated (another node's change): rebuilt in the background, the
	// previous answer served meanwhile.
	c.Invalidate("p1")
	testwait.For(t, "the background rebuild", func() bool { a, _ := check(); return idOf(a.Wgt) == "w2" })
	// Refreshed (this node's change): in place when Refresh returns.
	src.set("p1", res("w1", TypeWgtAndroid, 1, 100), res("w2", TypeWgtAndroid, 2, 100), res("w3", TypeWgtAndroid, 3, 100))
	c.Refresh("p1")
	if a, _ := check(); idOf(a.Wgt) != "w3" {
		t.Fatalf("after refresh: %v", idOf(a.Wgt))
	}
	// The database goes down: the last answer is served and counted.
	src.mu.Lock()
	src.err = errors.New("connection refused")
	src.mu.Unlock()
	c.Refresh("p1") // fails: the project stays invalidated
	if a, err := check(); err != nil || idOf(a.Wgt) != "w3" || c.Stale() != 1 {
		t.Fatalf("stale-if-error: %v %v stale=%d", idOf(a.Wgt), err, c.Stale())
	}
	// A project never compiled cannot be answered: Unavailable, not 500.
	_, err := c.Check(ctx, &Request{ProjectID: "p2", Query: android(100, "u")})
	if !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("uncompiled project while down: %v", err)
	}
}

func TestCheckerUnknownProject(t *testing.T) {
	c := NewChecker(&fakeCatalogs{byID: map[string][]Resource{}}, CheckerOptions{})
	_, err := c.Check(context.Background(), &Request{ProjectID: "nope", Query: android(1, "")})
	if !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("unknown project: %v", err)
	}
}

func TestCheckerAddViewAfterFirstCheckPanics(t *testing.T) {
	c := NewChecker(&fakeCatalogs{byID: map[string][]Resource{"p": nil}}, CheckerOptions{})
	if _, err := c.Check(context.Background(), &Request{ProjectID: "p", Query: android(1, "")}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("AddView after a check did not panic")
		}
	}()
	c.AddView(func(Resource, string) (any, error) { return nil, nil })
}
