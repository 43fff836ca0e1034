package ota

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/device"
)

// CommandUpgrade is the command name of an OTA request (PROTOCOLS §3).
const CommandUpgrade = "ota_upgrade"

// Campaign lifetimes: ttlSeconds of a campaign must lie in this range.
const (
	DefaultCampaignTTL = 24 * time.Hour
	MinCampaignTTL     = time.Minute
	MaxCampaignTTL     = 30 * 24 * time.Hour
)

// TargetKind says which devices a campaign is for.
type TargetKind string

// Target kinds.
const (
	TargetDevice TargetKind = "device" // one device
	TargetTag    TargetKind = "tag"    // the devices with a tag (one send to the tag)
	TargetAll    TargetKind = "all"    // every device of the product
)

// Target names a campaign's devices: exactly one of Device, Tag and All.
type Target struct {
	Device string
	Tag    string
	All    bool
}

// Kind returns the kind of a valid target and its value ("" for all).
func (t Target) Kind() (TargetKind, string) {
	switch {
	case t.Device != "":
		return TargetDevice, t.Device
	case t.Tag != "":
		return TargetTag, t.Tag
	}
	return TargetAll, ""
}

// NewCampaign is the input of CreateCampaign.
type NewCampaign struct {
	ResourceID string
	Product    string
	Target     Target
	// TTL is the campaign's lifetime; 0 means DefaultCampaignTTL.
	TTL time.Duration
	// BaseURL makes a relative download URL (local storage) absolute when
	// the service has no public base URL: the URL the request came in at.
	BaseURL string
	// Waves, when set, is the wave plan (see waves.go); the devices it
	// leaves make one more wave. Nil: every device is sent the command now.
	Waves []WaveSpec
	// SuccessThreshold and ErrorThreshold are percents (nil: the
	// defaults); WaveTimeout expires the started waves' devices that have
	// not finished that long after their wave started (0: only the
	// campaign's TTL). All three need Waves.
	SuccessThreshold *int
	ErrorThreshold   *int
	WaveTimeout      time.Duration
}

func (n *NewCampaign) validate() error {
	var fs []apperr.FieldError
	add := func(field, msg string) { fs = append(fs, apperr.FieldError{Field: field, Message: msg}) }
	if n.ResourceID == "" {
		add("resourceId", "is required")
	}
	if !device.ValidName(n.Product) {
		add("product", nameRule)
	}
	set := 0
	if n.Target.Device != "" {
		set++
		if !device.ValidName(n.Target.Device) {
			add("target.device", nameRule)
		}
	}
	if n.Target.Tag != "" {
		set++
		if !device.ValidName(n.Target.Tag) {
			add("target.tag", nameRule)
		}
	}
	if n.Target.All {
		set++
	}
	if set != 1 {
		add("target", `must be exactly one of {"device":name}, {"tag":name} or {"all":true}`)
	}
	if n.TTL == 0 {
		n.TTL = DefaultCampaignTTL
	}
	if n.TTL < MinCampaignTTL || n.TTL > MaxCampaignTTL {
		add("ttlSeconds", "must be from 60 to 2592000 (30 days)")
	}
	n.validateWaves(add)
	if len(fs) > 0 {
		return apperr.Fields(fs...)
	}
	return nil
}

const nameRule = "must be 1 to 64 characters of A-Z a-z 0-9 _ . -"

// Campaign is one firmware resource sent to a device list fixed at
// creation.
type Campaign struct {
	ID          string
	ProjectID   string
	Product     string
	ResourceID  string
	Version     string // the resource's version: a report of this currentVersion confirms success
	TargetKind  TargetKind
	TargetValue string // the device or tag; "" for all
	// RequestID is the requestId of the ota_upgrade command; progress
	// reports quote it.
	RequestID   string
	ExpiresAt   time.Time
	CancelledAt *time.Time // nil unless cancelled
	CreatedBy   string
	CreatedTime time.Time
	UpdatedTime time.Time
	// Payload is the ota_upgrade command as published, sent again to
	// devices that were offline.
	Payload []byte

	// Waves is the wave plan with each wave's size, fixed at creation; nil
	// for a campaign without waves (every device was sent the command at
	// creation).
	Waves []Wave
	// Wave is the current wave, 1-based (0 without waves): the devices of
	// the waves up to it have been sent the command.
	Wave int
	// SuccessThreshold is the percent of the current wave's devices that
	// must have succeeded (or been skipped) before the next wave starts;
	// ErrorThreshold the percent of the started waves' devices failed,
	// rejected or expired above which the campaign pauses.
	SuccessThreshold int
	ErrorThreshold   int
	// WaveTimeout expires the started waves' devices without a final state
	// at WaveDeadline (WaveTimeout after the current wave started); 0 and
	// nil without one, and WaveDeadline nil once it passed.
	WaveTimeout  time.Duration
	WaveDeadline *time.Time
	// PausedAt is set while the campaign is paused (no wave starts), with
	// the reason.
	PausedAt    *time.Time
	PauseReason string
	// FailuresAcked is the number of failures an operator accepted by
	// resuming: the error threshold pauses again only on more.
	FailuresAcked int64
	// FinishedAt is when the campaign was found completed, cancelled or
	// expired (and campaign.finished sent), Outcome that status; nil and
	// "" before.
	FinishedAt *time.Time
	Outcome    CampaignStatus

	// Counts are the devices per state, every State present (zero
	// included), WaveCounts the same per wave (index 0 is wave 1; nil
	// without waves), and Status the campaign's status at the time of the
	// read; filled by Service reads, zero in what the Store returns.
	Counts     map[State]int64
	WaveCounts []map[State]int64
	Status     CampaignStatus
}

