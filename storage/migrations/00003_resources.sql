-- Resources that units share (资源联用), and the reservations that keep
-- two approved bookings of one resource from overlapping, across cases.

-- +goose Up
CREATE TABLE resources (
    id          TEXT PRIMARY KEY,
    unit_id     TEXT NOT NULL REFERENCES units (id),
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX resources_unit ON resources (unit_id);

-- One row per booking case; released_at is set when the booking no longer
-- holds the window (cancelled).
CREATE TABLE reservations (
    case_id      TEXT PRIMARY KEY,
    resource_id  TEXT NOT NULL REFERENCES resources (id),
    from_at      TIMESTAMP NOT NULL,
    to_at        TIMESTAMP NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    released_at  TIMESTAMP
);
CREATE INDEX reservations_resource ON reservations (resource_id, from_at);

-- +goose Down
DROP TABLE reservations;
DROP TABLE resources;
