package ota

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/device"
	"github.com/hoist-ota/hoist/internal/event"
	"github.com/hoist-ota/hoist/internal/project"
	"github.com/hoist-ota/hoist/internal/release"
	"github.com/hoist-ota/hoist/internal/storage"
)

// Deps are the service's collaborators; all are required.
type Deps struct {
	Projects *project.Service
	Devices  *device.Service
	Releases *release.Service
	// Blob signs firmware download URLs for a campaign's whole lifetime
	// (the release service's URLs live only storage.urlTTL).
	Blob storage.Blob
	// Sender sends the commands (the MQTT bridge, or Off); see Sender for
	// why it is given here and never replaced.
	Sender Sender
	// Events receives campaign.wave_started, campaign.paused and
	// campaign.finished; nil means event.Discard.
	Events event.Sink
}

// Options tune the service; zero values take the defaults.
type Options struct {
	// PublicBaseURL makes local storage's relative download URLs absolute;
	// when empty, NewCampaign.BaseURL does.
	PublicBaseURL string
	// SweepEvery is how often Run expires campaigns and deletes old dedupe
	// marks (default 1 min).
	SweepEvery time.Duration
	// DedupeRetention is how long a device message's dedupe mark is kept
	// (default 1 h; PROTOCOLS §3 asks for at least 10 min).
	DedupeRetention time.Duration
	// PublishWorkers bounds concurrent per-device publishes (default 16).
	PublishWorkers int
	// PublishTimeout bounds the publishing of one campaign or command
	// (default 2 min). Publishing does not stop when the client goes away.
	PublishTimeout time.Duration
	// SettleGap is the least time between two rounds of settling the
	// campaigns whose devices reached a final state (default 250 ms):
	// reports arriving meanwhile are settled together.
	SettleGap time.Duration
}

func (o *Options) defaults() {
	if o.SweepEvery <= 0 {
		o.SweepEvery = time.Minute
	}
	if o.DedupeRetention < 10*time.Minute {
		o.DedupeRetention = time.Hour
	}
	if o.PublishWorkers <= 0 {
		o.PublishWorkers = 16
	}
	if o.PublishTimeout <= 0 {
		o.PublishTimeout = 2 * time.Minute
	}
	if o.SettleGap <= 0 {
		o.SettleGap = 250 * time.Millisecond
	}
}

// Service sends device commands and runs OTA campaigns. Users reach them
// through the product's project: Publish to send or cancel, Read to look;
// someone who may not see the project gets NotFound. Ingest (and
// HandleProgress and HandleCommandReply, one message at a time) are for
// the MQTT side and take no principal.
type Service struct {
	store    Store
	sender   Sender
	projects *project.Service
	devices  *device.Service
	releases *release.Service
	blob     storage.Blob
	events   event.Sink
	opts     Options
	now      func() time.Time
	log      *slog.Logger

	// dirty holds the campaigns Run settles at its next wake-up.
	dirtyMu sync.Mutex
	dirty   map[string]bool
	wake    chan struct{}

	reportsMu sync.Mutex
	reports   map[State]int64 // progress reports received, by reported state
}

// ReportsByState returns how many progress reports arrived per reported
// state ("" for status-only reports), for metrics.
func (s *Service) ReportsByState() map[string]float64 {
	s.reportsMu.Lock()
	defer s.reportsMu.Unlock()
	out := make(map[string]float64, len(s.reports))
	for st, n := range s.reports {
		name := string(st)
		if name == "" {
			name = "none"
		}
		out[name] = float64(n)
	}
	return out
}

func (s *Service) countReport(st State) {
	s.reportsMu.Lock()
	defer s.reportsMu.Unlock()
	if s.reports == nil {
		s.reports = map[State]int64{}
	}
	s.reports[st]++
}

// NewService returns the OTA and command service.
func NewService(store Store, d Deps, opts Options, now func() time.Time, log *slog.Logger) *Service {
	opts.defaults()
	if d.Events == nil {
		d.Events = event.Discard{}
	}
	return &Service{store: store, sender: d.Sender, projects: d.Projects, devices: d.Devices,
		releases: d.Releases, blob: d.Blob, events: d.Events, opts: opts, now: now, log: log,
		dirty: map[string]bool{}, wake: make(chan struct{}, 1)}
}

// stamp is now at the database's precision (milliseconds).
func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// expiry is now+ttl rounded up to a whole second: command addresses and payloads
// carry unix seconds, and a command must not expire before its ttl.
func expiry(now time.Time, ttl time.Duration) time.Time {
	t := now.Add(ttl)
	if s := t.Truncate(time.Second); s.Before(t) {
		return s.Add(time.Second)
	}
	return t
}

var errCampaignNotFound = apperr.New(apperr.NotFound, "campaign not found")

// campaign loads a campaign and checks that p may do a to its project.
func (s *Service) campaign(ctx context.Context, p account.Principal, id string, a project.Action) (Campaign, error) {
	if len(id) != 32 {
		return Campaign{}, errCampaignNotFound
	}
	c, err := s.store.Campaign(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return Campaign{}, errCampaignNotFound
	}
	if err != nil {
		return Campaign{}, err
	}
	if _, _, err := s.projects.Access(ctx, p, c.ProjectID, a); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return Campaign{}, errCampaignNotFound
		}
		return Campaign{}, err
	}
	return c, nil
}
