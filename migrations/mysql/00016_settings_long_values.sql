-- +goose Up
-- A setting may hold a long document: the last upushy import's report (one
-- entry per imported record) outgrows TEXT's 64 KiB. MEDIUMTEXT holds 16 MiB.
ALTER TABLE settings MODIFY value MEDIUMTEXT NOT NULL;

-- +goose Down
ALTER TABLE settings MODIFY value TEXT NOT NULL;
