-- +goose Up
-- A campaign's devices per wave and state, kept in the same transaction as
-- every change of ota_campaign_devices (store/ota_counts.go), so that a
-- campaign read never counts its devices (issue "cost that stays flat").
CREATE TABLE ota_campaign_counts (
    campaign_id CHAR(32)    NOT NULL,
    -- 0 in a campaign without waves
    wave        INT         NOT NULL,
    state       VARCHAR(16) NOT NULL,
    n           BIGINT      NOT NULL,
    PRIMARY KEY (campaign_id, wave, state),
    CONSTRAINT fk_ota_campaign_counts_campaign FOREIGN KEY (campaign_id) REFERENCES ota_campaigns (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO ota_campaign_counts (campaign_id, wave, state, n)
    SELECT campaign_id, wave, state, COUNT(*) FROM ota_campaign_devices GROUP BY campaign_id, wave, state;

-- a campaign's devices by update time, all or of one state (keys of pages;
-- InnoDB appends the primary key, so device breaks ties)
CREATE INDEX ix_ota_campaign_devices_updated ON ota_campaign_devices (campaign_id, updated_at);
CREATE INDEX ix_ota_campaign_devices_state_updated ON ota_campaign_devices (campaign_id, state, updated_at);

-- +goose Down
DROP INDEX ix_ota_campaign_devices_state_updated ON ota_campaign_devices;
DROP INDEX ix_ota_campaign_devices_updated ON ota_campaign_devices;
DROP TABLE ota_campaign_counts;
