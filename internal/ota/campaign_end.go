package ota

import (
	"context"
	"fmt"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/project"
)

// CancelCampaign withdraws a campaign (maintainers and owners; "abort"
// for a campaign with waves): its devices in an open state, the waiting
// ones of waves not started included, become cancelled, which is final.
// Nothing is published: devices ignore the command once it expires, and a
// device already installing may still finish and report; its report is
// kept in the history but moves nothing. The end is recorded (by p) and
// sent as campaign.finished. Cancelling a cancelled campaign returns it
// unchanged; an expired one is a Conflict.
func (s *Service) CancelCampaign(ctx context.Context, p account.Principal, id string) (Campaign, error) {
	c, err := s.campaign(ctx, p, id, project.Publish)
	if err != nil {
		return Campaign{}, err
	}
	if c.CancelledAt == nil {
		now := s.stamp()
		c, err = s.store.CancelCampaign(ctx, c.ID, now, func(c Campaign) error {
			if c.CancelledAt == nil && !now.Before(c.ExpiresAt) {
				return apperr.New(apperr.Conflict, "the campaign has expired; there is nothing to cancel")
			}
			return nil
		})
		if err != nil {
			return Campaign{}, err
		}
		if c, err = s.withCounts(ctx, c); err != nil {
			return Campaign{}, err
		}
		if c.FinishedAt == nil {
			if err := s.finish(ctx, c, p.UserID, "cancelled by hand"); err != nil {
				s.log.Warn("cancelled campaign not finished; the sweep does", "campaign", c.ID, "error", err)
			}
		}
	}
	return s.withCounts(ctx, c)
}

// ExpireDue ends every expired campaign's open devices (expired), and the
// devices of started waves past their wave deadline, and returns how many
// devices it moved. Run calls it every SweepEvery.
func (s *Service) ExpireDue(ctx context.Context) (int64, error) {
	now := s.stamp()
	ids, err := s.store.ExpiredCampaigns(ctx, now)
	if err != nil {
		return 0, fmt.Errorf("ota: expired campaigns: %w", err)
	}
	var total int64
	for _, id := range ids {
		n, err := s.store.SetOpenEntries(ctx, id, nil, StateExpired, "", now)
		if err != nil {
			return total, fmt.Errorf("ota: expire campaign %s: %w", id, err)
		}
		total += n
		s.kick(id)
	}
	due, err := s.store.DueWaves(ctx, now)
	if err != nil {
		return total, fmt.Errorf("ota: due waves: %w", err)
	}
	for _, id := range due {
		n, err := s.store.ExpireWaves(ctx, id, now)
		if err != nil {
			return total, fmt.Errorf("ota: expire waves of campaign %s: %w", id, err)
		}
		total += n
		s.kick(id)
	}
	return total, nil
}
