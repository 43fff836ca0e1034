package ota

import (
	"context"
	"fmt"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/device"
	"github.com/hoist-ota/hoist/internal/page"
	"github.com/hoist-ota/hoist/internal/project"
)

// planWaves splits a new campaign's targets into the waves of n (see
// splitWaves) and returns each device's wave.
func (s *Service) planWaves(ctx context.Context, n NewCampaign, c *Campaign, targets []device.Version) (map[string]int, error) {
	tagged := map[string][]string{}
	for _, w := range n.Waves {
		if w.Tag == "" {
			continue
		}
		vs, err := s.devices.Versions(ctx, n.Product, w.Tag)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			tagged[w.Tag] = append(tagged[w.Tag], v.Name)
		}
	}
	names := make([]string, len(targets))
	for i, t := range targets {
		names[i] = t.Name
	}
	return n.plan(c, names, tagged)
}

// firstWaveStarted records the start of a new campaign's first wave (by
// its creator) and settles the campaign: an empty or all-skipped first
// wave starts the next one at once.
func (s *Service) firstWaveStarted(ctx context.Context, c Campaign, actor string) {
	c, err := s.withCounts(ctx, c)
	if err == nil {
		err = s.store.AddCampaignEvent(ctx, newEvent(c, EventWaveStarted, 1, actor, "the campaign started", c.CreatedTime))
	}
	if err == nil {
		err = s.settle(ctx, c.ID)
	}
	if err != nil { // the sweep settles it
		s.log.Warn("new campaign not settled", "campaign", c.ID, "error", err)
	}
	s.flushEvents(ctx)
}

// PauseCampaign pauses a campaign with waves (maintainers and owners): no
// further wave starts until it is resumed. Devices already sent the
// command go on (a command cannot be withdrawn). Pausing a paused campaign
// returns it unchanged.
//
// Errors: NotFound, Forbidden as for CancelCampaign; Conflict for a
// campaign without waves or one that is no longer active.
func (s *Service) PauseCampaign(ctx context.Context, p account.Principal, id string) (Campaign, error) {
	c, err := s.liveWaved(ctx, p, id, "pause")
	if err != nil {
		return Campaign{}, err
	}
	if c.PausedAt == nil {
		if _, err := s.store.PauseCampaign(ctx, c.ID, 0, newEvent(c, EventPaused, c.Wave, p.UserID, "paused by hand", s.stamp())); err != nil {
			return Campaign{}, fmt.Errorf("ota: pause campaign %s: %w", c.ID, err)
		}
		s.flushEvents(ctx)
	}
	return s.reload(ctx, c.ID)
}

// AdvanceCampaign starts a campaign's next wave now, whatever the
// thresholds say (maintainers and owners); a paused campaign is resumed,
// accepting its failures so far.
//
// Errors as for PauseCampaign, and Conflict when the last wave has
// started or the campaign changed meanwhile.
func (s *Service) AdvanceCampaign(ctx context.Context, p account.Principal, id string) (Campaign, error) {
	c, err := s.liveWaved(ctx, p, id, "advance")
	if err != nil {
		return Campaign{}, err
	}
	if c.Wave >= len(c.Waves) {
		return Campaign{}, apperr.New(apperr.Conflict, "the last wave (%d) has started; there is no next wave", c.Wave)
	}
	ok, err := s.startWave(ctx, c, p.UserID, "started by hand", true)
	if err != nil {
		return Campaign{}, err
	}
	if !ok {
		return Campaign{}, apperr.New(apperr.Conflict, "the campaign changed meanwhile (another wave started or it ended); reload it")
	}
	if err := s.settle(ctx, c.ID); err != nil {
		s.log.Warn("campaign not settled after an advance", "campaign", c.ID, "error", err)
	}
	return s.reload(ctx, c.ID)
}

// liveWaved loads a campaign with waves that is still active or paused,
// for a change by p (Publish).
func (s *Service) liveWaved(ctx context.Context, p account.Principal, id, what string) (Campaign, error) {
	c, err := s.campaign(ctx, p, id, project.Publish)
	if err != nil {
		return Campaign{}, err
	}
	if c, err = s.withCounts(ctx, c); err != nil {
		return Campaign{}, err
	}
	switch {
	case len(c.Waves) == 0:
		return Campaign{}, apperr.New(apperr.Conflict, "the campaign has no waves: every device was sent the command when it started; cancel it instead")
	case c.Status != CampaignActive && c.Status != CampaignPaused:
		return Campaign{}, apperr.New(apperr.Conflict, "the campaign is %s; there is nothing to %s", c.Status, what)
	}
	return c, nil
}

// reload reads a campaign again with its counts.
func (s *Service) reload(ctx context.Context, id string) (Campaign, error) {
	c, err := s.store.Campaign(ctx, id)
	if err != nil {
		return Campaign{}, err
	}
	return s.withCounts(ctx, c)
}

// unpause resumes a paused campaign by actor: its failures so far are
// accepted, its wave deadline starts again, and when its current wave has
// ended (the reason it paused, or the operator waited for it) the next
// wave starts.
func (s *Service) unpause(ctx context.Context, c Campaign, actor string) error {
	now := s.stamp()
	st := c.Stats()
	ok, err := s.store.UnpauseCampaign(ctx, c.ID, st.Failures, c.deadlineAfter(now), newEvent(c, EventResumed, c.Wave, actor, "resumed by hand", now))
	if err != nil || !ok {
		return err
	}
	if st.WaveOpen == 0 && c.Wave < len(c.Waves) {
		c.PausedAt, c.FailuresAcked = nil, st.Failures
		reason := fmt.Sprintf("resumed by hand after wave %d ended (%d of %d succeeded)", c.Wave, st.WaveSucceeded, st.WaveSize)
		if _, err := s.startWave(ctx, c, actor, reason, true); err != nil {
			return err
		}
	}
	return nil
}

