package release

import (
	"context"

	"github.com/hoist-ota/hoist/internal/event"
)

// SetEventSink makes the service emit its project events (a resource
// published) to sink; without one they are dropped (event.Discard). Call it
// before serving.
func (s *Service) SetEventSink(sink event.Sink) { s.events = sink }

// publishedData is the data of event.ReleasePublished (README
// "Webhooks").
type publishedData struct {
	ResourceID string `json:"resourceId"`
	Type       Type   `json:"type"`
	// TypeLabel names the type for people ("wgt (Android)").
	TypeLabel      string `json:"typeLabel"`
	Channel        string `json:"channel"`
	Version        string `json:"version"`
	VersionCode    int64  `json:"versionCode"`
	RolloutPercent int    `json:"rolloutPercent"`
	// Enabled is false for a resource created disabled (devices are not
	// offered it yet).
	Enabled bool `json:"enabled"`
	// Origin is "promoted" or "rollback" for a copy, "" for an upload.
	Origin   string `json:"origin,omitempty"`
	OriginID string `json:"originId,omitempty"`
	// Label is a CodePush release's label ("v3").
	Label   string `json:"label,omitempty"`
	Product string `json:"product,omitempty"`
}

// published emits event.ReleasePublished for r, a resource just created
// (uploaded, promoted or re-published by a rollback). An event that cannot
// be queued is logged: it never undoes the release.
func (s *Service) published(ctx context.Context, r Resource) {
	e := event.Event{Type: event.ReleasePublished, Project: r.ProjectID, At: r.CreatedTime, Data: publishedData{
		ResourceID: r.ID, Type: r.Type, TypeLabel: r.Type.Label(), Channel: r.Channel, Version: r.Version,
		VersionCode: r.VersionCode, RolloutPercent: r.RolloutPercent, Enabled: r.Status == StatusEnabled,
		Origin: r.Origin, OriginID: r.OriginID, Label: r.Label, Product: r.Product,
	}}
	// The change is committed: a client that hangs up now must not lose
	// its event.
	if err := s.events.Emit(context.WithoutCancel(ctx), e); err != nil {
		s.log.Warn("release published, but its event was not queued for the project's webhooks",
			"project", r.ProjectID, "resource", r.ID, "error", err)
	}
}
