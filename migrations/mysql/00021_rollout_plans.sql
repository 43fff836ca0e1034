-- +goose Up
-- Staged rollouts of app releases: stages and gates as JSON, the current
-- stage and state; the controller and operators change them under a row
-- lock, and every change is an event.
CREATE TABLE rollout_plans (
    resource_id   CHAR(32)    NOT NULL PRIMARY KEY,
    project_id    CHAR(32)    NOT NULL,
    stages        TEXT        NOT NULL,
    gates         TEXT        NOT NULL,
    stage         INT         NOT NULL,
    state         VARCHAR(16) NOT NULL,
    stage_started DATETIME(3) NOT NULL,
    updated_time  DATETIME(3) NOT NULL,
    KEY rollout_plans_state (state)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE rollout_events (
    id           BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    resource_id  CHAR(32)     NOT NULL,
    at           DATETIME(3)  NOT NULL,
    actor        VARCHAR(64)  NOT NULL,
    action       VARCHAR(16)  NOT NULL,
    from_percent INT          NOT NULL,
    to_percent   INT          NOT NULL,
    reason       VARCHAR(512) NOT NULL,
    numbers      TEXT         NOT NULL,
    KEY rollout_events_resource (resource_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE rollout_events;
DROP TABLE rollout_plans;
