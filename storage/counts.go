package storage

import (
	"context"

	"github.com/qilian/qilian"
)

// OverdueCases counts the cases inside scopePath that are past a deadline
// now, as the engine last reported (the cases.overdue flag), from
// case_counts like CaseCounts.
func (db *DB) OverdueCases(ctx context.Context, scopePath string) (int, error) {
	if !validScope(scopePath) {
		return 0, qilian.Invalid(map[string]string{"scope": "required: a locality path"})
	}
	var n int64
	err := db.scopeRange(db.gorm.WithContext(ctx).Table("case_counts"), "locality_path", scopePath).
		Select("COALESCE(SUM(overdue), 0)").Scan(&n).Error
	return int(n), translate(err)
}
