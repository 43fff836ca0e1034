package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/event"
	"github.com/hoist-ota/hoist/internal/ids"
	"github.com/hoist-ota/hoist/internal/page"
	"github.com/hoist-ota/hoist/internal/project"
)

// Options tune the worker. Zero values take the defaults named.
type Options struct {
	// PollEvery is how often the worker looks for due deliveries (2s);
	// deliveries queued on this node are sent at once.
	PollEvery time.Duration
	// Timeout bounds one HTTP attempt, connection to last byte (10s).
	Timeout time.Duration
	// Lease is how long a claimed delivery is this node's to send (1m);
	// after it another node may send it again. Longer than Timeout.
	Lease time.Duration
	// FirstRetry is the wait after the first failure (30s); it doubles
	// after each further one, up to MaxRetry (1h).
	FirstRetry, MaxRetry time.Duration
	// GiveUpAfter is how long after being queued a delivery is retried
	// (24h); then it is failed.
	GiveUpAfter time.Duration
	// Retention is how long final deliveries are listed (30 days).
	Retention time.Duration
	// Concurrency bounds the deliveries this node sends at once (4).
	Concurrency int
	// UserAgent of the requests ("Hoist-Webhook").
	UserAgent string
	// Transport sends the requests; nil means a clone of
	// http.DefaultTransport.
	Transport http.RoundTripper
}

func (o *Options) defaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	set(&o.PollEvery, 2*time.Second)
	set(&o.Timeout, 10*time.Second)
	set(&o.Lease, time.Minute)
	set(&o.FirstRetry, 30*time.Second)
	set(&o.MaxRetry, time.Hour)
	set(&o.GiveUpAfter, 24*time.Hour)
	set(&o.Retention, 30*24*time.Hour)
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.UserAgent == "" {
		o.UserAgent = "Hoist-Webhook"
	}
	if o.Transport == nil {
		o.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
}

// MaxPerProject bounds a project's webhooks.
const MaxPerProject = 20

// maxData bounds an event's JSON data.
const maxData = 64 << 10

// Service manages webhooks, queues events for them (it is an event.Sink)
// and, in Run, delivers them.
type Service struct {
	store    Store
	projects *project.Service
	opts     Options
	client   *http.Client
	now      func() time.Time
	log      *slog.Logger
	// wake tells Run that deliveries were queued on this node.
	wake chan struct{}
}

var _ event.Sink = (*Service)(nil)

// NewService returns the webhook service.
func NewService(store Store, projects *project.Service, opts Options, now func() time.Time, log *slog.Logger) *Service {
	opts.defaults()
	client := &http.Client{
		Transport: opts.Transport,
		Timeout:   opts.Timeout,
		// A redirect is an answer, not followed: the receiver's URL is
		// the one its owners registered.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Service{store: store, projects: projects, opts: opts, client: client, now: now, log: log, wake: make(chan struct{}, 1)}
}

// access checks that p may see (write: change) the project's webhooks:
// owners and maintainers. Viewers are Forbidden, strangers NotFound.
func (s *Service) access(ctx context.Context, p account.Principal, projectID string, write bool) error {
	a := project.Read
	if write {
		a = project.Publish
	}
	_, role, err := s.projects.Access(ctx, p, projectID, a)
	if err != nil {
		return err
	}
	if role == project.RoleViewer && !p.IsAdmin() {
		return apperr.New(apperr.Forbidden, "only owners and maintainers can see or change webhooks")
	}
	return nil
}

// webhook loads a webhook of projectID that p may see (write: change).
func (s *Service) webhook(ctx context.Context, p account.Principal, projectID, id string, write bool) (Webhook, error) {
	if err := s.access(ctx, p, projectID, write); err != nil {
		return Webhook{}, err
	}
	w, err := s.store.Webhook(ctx, id)
	if apperr.Is(err, apperr.NotFound) || (err == nil && w.ProjectID != projectID) {
		return Webhook{}, errNotFound
	}
	return w, err
}

var errNotFound = apperr.New(apperr.NotFound, "webhook not found")

// List returns a project's webhooks, oldest first (owners, maintainers).
func (s *Service) List(ctx context.Context, p account.Principal, projectID string) ([]Webhook, error) {
	if err := s.access(ctx, p, projectID, false); err != nil {
		return nil, err
	}
	return s.store.Webhooks(ctx, projectID)
}

// Get returns a webhook of a project (owners, maintainers).
func (s *Service) Get(ctx context.Context, p account.Principal, projectID, id string) (Webhook, error) {
	return s.webhook(ctx, p, projectID, id, false)
}

// Create adds a webhook to a project (owners, maintainers); at most
// MaxPerProject (Conflict).
func (s *Service) Create(ctx context.Context, p account.Principal, projectID string, f Fields) (Webhook, error) {
	if err := s.access(ctx, p, projectID, true); err != nil {
		return Webhook{}, err
	}
	if err := f.validate(true); err != nil {
		return Webhook{}, err
	}
	have, err := s.store.Webhooks(ctx, projectID)
	if err != nil {
		return Webhook{}, err
	}
	if len(have) >= MaxPerProject {
		return Webhook{}, apperr.New(apperr.Conflict, "a project has at most %d webhooks; delete one first", MaxPerProject)
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	w := Webhook{ID: ids.New(), ProjectID: projectID, Format: FormatJSON, Enabled: true, CreatedBy: p.UserID,
		CreatedTime: now, UpdatedTime: now}
	f.apply(&w)
	if err := s.store.CreateWebhook(ctx, w); err != nil {
		return Webhook{}, fmt.Errorf("webhook: create: %w", err)
	}
	return w, nil
}

// Update changes a webhook's fields (owners, maintainers). Pending
// deliveries go to its new URL, in its new format, signed with its new
// secret.
func (s *Service) Update(ctx context.Context, p account.Principal, projectID, id string, f Fields) (Webhook, error) {
	if _, err := s.webhook(ctx, p, projectID, id, true); err != nil {
		return Webhook{}, err
	}
	if err := f.validate(false); err != nil {
		return Webhook{}, err
	}
	w, err := s.store.UpdateWebhook(ctx, id, func(w *Webhook) error {
		f.apply(w)
		w.UpdatedTime = s.now().UTC().Truncate(time.Millisecond)
		return nil
	})
	if apperr.Is(err, apperr.NotFound) {
		return Webhook{}, errNotFound
	}
	return w, err
}

// Delete deletes a webhook with its deliveries (owners, maintainers).
func (s *Service) Delete(ctx context.Context, p account.Principal, projectID, id string) error {
	if _, err := s.webhook(ctx, p, projectID, id, true); err != nil {
		return err
	}
	if err := s.store.DeleteWebhook(ctx, id); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return errNotFound
		}
		return err
	}
	return nil
}

