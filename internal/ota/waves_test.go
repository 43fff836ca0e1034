package ota

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
)

func deviceNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("dev-%03d", i)
	}
	return out
}

func TestSplitWaves(t *testing.T) {
	devices := deviceNames(100)
	tagged := map[string][]string{"canary": {"dev-007", "dev-042", "dev-099", "not-in-target"}}
	specs := []WaveSpec{{Tag: "canary"}, {Percent: 10}, {Count: 30}}
	waves, waveOf, err := splitWaves("c1", specs, devices, tagged)
	if err != nil {
		t.Fatal(err)
	}
	sizes := []int{}
	for _, w := range waves {
		sizes = append(sizes, w.Size)
	}
	// canary 3; 10 % of 100 = 10; 30; the rest 57.
	if !slices.Equal(sizes, []int{3, 10, 30, 57}) || !waves[3].Rest() || waves[0].Rest() || waves[1].Percent != 10 {
		t.Fatalf("waves %+v", waves)
	}
	for _, d := range []string{"dev-007", "dev-042", "dev-099"} {
		if waveOf[d] != 1 {
			t.Fatalf("canary device %s in wave %d", d, waveOf[d])
		}
	}
	if len(waveOf) != 100 || waveOf["not-in-target"] != 0 {
		t.Fatalf("%d devices assigned: %v", len(waveOf), waveOf)
	}
	count := map[int]int{}
	for _, w := range waveOf {
		count[w]++
	}
	if count[1] != 3 || count[2] != 10 || count[3] != 30 || count[4] != 57 {
		t.Fatalf("per wave %v", count)
	}

	// The same campaign splits the same way whatever the device order; another campaign differently.
	rev := slices.Clone(devices)
	slices.Reverse(rev)
	_, again, _ := splitWaves("c1", specs, rev, tagged)
	_, other, _ := splitWaves("c2", specs, devices, tagged)
	same, diff := true, false
	for d, w := range waveOf {
		same = same && again[d] == w
		diff = diff || other[d] != w
	}
	if !same || !diff {
		t.Fatalf("split: deterministic %v, campaign-dependent %v", same, diff)
	}
	// Not by name: wave 2 is not simply the first names.
	var second []string
	for d, w := range waveOf {
		if w == 2 {
			second = append(second, d)
		}
	}
	slices.Sort(second)
	if strings.Join(second, ",") == strings.Join(devices[:10], ",") {
		t.Fatalf("wave 2 is the first ten names: %v", second)
	}
}

func TestSplitWavesEdges(t *testing.T) {
	cases := []struct {
		name    string
		devices int
		specs   []WaveSpec
		sizes   []int
	}{
		{"percent rounds up", 3, []WaveSpec{{Percent: 10}}, []int{1, 2}},
		{"later waves get what is left", 3, []WaveSpec{{Count: 2}, {Percent: 50}, {Count: 5}}, []int{2, 1, 0}},
		{"everything listed: no rest wave", 4, []WaveSpec{{Percent: 50}, {Percent: 50}}, []int{2, 2}},
		{"one device", 1, []WaveSpec{{Percent: 1}}, []int{1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			waves, waveOf, err := splitWaves("c", tc.specs, deviceNames(tc.devices), nil)
			if err != nil {
				t.Fatal(err)
			}
			var sizes []int
			for _, w := range waves {
				sizes = append(sizes, w.Size)
			}
			if !slices.Equal(sizes, tc.sizes) || len(waveOf) != tc.devices {
				t.Fatalf("sizes %v (want %v), %d assigned", sizes, tc.sizes, len(waveOf))
			}
		})
	}
	// A tag wave needs a device of the target, not taken by an earlier wave.
	_, _, err := splitWaves("c", []WaveSpec{{Tag: "a"}, {Tag: "b"}}, deviceNames(3), map[string][]string{"a": {"dev-000"}, "b": {"dev-000"}})
	if fe := fieldsOf(err); len(fe) != 1 || fe[0].Field != "waves[1].tag" {
		t.Fatalf("tag wave without devices: %v", err)
	}
}

