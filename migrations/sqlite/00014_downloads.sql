-- +goose Up
-- Downloads through the stable link /d/{resourceId}/{name}, per resource and
-- day: the step of the adoption funnel after "offered".
CREATE TABLE update_downloads (
    project_id  TEXT    NOT NULL,
    day         TEXT    NOT NULL,
    resource_id TEXT    NOT NULL,
    downloads   INTEGER NOT NULL,
    PRIMARY KEY (project_id, day, resource_id)
);

-- +goose Down
DROP TABLE update_downloads;
