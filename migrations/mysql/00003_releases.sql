-- +goose Up
-- Files uploaded to storage, recorded once verified; resources refer to them.
CREATE TABLE files (
    storage_key  VARCHAR(512) NOT NULL,
    project_id   CHAR(32)     NOT NULL,
    name         VARCHAR(255) NOT NULL DEFAULT '',
    size         BIGINT       NOT NULL,
    md5          CHAR(32)     NOT NULL DEFAULT '',
    sha256       CHAR(64)     NOT NULL DEFAULT '',
    -- what the content is, sniffed: zip, apk or binary
    kind         VARCHAR(10)  NOT NULL,
    content_type VARCHAR(100) NOT NULL DEFAULT '',
    created_by   CHAR(32)     NOT NULL,
    created_at   DATETIME(3)  NOT NULL,
    PRIMARY KEY (storage_key),
    KEY ix_files_project (project_id, created_at),
    CONSTRAINT fk_files_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE resources (
    id                  CHAR(32)      NOT NULL,
    project_id          CHAR(32)      NOT NULL,
    type                TINYINT       NOT NULL,
    version             VARCHAR(50)   NOT NULL,
    version_code        BIGINT        NOT NULL,
    native_version_code BIGINT        NOT NULL DEFAULT 0,
    url                 VARCHAR(1024) NOT NULL DEFAULT '',
    storage_key         VARCHAR(512)  NULL,
    size                BIGINT        NOT NULL DEFAULT 0,
    md5                 CHAR(32)      NOT NULL DEFAULT '',
    sha256              CHAR(64)      NOT NULL DEFAULT '',
    update_type         TINYINT       NOT NULL,
    status              TINYINT       NOT NULL,
    changelog           TEXT          NOT NULL,
    remark              VARCHAR(255)  NOT NULL DEFAULT '',
    rollout_percent     INT           NOT NULL DEFAULT 100,
    product             VARCHAR(64)   NOT NULL DEFAULT '',
    created_by          CHAR(32)      NOT NULL,
    created_at          DATETIME(3)   NOT NULL,
    updated_at          DATETIME(3)   NOT NULL,
    PRIMARY KEY (id),
    -- the version rule's backstop: no two resources of a type share a code
    UNIQUE KEY uq_resources_code (project_id, type, version_code),
    KEY ix_resources_list (project_id, status, type),
    KEY ix_resources_created (project_id, created_at),
    KEY ix_resources_key (storage_key),
    CONSTRAINT fk_resources_project FOREIGN KEY (project_id) REFERENCES projects (id),
    CONSTRAINT fk_resources_file FOREIGN KEY (storage_key) REFERENCES files (storage_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE resources;
DROP TABLE files;
