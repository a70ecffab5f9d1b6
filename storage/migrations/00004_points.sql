-- The points assessment's manual entries: points an assessor gives a unit
-- or a locality on a manual indicator, with the evidence. Entries are
-- facts, never updated: a correction is another entry. No foreign keys:
-- the indicator lives in configuration and the subject may be a unit or a
-- locality.

-- +goose Up
CREATE TABLE manual_entries (
    id            TEXT PRIMARY KEY,
    indicator_id  TEXT NOT NULL,
    subject_type  TEXT NOT NULL,
    subject_id    TEXT NOT NULL,
    points        DOUBLE PRECISION NOT NULL,
    -- A JSON list of URLs or short texts.
    evidence      TEXT NOT NULL,
    assessor      TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    -- When the assessed work happened: it decides the period.
    at            TIMESTAMP NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
-- Scoring a period reads every entry in it.
CREATE INDEX manual_entries_at ON manual_entries (at, id);
-- A subject's entries, and an indicator's, over time.
CREATE INDEX manual_entries_subject ON manual_entries (subject_type, subject_id, at);
CREATE INDEX manual_entries_indicator ON manual_entries (indicator_id, at);

-- +goose Down
DROP TABLE manual_entries;
