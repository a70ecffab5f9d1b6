package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/storage"
	"github.com/qilian/qilian/storage/storagetest"
)

func TestReservationsNeverOverlap(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		seedTree(t, db)
		require.NoError(t, db.UpsertUnit(ctx, qilian.Unit{ID: "u1", Name: "文化馆", Type: qilian.UnitInstitute, LocalityID: "s1"}))
		require.NoError(t, db.UpsertResource(ctx, qilian.Resource{ID: "hall", UnitID: "u1", Name: "小剧场", Kind: "hall"}))
		require.ErrorIs(t, db.UpsertResource(ctx, qilian.Resource{ID: "x", UnitID: "nope", Name: "x"}), qilian.ErrInvalid)
		r, err := db.Resource(ctx, "hall")
		require.NoError(t, err)
		require.Equal(t, "小剧场", r.Name)

		t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		require.NoError(t, db.Reserve(ctx, "A", "hall", t0, t0.Add(2*time.Hour)))
		require.NoError(t, db.Reserve(ctx, "A", "hall", t0, t0.Add(2*time.Hour)), "reserving again is a no-op")
		require.ErrorIs(t, db.Reserve(ctx, "B", "hall", t0.Add(time.Hour), t0.Add(3*time.Hour)), qilian.ErrConflict)
		require.NoError(t, db.Reserve(ctx, "C", "hall", t0.Add(2*time.Hour), t0.Add(3*time.Hour)), "touching windows do not overlap")
		require.ErrorIs(t, db.Reserve(ctx, "D", "nope", t0, t0.Add(time.Hour)), qilian.ErrInvalid)

		require.NoError(t, db.Release(ctx, "A"))
		require.NoError(t, db.Release(ctx, "A"))
		require.NoError(t, db.Reserve(ctx, "B", "hall", t0.Add(time.Hour), t0.Add(2*time.Hour)), "a released window is free again")
	})
}

func TestConcurrentOverlappingReservationsOneWins(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		seedTree(t, db)
		require.NoError(t, db.UpsertUnit(ctx, qilian.Unit{ID: "u1", Name: "x", Type: qilian.UnitInstitute, LocalityID: "s1"}))
		require.NoError(t, db.UpsertResource(ctx, qilian.Resource{ID: "van", UnitID: "u1", Name: "车辆"}))
		t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		errs := make([]error, 10)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() {
				errs[i] = db.Reserve(ctx, "case-"+string(rune('a'+i)), "van", t0.Add(time.Duration(i)*time.Minute), t0.Add(time.Hour))
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			require.ErrorIs(t, err, qilian.ErrConflict)
		}
		require.Equal(t, 1, won)
	})
}
