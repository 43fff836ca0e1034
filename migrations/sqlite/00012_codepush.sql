-- +goose Up
-- CodePush bundles (types 6 and 7, issue #18).
ALTER TABLE resources ADD COLUMN label TEXT NOT NULL DEFAULT '';
ALTER TABLE resources ADD COLUMN target_binary_range TEXT NOT NULL DEFAULT '';
ALTER TABLE resources ADD COLUMN package_hash TEXT NOT NULL DEFAULT '';

-- A deployment is a channel and platform of a project; its key is what the
-- CodePush client sends (not a secret: it ships inside the app).
CREATE TABLE codepush_deployment_keys (
    deployment_key TEXT     NOT NULL PRIMARY KEY,
    project_id     TEXT     NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    channel        TEXT     NOT NULL,
    platform       TEXT     NOT NULL,
    created_at     DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_codepush_deployment ON codepush_deployment_keys (project_id, channel, platform);

-- Diff packages built on first request: from the package whose hash a
-- device sent to the release resource_id.
CREATE TABLE codepush_diffs (
    resource_id TEXT     NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    base_hash   TEXT     NOT NULL,
    storage_key TEXT     NOT NULL,
    size        INTEGER  NOT NULL,
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (resource_id, base_hash)
);

-- +goose Down
DROP TABLE codepush_diffs;
DROP TABLE codepush_deployment_keys;
ALTER TABLE resources DROP COLUMN package_hash;
ALTER TABLE resources DROP COLUMN target_binary_range;
ALTER TABLE resources DROP COLUMN label;
