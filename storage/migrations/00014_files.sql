-- Files people attach (photos, documents): who sent each, and which cases
-- name it among their attachments. A file is read by its sender and by
-- whoever sees a case that names it. The bytes live in the file store.

-- +goose Up
-- A file sent by several people (the same photo) has a row per sender.
CREATE TABLE files (
    id            TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    has_thumb     BOOLEAN NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (id, uploaded_by)
);
CREATE TABLE case_files (
    case_id  TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    file_id  TEXT NOT NULL,
    PRIMARY KEY (case_id, file_id)
);
CREATE INDEX case_files_file ON case_files (file_id, case_id);

-- +goose Down
DROP TABLE case_files;
DROP TABLE files;
