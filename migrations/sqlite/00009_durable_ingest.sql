-- +goose Up
-- Device messages already applied, keyed by what the device put in the
-- topic (PROTOCOLS §3: deduplicated by product, device and messageId). A
-- batch of messages inserts its keys in the same transaction as its
-- effects, so that a message is marked seen exactly when it is applied;
-- rows older than the retention (ingest.dedupeRetention) are swept.
CREATE TABLE device_messages (
    product     TEXT     NOT NULL,
    device      TEXT     NOT NULL,
    message_id  TEXT     NOT NULL,
    -- status, ota or reply
    kind        TEXT     NOT NULL,
    -- the batch that applied it: a batch inserts its marks ignoring those
    -- that exist, then reads back which rows carry its own id
    batch_id    TEXT     NOT NULL DEFAULT '',
    received_at DATETIME NOT NULL,
    PRIMARY KEY (product, device, message_id)
);
CREATE INDEX ix_device_messages_received ON device_messages (received_at);

-- Release catalog changes, one row per change of a project's resources:
-- every node polls for rows past the last it saw and drops those projects'
-- compiled update answers, so that changes reach every node without Redis.
CREATE TABLE release_changes (
    id         INTEGER  NOT NULL PRIMARY KEY AUTOINCREMENT,
    project_id TEXT     NOT NULL,
    changed_at DATETIME NOT NULL
);
CREATE INDEX ix_release_changes_at ON release_changes (changed_at);

-- +goose Down
DROP TABLE release_changes;
DROP TABLE device_messages;
