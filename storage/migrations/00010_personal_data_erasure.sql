-- Personal data on a closed case is erased once the configured retention
-- after the close has passed; the flag keeps the sweep from reading the
-- same cases again.

-- +goose Up
ALTER TABLE cases ADD COLUMN personal_erased BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX cases_personal_due ON cases (closed_at) WHERE NOT personal_erased;

-- +goose Down
DROP INDEX cases_personal_due;
ALTER TABLE cases DROP COLUMN personal_erased;
