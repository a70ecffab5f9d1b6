package storage

import (
	"context"
	"database/sql"
	"strings"

	"github.com/pressly/goose/v3"
	"gorm.io/gorm"
)

// The supervisor's counts read every case of a subtree. Migration 6 gives
// them an index that holds all they read, led by the locality path, and
// scopeRange turns the subtree into a range of that index.
//
// LIKE 'prefix%' cannot use a plain index on either database: SQLite's
// LIKE ignores case, and PostgreSQL needs the C collation for it (or
// text_pattern_ops, which SQLite cannot parse). A range under byte order
// can: on SQLite byte order is the default (BINARY) collation, and on
// PostgreSQL the index and the comparison both say COLLATE "C". So the
// migration differs by dialect, which is why it is written in Go.
const scopeIndexVersion = 6

func scopeIndexMigration(postgres bool) *goose.Migration {
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

// scopeRange restricts column to the subtree at path (a valid scope, which
// ends with the separator) as a range in byte order: every path that
// starts with "/a/b/" lies in ["/a/b/", "/a/b0"), since '0' follows '/',
// and nothing else does. It is the one subtree filter of the read model:
// byte order is case-sensitive on both databases, so "/nanhu/JIANSHE/"
// is never inside "/nanhu/jianshe/" (SQLite's LIKE would say it is).
func (db *DB) scopeRange(tx *gorm.DB, column, path string) *gorm.DB {
	upper := strings.TrimSuffix(path, "/") + "0"
	if db.postgres {
		column += ` COLLATE "C"`
	}
	return tx.Where(column+" >= ? AND "+column+" < ?", path, upper)
}
