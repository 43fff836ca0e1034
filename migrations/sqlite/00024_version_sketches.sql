-- +goose Up
-- Distinct devices per project, channel, day and the wgt versionCode they
-- report running: HyperLogLog sketches (see funnel_sketches), so "devices
-- on each version" counts devices, not checks.
CREATE TABLE version_sketches (
    project_id   TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    day          INTEGER NOT NULL,
    version_code INTEGER NOT NULL,
    encoding     BLOB    NOT NULL,
    PRIMARY KEY (project_id, channel, day, version_code)
);
CREATE INDEX version_sketches_day ON version_sketches (project_id, day);

-- +goose Down
DROP TABLE version_sketches;
