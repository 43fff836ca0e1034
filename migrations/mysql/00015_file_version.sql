-- +goose Up
-- The version an uploaded package declares (wgt manifest.json version.name
-- and version.code, apk versionName and versionCode); empty and 0 when none.
ALTER TABLE files ADD COLUMN package_version VARCHAR(100) NOT NULL DEFAULT '';
ALTER TABLE files ADD COLUMN package_version_code BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE files DROP COLUMN package_version_code;
ALTER TABLE files DROP COLUMN package_version;
