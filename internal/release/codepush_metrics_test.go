package release

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// memMetrics is a MetricsStore in memory that can be made to fail.
type memMetrics struct {
	m    map[LabelKey]LabelMetrics
	fail bool
}

func (s *memMetrics) AddCodePushMetrics(_ context.Context, ds []LabelDelta) error {
	if s.fail {
		return errors.New("database down")
	}
	for _, d := range ds {
		m := s.m[d.LabelKey]
		m.add(d.LabelMetrics)
		s.m[d.LabelKey] = m
	}
	return nil
}

func (s *memMetrics) CodePushMetrics(_ context.Context, k LabelKey) (LabelMetrics, error) {
	return s.m[k], nil
}

func TestCodePushMetrics(t *testing.T) {
	st := &memMetrics{m: map[LabelKey]LabelMetrics{}}
	c := NewCodePushMetrics(st)
	d := &Deployment{ProjectID: "p", Channel: DefaultChannel, Platform: PlatformIOS}
	ctx := context.Background()
	key := func(l string) LabelKey { return LabelKey{"p", DefaultChannel, PlatformIOS, l} }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Deployed(ctx, d, "1.0.0", false, nil, ""))                   // a binary install
	must(c.Downloaded(ctx, d, "v1"))                                    // then v1 is downloaded
	must(c.Deployed(ctx, d, "v1", false, nil, "1.0.0"))                 // and installed
	must(c.Deployed(ctx, d, "v2", true, nil, "v1"))                     // v2 fails
	must(c.Deployed(ctx, d, strings.Repeat("x", 65), false, nil, "v1")) // not counted, v1 loses it
	// Acknowledged means committed: each report is in the store when the
	// call returns.
	if got := st.m[key("v1")]; got != (LabelMetrics{Active: 0, Downloaded: 1, Installed: 1}) {
		t.Fatalf("v1 stored %+v", got)
	}
	st.fail = true
	if err := c.Downloaded(ctx, d, "v1"); !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("a report that could not be committed: %v", err)
	}
	st.fail = false
	must(c.Downloaded(ctx, d, "v1")) // the client sends it again
	for l, want := range map[string]LabelMetrics{"1.0.0": {Installed: 1}, "v1": {Active: 0, Downloaded: 2, Installed: 1},
		"v2": {Failed: 1}} {
		if got, _ := c.Get(ctx, key(l)); got != want {
			t.Errorf("%s: %+v, want %+v", l, got, want)
		}
	}
	if len(st.m) != 3 {
		t.Errorf("stored %v", st.m)
	}
}

// Concurrent reports share commits and each is counted once.
func TestCodePushMetricsGroupCommit(t *testing.T) {
	st := &slowMetrics{memMetrics: memMetrics{m: map[LabelKey]LabelMetrics{}}}
	c := NewCodePushMetrics(st)
	d := &Deployment{ProjectID: "p", Channel: DefaultChannel, Platform: PlatformIOS}
	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() {
			if err := c.Downloaded(context.Background(), d, "v1"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	st.mu.Lock()
	defer st.mu.Unlock()
	if got := st.m[LabelKey{"p", DefaultChannel, PlatformIOS, "v1"}].Downloaded; got != 200 {
		t.Fatalf("downloaded %d, want 200", got)
	}
	if st.commits >= 200 {
		t.Fatalf("%d commits for 200 concurrent reports", st.commits)
	}
}

// slowMetrics takes a moment per commit, as a database does, and counts
// commits.
type slowMetrics struct {
	memMetrics
	mu      sync.Mutex
	commits int
}

func (s *slowMetrics) AddCodePushMetrics(ctx context.Context, ds []LabelDelta) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commits++
	time.Sleep(time.Millisecond) // the cost of a transaction, not a wait for an event
	return s.memMetrics.AddCodePushMetrics(ctx, ds)
}
