-- +goose Up
-- Files uploaded to storage, recorded once verified; resources refer to them.
CREATE TABLE files (
    storage_key  TEXT     NOT NULL PRIMARY KEY,
    project_id   TEXT     NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name         TEXT     NOT NULL DEFAULT '',
    size         INTEGER  NOT NULL,
    md5          TEXT     NOT NULL DEFAULT '',
    sha256       TEXT     NOT NULL DEFAULT '',
    -- what the content is, sniffed: zip, apk or binary
    kind         TEXT     NOT NULL,
    content_type TEXT     NOT NULL DEFAULT '',
    created_by   TEXT     NOT NULL,
    created_at   DATETIME NOT NULL
);
CREATE INDEX ix_files_project ON files (project_id, created_at);

CREATE TABLE resources (
    id                  TEXT     NOT NULL PRIMARY KEY,
    project_id          TEXT     NOT NULL REFERENCES projects (id),
    type                INTEGER  NOT NULL,
    version             TEXT     NOT NULL,
    version_code        INTEGER  NOT NULL,
    native_version_code INTEGER  NOT NULL DEFAULT 0,
    url                 TEXT     NOT NULL DEFAULT '',
    storage_key         TEXT     NULL REFERENCES files (storage_key),
    size                INTEGER  NOT NULL DEFAULT 0,
    md5                 TEXT     NOT NULL DEFAULT '',
    sha256              TEXT     NOT NULL DEFAULT '',
    update_type         INTEGER  NOT NULL,
    status              INTEGER  NOT NULL,
    changelog           TEXT     NOT NULL,
    remark              TEXT     NOT NULL DEFAULT '',
    rollout_percent     INTEGER  NOT NULL DEFAULT 100,
    product             TEXT     NOT NULL DEFAULT '',
    created_by          TEXT     NOT NULL,
    created_at          DATETIME NOT NULL,
    updated_at          DATETIME NOT NULL
);
-- the version rule's backstop: no two resources of a type share a code
CREATE UNIQUE INDEX uq_resources_code ON resources (project_id, type, version_code);
CREATE INDEX ix_resources_list ON resources (project_id, status, type);
CREATE INDEX ix_resources_created ON resources (project_id, created_at);
CREATE INDEX ix_resources_key ON resources (storage_key);

-- +goose Down
DROP TABLE resources;
DROP TABLE files;
