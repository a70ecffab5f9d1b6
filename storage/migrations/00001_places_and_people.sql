-- One schema for SQLite and PostgreSQL: only types both understand (TEXT,
-- BIGINT, INTEGER, BOOLEAN, TIMESTAMP, DOUBLE PRECISION), natural keys
-- instead of sequences, times always stored in UTC.

-- +goose Up
CREATE TABLE localities (
    id          TEXT PRIMARY KEY,
    parent_id   TEXT REFERENCES localities (id),
    level       TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    path        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
-- Subtree scoping is a prefix match on path.
CREATE UNIQUE INDEX localities_path ON localities (path);
CREATE INDEX localities_parent ON localities (parent_id);

CREATE TABLE units (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    name_en      TEXT NOT NULL DEFAULT '',
    type         TEXT NOT NULL,
    locality_id  TEXT NOT NULL REFERENCES localities (id),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX units_locality ON units (locality_id);

CREATE TABLE users (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    locality_id  TEXT REFERENCES localities (id),
    unit_id      TEXT REFERENCES units (id),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

-- Bearer tokens: only a SHA-256 of the token is kept.
CREATE TABLE tokens (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    hash        TEXT NOT NULL,
    label       TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    revoked_at  TIMESTAMP
);
CREATE UNIQUE INDEX tokens_hash ON tokens (hash);
CREATE INDEX tokens_user ON tokens (user_id);

-- +goose Down
DROP TABLE tokens;
DROP TABLE users;
DROP TABLE units;
DROP TABLE localities;
