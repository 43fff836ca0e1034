package ota

import (
	"context"
	"fmt"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/project"
)

// ResumeCampaign goes on with a campaign (maintainers and owners of its
// project). A paused campaign with waves is unpaused first: the failures
// so far are accepted (the error threshold pauses again only on more), the
// wave timeout starts again, and when the current wave has ended the next
// one starts (by p). Then the campaign's ota_upgrade command is sent again
// to its devices that were sent it and are still in a non-final state: for
// a campaign stuck after an outage, a device that lost the command or
// never got it. Devices in a final state and those of waves not started
// are left alone, and the command is the one first published (same
// request id and download URL), so a device that already acted on it
// ignores it or reports again. A tag campaign without waves sends its
// command once more to the tag. It returns the campaign with its counts
// and how many devices were sent the command again.
//
// Errors: NotFound for an unknown campaign (or one p may not see),
// Forbidden without publish rights, Conflict for a cancelled or expired
// campaign, Unavailable when the broker took none of the commands.
func (s *Service) ResumeCampaign(ctx context.Context, p account.Principal, id string) (Campaign, int, error) {
	c, err := s.campaign(ctx, p, id, project.Publish)
	if err != nil {
		return Campaign{}, 0, err
	}
	if c, err = s.withCounts(ctx, c); err != nil {
		return Campaign{}, 0, err
	}
	switch c.Status {
	case CampaignCancelled, CampaignExpired:
		return Campaign{}, 0, apperr.New(apperr.Conflict, "the campaign is %s; start a new one", c.Status)
	}
	if len(c.Payload) == 0 {
		return Campaign{}, 0, apperr.New(apperr.Conflict, "the campaign has no stored command to send again")
	}
	open, err := s.store.OpenDevices(ctx, c.ID) // before a wave starts: its devices get the command once
	if err != nil {
		return Campaign{}, 0, fmt.Errorf("ota: resume campaign %s: %w", c.ID, err)
	}
	if c.PausedAt != nil {
		if err := s.unpause(ctx, c, p.UserID); err != nil {
			return Campaign{}, 0, fmt.Errorf("ota: resume campaign %s: %w", c.ID, err)
		}
	}
	if len(open) > 0 {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.PublishTimeout)
		defer cancel()
		if _, sent, err := s.publishEach(pctx, c.upgrades(open)); err != nil && sent == 0 {
			return Campaign{}, 0, publishError(err, "nothing was sent again")
		}
	}
	if len(c.Waves) == 0 {
		return c, len(open), nil
	}
	if err := s.settle(ctx, c.ID); err != nil {
		s.log.Warn("campaign not settled after a resume", "campaign", c.ID, "error", err)
	}
	c, err = s.reload(ctx, c.ID)
	return c, len(open), err
}
