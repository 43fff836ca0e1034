-- +goose Up
-- Instance-wide settings: small named values the service keeps about itself
-- (for example which Hoist version last migrated the schema).
CREATE TABLE settings (
    name       TEXT     NOT NULL PRIMARY KEY,
    value      TEXT     NOT NULL,
    updated_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE settings;
