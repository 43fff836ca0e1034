-- +goose Up
-- Downloads through the stable link /d/{resourceId}/{name}, per resource and
-- day: the step of the adoption funnel after "offered".
CREATE TABLE update_downloads (
    project_id  CHAR(32) NOT NULL,
    day         CHAR(10) NOT NULL,
    resource_id CHAR(32) NOT NULL,
    downloads   BIGINT   NOT NULL,
    PRIMARY KEY (project_id, day, resource_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE update_downloads;
