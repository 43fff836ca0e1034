package webhook

import (
	"context"
	"time"

	"github.com/hoist-ota/hoist/internal/page"
)

// DeliverySortKeys are the sort keys of a webhook's deliveries.
var DeliverySortKeys = []string{"createdTime"}

// Store keeps webhooks, their queued deliveries and the attempts made.
type Store interface {
	// CreateWebhook adds w.
	CreateWebhook(ctx context.Context, w Webhook) error
	// Webhook returns a webhook; NotFound when there is none.
	Webhook(ctx context.Context, id string) (Webhook, error)
	// Webhooks returns a project's webhooks, oldest first.
	Webhooks(ctx context.Context, projectID string) ([]Webhook, error)
	// UpdateWebhook changes a webhook with fn in one transaction and
	// returns it as stored; NotFound when there is none, fn's error as it
	// is.
	UpdateWebhook(ctx context.Context, id string, fn func(*Webhook) error) (Webhook, error)
	// DeleteWebhook deletes a webhook with its deliveries; NotFound when
	// there is none.
	DeleteWebhook(ctx context.Context, id string) error

	// Queue inserts, in one transaction, the deliveries pick returns for
	// the project's webhooks (read in that transaction). It returns once
	// they are committed.
	Queue(ctx context.Context, projectID string, pick func([]Webhook) []Delivery) error
	// Deliveries returns a page of a webhook's deliveries with their
	// attempts, and how many there are.
	Deliveries(ctx context.Context, webhookID string, pg page.Request) ([]Delivery, int64, error)

	// Due returns up to limit ids of pending deliveries due at now, the
	// longest due first.
	Due(ctx context.Context, now time.Time, limit int) ([]string, error)
	// Claim takes the lease of a delivery until until, under token, if it
	// is still pending and due at now (a conditional update: of nodes
	// racing for it, one wins). NotFound when it is not (any longer).
	Claim(ctx context.Context, id string, now, until time.Time, token string) (Claim, error)
	// Finish records an attempt and the delivery's new state (State,
	// Attempts, NextAttemptTime, DoneTime of d), releasing the lease, if
	// token still holds it; NotFound otherwise (the lease passed to
	// another node, whose outcome counts).
	Finish(ctx context.Context, d Delivery, token string, a Attempt) error
	// Release gives a lease back without an attempt: the delivery is due
	// again at at.
	Release(ctx context.Context, id, token string, at time.Time) error
	// SweepDeliveries deletes final deliveries created before before and
	// returns how many.
	SweepDeliveries(ctx context.Context, before time.Time) (int64, error)
}
