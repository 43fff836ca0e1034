-- +goose Up
-- Commands sent to one device or to every device with a tag (PROTOCOLS §3),
-- kept so that replies can be matched and shown. No foreign keys to the
-- registry: deleting a product or device keeps its command log.
CREATE TABLE commands (
    request_id CHAR(32)    NOT NULL,
    product    VARCHAR(64) NOT NULL,
    -- exactly one of device and tag is set, the other is ''
    device     VARCHAR(64) NOT NULL DEFAULT '',
    tag        VARCHAR(64) NOT NULL DEFAULT '',
    name       VARCHAR(64) NOT NULL,
    encoding   VARCHAR(10) NOT NULL,
    data       MEDIUMTEXT  NOT NULL,
    expires_at DATETIME(3) NOT NULL,
    created_by CHAR(32)    NOT NULL,
    created_at DATETIME(3) NOT NULL,
    PRIMARY KEY (request_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The latest reply of each device to a command (cmd_resp); the payload is
-- kept as sent, binary included.
CREATE TABLE command_replies (
    request_id  CHAR(32)    NOT NULL,
    device      VARCHAR(64) NOT NULL,
    payload     MEDIUMBLOB  NOT NULL,
    received_at DATETIME(3) NOT NULL,
    PRIMARY KEY (request_id, device),
    CONSTRAINT fk_command_replies_command FOREIGN KEY (request_id) REFERENCES commands (request_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- OTA campaigns: one firmware resource sent to a device list fixed at
-- creation. resource_id is a record, not a foreign key: deleting the
-- resource keeps the campaign's history.
CREATE TABLE ota_campaigns (
    id           CHAR(32)    NOT NULL,
    project_id   CHAR(32)    NOT NULL,
    product      VARCHAR(64) NOT NULL,
    resource_id  CHAR(32)    NOT NULL,
    version      VARCHAR(50) NOT NULL,
    -- device, tag or all; target_value is the device or tag name, '' for all
    target_kind  VARCHAR(10) NOT NULL,
    target_value VARCHAR(64) NOT NULL DEFAULT '',
    -- the requestId of the ota_upgrade command, which progress reports quote
    request_id   CHAR(32)    NOT NULL,
    expires_at   DATETIME(3) NOT NULL,
    cancelled_at DATETIME(3) NULL,
    created_by   CHAR(32)    NOT NULL,
    created_at   DATETIME(3) NOT NULL,
    updated_at   DATETIME(3) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_ota_campaigns_request (request_id),
    KEY ix_ota_campaigns_project (project_id, created_at),
    KEY ix_ota_campaigns_product (product, created_at),
    KEY ix_ota_campaigns_expires (expires_at),
    CONSTRAINT fk_ota_campaigns_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Where each device of a campaign is (the per-device state machine).
CREATE TABLE ota_campaign_devices (
    campaign_id CHAR(32)      NOT NULL,
    product     VARCHAR(64)   NOT NULL,
    device      VARCHAR(64)   NOT NULL,
    state       VARCHAR(16)   NOT NULL,
    progress    INT           NOT NULL DEFAULT 0,
    -- the last report as received (compact JSON text, kept verbatim: the
    -- JSON type would reorder its keys); NULL before the first
    last_report TEXT          NULL,
    error       VARCHAR(1000) NOT NULL DEFAULT '',
    updated_at  DATETIME(3)   NOT NULL,
    PRIMARY KEY (campaign_id, device),
    -- a report without requestId: the device's most recent open entry
    KEY ix_ota_campaign_devices_device (product, device, updated_at),
    -- counts per state, lists by state, expiry
    KEY ix_ota_campaign_devices_state (campaign_id, state),
    CONSTRAINT fk_ota_campaign_devices_campaign FOREIGN KEY (campaign_id) REFERENCES ota_campaigns (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Each device's latest progress when there is no Redis (with Redis it lives
-- under ota_progress/{product}/{device}). payload is the stored document.
CREATE TABLE ota_progress (
    product    VARCHAR(64) NOT NULL,
    device     VARCHAR(64) NOT NULL,
    payload    TEXT        NOT NULL,
    state      VARCHAR(16) NOT NULL DEFAULT '',
    updated_at DATETIME(3) NOT NULL,
    PRIMARY KEY (product, device)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every progress report, written in batches. campaign_id is NULL for a
-- report that matched no campaign; no foreign key, so that a batch never
-- fails on a campaign deleted meanwhile.
CREATE TABLE ota_history (
    id          BIGINT      NOT NULL AUTO_INCREMENT,
    campaign_id CHAR(32)    NULL,
    product     VARCHAR(64) NOT NULL,
    device      VARCHAR(64) NOT NULL,
    -- the state the report itself says ('' for a status-only report)
    state       VARCHAR(16) NOT NULL DEFAULT '',
    raw         TEXT        NOT NULL,
    received_at DATETIME(3) NOT NULL,
    PRIMARY KEY (id),
    KEY ix_ota_history_campaign (campaign_id, received_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE ota_history;
DROP TABLE ota_progress;
DROP TABLE ota_campaign_devices;
DROP TABLE ota_campaigns;
DROP TABLE command_replies;
DROP TABLE commands;
