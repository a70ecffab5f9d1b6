package migrations

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3"
)

// Migration 6: the supervisor's counts read every case of a subtree, and
// this gives them an index that holds all they read, led by the locality
// path; storage's scopeRange turns the subtree into a range of it.
//
// LIKE 'prefix%' cannot use a plain index on either database: SQLite's
// LIKE ignores case, and PostgreSQL needs the C collation for it (or
// text_pattern_ops, which SQLite cannot parse). A range under byte order
// can: on SQLite byte order is the default (BINARY) collation, and on
// PostgreSQL the index and the comparison both say COLLATE "C". So the
// migration differs by dialect, which is why it is written in Go.
const scopeIndexVersion = 6

func scopeIndex(postgres bool) *goose.Migration {
	column := "locality_path"
	if postgres {
		column = `locality_path COLLATE "C"`
	}
	up := "CREATE INDEX cases_scope_counts ON cases (" + column + ", state, kind)"
	return goose.NewGoMigration(scopeIndexVersion,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, up)
			return err
		}},
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "DROP INDEX cases_scope_counts")
			return err
		}})
}
