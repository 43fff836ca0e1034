-- +goose Up
-- New devices per project and day, counted when they are inserted, so the
-- statistics never count update_devices rows per request.
CREATE TABLE update_new_devices (
    project_id TEXT    NOT NULL,
    day        TEXT    NOT NULL,
    devices    INTEGER NOT NULL,
    PRIMARY KEY (project_id, day)
);
INSERT INTO update_new_devices (project_id, day, devices)
    SELECT project_id, first_seen_day, COUNT(*) FROM update_devices GROUP BY project_id, first_seen_day;

-- +goose Down
DROP TABLE update_new_devices;
