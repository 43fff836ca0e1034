-- +goose Up
-- CodePush clients' deploy and download reports, per label of a deployment
-- (or binary app version), added in batches.
CREATE TABLE codepush_metrics (
    project_id CHAR(32)     NOT NULL,
    channel    VARCHAR(32)  NOT NULL,
    platform   VARCHAR(8)   NOT NULL,
    label      VARCHAR(128) NOT NULL,
    active     BIGINT       NOT NULL DEFAULT 0,
    downloaded BIGINT       NOT NULL DEFAULT 0,
    installed  BIGINT       NOT NULL DEFAULT 0,
    failed     BIGINT       NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, channel, platform, label),
    CONSTRAINT fk_codepush_metrics_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE codepush_metrics;
