package api

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
)

// Every action of the domain's table has exactly one route, on what the
// table says the action names (a task, an extension or the case), with
// the table's roles: a new action without its route, or a route that
// drifted from the table, fails here.
func TestEveryActionHasItsRoute(t *testing.T) {
	routes := map[qilian.ActionName]actionRoute{}
	for _, ar := range actionRoutes() {
		_, twice := routes[ar.Name]
		require.False(t, twice, "%s has two routes", ar.Name)
		routes[ar.Name] = ar
	}
	for _, n := range qilian.Actions() {
		ar, ok := routes[n]
		require.True(t, ok, "%s has no route", n)
		want := onCase
		switch {
		case n.OnTask():
			want = onTask
		case n == qilian.ActApproveExtension || n == qilian.ActRejectExtension:
			want = onExtension
		}
		require.Equal(t, want, ar.On, "%s", n)
		require.ElementsMatch(t, qilian.ActionRoles(n), ar.Roles(), "%s", n)
		delete(routes, n)
	}
	require.Empty(t, routes, "routes for actions the table does not know")
}
