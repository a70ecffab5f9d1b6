// Package migrations is the read model's schema: every migration, in
// order, numbered by the name of its file in this directory.
//
//	00001_places_and_people.sql      localities, units, users and tokens
//	00002_cases.sql                  cases, tasks, events, idempotency keys
//	00003_resources.sql              shared resources and their reservations
//	00004_points.sql                 the points assessment's manual entries
//	00005_categories_and_areas.sql   a case's category, grid outlines
//	00006_scope_index.go             the index of the supervisor's counts
//	00007_case_counts.go             case_counts, kept by triggers on cases
//	00008_provisional_deadlines.sql  tasks counted on a provisional calendar
//	00009_accounts.sql               passwords, sessions, the audit log
//	00010_personal_data_erasure.sql  erasure of personal data after closing
//	00011_sso_logins.sql             single sign-on logins under way
//	00012_case_units.sql             the units each case involves
//	00013_duplicates.sql             the case a duplicate was closed for
//	00014_files.sql                  attached files and the cases naming them
//
// The SQL files are goose migrations, one text for SQLite and PostgreSQL.
// 6 and 7 are Go because their SQL differs between the two: 6 indexes
// locality_path under byte order, which PostgreSQL must be told (COLLATE
// "C") and SQLite cannot parse; 7 installs triggers, which PostgreSQL
// writes as a PL/pgSQL function and SQLite as statements in the trigger.
//
// Sources is the one list: package storage migrates with what it returns,
// and so does nothing else.
package migrations

import (
	"embed"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// sqlFiles are the SQL migrations; the Go ones are registered by Sources,
// not found in a file system.
//
//go:embed *.sql
var sqlFiles embed.FS

// Sources returns the migrations of the read model on PostgreSQL (postgres
// true) or SQLite: the file system of the SQL ones, and the Go ones, for
// goose.NewProvider and goose.WithGoMigrations.
func Sources(postgres bool) (fs.FS, []*goose.Migration) {
	return sqlFiles, []*goose.Migration{scopeIndex(postgres), caseCounts(postgres)}
}
