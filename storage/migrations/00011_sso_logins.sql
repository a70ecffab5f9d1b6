-- Sign-ins at the single sign-on provider under way: the browser holds a
-- secret whose SHA-256 is the ID; the state, nonce and PKCE verifier stay
-- here, so the callback can take them once, on whichever api process it
-- reaches. Rows older than ten minutes are of no use and are swept.

-- +goose Up
CREATE TABLE sso_logins (
    id          TEXT PRIMARY KEY,
    state       TEXT NOT NULL,
    nonce       TEXT NOT NULL,
    verifier    TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX sso_logins_created ON sso_logins (created_at);

-- +goose Down
DROP TABLE sso_logins;
