-- +goose Up
-- Per-project webhooks (issue #17): an endpoint, its signing secret (kept
-- to sign every delivery; never shown again after creation), the event
-- types it subscribes to (comma-separated) and the message format.
CREATE TABLE webhooks (
    id         CHAR(32)      NOT NULL,
    project_id CHAR(32)      NOT NULL,
    url        VARCHAR(1024) NOT NULL,
    secret     VARCHAR(128)  NOT NULL,
    events     VARCHAR(512)  NOT NULL,
    format     VARCHAR(16)   NOT NULL,
    enabled    BOOLEAN       NOT NULL DEFAULT TRUE,
    created_by CHAR(32)      NOT NULL,
    created_at DATETIME(3)   NOT NULL,
    updated_at DATETIME(3)   NOT NULL,
    PRIMARY KEY (id),
    KEY ix_webhooks_project (project_id, created_at),
    CONSTRAINT fk_webhooks_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One event to one webhook, queued when the event is emitted. A worker
-- claims a due row by moving next_attempt_at past a lease with a
-- conditional UPDATE (lease_token names the claim), so one node at a time
-- sends it; a node that dies mid-send leaves it due again after the lease.
CREATE TABLE webhook_deliveries (
    id              CHAR(32)    NOT NULL,
    webhook_id      CHAR(32)    NOT NULL,
    project_id      CHAR(32)    NOT NULL,
    event_type      VARCHAR(64) NOT NULL,
    event_at        DATETIME(3) NOT NULL,
    payload         MEDIUMTEXT  NOT NULL,
    state           VARCHAR(16) NOT NULL,
    attempts        INT         NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(3) NOT NULL,
    lease_token     CHAR(32)    NOT NULL DEFAULT '',
    created_at      DATETIME(3) NOT NULL,
    done_at         DATETIME(3) NULL,
    PRIMARY KEY (id),
    KEY ix_webhook_deliveries_due (state, next_attempt_at),
    KEY ix_webhook_deliveries_webhook (webhook_id, created_at, id),
    KEY ix_webhook_deliveries_created (created_at),
    CONSTRAINT fk_webhook_deliveries_webhook FOREIGN KEY (webhook_id) REFERENCES webhooks (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every attempt of a delivery: the status code (0: no response), the first
-- KiB of the response body, the error, how long it took.
CREATE TABLE webhook_attempts (
    delivery_id  CHAR(32)      NOT NULL,
    attempt      INT           NOT NULL,
    attempted_at DATETIME(3)   NOT NULL,
    status_code  INT           NOT NULL,
    response     VARCHAR(1024) NOT NULL DEFAULT '',
    error        VARCHAR(1024) NOT NULL DEFAULT '',
    duration_ms  INT           NOT NULL,
    PRIMARY KEY (delivery_id, attempt),
    CONSTRAINT fk_webhook_attempts_delivery FOREIGN KEY (delivery_id) REFERENCES webhook_deliveries (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
