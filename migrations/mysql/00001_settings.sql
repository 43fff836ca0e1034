-- +goose Up
-- Instance-wide settings: small named values the service keeps about itself
-- (for example which Hoist version last migrated the schema).
CREATE TABLE settings (
    name       VARCHAR(64)  NOT NULL,
    value      TEXT         NOT NULL,
    updated_at DATETIME(3)  NOT NULL,
    PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE settings;
