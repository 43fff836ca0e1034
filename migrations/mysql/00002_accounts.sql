-- +goose Up
CREATE TABLE users (
    id            CHAR(32)     NOT NULL,
    username      VARCHAR(50)  NOT NULL,
    -- lower-cased username: usernames are unique regardless of case
    username_key  VARCHAR(50)  NOT NULL,
    email         VARCHAR(255) NOT NULL DEFAULT '',
    nickname      VARCHAR(50)  NOT NULL DEFAULT '',
    role          VARCHAR(10)  NOT NULL,
    disabled      BOOLEAN      NOT NULL DEFAULT FALSE,
    password_hash VARCHAR(255) NOT NULL,
    -- bumped on password change, reset or disable: older access tokens fail
    token_version BIGINT       NOT NULL DEFAULT 1,
    created_at    DATETIME(3)  NOT NULL,
    updated_at    DATETIME(3)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_users_username_key (username_key),
    KEY ix_users_created_at (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE refresh_tokens (
    id         CHAR(32)     NOT NULL,
    user_id    CHAR(32)     NOT NULL,
    -- every token rotated from one login shares a family; reuse of a
    -- rotated token revokes the family
    family_id  CHAR(32)     NOT NULL,
    token_hash CHAR(64)     NOT NULL,
    expires_at DATETIME(3)  NOT NULL,
    used_at    DATETIME(3)  NULL,
    revoked_at DATETIME(3)  NULL,
    ip         VARCHAR(64)  NOT NULL DEFAULT '',
    user_agent VARCHAR(255) NOT NULL DEFAULT '',
    created_at DATETIME(3)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_refresh_tokens_hash (token_hash),
    KEY ix_refresh_tokens_family (family_id),
    KEY ix_refresh_tokens_user (user_id),
    CONSTRAINT fk_refresh_tokens_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE api_tokens (
    id           CHAR(32)    NOT NULL,
    user_id      CHAR(32)    NOT NULL,
    name         VARCHAR(50) NOT NULL,
    token_hash   CHAR(64)    NOT NULL,
    -- first characters of the token, shown to tell tokens apart
    prefix       VARCHAR(16) NOT NULL,
    project_id   CHAR(32)    NULL,
    read_only    BOOLEAN     NOT NULL DEFAULT FALSE,
    expires_at   DATETIME(3) NULL,
    last_used_at DATETIME(3) NULL,
    created_at   DATETIME(3) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_api_tokens_hash (token_hash),
    KEY ix_api_tokens_user (user_id),
    CONSTRAINT fk_api_tokens_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE login_logs (
    id         BIGINT       NOT NULL AUTO_INCREMENT,
    user_id    CHAR(32)     NULL,
    username   VARCHAR(100) NOT NULL,
    ip         VARCHAR(64)  NOT NULL DEFAULT '',
    user_agent VARCHAR(255) NOT NULL DEFAULT '',
    result     VARCHAR(20)  NOT NULL,
    created_at DATETIME(3)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_login_logs_user_created (user_id, created_at),
    KEY ix_login_logs_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE projects (
    id          CHAR(32)     NOT NULL,
    name        VARCHAR(50)  NOT NULL,
    description VARCHAR(255) NOT NULL DEFAULT '',
    owner_id    CHAR(32)     NOT NULL,
    created_at  DATETIME(3)  NOT NULL,
    updated_at  DATETIME(3)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_projects_created_at (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE project_members (
    project_id CHAR(32)    NOT NULL,
    user_id    CHAR(32)    NOT NULL,
    role       VARCHAR(12) NOT NULL,
    created_at DATETIME(3) NOT NULL,
    PRIMARY KEY (project_id, user_id),
    KEY ix_project_members_user (user_id),
    CONSTRAINT fk_project_members_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE,
    CONSTRAINT fk_project_members_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE project_members;
DROP TABLE projects;
DROP TABLE login_logs;
DROP TABLE api_tokens;
DROP TABLE refresh_tokens;
DROP TABLE users;