// startWave starts c's next wave (c as read, with counts) by actor and
// publishes ota_upgrade to its devices, one per device. It returns false
// when the campaign changed since it was read (another node, or request,
// made a change first). Devices the broker did not take stay sent: they
// get the command when they subscribe again (ResendPending) or on a
// resume.
func (s *Service) startWave(ctx context.Context, c Campaign, actor, reason string, manual bool) (bool, error) {
	now := s.stamp()
	to := c.Wave + 1
	w := WaveStart{CampaignID: c.ID, From: c.Wave, To: to, Manual: manual, FailuresAcked: c.FailuresAcked,
		Deadline: c.deadlineAfter(now), At: now, Event: newEvent(c, EventWaveStarted, to, actor, reason, now)}
	if manual {
		w.FailuresAcked = c.Stats().Failures
	}
	ok, err := s.store.StartWave(ctx, w)
	if err != nil || !ok {
		return false, err
	}
	devices, err := s.store.WaveDevices(ctx, c.ID, to)
	if err != nil {
		return true, fmt.Errorf("ota: devices of wave %d of campaign %s: %w", to, c.ID, err)
	}
	if len(devices) > 0 {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.PublishTimeout)
		defer cancel()
		if _, sent, err := s.publishEach(pctx, c.upgrades(devices)); err != nil {
			s.log.Warn("wave partly published; the others get it when they reconnect or on a resume", "campaign", c.ID, "wave", to,
				"published", sent, "devices", len(devices), "error", err)
		}
	}
	s.flushEvents(ctx)
	return true, nil
}

// settle decides what a campaign's counts call for (Campaign.decide) and
// does it, until nothing more is called for: start the next wave (again
// for empty or all-skipped waves), pause, or finish.
func (s *Service) settle(ctx context.Context, id string) error {
	for range MaxWaves + 3 {
		c, err := s.store.Campaign(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			return nil // deleted meanwhile
		}
		if err != nil || c.FinishedAt != nil {
			return err
		}
		if c, err = s.withCounts(ctx, c); err != nil {
			return err
		}
		v := c.decide()
		switch v.kind {
		case keep:
			return nil
		case finish:
			return s.finish(ctx, c, ActorSystem, v.reason)
		case pause:
			if _, err := s.store.PauseCampaign(ctx, c.ID, c.Wave, newEvent(c, EventPaused, c.Wave, ActorSystem, v.reason, s.stamp())); err != nil {
				return fmt.Errorf("ota: pause campaign %s: %w", c.ID, err)
			}
			s.flushEvents(ctx)
			return nil
		case advance:
			if ok, err := s.startWave(ctx, c, ActorSystem, v.reason, false); err != nil || !ok {
				return err
			}
		}
	}
	return nil
}

// finish records c's outcome (its status as read) and sends
// campaign.finished, once.
func (s *Service) finish(ctx context.Context, c Campaign, actor, reason string) error {
	if _, err := s.store.FinishCampaign(ctx, c.ID, c.Status, newEvent(c, EventFinished, c.Wave, actor, reason, s.stamp())); err != nil {
		return fmt.Errorf("ota: finish campaign %s: %w", c.ID, err)
	}
	s.flushEvents(ctx)
	return nil
}

// Settle settles every unfinished campaign (starts next waves, pauses,
// records outcomes) and sends the events not sent yet. Run calls it every
// SweepEvery; a device's final report makes Run settle its campaign at
// once. It returns the first error and goes on with the others.
func (s *Service) Settle(ctx context.Context) error {
	ids, err := s.store.UnfinishedCampaigns(ctx)
	if err != nil {
		return fmt.Errorf("ota: unfinished campaigns: %w", err)
	}
	var first error
	for _, id := range ids {
		if err := s.settle(ctx, id); err != nil && first == nil {
			first = err
		}
	}
	s.flushEvents(ctx)
	return first
}

// CampaignEvents lists a campaign's wave starts, pauses, resumes and end
// (anyone who can read its project), newest first unless pg says ASC.
func (s *Service) CampaignEvents(ctx context.Context, p account.Principal, id string, pg page.Request) ([]CampaignEvent, int64, error) {
	c, err := s.campaign(ctx, p, id, project.Read)
	if err != nil {
		return nil, 0, err
	}
	return s.store.CampaignEvents(ctx, c.ID, pg)
}

// kick asks Run to settle the campaigns soon.
func (s *Service) kick(ids ...string) {
	if len(ids) == 0 {
		return
	}
	s.dirtyMu.Lock()
	for _, id := range ids {
		s.dirty[id] = true
	}
	s.dirtyMu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default: // a wake-up is pending
	}
}

// settleKicked settles the campaigns kicked since the last time.
func (s *Service) settleKicked(ctx context.Context) {
	s.dirtyMu.Lock()
	ids := keysOf(s.dirty)
	s.dirty = map[string]bool{}
	s.dirtyMu.Unlock()
	for _, id := range ids {
		if err := s.settle(ctx, id); err != nil {
			s.log.Warn("campaign not settled; tried again at the next sweep", "campaign", id, "error", err)
		}
	}
}