// CampaignStatus summarises a campaign.
type CampaignStatus string

// Campaign statuses.
const (
	CampaignActive    CampaignStatus = "active"    // devices may still move
	CampaignPaused    CampaignStatus = "paused"    // active, but no wave starts until resumed
	CampaignCompleted CampaignStatus = "completed" // every device is in a final state
	CampaignCancelled CampaignStatus = "cancelled"
	CampaignExpired   CampaignStatus = "expired"
)

// StatusAt returns the campaign's status at now: cancelled once
// cancelled; the outcome once finished; expired when devices expired
// (with waves: when it is past its expiry, since a wave timeout expires
// devices too), or when it is past its expiry with devices still open;
// completed when every device is final; paused while paused; else active.
func (c Campaign) StatusAt(now time.Time) CampaignStatus {
	waved := len(c.Waves) > 0
	switch {
	case c.CancelledAt != nil:
		return CampaignCancelled
	case c.Outcome != "":
		return c.Outcome
	case !waved && c.Counts[StateExpired] > 0, waved && !now.Before(c.ExpiresAt):
		return CampaignExpired
	case c.Counts != nil && c.Open() == 0:
		return CampaignCompleted
	case !now.Before(c.ExpiresAt):
		return CampaignExpired
	case c.PausedAt != nil:
		return CampaignPaused
	}
	return CampaignActive
}

// Total is the number of devices in the campaign (from Counts).
func (c Campaign) Total() int64 {
	var n int64
	for _, v := range c.Counts {
		n += v
	}
	return n
}

// Open is the number of devices in a non-final state (from Counts).
func (c Campaign) Open() int64 {
	var n int64
	for s, v := range c.Counts {
		if !s.Final() {
			n += v
		}
	}
	return n
}

// fullCounts returns counts with every State present.
func fullCounts(counts map[State]int64) map[State]int64 {
	out := make(map[State]int64, len(AllStates()))
	for _, s := range AllStates() {
		out[s] = counts[s]
	}
	return out
}

// OpenStates returns the non-final states, which expiry and cancellation
// end. The caller owns the slice.
func OpenStates() []State {
	var out []State
	for _, s := range AllStates() {
		if !s.Final() {
			out = append(out, s)
		}
	}
	return out
}

// SentStates returns the non-final states of a device that was sent the
// command (all but waiting): those a report may move, a resume sends to
// again and a wave timeout expires. The caller owns the slice.
func SentStates() []State {
	return slices.DeleteFunc(OpenStates(), func(s State) bool { return s == StateWaiting })
}

// Entry is where one device of a campaign is.
type Entry struct {
	CampaignID string
	Product    string
	Device     string
	Wave       int // its wave, 1-based; 0 in a campaign without waves
	State      State
	// Progress is the last reported percent 0..100 (0 before any).
	Progress int
	// LastReport is the last report as received (compact JSON), nil
	// before the first.
	LastReport  json.RawMessage
	Error       string
	UpdatedTime time.Time
}

// maxErrorLen bounds the error text kept on an entry.
const maxErrorLen = 1000

// apply moves e by report p of a campaign targeting version, received at
// at. A final entry does not change at all (its report only goes to the
// history).
func (e *Entry) apply(p Progress, version string, at time.Time) {
	if e.State.Final() {
		return
	}
	next, _ := Next(e.State, p, version)
	e.State = next
	if p.Percent >= 0 {
		e.Progress = p.Percent
	}
	if next == StateSucceeded {
		e.Progress = 100
	}
	if p.Error != "" {
		e.Error = truncate(p.Error, maxErrorLen)
	}
	e.LastReport = p.Raw
	e.UpdatedTime = at
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// EntrySortKeys are the sort keys of campaign device lists, the default
// first.
var EntrySortKeys = []string{"device", "updatedTime"}

// CampaignSortKeys are the sort keys of campaign lists, the default first.
var CampaignSortKeys = []string{"createdTime"}

// HistorySortKeys are the sort keys of history lists, the default first.
var HistorySortKeys = []string{"receivedAt"}

// CampaignFilter narrows a campaign list; zero values match everything.
type CampaignFilter struct {
	ProjectID string
	Product   string
	// MemberID, when set, keeps the campaigns of projects this user is a
	// member of (the Service sets it for non-administrators).
	MemberID string
}

// HistoryEntry is one progress report as received.
type HistoryEntry struct {
	ID         int64  // set by the store
	CampaignID string // "" when the report matched no campaign
	Product    string
	Device     string
	MessageID  string // the report's message id ("" when it had none)
	// State is what the report itself says ("" for a status-only report),
	// not the entry's state after it.
	State      State
	Raw        json.RawMessage
	ReceivedAt time.Time
}

// Latest is a device's latest progress report with what it meant.
type Latest struct {
	Product    string `json:"product"`
	Device     string `json:"device"`
	CampaignID string `json:"campaignId,omitempty"`
	RequestID  string `json:"requestId,omitempty"`
	// State is the campaign entry's state after the report when it matched
	// a campaign, else the report's own state ("" for a status-only one).
	State    State `json:"state,omitempty"`
	Progress int   `json:"progress"` // -1 when the report had none
	// Report is the report as received (compact JSON object).
	Report     json.RawMessage `json:"report"`
	ReceivedAt time.Time       `json:"receivedAt"`
}
