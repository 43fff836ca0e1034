package ota

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/device"
)

// A campaign may reach its devices in waves (issue 17, "OTA waves"): the
// first wave gets the command when the campaign is created, each next one
// when the current wave's devices succeeded to the success threshold, and
// the campaign pauses when the failures among the devices of the started
// waves pass the error threshold. Devices of waves not started are sent
// nothing (state waiting). Which device is in which wave is decided once,
// at creation, and stored with the device's entry.

// MaxWaves bounds the waves of a plan (the devices it leaves make one more).
const MaxWaves = 20

// maxWaveCount bounds the count of a count wave.
const maxWaveCount = 1_000_000

// Thresholds of a campaign with waves when the request names none, in
// percent.
const (
	DefaultSuccessThreshold = 95
	DefaultErrorThreshold   = 10
)

// WaveSpec is one wave of a plan as asked: exactly one of Tag (the
// target's devices with that tag), Count (that many devices) and Percent
// (that percent of the target's devices, rounded up).
type WaveSpec struct {
	Tag     string
	Count   int
	Percent int
}

// Wave is one wave of a campaign with its devices fixed at creation. The
// zero WaveSpec is the last wave, of the devices the plan left ("the
// rest").
type Wave struct {
	WaveSpec
	Size int // its devices
}

// Rest reports whether w is the wave of the devices the plan left.
func (w Wave) Rest() bool { return w.WaveSpec == WaveSpec{} }

// validateWaves checks the waves part of n; add reports a field error.
func (n *NewCampaign) validateWaves(add func(field, msg string)) {
	waved := len(n.Waves) > 0
	if waved && n.Target.Device != "" {
		add("waves", "need a tag or all target: a one-device campaign is one wave")
	}
	if len(n.Waves) > MaxWaves {
		add("waves", fmt.Sprintf("must be at most %d waves (the devices they leave make one more)", MaxWaves))
	}
	percent := 0
	tags := map[string]bool{}
	for i, w := range n.Waves {
		f := fmt.Sprintf("waves[%d]", i)
		set := 0
		for _, on := range []bool{w.Tag != "", w.Count != 0, w.Percent != 0} {
			if on {
				set++
			}
		}
		switch {
		case set != 1:
			add(f, `must be exactly one of {"tag":name}, {"count":N} or {"percent":P}`)
		case w.Tag != "" && !device.ValidName(w.Tag):
			add(f+".tag", nameRule)
		case w.Tag != "" && tags[w.Tag]:
			add(f+".tag", "names the tag of an earlier wave")
		case w.Count < 0 || w.Count > maxWaveCount:
			add(f+".count", fmt.Sprintf("must be from 1 to %d", maxWaveCount))
		case w.Percent < 0 || w.Percent > 100:
			add(f+".percent", "must be from 1 to 100")
		}
		tags[w.Tag] = w.Tag != ""
		percent += max(w.Percent, 0)
	}
	if percent > 100 {
		add("waves", "the percents of the waves add up to more than 100")
	}
	threshold := func(field string, v *int) {
		switch {
		case v == nil:
		case !waved:
			add(field, "applies only to a campaign with waves")
		case *v < 0 || *v > 100:
			add(field, "must be a percent from 0 to 100")
		}
	}
	threshold("successThreshold", n.SuccessThreshold)
	threshold("errorThreshold", n.ErrorThreshold)
	switch {
	case n.WaveTimeout == 0:
	case !waved:
		add("waveTimeoutSeconds", "applies only to a campaign with waves")
	case n.WaveTimeout < MinCampaignTTL || (n.TTL != 0 && n.WaveTimeout > n.TTL) || n.WaveTimeout > MaxCampaignTTL:
		add("waveTimeoutSeconds", "must be from 60 to the campaign's ttlSeconds")
	}
}

