package api

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
)

// The action routes come from the domain's table; what the API adds is a
// body per action. Every action has one, no body is left for an action
// the table does not know, and each route names what the table says, at
// one path.
func TestEveryActionHasItsRoute(t *testing.T) {
	paths := map[string]qilian.ActionName{}
	for _, ar := range actionRoutes() {
		other, twice := paths[ar.Path()]
		require.False(t, twice, "%s and %s share %s", ar.Name, other, ar.Path())
		paths[ar.Path()] = ar.Name
		want := map[qilian.Target]target{qilian.OnCase: onCase, qilian.OnCaseOrTask: onCase,
			qilian.OnTask: onTask, qilian.OnExtension: onExtension}[ar.Name.Target()]
		require.Equal(t, want, ar.On, "%s", ar.Name)
		require.NotEmpty(t, ar.Summary, "%s has no summary in the table", ar.Name)
	}
	require.Len(t, paths, len(qilian.Actions()))
	for n := range actionBodies {
		require.Contains(t, qilian.Actions(), n, "a body for an action the table does not know")
	}
}
