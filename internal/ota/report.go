package ota

import (
	"context"
	"fmt"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/project"
	"github.com/hoist-ota/hoist/internal/topic"
)

// HandleProgress takes a device's OTA progress report (update_ota_status),
// received at at (zero means now). The bridge calls it after deduplicating
// by message id; messageID only names the report in errors.
//
// The report is normalised (ParseProgress). It belongs to the campaign
// whose request id it quotes, or, without a requestId, to the device's
// most recently updated open entry of an unexpired campaign; that entry
// moves by Next, and an entry whose campaign expired before at becomes
// expired first. Final states stay final, so a repeated or late report is
// harmless. Whether or not a campaign matched, the report becomes the
// device's latest progress and is appended to the history (in batches,
// see Run). A currentVersion in the report, or else the version of the
// campaign the report just completed (succeeded), becomes the device's
// firmware version, so that a later campaign to that version skips it.
//
// Invalid (a malformed name or payload) is permanent. Other errors are
// transient: the state changes already made are idempotent, so the bridge
// may have the message redelivered.
func (s *Service) HandleProgress(ctx context.Context, product, device, messageID string, payload []byte, at time.Time) error {
	if !topic.ValidName(product) || !topic.ValidName(device) {
		return apperr.New(apperr.Invalid, "invalid device name in an OTA progress topic")
	}
	p, err := ParseProgress(payload)
	if err != nil {
		return fmt.Errorf("ota: progress %s of %s/%s: %w", messageID, product, device, err)
	}
	s.countReport(p.State)
	at = s.at(at)
	l := Latest{Product: product, Device: device, RequestID: p.RequestID, State: p.State, Progress: p.Percent,
		Report: p.Raw, ReceivedAt: at}
	h := HistoryEntry{Product: product, Device: device, State: p.State, Raw: p.Raw, ReceivedAt: at}
	var installed string // the campaign's version, when this report completed it
	e, err := s.store.UpdateEntry(ctx, product, device, p.RequestID, at, func(c Campaign, e *Entry) error {
		installed = ""
		if !e.State.Final() && !at.Before(c.ExpiresAt) {
			e.State, e.UpdatedTime = StateExpired, at
		}
		wasFinal := e.State.Final()
		e.apply(p, c.Version, at)
		if !wasFinal && e.State == StateSucceeded {
			installed = c.Version
		}
		return nil
	})
	version := p.CurrentVersion
	switch {
	case err == nil:
		l.CampaignID, l.State, h.CampaignID = e.CampaignID, e.State, e.CampaignID
		if version == "" {
			version = installed
		}
	case apperr.Is(err, apperr.NotFound): // no campaign: seed 000 had none either
	default:
		return fmt.Errorf("ota: progress %s of %s/%s: %w", messageID, product, device, err)
	}
	// What the device runs decides whether a later campaign skips it.
	if err := s.devices.RecordFirmwareVersion(ctx, product, device, version); err != nil {
		return fmt.Errorf("ota: firmware version of %s/%s: %w", product, device, err)
	}
	if err := s.latest.SetLatest(ctx, l); err != nil {
		return fmt.Errorf("ota: latest progress of %s/%s: %w", product, device, err)
	}
	return s.history.add(ctx, h)
}

// Latest returns a device's latest progress (anyone who can read the
// product's project); ok is false when it has reported none. NotFound for
// an unknown product or device.
func (s *Service) Latest(ctx context.Context, p account.Principal, product, device string) (Latest, bool, error) {
	if _, err := s.devices.Authorize(ctx, p, product, project.Read); err != nil {
		return Latest{}, false, err
	}
	if _, err := s.devices.Lookup(ctx, product, device); err != nil {
		return Latest{}, false, err
	}
	return s.latest.Latest(ctx, product, device)
}
