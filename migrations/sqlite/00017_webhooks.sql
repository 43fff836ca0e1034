-- +goose Up
-- Per-project webhooks (issue #17): an endpoint, its signing secret (kept
-- to sign every delivery; never shown again after creation), the event
-- types it subscribes to (comma-separated) and the message format.
CREATE TABLE webhooks (
    id         TEXT     NOT NULL PRIMARY KEY,
    project_id TEXT     NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    url        TEXT     NOT NULL,
    secret     TEXT     NOT NULL,
    events     TEXT     NOT NULL,
    format     TEXT     NOT NULL,
    enabled    BOOLEAN  NOT NULL DEFAULT TRUE,
    created_by TEXT     NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX ix_webhooks_project ON webhooks (project_id, created_at);

-- One event to one webhook, queued when the event is emitted. A worker
-- claims a due row by moving next_attempt_at past a lease with a
-- conditional UPDATE (lease_token names the claim), so one node at a time
-- sends it; a node that dies mid-send leaves it due again after the lease.
CREATE TABLE webhook_deliveries (
    id              TEXT     NOT NULL PRIMARY KEY,
    webhook_id      TEXT     NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    project_id      TEXT     NOT NULL,
    event_type      TEXT     NOT NULL,
    event_at        DATETIME NOT NULL,
    payload         TEXT     NOT NULL,
    state           TEXT     NOT NULL,
    attempts        INTEGER  NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    lease_token     TEXT     NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    done_at         DATETIME NULL
);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX ix_webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at, id);
CREATE INDEX ix_webhook_deliveries_created ON webhook_deliveries (created_at);

-- Every attempt of a delivery: the status code (0: no response), the first
-- KiB of the response body, the error, how long it took.
CREATE TABLE webhook_attempts (
    delivery_id  TEXT     NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt      INTEGER  NOT NULL,
    attempted_at DATETIME NOT NULL,
    status_code  INTEGER  NOT NULL,
    response     TEXT     NOT NULL DEFAULT '',
    error        TEXT     NOT NULL DEFAULT '',
    duration_ms  INTEGER  NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
