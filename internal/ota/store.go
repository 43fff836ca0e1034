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
	// OpenDevices returns the campaign's devices in one of SentStates.
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

	WaveStore

	// History lists a campaign's reports, newest first, of one device
	// unless device is "".
	History(ctx context.Context, campaignID, device string, pg page.Request) ([]HistoryEntry, int64, error)
	// Latest returns the device's latest progress; ok is false when there
	// is none.
	Latest(ctx context.Context, product, device string) (l Latest, ok bool, err error)

	IngestStore
}

// WaveState is a wave and a state, a key of CountStates.
type WaveState struct {
	Wave  int
	State State
}

// WaveStart is a wave about to start (WaveStore.StartWave).
type WaveStart struct {
	CampaignID string
	From, To   int // the current wave as read, and the next one
	// Manual starts it whether the campaign is paused or not, un-pausing
	// it and setting its accepted failures to FailuresAcked; an automatic
	// start needs the campaign unpaused and keeps them.
	Manual        bool
	FailuresAcked int64
	Deadline      *time.Time // the new wave deadline (nil: none)
	At            time.Time
	Event         CampaignEvent
}

// WaveStore moves campaigns through their waves. Each change is
// conditional on the campaign's row (current wave, paused or not, not
// cancelled or finished), so that of two nodes deciding the same change
// only one makes it (ok false for the other), and records its event in the
// same transaction. Events are kept until sent (PendingEvents) unless
// their kind is not sent (EventKind.SinkType "").
type WaveStore interface {
	// StartWave makes w.To the current wave when the campaign's is still
	// w.From, unexpired at w.At, and its waiting devices of that wave
	// sent.
	StartWave(ctx context.Context, w WaveStart) (bool, error)
	// PauseCampaign pauses an unpaused campaign (at its wave, unless wave
	// is 0) with ev's reason.
	PauseCampaign(ctx context.Context, id string, wave int, ev CampaignEvent) (bool, error)
	// UnpauseCampaign resumes a paused campaign, accepting failuresAcked
	// failures and setting its wave deadline.
	UnpauseCampaign(ctx context.Context, id string, failuresAcked int64, deadline *time.Time, ev CampaignEvent) (bool, error)
	// FinishCampaign records an unfinished campaign's outcome.
	FinishCampaign(ctx context.Context, id string, outcome CampaignStatus, ev CampaignEvent) (bool, error)
	// AddCampaignEvent records an event.
	AddCampaignEvent(ctx context.Context, ev CampaignEvent) error
	// ExpireWaves expires, when the campaign's wave deadline is not after
	// now, the devices of its started waves in one of SentStates, clears
	// the deadline, and returns how many it expired.
	ExpireWaves(ctx context.Context, id string, now time.Time) (int64, error)
	// CountWaveStates returns the devices per wave and state of each
	// campaign (with waves); pairs without devices are absent.
	CountWaveStates(ctx context.Context, ids []string) (map[string]map[WaveState]int64, error)
	// WaveDevices returns the devices of a campaign's wave in state sent.
	WaveDevices(ctx context.Context, id string, wave int) ([]string, error)
	// UnfinishedCampaigns returns the campaigns without an outcome.
	UnfinishedCampaigns(ctx context.Context) ([]string, error)
	// DueWaves returns the unfinished campaigns whose wave deadline is not
	// after now.
	DueWaves(ctx context.Context, now time.Time) ([]string, error)
	// CampaignEvents lists a campaign's events, by id (newest first unless
	// pg says ASC).
	CampaignEvents(ctx context.Context, id string, pg page.Request) ([]CampaignEvent, int64, error)
	// PendingEvents returns at most limit events not sent yet, oldest
	// first.
	PendingEvents(ctx context.Context, limit int) ([]CampaignEvent, error)
	// ClaimEvent marks an unsent event sent at at; false when it was sent
	// or claimed already.
	ClaimEvent(ctx context.Context, id int64, at time.Time) (bool, error)
	// ReleaseEvent marks a claimed event unsent again.
	ReleaseEvent(ctx context.Context, id int64) error
}