func TestNewCampaignWaveValidation(t *testing.T) {
	pct := func(n int) *int { return &n }
	valid := func() NewCampaign {
		return NewCampaign{ResourceID: "r", Product: "p", Target: Target{All: true}, Waves: []WaveSpec{{Tag: "canary"}, {Percent: 10}}}
	}
	cases := []struct {
		name   string
		mutate func(*NewCampaign)
		fields []string
	}{
		{"valid", func(*NewCampaign) {}, nil},
		{"thresholds and timeout", func(n *NewCampaign) {
			n.SuccessThreshold, n.ErrorThreshold, n.WaveTimeout = pct(0), pct(100), time.Hour
		}, nil},
		{"one device", func(n *NewCampaign) { n.Target = Target{Device: "d"} }, []string{"waves"}},
		{"two specs in one wave", func(n *NewCampaign) { n.Waves[1].Count = 3 }, []string{"waves[1]"}},
		{"empty wave", func(n *NewCampaign) { n.Waves = append(n.Waves, WaveSpec{}) }, []string{"waves[2]"}},
		{"bad tag", func(n *NewCampaign) { n.Waves[0].Tag = "a/b" }, []string{"waves[0].tag"}},
		{"tag twice", func(n *NewCampaign) { n.Waves[1] = WaveSpec{Tag: "canary"} }, []string{"waves[1].tag"}},
		{"negative count", func(n *NewCampaign) { n.Waves[1] = WaveSpec{Count: -1} }, []string{"waves[1].count"}},
		{"percent over 100", func(n *NewCampaign) { n.Waves[1] = WaveSpec{Percent: 101} }, []string{"waves[1].percent", "waves"}},
		{"percents over 100", func(n *NewCampaign) { n.Waves = []WaveSpec{{Percent: 60}, {Percent: 50}} }, []string{"waves"}},
		{"too many", func(n *NewCampaign) { n.Waves = make([]WaveSpec, MaxWaves+1); fillCounts1(n.Waves) }, []string{"waves"}},
		{"thresholds out of range", func(n *NewCampaign) { n.SuccessThreshold, n.ErrorThreshold = pct(-1), pct(101) },
			[]string{"successThreshold", "errorThreshold"}},
		{"timeout too short", func(n *NewCampaign) { n.WaveTimeout = time.Second }, []string{"waveTimeoutSeconds"}},
		{"timeout past the ttl", func(n *NewCampaign) { n.TTL, n.WaveTimeout = time.Hour, 2*time.Hour }, []string{"waveTimeoutSeconds"}},
		{"thresholds without waves", func(n *NewCampaign) { n.Waves, n.SuccessThreshold, n.WaveTimeout = nil, pct(50), time.Hour },
			[]string{"successThreshold", "waveTimeoutSeconds"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := valid()
			tc.mutate(&n)
			err := n.validate()
			var got []string
			for _, f := range fieldsOf(err) {
				got = append(got, f.Field)
			}
			slices.Sort(got)
			want := slices.Clone(tc.fields)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("field errors %v, want %v (%v)", got, want, err)
			}
		})
	}
}

// fieldsOf returns the field errors of an apperr error.
func fieldsOf(err error) []apperr.FieldError {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae.Fields
	}
	return nil
}

func fillCounts1(ws []WaveSpec) {
	for i := range ws {
		ws[i].Count = 1
	}
}

// wavedCampaign is a campaign at wave `wave` of sizes, with per-wave
// counts.
func wavedCampaign(wave int, counts ...map[State]int64) Campaign {
	c := Campaign{Wave: wave, SuccessThreshold: 90, ErrorThreshold: 10, Status: CampaignActive,
		Counts: map[State]int64{StateSent: 1}}
	for _, wc := range counts {
		n := 0
		for _, v := range wc {
			n += int(v)
		}
		c.Waves = append(c.Waves, Wave{WaveSpec: WaveSpec{Count: n}, Size: n})
		c.WaveCounts = append(c.WaveCounts, fullCounts(wc))
	}
	return c
}

