// Package event names what happened in a project, for whoever listens
// (today: the project's webhooks). Domain services emit; they never know
// who receives.
package event

import (
	"context"
	"time"
)

// Types of events. The names are part of the webhook contract (issue
// "progressive delivery"): receivers filter on them.
const (
	ReleasePublished = "release.published"
	RolloutAdvanced  = "rollout.advanced"
	RolloutHalted    = "rollout.halted"
	RolloutCompleted = "rollout.completed"
	WaveStarted      = "campaign.wave_started"
	CampaignPaused   = "campaign.paused"
	CampaignFinished = "campaign.finished"
	WebhookTest      = "webhook.test"
)

// Types lists every event type a webhook may subscribe to.
func Types() []string {
	return []string{ReleasePublished, RolloutAdvanced, RolloutHalted, RolloutCompleted,
		WaveStarted, CampaignPaused, CampaignFinished}
}

// Event is one thing that happened in a project. Data is JSON-encodable and
// small (ids, names, the numbers that decided).
type Event struct {
	Type    string
	Project string
	At      time.Time
	Data    any
}

// Sink receives events. Emit returns once the event is queued durably for
// every receiver (or there is none); an error means it was not queued, and
// the caller logs it: an event never undoes the change it reports.
type Sink interface {
	Emit(ctx context.Context, e Event) error
}

// Discard is a Sink that drops every event (tests, and a node built
// without webhooks).
type Discard struct{}

// Emit drops e.
func (Discard) Emit(context.Context, Event) error { return nil }
