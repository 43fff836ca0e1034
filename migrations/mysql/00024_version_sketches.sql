-- +goose Up
-- Distinct devices per project, channel, day and the wgt versionCode they
-- report running: HyperLogLog sketches (see funnel_sketches), so "devices
-- on each version" counts devices, not checks.
CREATE TABLE version_sketches (
    project_id   CHAR(32)    NOT NULL,
    channel      VARCHAR(32) NOT NULL,
    day          INT         NOT NULL,
    version_code BIGINT      NOT NULL,
    encoding     MEDIUMBLOB  NOT NULL,
    PRIMARY KEY (project_id, channel, day, version_code),
    KEY version_sketches_day (project_id, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE version_sketches;
