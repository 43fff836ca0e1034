-- +goose Up
CREATE TABLE users (
    id            TEXT     NOT NULL PRIMARY KEY,
    username      TEXT     NOT NULL,
    -- lower-cased username: usernames are unique regardless of case
    username_key  TEXT     NOT NULL,
    email         TEXT     NOT NULL DEFAULT '',
    nickname      TEXT     NOT NULL DEFAULT '',
    role          TEXT     NOT NULL,
    disabled      BOOLEAN  NOT NULL DEFAULT FALSE,
    password_hash TEXT     NOT NULL,
    -- bumped on password change, reset or disable: older access tokens fail
    token_version INTEGER  NOT NULL DEFAULT 1,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_users_username_key ON users (username_key);
CREATE INDEX ix_users_created_at ON users (created_at);

CREATE TABLE refresh_tokens (
    id         TEXT     NOT NULL PRIMARY KEY,
    user_id    TEXT     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- every token rotated from one login shares a family; reuse of a
    -- rotated token revokes the family
    family_id  TEXT     NOT NULL,
    token_hash TEXT     NOT NULL,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME NULL,
    revoked_at DATETIME NULL,
    ip         TEXT     NOT NULL DEFAULT '',
    user_agent TEXT     NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_refresh_tokens_hash ON refresh_tokens (token_hash);
CREATE INDEX ix_refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX ix_refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE api_tokens (
    id           TEXT     NOT NULL PRIMARY KEY,
    user_id      TEXT     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT     NOT NULL,
    token_hash   TEXT     NOT NULL,
    -- first characters of the token, shown to tell tokens apart
    prefix       TEXT     NOT NULL,
    project_id   TEXT     NULL,
    read_only    BOOLEAN  NOT NULL DEFAULT FALSE,
    expires_at   DATETIME NULL,
    last_used_at DATETIME NULL,
    created_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_api_tokens_hash ON api_tokens (token_hash);
CREATE INDEX ix_api_tokens_user ON api_tokens (user_id);

CREATE TABLE login_logs (
    id         INTEGER  NOT NULL PRIMARY KEY AUTOINCREMENT,
    user_id    TEXT     NULL,
    username   TEXT     NOT NULL,
    ip         TEXT     NOT NULL DEFAULT '',
    user_agent TEXT     NOT NULL DEFAULT '',
    result     TEXT     NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_login_logs_user_created ON login_logs (user_id, created_at);
CREATE INDEX ix_login_logs_created ON login_logs (created_at);

CREATE TABLE projects (
    id          TEXT     NOT NULL PRIMARY KEY,
    name        TEXT     NOT NULL,
    description TEXT     NOT NULL DEFAULT '',
    owner_id    TEXT     NOT NULL,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE INDEX ix_projects_created_at ON projects (created_at);

CREATE TABLE project_members (
    project_id TEXT     NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    TEXT     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT     NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX ix_project_members_user ON project_members (user_id);

-- +goose Down
DROP TABLE project_members;
DROP TABLE projects;
DROP TABLE login_logs;
DROP TABLE api_tokens;
DROP TABLE refresh_tokens;
DROP TABLE users;
