package ota

import (
	"context"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/project"
)

// HandleProgress applies one OTA progress report (update_ota_status)
// received at at (zero means now): Ingest with one message, deduplicated
// by messageID unless it is "". See Ingest for what a report does: it
// moves its campaign entry (the campaign whose request id it quotes, or
// the device's most recently updated open entry of an unexpired campaign)
// by Next, becomes the device's latest progress, is appended to the
// history, and a currentVersion (or the version of the campaign it just
// completed) becomes the device's firmware version.
//
// Invalid (a malformed name or payload) is permanent; a duplicate is
// ErrDuplicate; other errors mean nothing was committed.
func (s *Service) HandleProgress(ctx context.Context, product, device, messageID string, payload []byte, at time.Time) error {
	return s.ingestOne(ctx, Message{Kind: KindProgress, Product: product, Device: device, MessageID: messageID, Payload: payload, At: at})
}

// ingestOne ingests one message and returns its outcome, NotFound (no
// campaign, an unknown device) excepted for progress reports.
func (s *Service) ingestOne(ctx context.Context, m Message) error {
	out, err := s.Ingest(ctx, []Message{m})
	if err != nil {
		return err
	}
	if m.Kind == KindProgress && apperr.Is(out[0], apperr.NotFound) {
		return nil
	}
	return out[0]
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
	return s.store.Latest(ctx, product, device)
}