func TestDecide(t *testing.T) {
	now := time.Now()
	type m = map[State]int64
	cases := []struct {
		name string
		c    Campaign
		want verdictKind
	}{
		{"wave at the success threshold advances", wavedCampaign(1, m{StateSucceeded: 9, StateDownloading: 1}, m{StateWaiting: 10}), advance},
		{"skipped count as succeeded", wavedCampaign(1, m{StateSkipped: 5, StateSucceeded: 4, StateSent: 1}, m{StateWaiting: 10}), advance},
		{"below the threshold, devices still open: wait", wavedCampaign(1, m{StateSucceeded: 8, StateInstalling: 2}, m{StateWaiting: 10}), keep},
		{"ended below the threshold pauses", wavedCampaign(1, m{StateSucceeded: 8, StateCancelled: 2}, m{StateWaiting: 10}), pause},
		{"failures above the error threshold pause", wavedCampaign(1, m{StateSucceeded: 18, StateFailed: 3}, m{StateWaiting: 10}), pause},
		{"at the error threshold: no pause", wavedCampaign(1, m{StateSucceeded: 8, StateFailed: 1, StateSent: 1}, m{StateWaiting: 10}), keep},
		{"expired and rejected are failures", wavedCampaign(1, m{StateSucceeded: 5, StateExpired: 1, StateRejected: 1}, m{StateWaiting: 10}), pause},
		{"an empty wave advances", wavedCampaign(1, m{}, m{StateWaiting: 3}), advance},
		{"the last wave never advances", wavedCampaign(2, m{StateSucceeded: 10}, m{StateSucceeded: 5, StateSent: 5}), keep},
		{"waiting waves are not started devices", wavedCampaign(1, m{StateSucceeded: 9, StateFailed: 1}, m{StateWaiting: 1000}), advance},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if v := tc.c.decide(); v.kind != tc.want {
				t.Fatalf("decide = %v (%s), want %v; stats %+v", v.kind, v.reason, tc.want, tc.c.Stats())
			}
		})
	}

	c := wavedCampaign(1, m{StateSucceeded: 16, StateFailed: 3, StateSent: 2}, m{StateWaiting: 10})
	c.FailuresAcked = 3 // resumed with these failures: no pause until another
	if v := c.decide(); v.kind != keep {
		t.Fatalf("acknowledged failures: %v %s", v.kind, v.reason)
	}
	c.WaveCounts[0] = fullCounts(m{StateSucceeded: 16, StateFailed: 4, StateSent: 1})
	if v := c.decide(); v.kind != pause {
		t.Fatalf("one more failure: %v %s", v.kind, v.reason)
	}
	c.PausedAt = &now
	c.WaveCounts[0] = fullCounts(m{StateSucceeded: 21})
	if v := c.decide(); v.kind != keep {
		t.Fatalf("a paused campaign advanced: %v", v.kind)
	}
	for _, st := range []CampaignStatus{CampaignCompleted, CampaignCancelled, CampaignExpired} {
		c.Status = st
		if v := c.decide(); v.kind != finish {
			t.Fatalf("%s: %v", st, v.kind)
		}
	}
	c.FinishedAt = &now
	if v := c.decide(); v.kind != keep {
		t.Fatalf("finished: %v", v.kind)
	}
	plain := Campaign{Status: CampaignActive}
	if v := plain.decide(); v.kind != keep {
		t.Fatalf("without waves: %v", v.kind)
	}
	plain.Status = CampaignCompleted
	if v := plain.decide(); v.kind != finish {
		t.Fatalf("completed without waves: %v", v.kind)
	}
}

func TestWavedStatus(t *testing.T) {
	now := time.Now()
	c := wavedCampaign(1, map[State]int64{StateExpired: 1, StateSent: 1}, map[State]int64{StateWaiting: 2})
	c.ExpiresAt = now.Add(time.Hour)
	c.Counts = map[State]int64{StateExpired: 1, StateSent: 1, StateWaiting: 2}
	if st := c.StatusAt(now); st != CampaignActive {
		t.Fatalf("a wave timeout made it %s", st)
	}
	c.PausedAt = &now
	if st := c.StatusAt(now); st != CampaignPaused {
		t.Fatalf("paused: %s", st)
	}
	if st := c.StatusAt(c.ExpiresAt); st != CampaignExpired {
		t.Fatalf("past its expiry: %s", st)
	}
	c.Outcome = CampaignCompleted
	if st := c.StatusAt(c.ExpiresAt); st != CampaignCompleted {
		t.Fatalf("finished: %s", st)
	}
}
