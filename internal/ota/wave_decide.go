package ota

import "fmt"

// WaveStats are the numbers a wave decision rests on, recorded with it
// and sent in its event. Succeeded counts skipped devices (they already
// run the version); failures are failed, rejected and expired devices.
type WaveStats struct {
	Wave             int   `json:"wave"`  // the current wave
	Waves            int   `json:"waves"` // how many there are
	WaveSize         int64 `json:"waveSize"`
	WaveSucceeded    int64 `json:"waveSucceeded"`
	WaveOpen         int64 `json:"waveOpen"` // the current wave's devices not final yet
	Started          int64 `json:"started"`  // the devices of the waves up to the current one
	Failures         int64 `json:"failures"` // among them
	FailuresAcked    int64 `json:"failuresAcked"`
	SuccessThreshold int   `json:"successThreshold"`
	ErrorThreshold   int   `json:"errorThreshold"`
}

// failure reports whether s counts against the error threshold.
func failure(s State) bool { return s == StateFailed || s == StateRejected || s == StateExpired }

// Stats returns the wave numbers of c (from WaveCounts); zero without
// waves.
func (c Campaign) Stats() WaveStats {
	st := WaveStats{Wave: c.Wave, Waves: len(c.Waves), FailuresAcked: c.FailuresAcked,
		SuccessThreshold: c.SuccessThreshold, ErrorThreshold: c.ErrorThreshold}
	for i, counts := range c.WaveCounts {
		if i+1 > c.Wave {
			break
		}
		for s, n := range counts {
			st.Started += n
			if failure(s) {
				st.Failures += n
			}
			if i+1 == c.Wave {
				st.WaveSize += n
				if s == StateSucceeded || s == StateSkipped {
					st.WaveSucceeded += n
				}
				if !s.Final() {
					st.WaveOpen += n
				}
			}
		}
	}
	return st
}

// pct is n of total in whole percent, rounded down (100 for an empty
// total).
func pct(n, total int64) int64 {
	if total == 0 {
		return 100
	}
	return n * 100 / total
}

// verdictKind is what settling a campaign does.
type verdictKind int

const (
	keep    verdictKind = iota // nothing to do
	finish                     // record the outcome, send campaign.finished
	pause                      // stop starting waves
	advance                    // start the next wave
)

// verdict is a settle decision with its reason (for the campaign's
// events).
type verdict struct {
	kind   verdictKind
	reason string
}

// decide says what to do with c as read (with counts and status, see
// Service.withCounts), in this order:
//
//  1. A finished campaign stays as it is.
//  2. A cancelled, expired or completed one finishes.
//  3. Without waves, or paused, nothing else happens.
//  4. Failures above the error threshold (a share of the started devices,
//     strictly above it) pause, when there are more than an operator
//     accepted by resuming.
//  5. Before the last wave: the current wave's succeeded share at or above
//     the success threshold starts the next wave; a current wave whose
//     devices are all final below it pauses (an operator resumes or
//     advances by hand).
func (c Campaign) decide() verdict {
	switch {
	case c.FinishedAt != nil:
		return verdict{kind: keep}
	case c.Status == CampaignCancelled || c.Status == CampaignExpired || c.Status == CampaignCompleted:
		return verdict{kind: finish, reason: "the campaign is " + string(c.Status)}
	case len(c.Waves) == 0 || c.PausedAt != nil:
		return verdict{kind: keep}
	}
	st := c.Stats()
	if st.Failures > st.FailuresAcked && st.Failures*100 > int64(c.ErrorThreshold)*st.Started {
		return verdict{kind: pause, reason: fmt.Sprintf("%d of %d started devices failed (%d%%), above the error threshold of %d%%",
			st.Failures, st.Started, pct(st.Failures, st.Started), c.ErrorThreshold)}
	}
	if c.Wave >= len(c.Waves) {
		return verdict{kind: keep}
	}
	if st.WaveSucceeded*100 >= int64(c.SuccessThreshold)*st.WaveSize {
		return verdict{kind: advance, reason: fmt.Sprintf("wave %d: %d of %d devices succeeded (%d%%), the success threshold is %d%%",
			c.Wave, st.WaveSucceeded, st.WaveSize, pct(st.WaveSucceeded, st.WaveSize), c.SuccessThreshold)}
	}
	if st.WaveOpen == 0 {
		return verdict{kind: pause, reason: fmt.Sprintf("wave %d ended with %d of %d devices succeeded (%d%%), below the success threshold of %d%%",
			c.Wave, st.WaveSucceeded, st.WaveSize, pct(st.WaveSucceeded, st.WaveSize), c.SuccessThreshold)}
	}
	return verdict{kind: keep}
}
