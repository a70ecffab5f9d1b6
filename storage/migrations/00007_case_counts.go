package migrations

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3"
)

// Migration 7: the supervisor's counts come from case_counts, which holds
// the number of cases (and of overdue cases) per locality path, state and
// kind, kept exact by triggers on cases in the same transaction as every
// write of a case row. A subtree's counts then sum a few hundred small
// rows instead of reading every case of the subtree, which grows with the
// years.
// Triggers rather than bookkeeping in SyncCase: they see the row as it was
// and as it is, whichever sync wins the revision guard, and they run for
// every write, whoever makes it.
const caseCountsVersion = 7

// caseCountsUp creates the table, fills it from the cases already stored,
// and installs the triggers, by dialect.
func caseCountsUp(postgres bool) []string {
	const table = `CREATE TABLE case_counts (
    locality_path TEXT NOT NULL,
    state         TEXT NOT NULL,
    kind          TEXT NOT NULL,
    n             BIGINT NOT NULL,
    overdue       BIGINT NOT NULL,
    PRIMARY KEY (locality_path, state, kind)
)`
	const fill = `INSERT INTO case_counts (locality_path, state, kind, n, overdue)
SELECT locality_path, state, kind, COUNT(*), SUM(CASE WHEN overdue THEN 1 ELSE 0 END)
FROM cases GROUP BY locality_path, state, kind`
	if postgres {
		return []string{table, fill, `CREATE FUNCTION case_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- One case's old and new rows, in key order, so that two syncs moving
    -- cases in opposite directions lock the count rows in the same order.
    IF TG_OP = 'UPDATE' AND (NEW.locality_path, NEW.state, NEW.kind) < (OLD.locality_path, OLD.state, OLD.kind) THEN
        PERFORM case_counts_add(NEW.locality_path, NEW.state, NEW.kind, 1, NEW.overdue);
        PERFORM case_counts_add(OLD.locality_path, OLD.state, OLD.kind, -1, OLD.overdue);
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM case_counts_add(OLD.locality_path, OLD.state, OLD.kind, -1, OLD.overdue);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM case_counts_add(NEW.locality_path, NEW.state, NEW.kind, 1, NEW.overdue);
    END IF;
    RETURN NULL;
END $$`,
			`CREATE FUNCTION case_counts_add(p TEXT, s TEXT, k TEXT, d BIGINT, late BOOLEAN) RETURNS void LANGUAGE sql AS $$
INSERT INTO case_counts AS c (locality_path, state, kind, n, overdue)
VALUES (p, s, k, d, CASE WHEN late THEN d ELSE 0 END)
ON CONFLICT (locality_path, state, kind) DO UPDATE SET n = c.n + excluded.n, overdue = c.overdue + excluded.overdue
$$`,
			`CREATE TRIGGER cases_counts_insert_delete AFTER INSERT OR DELETE ON cases
FOR EACH ROW EXECUTE FUNCTION case_counts_apply()`,
			`CREATE TRIGGER cases_counts_update AFTER UPDATE ON cases FOR EACH ROW
WHEN (OLD.locality_path IS DISTINCT FROM NEW.locality_path OR OLD.state IS DISTINCT FROM NEW.state
   OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.overdue IS DISTINCT FROM NEW.overdue)
EXECUTE FUNCTION case_counts_apply()`,
		}
	}
	add := func(row string, d string) string {
		return `INSERT INTO case_counts (locality_path, state, kind, n, overdue)
    VALUES (` + row + `.locality_path, ` + row + `.state, ` + row + `.kind, ` + d + `, CASE WHEN ` + row + `.overdue THEN ` + d + ` ELSE 0 END)
    ON CONFLICT (locality_path, state, kind) DO UPDATE SET n = n + excluded.n, overdue = overdue + excluded.overdue;`
	}
	return []string{table, fill,
		`CREATE TRIGGER cases_counts_insert AFTER INSERT ON cases BEGIN
    ` + add("NEW", "1") + `
END`,
		`CREATE TRIGGER cases_counts_delete AFTER DELETE ON cases BEGIN
    ` + add("OLD", "-1") + `
END`,
		`CREATE TRIGGER cases_counts_update AFTER UPDATE ON cases
WHEN OLD.locality_path IS NOT NEW.locality_path OR OLD.state IS NOT NEW.state
  OR OLD.kind IS NOT NEW.kind OR OLD.overdue IS NOT NEW.overdue BEGIN
    ` + add("OLD", "-1") + `
    ` + add("NEW", "1") + `
END`,
	}
}

func caseCountsDown(postgres bool) []string {
	if postgres {
		return []string{"DROP TRIGGER cases_counts_update ON cases", "DROP TRIGGER cases_counts_insert_delete ON cases",
			"DROP FUNCTION case_counts_apply()", "DROP FUNCTION case_counts_add(TEXT, TEXT, TEXT, BIGINT, BOOLEAN)", "DROP TABLE case_counts"}
	}
	return []string{"DROP TRIGGER cases_counts_update", "DROP TRIGGER cases_counts_delete", "DROP TRIGGER cases_counts_insert", "DROP TABLE case_counts"}
}

func caseCounts(postgres bool) *goose.Migration {
	run := func(stmts []string) *goose.GoFunc {
		return &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			for _, s := range stmts {
				if _, err := tx.ExecContext(ctx, s); err != nil {
					return err
				}
			}
			return nil
		}}
	}
	return goose.NewGoMigration(caseCountsVersion, run(caseCountsUp(postgres)), run(caseCountsDown(postgres)))
}
