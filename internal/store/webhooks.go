package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/hoist-ota/hoist/internal/page"
	"github.com/hoist-ota/hoist/internal/webhook"
)

type webhookRow struct {
	ID        string `gorm:"primaryKey"`
	ProjectID string
	URL       string
	Events    string // comma-separated
	Format    string
	Enabled   bool
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Secret is the last column of INSERTs and UPDATEs, well past the
	// first 200 characters of a statement that the slow-query log shows.
	Secret string
}

func (webhookRow) TableName() string { return "webhooks" }

func fromWebhook(w webhook.Webhook) webhookRow {
	return webhookRow{ID: w.ID, ProjectID: w.ProjectID, URL: w.URL, Secret: w.Secret, Events: strings.Join(w.Events, ","),
		Format: string(w.Format), Enabled: w.Enabled, CreatedBy: w.CreatedBy, CreatedAt: w.CreatedTime, UpdatedAt: w.UpdatedTime}
}

func (r webhookRow) toWebhook() webhook.Webhook {
	var events []string
	if r.Events != "" {
		events = strings.Split(r.Events, ",")
	}
	return webhook.Webhook{ID: r.ID, ProjectID: r.ProjectID, URL: r.URL, Secret: r.Secret, Events: events,
		Format: webhook.Format(r.Format), Enabled: r.Enabled, CreatedBy: r.CreatedBy,
		CreatedTime: r.CreatedAt.UTC(), UpdatedTime: r.UpdatedAt.UTC()}
}

type deliveryRow struct {
	ID            string `gorm:"primaryKey"`
	WebhookID     string
	ProjectID     string
	EventType     string
	EventAt       time.Time
	Payload       string
	State         string
	Attempts      int
	NextAttemptAt time.Time
	LeaseToken    string
	CreatedAt     time.Time
	DoneAt        *time.Time
}

func (deliveryRow) TableName() string { return "webhook_deliveries" }

func fromDelivery(d webhook.Delivery) deliveryRow {
	r := deliveryRow{ID: d.ID, WebhookID: d.WebhookID, ProjectID: d.ProjectID, EventType: d.Event, EventAt: d.EventTime,
		Payload: string(d.Data), State: string(d.State), Attempts: d.Attempts, NextAttemptAt: d.NextAttemptTime, CreatedAt: d.CreatedTime}
	if !d.DoneTime.IsZero() {
		t := d.DoneTime
		r.DoneAt = &t
	}
	return r
}

func (r deliveryRow) toDelivery() webhook.Delivery {
	d := webhook.Delivery{ID: r.ID, WebhookID: r.WebhookID, ProjectID: r.ProjectID, Event: r.EventType, EventTime: r.EventAt.UTC(),
		Data: []byte(r.Payload), State: webhook.State(r.State), Attempts: r.Attempts, NextAttemptTime: r.NextAttemptAt.UTC(),
		CreatedTime: r.CreatedAt.UTC()}
	if r.DoneAt != nil {
		d.DoneTime = r.DoneAt.UTC()
	}
	return d
}

type attemptRow struct {
	DeliveryID  string `gorm:"primaryKey"`
	Attempt     int    `gorm:"primaryKey"`
	AttemptedAt time.Time
	StatusCode  int
	Response    string
	Error       string
	DurationMs  int64
}

func (attemptRow) TableName() string { return "webhook_attempts" }

// Webhooks returns the webhook.Store view of s.
func (s *Store) Webhooks() webhook.Store { return webhooks{s} }

type webhooks struct{ s *Store }

func (ws webhooks) CreateWebhook(ctx context.Context, w webhook.Webhook) error {
	row := fromWebhook(w)
	if err := ws.s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: create webhook: %w", translate(err, "webhook"))
	}
	return nil
}

func (ws webhooks) Webhook(ctx context.Context, id string) (webhook.Webhook, error) {
	var r webhookRow
	if err := ws.s.rdb.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return webhook.Webhook{}, fmt.Errorf("store: webhook %s: %w", id, translate(err, "webhook"))
	}
	return r.toWebhook(), nil
}

