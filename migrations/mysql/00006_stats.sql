-- +goose Up
-- Update checks aggregated per day and what the device runs.
CREATE TABLE update_checks (
    project_id          CHAR(32)    NOT NULL,
    day                 CHAR(10)    NOT NULL,
    platform            VARCHAR(10) NOT NULL,
    wgt_version_code    BIGINT      NOT NULL,
    native_version_code BIGINT      NOT NULL,
    result              VARCHAR(10) NOT NULL,
    checks              BIGINT      NOT NULL,
    PRIMARY KEY (project_id, day, platform, wgt_version_code, native_version_code, result)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- How often each resource was offered per day.
CREATE TABLE update_offers (
    project_id  CHAR(32) NOT NULL,
    day         CHAR(10) NOT NULL,
    resource_id CHAR(32) NOT NULL,
    offers      BIGINT   NOT NULL,
    PRIMARY KEY (project_id, day, resource_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Devices by the first day they checked for updates.
CREATE TABLE update_devices (
    project_id     CHAR(32)     NOT NULL,
    uuid           VARCHAR(128) NOT NULL,
    platform       VARCHAR(10)  NOT NULL,
    first_seen_day CHAR(10)     NOT NULL,
    first_seen_at  DATETIME(3)  NOT NULL,
    system_info    TEXT         NULL,
    PRIMARY KEY (project_id, uuid),
    KEY ix_update_devices_day (project_id, first_seen_day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE update_devices;
DROP TABLE update_offers;
DROP TABLE update_checks;
