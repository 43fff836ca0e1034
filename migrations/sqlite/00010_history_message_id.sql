-- +goose Up
-- The message id of each progress report (its topic's last level), so that
-- the history can be audited against what devices sent: one row per
-- message, never two.
ALTER TABLE ota_history ADD COLUMN message_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE ota_history DROP COLUMN message_id;
