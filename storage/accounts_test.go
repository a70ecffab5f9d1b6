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

func TestSSOLoginIsTakenOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 12, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))
		l := qilian.SSOLogin{ID: "digest-1", State: "state-1", Nonce: "nonce-1", Verifier: "verifier-1", CreatedAt: now}
		require.NoError(t, db.AddSSOLogin(ctx, l, now.Add(-10*time.Minute)))

		got, err := db.TakeSSOLogin(ctx, "digest-1")
		require.NoError(t, err)
		require.True(t, now.Equal(got.CreatedAt))
		got.CreatedAt = l.CreatedAt
		require.Equal(t, l, got)
		_, err = db.TakeSSOLogin(ctx, "digest-1")
		require.ErrorIs(t, err, qilian.ErrNotFound, "a second callback finds nothing")
		_, err = db.TakeSSOLogin(ctx, "never-stored")
		require.ErrorIs(t, err, qilian.ErrNotFound)

		// Of callbacks racing for one sign-in, exactly one gets it.
		require.NoError(t, db.AddSSOLogin(ctx, qilian.SSOLogin{ID: "digest-2", State: "s", Nonce: "n", Verifier: "v", CreatedAt: now}, now.Add(-10*time.Minute)))
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() { _, errs[i] = db.TakeSSOLogin(ctx, "digest-2") })
		}
		wg.Wait()
		taken := 0
		for _, err := range errs {
			if err == nil {
				taken++
			} else {
				require.ErrorIs(t, err, qilian.ErrNotFound)
			}
		}
		require.Equal(t, 1, taken)

		// A new sign-in sweeps the ones nobody can finish any more.
		require.NoError(t, db.AddSSOLogin(ctx, qilian.SSOLogin{ID: "stale", State: "s", Nonce: "n", Verifier: "v", CreatedAt: now}, now.Add(-10*time.Minute)))
		later := now.Add(11 * time.Minute)
		require.NoError(t, db.AddSSOLogin(ctx, qilian.SSOLogin{ID: "fresh", State: "s", Nonce: "n", Verifier: "v", CreatedAt: later}, later.Add(-10*time.Minute)))
		_, err = db.TakeSSOLogin(ctx, "stale")
		require.ErrorIs(t, err, qilian.ErrNotFound)
		_, err = db.TakeSSOLogin(ctx, "fresh")
		require.NoError(t, err)
	})
}
