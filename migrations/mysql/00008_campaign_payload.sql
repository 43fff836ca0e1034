-- +goose Up
-- The ota_upgrade command as published, kept to send it again to a device
-- that was offline (commands are never retained by the broker).
ALTER TABLE ota_campaigns ADD COLUMN payload TEXT NULL;

-- +goose Down
ALTER TABLE ota_campaigns DROP COLUMN payload;
