package ota

import (
	"context"
	"fmt"
	"time"
)

// withCounts fills c.Counts, WaveCounts and Status, expiring c's open
// devices first when it has expired, and its started waves' unfinished
// devices when its wave deadline passed (lazily: Run's sweep may not have
// come by yet; Run is asked to settle it then).
func (s *Service) withCounts(ctx context.Context, c Campaign) (Campaign, error) {
	cs := []Campaign{c}
	if err := s.fillCounts(ctx, cs); err != nil {
		return Campaign{}, err
	}
	return cs[0], nil
}

func (s *Service) fillCounts(ctx context.Context, cs []Campaign) error {
	if len(cs) == 0 {
		return nil
	}
	counts, err := s.countStates(ctx, cs)
	if err != nil {
		return err
	}
	now := s.stamp()
	for i := range cs {
		c := &cs[i]
		c.setCounts(counts[c.ID], now)
		expired := c.CancelledAt == nil && !now.Before(c.ExpiresAt) && c.Open() > 0
		waveDue := c.Outcome == "" && c.WaveDeadline != nil && !now.Before(*c.WaveDeadline)
		if !expired && !waveDue {
			continue
		}
		if expired {
			if _, err := s.store.SetOpenEntries(ctx, c.ID, nil, StateExpired, "", now); err != nil {
				return fmt.Errorf("ota: expire campaign %s: %w", c.ID, err)
			}
		} else {
			if _, err := s.store.ExpireWaves(ctx, c.ID, now); err != nil {
				return fmt.Errorf("ota: expire waves of campaign %s: %w", c.ID, err)
			}
			c.WaveDeadline = nil // passed: cleared by ExpireWaves
		}
		again, err := s.countStates(ctx, []Campaign{*c})
		if err != nil {
			return err
		}
		c.setCounts(again[c.ID], now)
		s.kick(c.ID)
	}
	return nil
}

// setCounts fills Counts, WaveCounts and Status from per-wave counts.
func (c *Campaign) setCounts(byWave map[WaveState]int64, now time.Time) {
	sum := map[State]int64{}
	var waves []map[State]int64
	if len(c.Waves) > 0 {
		waves = make([]map[State]int64, len(c.Waves))
	}
	for k, n := range byWave {
		sum[k.State] += n
		if k.Wave >= 1 && k.Wave <= len(waves) {
			if waves[k.Wave-1] == nil {
				waves[k.Wave-1] = map[State]int64{}
			}
			waves[k.Wave-1][k.State] = n
		}
	}
	for i := range waves {
		waves[i] = fullCounts(waves[i])
	}
	c.Counts, c.WaveCounts = fullCounts(sum), waves
	c.Status = c.StatusAt(now)
}

// countStates counts the devices of cs per wave and state (wave 0 for the
// campaigns without waves, counted as before waves existed).
func (s *Service) countStates(ctx context.Context, cs []Campaign) (map[string]map[WaveState]int64, error) {
	var plain, waved []string
	for _, c := range cs {
		if len(c.Waves) > 0 {
			waved = append(waved, c.ID)
		} else {
			plain = append(plain, c.ID)
		}
	}
	out := map[string]map[WaveState]int64{}
	if len(plain) > 0 {
		counts, err := s.store.CountStates(ctx, plain)
		if err != nil {
			return nil, err
		}
		for id, byState := range counts {
			out[id] = make(map[WaveState]int64, len(byState))
			for st, n := range byState {
				out[id][WaveState{State: st}] = n
			}
		}
	}
	if len(waved) > 0 {
		counts, err := s.store.CountWaveStates(ctx, waved)
		if err != nil {
			return nil, err
		}
		for id, byWave := range counts {
			out[id] = byWave
		}
	}
	return out, nil
}
