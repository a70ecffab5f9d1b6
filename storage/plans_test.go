package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian/storage"
	"github.com/qilian/qilian/storage/storagetest"
)

func TestQueryPlansNameTheirIndexes(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		seedCases(t, db)
		plans, err := db.QueryPlans(ctx, "/county/s1/", time.Now())
		require.NoError(t, err)
		require.Len(t, plans, 2)
		require.Contains(t, plans["overdue"], "tasks", plans["overdue"])
		require.Contains(t, plans["counts"], "case_counts", plans["counts"])
		require.NotContains(t, plans["counts"], "cases ", "the counts never read the cases themselves")
		if !db.Postgres() {
			// SQLite plans by rule, not by statistics, so even a few rows
			// show the range search of the counts table's key.
			require.Contains(t, plans["counts"], "SEARCH case_counts USING INDEX", plans["counts"])
		}
		_, err = db.QueryPlans(ctx, "county", time.Now())
		require.Error(t, err)
	})
}
