-- +goose Up
-- Device products. Names are global, not per project: a device's MQTT
-- username and topics are {product}/{device} (PROTOCOLS §3). The binary
-- collation keeps names case-sensitive, as MQTT topics are.
CREATE TABLE products (
    name        VARCHAR(64)  NOT NULL,
    project_id  CHAR(32)     NOT NULL,
    description VARCHAR(255) NOT NULL DEFAULT '',
    created_at  DATETIME(3)  NOT NULL,
    updated_at  DATETIME(3)  NOT NULL,
    PRIMARY KEY (name),
    KEY ix_products_project (project_id),
    -- a project with products cannot be deleted until they are
    CONSTRAINT fk_products_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE devices (
    product          VARCHAR(64) NOT NULL,
    name             VARCHAR(64) NOT NULL,
    -- hex HMAC-SHA256(server key, product "/" name "\n" secret); the
    -- secret itself is shown once and never stored
    secret_hash      CHAR(64)    NOT NULL,
    online           BOOLEAN     NOT NULL DEFAULT FALSE,
    last_seen_at     DATETIME(3) NULL,
    last_ip          VARCHAR(45) NOT NULL DEFAULT '',
    -- the last status report, a JSON object of at most 8 KiB
    last_status      TEXT        NULL,
    firmware_version VARCHAR(50) NOT NULL DEFAULT '',
    created_at       DATETIME(3) NOT NULL,
    updated_at       DATETIME(3) NOT NULL,
    PRIMARY KEY (product, name),
    KEY ix_devices_online (product, online),
    KEY ix_devices_created (product, created_at),
    KEY ix_devices_seen (product, last_seen_at),
    CONSTRAINT fk_devices_product FOREIGN KEY (product) REFERENCES products (name) ON DELETE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Tags, one row each, so that "the devices of a product with tag T" (OTA
-- targets, tag commands) is an indexed query.
CREATE TABLE device_tags (
    product VARCHAR(64) NOT NULL,
    device  VARCHAR(64) NOT NULL,
    tag     VARCHAR(64) NOT NULL,
    PRIMARY KEY (product, device, tag),
    KEY ix_device_tags_tag (product, tag),
    CONSTRAINT fk_device_tags_device FOREIGN KEY (product, device) REFERENCES devices (product, name) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE device_tags;
DROP TABLE devices;
DROP TABLE products;
