package storage

import (
	"strings"

	"gorm.io/gorm"
)

// scopeRange restricts column to the subtree at path (a valid scope, which
// ends with the separator) as a range in byte order: every path that
// starts with "/a/b/" lies in ["/a/b/", "/a/b0"), since '0' follows '/',
// and nothing else does. It is the one subtree filter of the read model:
// byte order is case-sensitive on both databases, so "/nanhu/JIANSHE/"
// is never inside "/nanhu/jianshe/" (SQLite's LIKE would say it is).
//
// A range under byte order can use an index where LIKE 'prefix%' cannot:
// SQLite's default (BINARY) collation is byte order, and on PostgreSQL
// the comparison says COLLATE "C", as the index of the supervisor's
// counts does (migration 6, migrations/00006_scope_index.go).
func (db *DB) scopeRange(tx *gorm.DB, column, path string) *gorm.DB {
	upper := strings.TrimSuffix(path, "/") + "0"
	if db.postgres {
		column += ` COLLATE "C"`
	}
	return tx.Where(column+" >= ? AND "+column+" < ?", path, upper)
}
