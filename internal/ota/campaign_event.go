package ota

import (
	"context"
	"encoding/json"
	"time"

	"github.com/hoist-ota/hoist/internal/event"
)

// EventKind names a change of a campaign's course.
type EventKind string

// Campaign event kinds. Wave starts, pauses and the end are also sent to
// the event sink (event.WaveStarted, event.CampaignPaused,
// event.CampaignFinished); a resume is only recorded.
const (
	EventWaveStarted EventKind = "wave_started"
	EventPaused      EventKind = "paused"
	EventResumed     EventKind = "resumed"
	EventFinished    EventKind = "finished"
)

// ActorSystem is the actor of the changes Hoist made by itself (a
// threshold, a wave timeout, the end of a campaign).
const ActorSystem = "system"

// SinkType is the event.Sink type k is sent as, "" when it is not sent.
func (k EventKind) SinkType() string {
	switch k {
	case EventWaveStarted:
		return event.WaveStarted
	case EventPaused:
		return event.CampaignPaused
	case EventFinished:
		return event.CampaignFinished
	}
	return ""
}

// CampaignEvent is one recorded change of a campaign's course: who or
// what made it, why, and the numbers that decided.
type CampaignEvent struct {
	ID         int64 // set by the store
	CampaignID string
	ProjectID  string
	Kind       EventKind
	Wave       int    // the wave started, or the current wave
	Actor      string // the user's id, or ActorSystem
	Reason     string
	// Data is the event as sent to the sink (EventData as JSON).
	Data json.RawMessage
	At   time.Time
}

// EventData is the data of a campaign event sent to the event sink (the
// webhook contract of issue 17).
type EventData struct {
	CampaignID string `json:"campaignId"`
	Product    string `json:"product"`
	Version    string `json:"version"`
	Kind       string `json:"kind"`
	// Wave is the wave started, or the current wave (0 without waves).
	Wave  int `json:"wave"`
	Waves int `json:"waves"`
	// Status is the campaign's status after the change.
	Status string `json:"status"`
	Reason string `json:"reason"`
	// By is the id of the user who made the change, or "system".
	By string `json:"by"`
	// Counts are the campaign's devices per state when it was decided.
	Counts map[State]int64 `json:"counts"`
	// Stats are the wave numbers that decided (nil without waves).
	Stats *WaveStats `json:"stats,omitempty"`
}

// newEvent is an event of c (as read, with counts) at at.
func newEvent(c Campaign, kind EventKind, wave int, actor, reason string, at time.Time) CampaignEvent {
	status := c.Status
	switch kind {
	case EventPaused:
		status = CampaignPaused
	case EventWaveStarted, EventResumed:
		status = CampaignActive
	}
	d := EventData{CampaignID: c.ID, Product: c.Product, Version: c.Version, Kind: string(kind), Wave: wave,
		Waves: len(c.Waves), Status: string(status), Reason: reason, By: actor, Counts: c.Counts}
	if len(c.Waves) > 0 {
		st := c.Stats()
		d.Stats = &st
	}
	b, _ := json.Marshal(d) // plain values: cannot fail
	return CampaignEvent{CampaignID: c.ID, ProjectID: c.ProjectID, Kind: kind, Wave: wave, Actor: actor, Reason: reason,
		Data: b, At: at}
}

// flushEvents sends the recorded events not sent yet to the sink, each
// claimed first so that of two nodes only one sends it; an event the sink
// refused is released for the next flush. Failures are logged: an event
// never undoes the change it reports.
func (s *Service) flushEvents(ctx context.Context) {
	evs, err := s.store.PendingEvents(ctx, 100)
	if err != nil {
		s.log.Warn("campaign events not sent; tried again at the next sweep", "error", err)
		return
	}
	for _, ev := range evs {
		ok, err := s.store.ClaimEvent(ctx, ev.ID, s.stamp())
		if err != nil {
			s.log.Warn("campaign event not claimed; tried again at the next sweep", "event", ev.ID, "error", err)
			return
		}
		if !ok {
			continue // another node sends it
		}
		e := event.Event{Type: ev.Kind.SinkType(), Project: ev.ProjectID, At: ev.At, Data: ev.Data}
		if err := s.events.Emit(ctx, e); err != nil {
			s.log.Warn("campaign event not queued; tried again at the next sweep", "event", ev.ID, "type", e.Type, "error", err)
			if err := s.store.ReleaseEvent(ctx, ev.ID); err != nil {
				s.log.Warn("campaign event not released; it is lost", "event", ev.ID, "error", err)
			}
		}
	}
}
