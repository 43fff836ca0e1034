package release

import (
	"context"
	"errors"
	"strings"
	"testing"
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
	c := NewCodePushMetrics(st, 0, nil)
	d := &Deployment{ProjectID: "p", Channel: DefaultChannel, Platform: PlatformIOS}
	ctx := context.Background()
	key := func(l string) LabelKey { return LabelKey{"p", DefaultChannel, PlatformIOS, l} }

	c.Deployed(d, "1.0.0", false, nil, "")                   // a binary install
	c.Downloaded(d, "v1")                                    // then v1 is downloaded
	c.Deployed(d, "v1", false, nil, "1.0.0")                 // and installed
	c.Deployed(d, "v2", true, nil, "v1")                     // v2 fails
	c.Deployed(d, strings.Repeat("x", 65), false, nil, "v1") // not counted, v1 loses it
	st.fail = true
	if err := c.Flush(ctx); err == nil {
		t.Fatal("a failed flush reported no error")
	}
	st.fail = false
	c.Downloaded(d, "v1") // after the failed flush: added to what was kept
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
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
