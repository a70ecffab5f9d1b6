-- The units a case involves: those with a task, the owner of a booked
-- resource, a member's home unit, units summoned by a whistle. A unit's
-- case list reads it, so that an owner finds the bookings of its
-- resources though it has no task on them. The set only grows; the
-- projection adds to it with every sync. Existing cases are filled from
-- their tasks here; their other units are added at the case's next sync.

-- +goose Up
CREATE TABLE case_units (
    case_id  TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    unit_id  TEXT NOT NULL,
    PRIMARY KEY (case_id, unit_id)
);
CREATE INDEX case_units_unit ON case_units (unit_id, case_id);
INSERT INTO case_units (case_id, unit_id) SELECT DISTINCT case_id, unit_id FROM tasks;

-- +goose Down
DROP TABLE case_units;
