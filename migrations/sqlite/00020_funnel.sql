-- +goose Up
-- The adoption funnel of each release: per day and step (1 offered,
-- 2 downloaded, 3 applied, 4 not applied) a HyperLogLog sketch of the
-- devices (fixed size, merged by register maximum across nodes and days).
CREATE TABLE funnel_sketches (
    resource_id TEXT    NOT NULL,
    day         INTEGER NOT NULL,
    step        INTEGER NOT NULL,
    encoding    BLOB    NOT NULL,
    PRIMARY KEY (resource_id, day, step)
);

-- Devices that downloaded a release and have not yet reported it installed:
-- checks counts the further checks still offered it; at 2 the device is
-- "not applied" and its row goes.
CREATE TABLE funnel_pending (
    resource_id TEXT    NOT NULL,
    device_hash INTEGER NOT NULL,
    checks      INTEGER NOT NULL,
    day         INTEGER NOT NULL,
    PRIMARY KEY (resource_id, device_hash)
);
CREATE INDEX funnel_pending_done ON funnel_pending (resource_id, checks);

-- +goose Down
DROP TABLE funnel_pending;
DROP TABLE funnel_sketches;
