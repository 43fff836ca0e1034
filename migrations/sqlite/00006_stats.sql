-- +goose Up
-- Update checks aggregated per day and what the device runs.
CREATE TABLE update_checks (
    project_id          TEXT    NOT NULL,
    day                 TEXT    NOT NULL,
    platform            TEXT    NOT NULL,
    wgt_version_code    INTEGER NOT NULL,
    native_version_code INTEGER NOT NULL,
    result              TEXT    NOT NULL,
    checks              INTEGER NOT NULL,
    PRIMARY KEY (project_id, day, platform, wgt_version_code, native_version_code, result)
);

-- How often each resource was offered per day.
CREATE TABLE update_offers (
    project_id  TEXT    NOT NULL,
    day         TEXT    NOT NULL,
    resource_id TEXT    NOT NULL,
    offers      INTEGER NOT NULL,
    PRIMARY KEY (project_id, day, resource_id)
);

-- Devices by the first day they checked for updates.
CREATE TABLE update_devices (
    project_id     TEXT     NOT NULL,
    uuid           TEXT     NOT NULL,
    platform       TEXT     NOT NULL,
    first_seen_day TEXT     NOT NULL,
    first_seen_at  DATETIME NOT NULL,
    system_info    TEXT     NULL,
    PRIMARY KEY (project_id, uuid)
);
CREATE INDEX ix_update_devices_day ON update_devices (project_id, first_seen_day);

-- +goose Down
DROP TABLE update_devices;
DROP TABLE update_offers;
DROP TABLE update_checks;
