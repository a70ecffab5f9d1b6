package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/demo"
	"github.com/qilian/qilian/storage"
	"github.com/qilian/qilian/storage/storagetest"
)

func TestSeedTwiceDuplicatesNothing(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		first, err := demo.Seed(ctx, db, time.Now())
		require.NoError(t, err)
		second, err := demo.Seed(ctx, db, time.Now())
		require.NoError(t, err)

		locs, err := db.Localities(ctx, "")
		require.NoError(t, err)
		require.Len(t, locs, len(demo.Localities))
		units, err := db.Units(ctx, "")
		require.NoError(t, err)
		require.Len(t, units, len(demo.Units))
		require.GreaterOrEqual(t, len(units), 12)
		users, err := db.Users(ctx)
		require.NoError(t, err)
		require.Len(t, users, len(demo.Users))

		byRole := demo.ByRole(second)
		for _, r := range qilian.Roles() {
			l, ok := byRole[r]
			require.True(t, ok, "a demo user for role %s", r)
			u, err := db.Authenticate(ctx, qilian.HashToken(l.Token))
			require.NoError(t, err, "the printed %s token works", r)
			require.Equal(t, l.UserID, u.ID)
			toks, err := db.Tokens(ctx, l.UserID)
			require.NoError(t, err)
			require.Len(t, toks, 1, "re-seeding replaces the demo token")
			_, err = db.Authenticate(ctx, qilian.HashToken(first[l.UserID].Token))
			require.ErrorIs(t, err, qilian.ErrUnauthorized, "the previous demo token no longer works")
		}
		// Every level of the report appears in the demo tree.
		levels := map[qilian.Level]bool{}
		for _, l := range locs {
			levels[l.Level] = true
		}
		for _, l := range []qilian.Level{qilian.LevelCounty, qilian.LevelStreet, qilian.LevelCommunity, qilian.LevelCompound,
			qilian.LevelBuilding, qilian.LevelBusinessDistrict, qilian.LevelSocialOrg, qilian.LevelGrid} {
			require.True(t, levels[l], "level %s", l)
		}
	})
}
