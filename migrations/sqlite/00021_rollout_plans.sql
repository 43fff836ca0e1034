-- +goose Up
-- Staged rollouts of app releases: stages and gates as JSON, the current
-- stage and state; the controller and operators change them under a row
-- lock, and every change is an event.
CREATE TABLE rollout_plans (
    resource_id   TEXT     NOT NULL PRIMARY KEY,
    project_id    TEXT     NOT NULL,
    stages        TEXT     NOT NULL,
    gates         TEXT     NOT NULL,
    stage         INTEGER  NOT NULL,
    state         TEXT     NOT NULL,
    stage_started DATETIME NOT NULL,
    updated_time  DATETIME NOT NULL
);
CREATE INDEX rollout_plans_state ON rollout_plans (state);

CREATE TABLE rollout_events (
    id           INTEGER  PRIMARY KEY AUTOINCREMENT,
    resource_id  TEXT     NOT NULL,
    at           DATETIME NOT NULL,
    actor        TEXT     NOT NULL,
    action       TEXT     NOT NULL,
    from_percent INTEGER  NOT NULL,
    to_percent   INTEGER  NOT NULL,
    reason       TEXT     NOT NULL,
    numbers      TEXT     NOT NULL
);
CREATE INDEX rollout_events_resource ON rollout_events (resource_id, id);

-- +goose Down
DROP TABLE rollout_events;
DROP TABLE rollout_plans;
