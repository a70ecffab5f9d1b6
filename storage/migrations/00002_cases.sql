-- The case read model: a projection of each case workflow's aggregate,
-- written after every accepted change. Rows carry the case revision that
-- wrote them, so a late or replayed write never moves a row backwards.
-- Same portable types as 00001; no foreign keys to localities or units,
-- because a projection must never be refused for what the workflow already
-- accepted.

-- +goose Up
CREATE TABLE cases (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    state           TEXT NOT NULL,
    resolution      TEXT NOT NULL DEFAULT '',
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    priority        TEXT NOT NULL,
    locality_id     TEXT NOT NULL,
    locality_path   TEXT NOT NULL,
    grid_id         TEXT NOT NULL DEFAULT '',
    lat             DOUBLE PRECISION NOT NULL DEFAULT 0,
    lng             DOUBLE PRECISION NOT NULL DEFAULT 0,
    address         TEXT NOT NULL DEFAULT '',
    reporter_name   TEXT NOT NULL DEFAULT '',
    reporter_phone  TEXT NOT NULL DEFAULT '',
    opened_by       TEXT NOT NULL,
    opened_at       TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    closed_at       TIMESTAMP,
    level           INTEGER NOT NULL DEFAULT 0,
    overdue         BOOLEAN NOT NULL DEFAULT FALSE,
    -- The earliest deadline among the open tasks; NULL when none is open.
    due_at          TIMESTAMP,
    returns         INTEGER NOT NULL DEFAULT 0,
    revision        BIGINT NOT NULL,
    -- The whole aggregate as JSON, for the case page.
    snapshot        TEXT NOT NULL
);
-- The list screen: newest first, keyset on (opened_at, id). Walking this
-- index backwards serves every scope, since the scope is a LIKE filter that
-- neither database can turn into an index range here (see cases_scope).
CREATE INDEX cases_opened ON cases (opened_at, id);
-- Scope prefix. PostgreSQL uses it for LIKE 'prefix%' only when the
-- database collation is C (with other collations it would need
-- text_pattern_ops, which SQLite cannot parse); SQLite's LIKE is case
-- insensitive and never uses it. Kept for C-collated deployments.
CREATE INDEX cases_scope ON cases (locality_path, opened_at, id);
CREATE INDEX cases_state ON cases (state, opened_at, id);
CREATE INDEX cases_kind ON cases (kind, opened_at, id);
CREATE INDEX cases_overdue ON cases (overdue, opened_at, id);

CREATE TABLE tasks (
    id             TEXT PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases (id),
    unit_id        TEXT NOT NULL,
    role           TEXT NOT NULL,
    required       BOOLEAN NOT NULL DEFAULT FALSE,
    state          TEXT NOT NULL,
    accept_by      TIMESTAMP,
    resolve_by     TIMESTAMP,
    level          INTEGER NOT NULL DEFAULT 0,
    overdue        BOOLEAN NOT NULL DEFAULT FALSE,
    -- The deadline in force while the task is open (accept_by while
    -- offered, resolve_by after), NULL once it is not.
    due_at         TIMESTAMP,
    locality_path  TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    revision       BIGINT NOT NULL
);
-- A unit's inbox, soonest deadline first.
CREATE INDEX tasks_inbox ON tasks (unit_id, state, due_at, id);
-- A case's tasks, and "cases where this unit has a task".
CREATE INDEX tasks_case ON tasks (case_id, unit_id);
-- The overdue screen: open tasks past their deadline, most late first.
-- Only open tasks have a due_at, so the partial index stays as small as
-- the open work, however many tasks have ever been closed.
CREATE INDEX tasks_open_due ON tasks (due_at, id) WHERE due_at IS NOT NULL;

CREATE TABLE case_events (
    case_id              TEXT NOT NULL REFERENCES cases (id),
    seq                  BIGINT NOT NULL,
    at                   TIMESTAMP NOT NULL,
    actor_id             TEXT NOT NULL,
    actor_role           TEXT NOT NULL,
    actor_locality_id    TEXT NOT NULL DEFAULT '',
    actor_locality_path  TEXT NOT NULL DEFAULT '',
    actor_unit_id        TEXT NOT NULL DEFAULT '',
    type                 TEXT NOT NULL,
    task_id              TEXT NOT NULL DEFAULT '',
    from_state           TEXT NOT NULL DEFAULT '',
    to_state             TEXT NOT NULL DEFAULT '',
    reason               TEXT NOT NULL DEFAULT '',
    -- Event.Payload as JSON, for people.
    payload              TEXT NOT NULL DEFAULT '',
    -- The whole event as JSON but for its payload and points: what the
    -- columns above do not hold, and fields events gain later.
    detail               TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

-- What the points assessment scores; id is case_id:seq:ordinal, so a
-- replayed event never scores twice.
CREATE TABLE points_events (
    id             TEXT PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases (id),
    seq            BIGINT NOT NULL,
    ordinal        INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    subject_type   TEXT NOT NULL,
    subject_id     TEXT NOT NULL,
    quantity       DOUBLE PRECISION NOT NULL,
    at             TIMESTAMP NOT NULL,
    locality_path  TEXT NOT NULL,
    case_kind      TEXT NOT NULL
);
CREATE INDEX points_subject ON points_events (subject_type, subject_id, at);
CREATE INDEX points_at ON points_events (at);
CREATE INDEX points_case ON points_events (case_id, seq);

-- Idempotent case creation: a retried POST with the same key and body gets
-- the case the first one opened. No foreign key: the key is claimed before
-- the case exists here.
CREATE TABLE idempotency_keys (
    user_id     TEXT NOT NULL,
    key         TEXT NOT NULL,
    body_hash   TEXT NOT NULL,
    case_id     TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE points_events;
DROP TABLE case_events;
DROP TABLE tasks;
DROP TABLE cases;