func (ws webhooks) Webhooks(ctx context.Context, projectID string) ([]webhook.Webhook, error) {
	var rows []webhookRow
	if err := ws.s.rdb.WithContext(ctx).Where("project_id = ?", projectID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: webhooks: %w", err)
	}
	return mapRows(rows, webhookRow.toWebhook), nil
}

func (ws webhooks) UpdateWebhook(ctx context.Context, id string, fn func(*webhook.Webhook) error) (webhook.Webhook, error) {
	var out webhook.Webhook
	err := ws.s.InTx(ctx, func(tx *Store) error {
		var r webhookRow
		if err := tx.db.WithContext(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Take(&r, "id = ?", id).Error; err != nil {
			return fmt.Errorf("store: webhook %s: %w", id, translate(err, "webhook"))
		}
		w := r.toWebhook()
		if err := fn(&w); err != nil {
			return err
		}
		row := fromWebhook(w)
		row.ID, row.ProjectID = id, r.ProjectID
		if err := tx.db.WithContext(ctx).Save(&row).Error; err != nil {
			return fmt.Errorf("store: save webhook %s: %w", id, translate(err, "webhook"))
		}
		out = row.toWebhook()
		return nil
	})
	return out, err
}

func (ws webhooks) DeleteWebhook(ctx context.Context, id string) error {
	// Its deliveries and their attempts go by ON DELETE CASCADE.
	res := ws.s.db.WithContext(ctx).Delete(&webhookRow{}, "id = ?", id)
	if res.Error != nil {
		return fmt.Errorf("store: delete webhook %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return notFound("webhook")
	}
	return nil
}

func (ws webhooks) Queue(ctx context.Context, projectID string, pick func([]webhook.Webhook) []webhook.Delivery) error {
	return ws.s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		var rows []webhookRow
		// Locking the webhooks keeps them from being deleted before the
		// deliveries that name them are inserted.
		if err := db.Clauses(clause.Locking{Strength: "UPDATE"}).Where("project_id = ?", projectID).
			Order("created_at, id").Find(&rows).Error; err != nil {
			return fmt.Errorf("store: webhooks: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		ds := pick(mapRows(rows, webhookRow.toWebhook))
		if len(ds) == 0 {
			return nil
		}
		out := mapRows(ds, fromDelivery)
		if err := db.Create(&out).Error; err != nil {
			return fmt.Errorf("store: queue deliveries: %w", translate(err, "delivery"))
		}
		return nil
	})
}

func (ws webhooks) Deliveries(ctx context.Context, webhookID string, pg page.Request) ([]webhook.Delivery, int64, error) {
	db := ws.s.rdb.WithContext(ctx)
	q := db.Model(&deliveryRow{}).Where("webhook_id = ?", webhookID)
	rows, total, err := listPage[deliveryRow](q, pg, listing{what: "deliveries", sort: map[string]string{"createdTime": "created_at"}})
	if err != nil {
		return nil, 0, err
	}
	out := mapRows(rows, deliveryRow.toDelivery)
	if len(out) == 0 {
		return out, total, nil
	}
	ids := make([]string, len(out))
	at := make(map[string]int, len(out))
	for i, d := range out {
		ids[i], at[d.ID] = d.ID, i
	}
	var tries []attemptRow
	if err := db.Where("delivery_id IN ?", ids).Order("delivery_id, attempt").Find(&tries).Error; err != nil {
		return nil, 0, fmt.Errorf("store: delivery attempts: %w", err)
	}
	for _, t := range tries {
		d := &out[at[t.DeliveryID]]
		d.Tries = append(d.Tries, webhook.Attempt{N: t.Attempt, Time: t.AttemptedAt.UTC(), StatusCode: t.StatusCode,
			Response: t.Response, Error: t.Error, Duration: time.Duration(t.DurationMs) * time.Millisecond})
	}
	return out, total, nil
}

func (ws webhooks) Due(ctx context.Context, now time.Time, limit int) ([]string, error) {
	var ids []string
	err := ws.s.rdb.WithContext(ctx).Model(&deliveryRow{}).
		Where("state = ? AND next_attempt_at <= ?", string(webhook.Pending), now.UTC()).
		Order("next_attempt_at").Limit(limit).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: due deliveries: %w", err)
	}
	return ids, nil
}

func (ws webhooks) Claim(ctx context.Context, id string, now, until time.Time, token string) (webhook.Claim, error) {
	db := ws.s.db.WithContext(ctx)
	// The conditional UPDATE is the claim: of nodes racing for a due
	// delivery, the first moves it out of reach of the others' condition.
	res := db.Model(&deliveryRow{}).Where("id = ? AND state = ? AND next_attempt_at <= ?", id, string(webhook.Pending), now.UTC()).
		Updates(map[string]any{"next_attempt_at": until.UTC(), "lease_token": token})
	if res.Error != nil {
		return webhook.Claim{}, fmt.Errorf("store: claim delivery %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return webhook.Claim{}, notFound("due delivery")
	}
	var d deliveryRow
	var w webhookRow
	var name []string
	if err := db.Take(&d, "id = ?", id).Error; err != nil {
		return webhook.Claim{}, fmt.Errorf("store: delivery %s: %w", id, translate(err, "delivery"))
	}
	if err := db.Take(&w, "id = ?", d.WebhookID).Error; err != nil {
		return webhook.Claim{}, fmt.Errorf("store: webhook of delivery %s: %w", id, translate(err, "webhook"))
	}
	if err := db.Model(&projectRow{}).Where("id = ?", d.ProjectID).Pluck("name", &name).Error; err != nil {
		return webhook.Claim{}, fmt.Errorf("store: project of delivery %s: %w", id, err)
	}
	c := webhook.Claim{Delivery: d.toDelivery(), Webhook: w.toWebhook(), Token: token}
	if len(name) > 0 {
		c.ProjectName = name[0]
	}
	return c, nil
}

func (ws webhooks) Finish(ctx context.Context, d webhook.Delivery, token string, a webhook.Attempt) error {
	return ws.s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		var done *time.Time
		if !d.DoneTime.IsZero() {
			t := d.DoneTime.UTC()
			done = &t
		}
		res := db.Model(&deliveryRow{}).Where("id = ? AND lease_token = ?", d.ID, token).Updates(map[string]any{
			"state": string(d.State), "attempts": d.Attempts, "next_attempt_at": d.NextAttemptTime.UTC(), "lease_token": "", "done_at": done})
		if res.Error != nil {
			return fmt.Errorf("store: finish delivery %s: %w", d.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return notFound("delivery lease")
		}
		row := attemptRow{DeliveryID: d.ID, Attempt: a.N, AttemptedAt: a.Time.UTC(), StatusCode: a.StatusCode,
			Response: a.Response, Error: a.Error, DurationMs: a.Duration.Milliseconds()}
		if err := db.Create(&row).Error; err != nil {
			return fmt.Errorf("store: record delivery attempt: %w", translate(err, "delivery attempt"))
		}
		return nil
	})
}

func (ws webhooks) Release(ctx context.Context, id, token string, at time.Time) error {
	err := ws.s.db.WithContext(ctx).Model(&deliveryRow{}).Where("id = ? AND lease_token = ?", id, token).
		Updates(map[string]any{"next_attempt_at": at.UTC(), "lease_token": ""}).Error
	if err != nil {
		return fmt.Errorf("store: release delivery %s: %w", id, err)
	}
	return nil
}

func (ws webhooks) SweepDeliveries(ctx context.Context, before time.Time) (int64, error) {
	// Their attempts go by ON DELETE CASCADE.
	res := ws.s.db.WithContext(ctx).Where("created_at < ? AND state <> ?", before.UTC(), string(webhook.Pending)).Delete(&deliveryRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("store: sweep webhook deliveries: %w", res.Error)
	}
	return res.RowsAffected, nil
}
