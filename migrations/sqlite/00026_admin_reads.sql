-- +goose Up
-- A campaign's devices per wave and state, kept in the same transaction as
-- every change of ota_campaign_devices (store/ota_counts.go), so that a
-- campaign read never counts its devices (issue "cost that stays flat").
CREATE TABLE ota_campaign_counts (
    campaign_id TEXT    NOT NULL REFERENCES ota_campaigns (id) ON DELETE CASCADE,
    -- 0 in a campaign without waves
    wave        INTEGER NOT NULL,
    state       TEXT    NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, wave, state)
);
INSERT INTO ota_campaign_counts (campaign_id, wave, state, n)
    SELECT campaign_id, wave, state, COUNT(*) FROM ota_campaign_devices GROUP BY campaign_id, wave, state;

-- a campaign's devices by update time, all or of one state (keys of pages)
CREATE INDEX ix_ota_campaign_devices_updated ON ota_campaign_devices (campaign_id, updated_at, device);
CREATE INDEX ix_ota_campaign_devices_state_updated ON ota_campaign_devices (campaign_id, state, updated_at, device);

-- a product's devices by creation or last sight: devices imported together
-- share a creation time, and the name breaks the tie within the index
-- (InnoDB appends the primary key by itself; SQLite appends the rowid)
DROP INDEX ix_devices_created;
DROP INDEX ix_devices_seen;
CREATE INDEX ix_devices_created ON devices (product, created_at, name);
CREATE INDEX ix_devices_seen ON devices (product, last_seen_at, name);

-- +goose Down
DROP INDEX ix_devices_seen;
DROP INDEX ix_devices_created;
CREATE INDEX ix_devices_created ON devices (product, created_at);
CREATE INDEX ix_devices_seen ON devices (product, last_seen_at);
DROP INDEX ix_ota_campaign_devices_state_updated;
DROP INDEX ix_ota_campaign_devices_updated;
DROP TABLE ota_campaign_counts;
