-- +goose Up
-- Device messages already applied, keyed by what the device put in the
-- topic (PROTOCOLS §3: deduplicated by product, device and messageId). A
-- batch of messages inserts its keys in the same transaction as its
-- effects, so that a message is marked seen exactly when it is applied;
-- rows older than the retention (ingest.dedupeRetention) are swept.
CREATE TABLE device_messages (
    product     VARCHAR(64) NOT NULL,
    device      VARCHAR(64) NOT NULL,
    message_id  VARCHAR(64) NOT NULL,
    -- status, ota or reply
    kind        VARCHAR(8)  NOT NULL,
    -- the batch that applied it: a batch inserts its marks ignoring those
    -- that exist, then reads back which rows carry its own id
    batch_id    CHAR(16)    NOT NULL DEFAULT '',
    received_at DATETIME(3) NOT NULL,
    PRIMARY KEY (product, device, message_id),
    KEY ix_device_messages_received (received_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Release catalog changes, one row per change of a project's resources:
-- every node polls for rows past the last it saw and drops those projects'
-- compiled update answers, so that changes reach every node without Redis.
CREATE TABLE release_changes (
    id         BIGINT      NOT NULL AUTO_INCREMENT,
    project_id CHAR(32)    NOT NULL,
    changed_at DATETIME(3) NOT NULL,
    PRIMARY KEY (id),
    KEY ix_release_changes_at (changed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE release_changes;
DROP TABLE device_messages;
