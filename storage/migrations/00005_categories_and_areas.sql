-- Open311 needs two things the read model did not keep: the category
-- (service code) each case was opened under, to list and filter by it,
-- and the outline of each grid, to place a reported point in its grid.

-- +goose Up
-- The case's category code; a case opened under its kind alone has the
-- kind's code, so every row has one and a filter needs no special case.
ALTER TABLE cases ADD COLUMN category TEXT NOT NULL DEFAULT '';
UPDATE cases SET category = kind WHERE category = '';
CREATE INDEX cases_category ON cases (category, opened_at, id);

-- The outline of a locality (in practice a grid) as a JSON list of
-- [lat, lng] corners, with its bounding box in columns so that the lookup
-- of a point reads only the few areas whose box holds it; the exact test
-- runs on those in Go.
CREATE TABLE locality_areas (
    locality_id  TEXT PRIMARY KEY REFERENCES localities (id),
    corners      TEXT NOT NULL,
    min_lat      DOUBLE PRECISION NOT NULL,
    max_lat      DOUBLE PRECISION NOT NULL,
    min_lng      DOUBLE PRECISION NOT NULL,
    max_lng      DOUBLE PRECISION NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX locality_areas_box ON locality_areas (min_lat, max_lat, min_lng, max_lng);

-- +goose Down
DROP TABLE locality_areas;
DROP INDEX cases_category;
ALTER TABLE cases DROP COLUMN category;
