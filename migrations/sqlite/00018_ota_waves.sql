-- +goose Up
-- OTA waves (issue 17): a campaign may reach its devices in waves. The
-- plan and the wave each device is in are fixed at creation; the current
-- wave, a pause and the outcome change by conditional updates, so that of
-- two nodes deciding the same change only one makes it.

-- the wave plan as JSON, [{"tag"|"count"|"percent", "size"}, ...] (the last
-- one without a spec is the rest); NULL: a campaign without waves
ALTER TABLE ota_campaigns ADD COLUMN waves TEXT NULL;
-- the current wave, 1-based; 0 without waves
ALTER TABLE ota_campaigns ADD COLUMN wave INTEGER NOT NULL DEFAULT 0;
-- percents: of the current wave succeeded before the next starts, of the
-- started devices failed above which the campaign pauses
ALTER TABLE ota_campaigns ADD COLUMN success_threshold INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ota_campaigns ADD COLUMN error_threshold INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ota_campaigns ADD COLUMN wave_timeout_seconds INTEGER NOT NULL DEFAULT 0;
-- when the started waves' unfinished devices expire; NULL: none pending
ALTER TABLE ota_campaigns ADD COLUMN wave_deadline DATETIME NULL;
ALTER TABLE ota_campaigns ADD COLUMN paused_at DATETIME NULL;
ALTER TABLE ota_campaigns ADD COLUMN pause_reason TEXT NOT NULL DEFAULT '';
-- failures an operator accepted by resuming
ALTER TABLE ota_campaigns ADD COLUMN failures_acked INTEGER NOT NULL DEFAULT 0;
-- when the campaign was found completed, cancelled or expired, and as what
ALTER TABLE ota_campaigns ADD COLUMN finished_at DATETIME NULL;
ALTER TABLE ota_campaigns ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
CREATE INDEX ix_ota_campaigns_unfinished ON ota_campaigns (finished_at);
CREATE INDEX ix_ota_campaigns_wave_deadline ON ota_campaigns (wave_deadline);

-- Campaigns from before waves are settled as they are: they send no
-- campaign.finished.
UPDATE ota_campaigns SET finished_at = updated_at;

-- the device's wave, 1-based; 0 in a campaign without waves
ALTER TABLE ota_campaign_devices ADD COLUMN wave INTEGER NOT NULL DEFAULT 0;
-- counts per wave and state; a wave's devices to start, to expire
CREATE INDEX ix_ota_campaign_devices_wave ON ota_campaign_devices (campaign_id, wave, state);

-- The course of a campaign: wave starts, pauses, resumes, the end; who or
-- what made each change, why, and the numbers that decided (data: the
-- event as sent to webhooks). emitted_at is NULL until it was handed to
-- the event sink (set at once for kinds that are not sent).
CREATE TABLE ota_campaign_events (
    id          INTEGER  NOT NULL PRIMARY KEY AUTOINCREMENT,
    campaign_id TEXT     NOT NULL REFERENCES ota_campaigns (id) ON DELETE CASCADE,
    project_id  TEXT     NOT NULL,
    -- wave_started, paused, resumed or finished
    kind        TEXT     NOT NULL,
    wave        INTEGER  NOT NULL,
    -- the user's id, or "system"
    actor       TEXT     NOT NULL,
    reason      TEXT     NOT NULL,
    data        TEXT     NOT NULL,
    created_at  DATETIME NOT NULL,
    emitted_at  DATETIME NULL
);
CREATE INDEX ix_ota_campaign_events_campaign ON ota_campaign_events (campaign_id, id);
CREATE INDEX ix_ota_campaign_events_pending ON ota_campaign_events (emitted_at);

-- The state of a device of a wave not started yet (ota.StateWaiting),
-- first in lifecycle order.
INSERT INTO dict_items (id, type_code, label, label_en, value, color, sort, enabled, created_at, updated_at) VALUES
    ('6f0d8e8c2b1a4c3e9d7f5a1b3c5e7d90', 'ota_state', '等待批次', 'Waiting', 'waiting', 'default', 0, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00');

-- +goose Down
DELETE FROM dict_items WHERE type_code = 'ota_state' AND value = 'waiting';
DROP TABLE ota_campaign_events;
DROP INDEX ix_ota_campaign_devices_wave;
ALTER TABLE ota_campaign_devices DROP COLUMN wave;
DROP INDEX ix_ota_campaigns_unfinished;
DROP INDEX ix_ota_campaigns_wave_deadline;
ALTER TABLE ota_campaigns DROP COLUMN waves;
ALTER TABLE ota_campaigns DROP COLUMN wave;
ALTER TABLE ota_campaigns DROP COLUMN success_threshold;
ALTER TABLE ota_campaigns DROP COLUMN error_threshold;
ALTER TABLE ota_campaigns DROP COLUMN wave_timeout_seconds;
ALTER TABLE ota_campaigns DROP COLUMN wave_deadline;
ALTER TABLE ota_campaigns DROP COLUMN paused_at;
ALTER TABLE ota_campaigns DROP COLUMN pause_reason;
ALTER TABLE ota_campaigns DROP COLUMN failures_acked;
ALTER TABLE ota_campaigns DROP COLUMN finished_at;
ALTER TABLE ota_campaigns DROP COLUMN outcome;
