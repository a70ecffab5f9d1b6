-- A case closed as a duplicate names the case that covers it, so that the
-- original lists its duplicates (whose reporters follow it). Cases closed
-- as duplicates before keep an empty reference.

-- +goose Up
ALTER TABLE cases ADD COLUMN duplicate_of TEXT NOT NULL DEFAULT '';
CREATE INDEX cases_duplicate_of ON cases (duplicate_of) WHERE duplicate_of <> '';

-- +goose Down
DROP INDEX cases_duplicate_of;
ALTER TABLE cases DROP COLUMN duplicate_of;
