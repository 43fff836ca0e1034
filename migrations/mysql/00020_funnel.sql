-- +goose Up
-- The adoption funnel of each release: per day and step (1 offered,
-- 2 downloaded, 3 applied, 4 not applied) a HyperLogLog sketch of the
-- devices (fixed size, merged by register maximum across nodes and days).
CREATE TABLE funnel_sketches (
    resource_id CHAR(32)   NOT NULL,
    day         INT        NOT NULL,
    step        TINYINT    NOT NULL,
    encoding    MEDIUMBLOB NOT NULL,
    PRIMARY KEY (resource_id, day, step)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Devices that downloaded a release and have not yet reported it installed:
-- checks counts the further checks still offered it; at 2 the device is
-- "not applied" and its row goes.
CREATE TABLE funnel_pending (
    resource_id CHAR(32) NOT NULL,
    device_hash BIGINT   NOT NULL,
    checks      INT      NOT NULL,
    day         INT      NOT NULL,
    PRIMARY KEY (resource_id, device_hash),
    KEY funnel_pending_done (resource_id, checks)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE funnel_pending;
DROP TABLE funnel_sketches;
