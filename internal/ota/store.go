package ota

import (
	"context"
	"time"

	"github.com/hoist-ota/hoist/internal/page"
)

// Store keeps commands, campaigns, their devices and the progress history.
// Not found is apperr NotFound.
type Store interface {
	// CreateCommand inserts a command.
	CreateCommand(ctx context.Context, c Command) error
	Command(ctx context.Context, requestID string) (Command, error)
	// DeleteCommand deletes a command that was never published.
	DeleteCommand(ctx context.Context, requestID string) error
	// PutReply stores a device's reply to a command, replacing its earlier
	// one.
	PutReply(ctx context.Context, r Reply) error
	// Replies returns at most limit replies to a command, by device name,
	// and how many there are.
	Replies(ctx context.Context, requestID string, limit int) ([]Reply, int64, error)

	// CreateCampaign inserts a campaign with its devices, all or none, in
	// one transaction (the devices in batches).
	CreateCampaign(ctx context.Context, c Campaign, entries []Entry) error
	// PendingUpgrades returns the campaigns whose command the device has
	// not acted on (entry still sent), unexpired and not cancelled.
	PendingUpgrades(ctx context.Context, product, device string, now time.Time) ([]Campaign, error)
	// DeleteCampaign deletes a campaign with its devices and history.
	DeleteCampaign(ctx context.Context, id string) error
	Campaign(ctx context.Context, id string) (Campaign, error)
	ListCampaigns(ctx context.Context, f CampaignFilter, pg page.Request) ([]Campaign, int64, error)
	// CountStates returns the devices per state of each campaign; states
	// without devices are absent.
	CountStates(ctx context.Context, ids []string) (map[string]map[State]int64, error)
	// ListEntries lists a campaign's devices, of one state unless state
	// is "".
	ListEntries(ctx context.Context, campaignID string, state State, pg page.Request) ([]Entry, int64, error)
	// OpenDevices returns the campaign's devices in an open state.
	OpenDevices(ctx context.Context, campaignID string) ([]string, error)
	// SetOpenEntries moves the campaign's devices in an open state to
	// state (with errText, at at) and returns how many moved; devices
	// limits it to those devices unless nil.
	SetOpenEntries(ctx context.Context, campaignID string, devices []string, state State, errText string, at time.Time) (int64, error)
	// CancelCampaign sets the campaign's cancelled and updated time to at
	// and its open devices to cancelled, in one transaction, after check
	// approves the campaign as loaded (locked).
	CancelCampaign(ctx context.Context, id string, at time.Time, check func(Campaign) error) (Campaign, error)
	// ExpiredCampaigns returns the campaigns not cancelled whose expiry is
	// not after now and that still have devices in an open state.
	ExpiredCampaigns(ctx context.Context, now time.Time) ([]string, error)

	// History lists a campaign's reports, newest first, of one device
	// unless device is "".
	History(ctx context.Context, campaignID, device string, pg page.Request) ([]HistoryEntry, int64, error)
	// Latest returns the device's latest progress; ok is false when there
	// is none.
	Latest(ctx context.Context, product, device string) (l Latest, ok bool, err error)

	IngestStore
}
