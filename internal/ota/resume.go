package ota

import (
	"context"
	"fmt"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/project"
)

// ResumeCampaign sends a campaign's ota_upgrade command again to its
// devices still in a non-final state (maintainers and owners of its
// project): for a campaign stuck after an outage, a device that lost the
// command or never got it. Devices in a final state are left alone, and
// the command is the one first published (same request id and download
// URL), so a device that already acted on it ignores it or reports again.
// A tag campaign's command goes once more to the tag. It returns the
// campaign with its counts and how many devices were open.
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
	open, err := s.store.OpenDevices(ctx, c.ID)
	if err != nil {
		return Campaign{}, 0, fmt.Errorf("ota: resume campaign %s: %w", c.ID, err)
	}
	if len(open) == 0 {
		return c, 0, nil
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.PublishTimeout)
	defer cancel()
	if _, sent, err := s.publishEach(pctx, c.upgrades(open)); err != nil && sent == 0 {
		return Campaign{}, 0, publishError(err, "nothing was sent again")
	}
	return c, len(open), nil
}