// plan sets c's waves from n (fixing its devices' waves, see splitWaves)
// and returns each device's wave. tagged holds, per tag wave, the
// product's devices with that tag.
func (n NewCampaign) plan(c *Campaign, devices []string, tagged map[string][]string) (map[string]int, error) {
	waves, waveOf, err := splitWaves(c.ID, n.Waves, devices, tagged)
	if err != nil {
		return nil, err
	}
	c.Waves, c.Wave, c.WaveTimeout = waves, 1, n.WaveTimeout
	c.SuccessThreshold, c.ErrorThreshold = DefaultSuccessThreshold, DefaultErrorThreshold
	if n.SuccessThreshold != nil {
		c.SuccessThreshold = *n.SuccessThreshold
	}
	if n.ErrorThreshold != nil {
		c.ErrorThreshold = *n.ErrorThreshold
	}
	c.WaveDeadline = c.deadlineAfter(c.CreatedTime)
	return waveOf, nil
}

// splitWaves assigns the target's devices to the waves of specs. A tag
// wave takes the devices with its tag (tagged[tag]) that no earlier tag
// wave took; then count and percent waves, in order, take from the other
// devices ordered by waveHash (so every node and every restart agrees, and
// the split does not follow device names); the devices left form one more
// wave. A percent is of all the target's devices, rounded up; a wave gets
// what is left when that is less. It returns the waves and each device's
// wave (1-based). A tag wave without a device is Invalid.
func splitWaves(campaignID string, specs []WaveSpec, devices []string, tagged map[string][]string) ([]Wave, map[string]int, error) {
	waveOf := make(map[string]int, len(devices))
	inTarget := make(map[string]bool, len(devices))
	for _, d := range devices {
		inTarget[d] = true
	}
	waves := make([]Wave, len(specs))
	for i, s := range specs {
		waves[i].WaveSpec = s
		if s.Tag == "" {
			continue
		}
		for _, d := range tagged[s.Tag] {
			if inTarget[d] && waveOf[d] == 0 {
				waveOf[d] = i + 1
				waves[i].Size++
			}
		}
		if waves[i].Size == 0 {
			return nil, nil, apperr.Fields(apperr.FieldError{Field: fmt.Sprintf("waves[%d].tag", i),
				Message: "no device of the target (not taken by an earlier wave) has this tag"})
		}
	}
	rest := make([]string, 0, len(devices))
	for _, d := range devices {
		if waveOf[d] == 0 {
			rest = append(rest, d)
		}
	}
	slices.SortFunc(rest, func(a, b string) int {
		return cmp.Or(cmp.Compare(waveHash(campaignID, a), waveHash(campaignID, b)), cmp.Compare(a, b))
	})
	total := len(devices)
	for i, s := range specs {
		if s.Tag != "" {
			continue
		}
		want := s.Count
		if s.Percent > 0 {
			want = (s.Percent*total + 99) / 100
		}
		take := min(want, len(rest))
		for _, d := range rest[:take] {
			waveOf[d] = i + 1
		}
		waves[i].Size, rest = take, rest[take:]
	}
	if len(rest) > 0 {
		for _, d := range rest {
			waveOf[d] = len(waves) + 1
		}
		waves = append(waves, Wave{Size: len(rest)})
	}
	return waves, waveOf, nil
}

// waveHash orders a campaign's devices for the split: FNV-1a of the
// campaign id, "/" and the device name.
func waveHash(campaignID, device string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(campaignID))
	h.Write([]byte{'/'})
	h.Write([]byte(device))
	return h.Sum64()
}

// waveTimeoutError is the error text of devices a wave timeout expired.
const waveTimeoutError = "no final report within the wave timeout"

// deadlineAfter is the wave deadline of a wave started at at, nil without
// a wave timeout.
func (c Campaign) deadlineAfter(at time.Time) *time.Time {
	if c.WaveTimeout <= 0 {
		return nil
	}
	d := at.Add(c.WaveTimeout)
	return &d
}
