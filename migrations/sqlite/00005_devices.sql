-- +goose Up
-- Device products. Names are global, not per project: a device's MQTT
-- username and topics are {product}/{device} (PROTOCOLS §3). SQLite
-- compares TEXT bytewise, so names are case-sensitive, as MQTT topics are.
CREATE TABLE products (
    name        TEXT     NOT NULL PRIMARY KEY,
    -- a project with products cannot be deleted until they are. NO ACTION
    -- (the default) rather than RESTRICT: SQLite reports a RESTRICT
    -- violation as a trigger constraint, which the driver does not
    -- translate into a foreign key error; within one statement the two
    -- behave the same.
    project_id  TEXT     NOT NULL REFERENCES projects (id),
    description TEXT     NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE INDEX ix_products_project ON products (project_id);

CREATE TABLE devices (
    product          TEXT     NOT NULL REFERENCES products (name), -- NO ACTION, see above
    name             TEXT     NOT NULL,
    -- hex HMAC-SHA256(server key, product "/" name "\n" secret); the
    -- secret itself is shown once and never stored
    secret_hash      TEXT     NOT NULL,
    online           BOOLEAN  NOT NULL DEFAULT FALSE,
    last_seen_at     DATETIME NULL,
    last_ip          TEXT     NOT NULL DEFAULT '',
    -- the last status report, a JSON object of at most 8 KiB
    last_status      TEXT     NULL,
    firmware_version TEXT     NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    PRIMARY KEY (product, name)
);
CREATE INDEX ix_devices_online ON devices (product, online);
CREATE INDEX ix_devices_created ON devices (product, created_at);
CREATE INDEX ix_devices_seen ON devices (product, last_seen_at);

-- Tags, one row each, so that "the devices of a product with tag T" (OTA
-- targets, tag commands) is an indexed query.
CREATE TABLE device_tags (
    product TEXT NOT NULL,
    device  TEXT NOT NULL,
    tag     TEXT NOT NULL,
    PRIMARY KEY (product, device, tag),
    FOREIGN KEY (product, device) REFERENCES devices (product, name) ON DELETE CASCADE
);
CREATE INDEX ix_device_tags_tag ON device_tags (product, tag);

-- +goose Down
DROP TABLE device_tags;
DROP TABLE devices;
DROP TABLE products;
