package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/demo"
	"github.com/qilian/qilian/workflows/enginetest"
)

// TestLiveLeavesADistrictAtWork opens the demo's present through the
// real engine: every kind open, cases at several stages, some overdue and
// on the supervisor's board, and a second seed that finds them all.
func TestLiveLeavesADistrictAtWork(t *testing.T) {
	env := enginetest.Start(t, enginetest.Options{})
	ctx := context.Background()
	now := time.Now()
	const n = 40
	rep, err := demo.Live(ctx, env.Engine, now, n, 7, env.Policy, env.Calendar)
	require.NoError(t, err)
	require.Equal(t, n, rep.Opened, "%+v", rep)
	require.Positive(t, rep.Overdue, "some units are late")

	kinds, states := map[qilian.Kind]int{}, map[qilian.CaseState]int{}
	page, err := env.DB.ListCases(ctx, qilian.CaseFilter{ScopePath: "/nanhu/", Limit: 100})
	require.NoError(t, err)
	for _, c := range page.Cases {
		snap, err := env.Engine.Snapshot(ctx, c.ID)
		require.NoError(t, err, "case %s runs in the engine", c.ID)
		require.False(t, snap.State.Terminal(), c.ID)
		kinds[snap.Kind]++
		states[snap.State]++
		readModelAgrees(t, env, snap)
	}
	require.Len(t, kinds, 7, "every kind is open: %v", kinds)
	require.GreaterOrEqual(t, len(states), 4, "cases stand at several stages: %v", states)

	board, err := env.DB.Overdue(ctx, "/nanhu/", time.Now(), 100)
	require.NoError(t, err)
	require.NotEmpty(t, board, "the district supervisor's first look is not a blank board")

	again, err := demo.Live(ctx, env.Engine, now.Add(time.Hour), n, 7, env.Policy, env.Calendar)
	require.NoError(t, err)
	require.Equal(t, demo.LiveReport{Kept: n}, again, "a second seed opens nothing twice")
}

// readModelAgrees checks that the read model holds the case as the engine
// has it, with one event per sequence number.
func readModelAgrees(t *testing.T, env *enginetest.Env, c qilian.Case) {
	t.Helper()
	ctx := context.Background()
	snap, err := env.DB.CaseSnapshot(ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, c.Revision, snap.Revision, c.ID)
	evs, err := env.DB.Events(ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, evs, int(c.Seq), c.ID)
}

func TestEveryUnitAndBothAxisLevelsHaveADemoUser(t *testing.T) {
	staff, axis := map[string]bool{}, map[qilian.Level]bool{}
	for _, u := range demo.Users {
		if u.Role == qilian.RoleUnitStaff {
			staff[u.UnitID] = true
		}
		if u.Role == qilian.RoleAxis {
			for _, l := range demo.Localities {
				if l.ID == u.LocalityID {
					axis[l.Level] = true
				}
			}
		}
	}
	for _, u := range demo.Units {
		require.True(t, staff[u.ID], "someone works for %s", u.ID)
	}
	require.True(t, axis[qilian.LevelStreet] && axis[qilian.LevelCommunity], "axis users at street and community: %v", axis)
}
