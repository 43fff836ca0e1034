// Package stats records what the update check sees without a database
// write per request: counters are aggregated in memory and flushed in
// batches; first-seen devices go through a bounded queue. It also answers
// the statistics report of a project.
package stats

import (
	"context"
	"encoding/json"
	"time"
)

// CheckCount is an aggregated number of checks.
type CheckCount struct {
	ProjectID         string
	Day               string // YYYY-MM-DD, UTC
	Channel           string // "" counts as release.DefaultChannel
	Platform          string
	WgtVersionCode    int64
	NativeVersionCode int64
	Result            string
	Checks            int64
}

// OfferCount is how often a resource was offered on a day.
type OfferCount struct {
	ProjectID  string
	Day        string
	ResourceID string
	Offers     int64
}

// NewDevice is a device seen for the first time (by this node).
type NewDevice struct {
	ProjectID  string
	UUID       string
	Platform   string
	FirstSeen  time.Time
	SystemInfo json.RawMessage
}

// Store persists statistics. Add* methods add to existing counts; AddDevices
// ignores devices already known.
type Store interface {
	AddChecks(ctx context.Context, cs []CheckCount) error
	AddOffers(ctx context.Context, os []OfferCount) error
	AddDevices(ctx context.Context, ds []NewDevice) error
	// Report sums a project's statistics; channel "" means every channel.
	// Offers and downloads are of the channel's resources.
	Report(ctx context.Context, projectID, from, to, channel string) (Report, error)
}

// Report is a project's statistics over a range of days.
type Report struct {
	From, To         string
	ChecksPerDay     []DayCount
	Channels         []KeyCount // key: channel
	Platforms        []KeyCount // key: platform
	Results          []KeyCount // key: result
	WgtVersions      []CodeCount
	NativeVersions   []CodeCount
	Offers           []KeyCount // key: resource id
	Downloads        []KeyCount // key: resource id (through /d/)
	NewDevicesPerDay []DayCount
}

// DayCount is a count on a day.
type DayCount struct {
	Day   string
	Count int64
}

// KeyCount is a count for a key.
type KeyCount struct {
	Key   string
	Count int64
}

// CodeCount is a count for a version code.
type CodeCount struct {
	VersionCode int64
	Count       int64
}
