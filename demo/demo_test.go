package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/configs"
	"github.com/qilian/qilian/demo"
	"github.com/qilian/qilian/points"
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

// TestEveryDemoGridHasAnArea checks that the demo grids are outlined, do
// not overlap, and that a point inside each lands in it.
func TestEveryDemoGridHasAnArea(t *testing.T) {
	db := storagetest.Open(t, "sqlite")
	ctx := context.Background()
	_, err := demo.Seed(ctx, db, time.Now())
	require.NoError(t, err)
	for _, l := range demo.Localities {
		if l.Level != qilian.LevelGrid {
			continue
		}
		a, ok := demo.Areas[l.ID]
		require.True(t, ok, "grid %s has an area", l.ID)
		require.True(t, a.Valid(), l.ID)
		// The average of the corners lies inside these convex outlines.
		var c qilian.Point
		for _, p := range a {
			c.Lat += p.Lat / float64(len(a))
			c.Lng += p.Lng / float64(len(a))
		}
		g, err := db.GridAt(ctx, "/nanhu/", c)
		require.NoError(t, err, l.ID)
		require.Equal(t, l.ID, g.ID)
		for id, other := range demo.Areas {
			if id != l.ID {
				require.False(t, other.Contains(c), "%s overlaps %s", id, l.ID)
			}
		}
	}
	g, err := db.GridAt(ctx, "/nanhu/", qilian.Point{Lat: 30.7522, Lng: 120.7623})
	require.NoError(t, err)
	require.Equal(t, "dongzha-g1", g.ID, "the point the README's example posts")
}

// The demo's past gives the scores shape: months with figures for the
// units, each case closed, and a second run rewrites the same cases.
func TestHistoryGivesTheScoresMonths(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		_, err := demo.Seed(ctx, db, now)
		require.NoError(t, err)
		cfg, err := configs.Load("", func(string) (string, bool) { return "", false })
		require.NoError(t, err)
		policy, err := cfg.Policy()
		require.NoError(t, err)
		cal, err := cfg.Calendar()
		require.NoError(t, err)
		for range 2 {
			require.NoError(t, demo.History(ctx, db, now, 80, 1, policy, cal))
		}

		closed := qilian.CaseClosed
		page, err := db.ListCases(ctx, qilian.CaseFilter{ScopePath: "/nanhu/", State: closed, Limit: qilian.MaxPageSize})
		require.NoError(t, err)
		cancelled, err := db.ListCases(ctx, qilian.CaseFilter{ScopePath: "/nanhu/", State: qilian.CaseCancelled, Limit: qilian.MaxPageSize})
		require.NoError(t, err)
		require.Equal(t, 80, len(page.Cases)+len(cancelled.Cases), "every life ended, once")

		set, err := cfg.Indicators()
		require.NoError(t, err)
		var periods []points.Period
		for m := time.July; m <= time.November; m++ {
			periods = append(periods, points.MonthOf(2026, m))
		}
		cards, err := db.Scorecards(ctx, set, periods)
		require.NoError(t, err)
		months, hits, total := 0, 0, 0
		for _, card := range cards {
			for _, s := range card.Subjects {
				if s.Type == qilian.SubjectUnit {
					hits, total = hits+s.Rates.Response.Hits, total+s.Rates.Response.Total
				}
			}
			u, ok := card.Subject(qilian.SubjectUnit, "u-power")
			if ok && u.Rates.Response.Total > 0 {
				months++
			}
		}
		require.GreaterOrEqual(t, months, 3, "u-power has response figures in at least three months")
		require.Less(t, hits, total, "some units were late: the rates are not all 100 %%")
	})
}
