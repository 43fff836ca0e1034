-- +goose Up
-- New devices per project and day, counted when they are inserted, so the
-- statistics never count update_devices rows per request.
CREATE TABLE update_new_devices (
    project_id CHAR(32) NOT NULL,
    day        CHAR(10) NOT NULL,
    devices    BIGINT   NOT NULL,
    PRIMARY KEY (project_id, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO update_new_devices (project_id, day, devices)
    SELECT project_id, first_seen_day, COUNT(*) FROM update_devices GROUP BY project_id, first_seen_day;

-- +goose Down
DROP TABLE update_new_devices;