// Deliveries returns a page of a webhook's deliveries, newest first by
// default, with their attempts (owners, maintainers).
func (s *Service) Deliveries(ctx context.Context, p account.Principal, projectID, id string, pg page.Request) ([]Delivery, int64, error) {
	if _, err := s.webhook(ctx, p, projectID, id, false); err != nil {
		return nil, 0, err
	}
	return s.store.Deliveries(ctx, id, pg)
}

// Test queues a sample event.WebhookTest delivery to a webhook (owners,
// maintainers), whatever it subscribes to. A disabled webhook is a
// Conflict.
func (s *Service) Test(ctx context.Context, p account.Principal, projectID, id string) (Delivery, error) {
	w, err := s.webhook(ctx, p, projectID, id, true)
	if err != nil {
		return Delivery{}, err
	}
	if !w.Enabled {
		return Delivery{}, apperr.New(apperr.Conflict, "the webhook is disabled; enable it to test it")
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	data, err := json.Marshal(map[string]string{"webhookId": w.ID, "message": "This is a test delivery from Hoist."})
	if err != nil {
		return Delivery{}, fmt.Errorf("webhook: test: %w", err)
	}
	var d *Delivery
	err = s.store.Queue(ctx, projectID, func(hooks []Webhook) []Delivery {
		for _, h := range hooks {
			if h.ID == id {
				nd := newDelivery(h, event.WebhookTest, now, data, now)
				d = &nd
				return []Delivery{nd}
			}
		}
		return nil
	})
	if err != nil {
		return Delivery{}, fmt.Errorf("webhook: queue test: %w", err)
	}
	if d == nil {
		return Delivery{}, errNotFound
	}
	s.poke()
	return *d, nil
}

// Emit queues e for every enabled webhook of its project that subscribes
// to its type, and returns once the deliveries are committed (see
// event.Sink). Data over 64 KiB is refused.
func (s *Service) Emit(ctx context.Context, e event.Event) error {
	data, err := json.Marshal(e.Data)
	if err != nil {
		return fmt.Errorf("webhook: event %s data: %w", e.Type, err)
	}
	if len(data) > maxData {
		return fmt.Errorf("webhook: event %s data is %d bytes, over %d", e.Type, len(data), maxData)
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	at := e.At.UTC().Truncate(time.Millisecond)
	if e.At.IsZero() {
		at = now
	}
	queued := 0
	err = s.store.Queue(ctx, e.Project, func(hooks []Webhook) []Delivery {
		var ds []Delivery
		for _, w := range hooks {
			if w.Enabled && w.Subscribed(e.Type) {
				ds = append(ds, newDelivery(w, e.Type, at, data, now))
			}
		}
		queued = len(ds)
		return ds
	})
	if err != nil {
		return fmt.Errorf("webhook: queue %s: %w", e.Type, err)
	}
	if queued > 0 {
		s.poke()
	}
	return nil
}

func newDelivery(w Webhook, typ string, at time.Time, data json.RawMessage, now time.Time) Delivery {
	return Delivery{ID: ids.New(), WebhookID: w.ID, ProjectID: w.ProjectID, Event: typ, EventTime: at, Data: data,
		State: Pending, NextAttemptTime: now, CreatedTime: now}
}

// poke wakes Run (if it is waiting) to send what was just queued.
func (s *Service) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
