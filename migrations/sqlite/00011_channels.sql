-- +goose Up
-- Release channels (issue #16). Every project has "production", which is
-- implicit (not stored); this table holds the ones owners add.
CREATE TABLE channels (
    project_id TEXT     NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name       TEXT     NOT NULL,
    created_by TEXT     NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (project_id, name)
);

-- Devices pinned to a channel (by systemInfo.uuid or deviceId): they get
-- that channel whatever update URL they use. One channel per device.
CREATE TABLE channel_pins (
    project_id TEXT     NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    device_key TEXT     NOT NULL,
    channel    TEXT     NOT NULL,
    note       TEXT     NOT NULL DEFAULT '',
    created_by TEXT     NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (project_id, device_key)
);
CREATE INDEX ix_channel_pins_channel ON channel_pins (project_id, channel);

-- A resource belongs to one channel; origin says where it came from
-- ("promoted" from origin_id, "rollback" to origin_id's file).
ALTER TABLE resources ADD COLUMN channel TEXT NOT NULL DEFAULT 'production';
ALTER TABLE resources ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE resources ADD COLUMN origin_id TEXT NOT NULL DEFAULT '';
-- For a rollback: the versionCode its package declares (its origin's), which
-- devices report once they installed it.
ALTER TABLE resources ADD COLUMN origin_version_code INTEGER NOT NULL DEFAULT 0;
-- The version rules hold per channel.
DROP INDEX uq_resources_code;
CREATE UNIQUE INDEX uq_resources_code ON resources (project_id, channel, type, version_code);

-- Update checks per channel.
CREATE TABLE update_checks_by_channel (
    project_id          TEXT    NOT NULL,
    day                 TEXT    NOT NULL,
    channel             TEXT    NOT NULL DEFAULT 'production',
    platform            TEXT    NOT NULL,
    wgt_version_code    INTEGER NOT NULL,
    native_version_code INTEGER NOT NULL,
    result              TEXT    NOT NULL,
    checks              INTEGER NOT NULL,
    PRIMARY KEY (project_id, day, channel, platform, wgt_version_code, native_version_code, result)
);
INSERT INTO update_checks_by_channel (project_id, day, platform, wgt_version_code, native_version_code, result, checks)
    SELECT project_id, day, platform, wgt_version_code, native_version_code, result, checks FROM update_checks;
DROP TABLE update_checks;
ALTER TABLE update_checks_by_channel RENAME TO update_checks;

-- +goose Down
CREATE TABLE update_checks_old (
    project_id          TEXT    NOT NULL,
    day                 TEXT    NOT NULL,
    platform            TEXT    NOT NULL,
    wgt_version_code    INTEGER NOT NULL,
    native_version_code INTEGER NOT NULL,
    result              TEXT    NOT NULL,
    checks              INTEGER NOT NULL,
    PRIMARY KEY (project_id, day, platform, wgt_version_code, native_version_code, result)
);
INSERT INTO update_checks_old (project_id, day, platform, wgt_version_code, native_version_code, result, checks)
    SELECT project_id, day, platform, wgt_version_code, native_version_code, result, SUM(checks) FROM update_checks
    GROUP BY project_id, day, platform, wgt_version_code, native_version_code, result;
DROP TABLE update_checks;
ALTER TABLE update_checks_old RENAME TO update_checks;
DROP INDEX uq_resources_code;
DELETE FROM resources WHERE channel <> 'production';
CREATE UNIQUE INDEX uq_resources_code ON resources (project_id, type, version_code);
ALTER TABLE resources DROP COLUMN origin_version_code;
ALTER TABLE resources DROP COLUMN origin_id;
ALTER TABLE resources DROP COLUMN origin;
ALTER TABLE resources DROP COLUMN channel;
DROP TABLE channel_pins;
DROP TABLE channels;
