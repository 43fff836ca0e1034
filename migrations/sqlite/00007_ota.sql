-- +goose Up
-- Commands sent to one device or to every device with a tag (PROTOCOLS §3),
-- kept so that replies can be matched and shown. No foreign keys to the
-- registry: deleting a product or device keeps its command log.
CREATE TABLE commands (
    request_id TEXT     NOT NULL PRIMARY KEY,
    product    TEXT     NOT NULL,
    -- exactly one of device and tag is set, the other is ''
    device     TEXT     NOT NULL DEFAULT '',
    tag        TEXT     NOT NULL DEFAULT '',
    name       TEXT     NOT NULL,
    encoding   TEXT     NOT NULL,
    data       TEXT     NOT NULL,
    expires_at DATETIME NOT NULL,
    created_by TEXT     NOT NULL,
    created_at DATETIME NOT NULL
);

-- The latest reply of each device to a command (cmd_resp); the payload is
-- kept as sent, binary included.
CREATE TABLE command_replies (
    request_id  TEXT     NOT NULL REFERENCES commands (request_id) ON DELETE CASCADE,
    device      TEXT     NOT NULL,
    payload     BLOB     NOT NULL,
    received_at DATETIME NOT NULL,
    PRIMARY KEY (request_id, device)
);

-- OTA campaigns: one firmware resource sent to a device list fixed at
-- creation. resource_id is a record, not a foreign key: deleting the
-- resource keeps the campaign's history.
CREATE TABLE ota_campaigns (
    id           TEXT     NOT NULL PRIMARY KEY,
    project_id   TEXT     NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    product      TEXT     NOT NULL,
    resource_id  TEXT     NOT NULL,
    version      TEXT     NOT NULL,
    -- device, tag or all; target_value is the device or tag name, '' for all
    target_kind  TEXT     NOT NULL,
    target_value TEXT     NOT NULL DEFAULT '',
    -- the requestId of the ota_upgrade command, which progress reports quote
    request_id   TEXT     NOT NULL,
    expires_at   DATETIME NOT NULL,
    cancelled_at DATETIME NULL,
    created_by   TEXT     NOT NULL,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_ota_campaigns_request ON ota_campaigns (request_id);
CREATE INDEX ix_ota_campaigns_project ON ota_campaigns (project_id, created_at);
CREATE INDEX ix_ota_campaigns_product ON ota_campaigns (product, created_at);
CREATE INDEX ix_ota_campaigns_expires ON ota_campaigns (expires_at);

-- Where each device of a campaign is (the per-device state machine).
CREATE TABLE ota_campaign_devices (
    campaign_id TEXT     NOT NULL REFERENCES ota_campaigns (id) ON DELETE CASCADE,
    product     TEXT     NOT NULL,
    device      TEXT     NOT NULL,
    state       TEXT     NOT NULL,
    progress    INTEGER  NOT NULL DEFAULT 0,
    -- the last report as received (compact JSON text); NULL before the first
    last_report TEXT     NULL,
    error       TEXT     NOT NULL DEFAULT '',
    updated_at  DATETIME NOT NULL,
    PRIMARY KEY (campaign_id, device)
);
-- a report without requestId: the device's most recent open entry
CREATE INDEX ix_ota_campaign_devices_device ON ota_campaign_devices (product, device, updated_at);
-- counts per state, lists by state, expiry
CREATE INDEX ix_ota_campaign_devices_state ON ota_campaign_devices (campaign_id, state);

-- Each device's latest progress when there is no Redis (with Redis it lives
-- under ota_progress/{product}/{device}). payload is the stored document.
CREATE TABLE ota_progress (
    product    TEXT     NOT NULL,
    device     TEXT     NOT NULL,
    payload    TEXT     NOT NULL,
    state      TEXT     NOT NULL DEFAULT '',
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (product, device)
);

-- Every progress report, written in batches. campaign_id is NULL for a
-- report that matched no campaign; no foreign key, so that a batch never
-- fails on a campaign deleted meanwhile.
CREATE TABLE ota_history (
    id          INTEGER  NOT NULL PRIMARY KEY AUTOINCREMENT,
    campaign_id TEXT     NULL,
    product     TEXT     NOT NULL,
    device      TEXT     NOT NULL,
    -- the state the report itself says ('' for a status-only report)
    state       TEXT     NOT NULL DEFAULT '',
    raw         TEXT     NOT NULL,
    received_at DATETIME NOT NULL
);
CREATE INDEX ix_ota_history_campaign ON ota_history (campaign_id, received_at);

-- +goose Down
DROP TABLE ota_history;
DROP TABLE ota_progress;
DROP TABLE ota_campaign_devices;
DROP TABLE ota_campaigns;
DROP TABLE command_replies;
DROP TABLE commands;
