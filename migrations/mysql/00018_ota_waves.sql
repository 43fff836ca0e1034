-- +goose Up
-- OTA waves (issue 17): a campaign may reach its devices in waves. The
-- plan and the wave each device is in are fixed at creation; the current
-- wave, a pause and the outcome change by conditional updates, so that of
-- two nodes deciding the same change only one makes it.
ALTER TABLE ota_campaigns
    -- the wave plan as JSON, [{"tag"|"count"|"percent", "size"}, ...] (the
    -- last one without a spec is the rest); NULL: a campaign without waves
    ADD COLUMN waves TEXT NULL,
    -- the current wave, 1-based; 0 without waves
    ADD COLUMN wave INT NOT NULL DEFAULT 0,
    -- percents: of the current wave succeeded before the next starts, of the
    -- started devices failed above which the campaign pauses
    ADD COLUMN success_threshold INT NOT NULL DEFAULT 0,
    ADD COLUMN error_threshold INT NOT NULL DEFAULT 0,
    ADD COLUMN wave_timeout_seconds INT NOT NULL DEFAULT 0,
    -- when the started waves' unfinished devices expire; NULL: none pending
    ADD COLUMN wave_deadline DATETIME(3) NULL,
    ADD COLUMN paused_at DATETIME(3) NULL,
    ADD COLUMN pause_reason VARCHAR(300) NOT NULL DEFAULT '',
    -- failures an operator accepted by resuming
    ADD COLUMN failures_acked INT NOT NULL DEFAULT 0,
    -- when the campaign was found completed, cancelled or expired, and as what
    ADD COLUMN finished_at DATETIME(3) NULL,
    ADD COLUMN outcome VARCHAR(16) NOT NULL DEFAULT '',
    ADD KEY ix_ota_campaigns_unfinished (finished_at),
    ADD KEY ix_ota_campaigns_wave_deadline (wave_deadline);

-- Campaigns from before waves are settled as they are: they send no
-- campaign.finished.
UPDATE ota_campaigns SET finished_at = updated_at;

ALTER TABLE ota_campaign_devices
    -- the device's wave, 1-based; 0 in a campaign without waves
    ADD COLUMN wave INT NOT NULL DEFAULT 0,
    -- counts per wave and state; a wave's devices to start, to expire
    ADD KEY ix_ota_campaign_devices_wave (campaign_id, wave, state);

-- The course of a campaign: wave starts, pauses, resumes, the end; who or
-- what made each change, why, and the numbers that decided (data: the
-- event as sent to webhooks). emitted_at is NULL until it was handed to
-- the event sink (set at once for kinds that are not sent).
CREATE TABLE ota_campaign_events (
    id          BIGINT       NOT NULL AUTO_INCREMENT,
    campaign_id CHAR(32)     NOT NULL,
    project_id  CHAR(32)     NOT NULL,
    -- wave_started, paused, resumed or finished
    kind        VARCHAR(16)  NOT NULL,
    wave        INT          NOT NULL,
    -- the user's id, or "system"
    actor       VARCHAR(32)  NOT NULL,
    reason      VARCHAR(300) NOT NULL,
    data        TEXT         NOT NULL,
    created_at  DATETIME(3)  NOT NULL,
    emitted_at  DATETIME(3)  NULL,
    PRIMARY KEY (id),
    KEY ix_ota_campaign_events_campaign (campaign_id, id),
    KEY ix_ota_campaign_events_pending (emitted_at),
    CONSTRAINT fk_ota_campaign_events_campaign FOREIGN KEY (campaign_id) REFERENCES ota_campaigns (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The state of a device of a wave not started yet (ota.StateWaiting),
-- first in lifecycle order.
INSERT INTO dict_items (id, type_code, label, label_en, value, color, sort, enabled, created_at, updated_at) VALUES
    ('6f0d8e8c2b1a4c3e9d7f5a1b3c5e7d90', 'ota_state', '等待批次', 'Waiting', 'waiting', 'default', 0, TRUE, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');

-- +goose Down
DELETE FROM dict_items WHERE type_code = 'ota_state' AND value = 'waiting';
DROP TABLE ota_campaign_events;
ALTER TABLE ota_campaign_devices DROP KEY ix_ota_campaign_devices_wave, DROP COLUMN wave;
ALTER TABLE ota_campaigns
    DROP KEY ix_ota_campaigns_unfinished,
    DROP KEY ix_ota_campaigns_wave_deadline,
    DROP COLUMN waves, DROP COLUMN wave, DROP COLUMN success_threshold, DROP COLUMN error_threshold,
    DROP COLUMN wave_timeout_seconds, DROP COLUMN wave_deadline, DROP COLUMN paused_at, DROP COLUMN pause_reason,
    DROP COLUMN failures_acked, DROP COLUMN finished_at, DROP COLUMN outcome;
