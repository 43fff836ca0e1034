-- +goose Up
-- CodePush bundles (types 6 and 7, issue #18).
ALTER TABLE resources
    ADD COLUMN label VARCHAR(24) NOT NULL DEFAULT '',
    ADD COLUMN target_binary_range VARCHAR(256) NOT NULL DEFAULT '',
    ADD COLUMN package_hash CHAR(64) NOT NULL DEFAULT '';

-- A deployment is a channel and platform of a project; its key is what the
-- CodePush client sends (not a secret: it ships inside the app).
CREATE TABLE codepush_deployment_keys (
    deployment_key VARCHAR(64) NOT NULL PRIMARY KEY,
    project_id     CHAR(32)    NOT NULL,
    channel        VARCHAR(32) NOT NULL,
    platform       VARCHAR(8)  NOT NULL,
    created_at     DATETIME(3) NOT NULL,
    UNIQUE KEY uq_codepush_deployment (project_id, channel, platform),
    CONSTRAINT fk_codepush_keys_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Diff packages built on first request: from the package whose hash a
-- device sent to the release resource_id.
CREATE TABLE codepush_diffs (
    resource_id CHAR(32)     NOT NULL,
    base_hash   CHAR(64)     NOT NULL,
    storage_key VARCHAR(512) NOT NULL,
    size        BIGINT       NOT NULL,
    created_at  DATETIME(3)  NOT NULL,
    PRIMARY KEY (resource_id, base_hash),
    CONSTRAINT fk_codepush_diffs_resource FOREIGN KEY (resource_id) REFERENCES resources (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE codepush_diffs;
DROP TABLE codepush_deployment_keys;
ALTER TABLE resources DROP COLUMN package_hash, DROP COLUMN target_binary_range, DROP COLUMN label;
