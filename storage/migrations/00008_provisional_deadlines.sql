-- A task whose deadline was counted over a year without official calendar
-- data is marked, so that once the year is official the engine finds the
-- cases to re-time without reading every snapshot.

-- +goose Up
ALTER TABLE tasks ADD COLUMN provisional BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX tasks_provisional ON tasks (case_id) WHERE provisional;

-- +goose Down
DROP INDEX tasks_provisional;
ALTER TABLE tasks DROP COLUMN provisional;
