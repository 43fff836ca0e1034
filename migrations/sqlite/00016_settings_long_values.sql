-- +goose Up
-- MySQL widens settings.value to MEDIUMTEXT for long documents (the last
-- upushy import's report); SQLite's TEXT has no such limit. Nothing to do.
SELECT 1;

-- +goose Down
SELECT 1;
