package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// QueryPlans returns the database's plan of each query a supervisor's
// screens run in scopePath at now, by name: "overdue" (Overdue's page) and
// "counts" (CaseCounts). On PostgreSQL the plans
// come from EXPLAIN (ANALYZE, BUFFERS), so they run the queries; on SQLite
// from EXPLAIN QUERY PLAN.
func (db *DB) QueryPlans(ctx context.Context, scopePath string, now time.Time) (map[string]string, error) {
	if !validScope(scopePath) {
		return nil, fmt.Errorf("scope %q is not a locality path", scopePath)
	}
	queries := map[string]func(tx *gorm.DB) *gorm.DB{
		"overdue": func(tx *gorm.DB) *gorm.DB {
			return db.overdueQuery(tx, scopePath, now.UTC(), 0).Find(&[]overdueRow{})
		},
		"counts": func(tx *gorm.DB) *gorm.DB {
			return db.countQuery(tx, scopePath).Find(&[]map[string]any{})
		},
	}
	explain := "EXPLAIN QUERY PLAN "
	if db.postgres {
		explain = "EXPLAIN (ANALYZE, BUFFERS) "
	}
	out := map[string]string{}
	for name, q := range queries {
		sql := db.gorm.ToSQL(q)
		rows, err := db.gorm.WithContext(ctx).Raw(explain + sql).Rows()
		if err != nil {
			return nil, translate(fmt.Errorf("explain %s: %w", name, err))
		}
		cols, err := rows.Columns()
		if err != nil {
			_ = rows.Close()
			return nil, err
		}
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				_ = rows.Close()
				return nil, err
			}
			// PostgreSQL answers one text column; SQLite answers id,
			// parent, notused and detail, of which detail is the plan.
			lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
		}
		err = rows.Err()
		_ = rows.Close()
		if err != nil {
			return nil, err
		}
		out[name] = strings.Join(lines, "\n")
	}
	return out, nil
}
