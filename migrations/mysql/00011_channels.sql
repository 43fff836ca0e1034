-- +goose Up
-- Release channels (issue #16). Every project has "production", which is
-- implicit (not stored); this table holds the ones owners add.
CREATE TABLE channels (
    project_id CHAR(32)    NOT NULL,
    name       VARCHAR(32) NOT NULL,
    created_by CHAR(32)    NOT NULL,
    created_at DATETIME(3) NOT NULL,
    PRIMARY KEY (project_id, name),
    CONSTRAINT fk_channels_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Devices pinned to a channel (by systemInfo.uuid or deviceId): they get
-- that channel whatever update URL they use. One channel per device.
CREATE TABLE channel_pins (
    project_id CHAR(32)     NOT NULL,
    device_key VARCHAR(128) NOT NULL,
    channel    VARCHAR(32)  NOT NULL,
    note       VARCHAR(255) NOT NULL DEFAULT '',
    created_by CHAR(32)     NOT NULL,
    created_at DATETIME(3)  NOT NULL,
    PRIMARY KEY (project_id, device_key),
    KEY ix_channel_pins_channel (project_id, channel),
    CONSTRAINT fk_channel_pins_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A resource belongs to one channel; origin says where it came from
-- ("promoted" from origin_id, "rollback" to origin_id's file).
ALTER TABLE resources
    ADD COLUMN channel VARCHAR(32) NOT NULL DEFAULT 'production',
    ADD COLUMN origin VARCHAR(16) NOT NULL DEFAULT '',
    ADD COLUMN origin_id VARCHAR(32) NOT NULL DEFAULT '',
    -- For a rollback: the versionCode its package declares (its origin's),
    -- which devices report once they installed it.
    ADD COLUMN origin_version_code BIGINT NOT NULL DEFAULT 0,
    -- The version rules hold per channel.
    DROP INDEX uq_resources_code,
    ADD UNIQUE KEY uq_resources_code (project_id, channel, type, version_code);

-- Update checks per channel.
ALTER TABLE update_checks
    ADD COLUMN channel VARCHAR(32) NOT NULL DEFAULT 'production' AFTER day,
    DROP PRIMARY KEY,
    ADD PRIMARY KEY (project_id, day, channel, platform, wgt_version_code, native_version_code, result);

-- +goose Down
-- Other channels' counts fold into production's rows.
INSERT INTO update_checks (project_id, day, channel, platform, wgt_version_code, native_version_code, result, checks)
    SELECT project_id, day, 'production', platform, wgt_version_code, native_version_code, result, checks
    FROM update_checks AS o WHERE o.channel <> 'production'
    ON DUPLICATE KEY UPDATE checks = update_checks.checks + VALUES(checks);
DELETE FROM update_checks WHERE channel <> 'production';
ALTER TABLE update_checks
    DROP PRIMARY KEY,
    DROP COLUMN channel,
    ADD PRIMARY KEY (project_id, day, platform, wgt_version_code, native_version_code, result);
DELETE FROM resources WHERE channel <> 'production';
ALTER TABLE resources
    DROP INDEX uq_resources_code,
    ADD UNIQUE KEY uq_resources_code (project_id, type, version_code),
    DROP COLUMN origin_version_code,
    DROP COLUMN origin_id,
    DROP COLUMN origin,
    DROP COLUMN channel;
DROP TABLE channel_pins;
DROP TABLE channels;
