-- +goose Up
-- CodePush clients' deploy and download reports, per label of a deployment
-- (or binary app version), added in batches.
CREATE TABLE codepush_metrics (
    project_id TEXT    NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    channel    TEXT    NOT NULL,
    platform   TEXT    NOT NULL,
    label      TEXT    NOT NULL,
    active     INTEGER NOT NULL DEFAULT 0,
    downloaded INTEGER NOT NULL DEFAULT 0,
    installed  INTEGER NOT NULL DEFAULT 0,
    failed     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, channel, platform, label)
);

-- +goose Down
DROP TABLE codepush_metrics;
