package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/api"
)

// The router runs on fakes of the roles a route uses, with no engine and
// no database: here People, who tells a token's user, and Places.

// tokenPeople knows each user by their token.
type tokenPeople struct {
	api.People // any other call panics: the route must not make it
	byToken    map[string]qilian.Actor
}

func (p tokenPeople) Authenticate(_ context.Context, hash string) (qilian.User, error) {
	for token, a := range p.byToken {
		if qilian.HashToken(token) == hash {
			return qilian.User{ID: a.UserID, Role: a.Role, LocalityID: a.LocalityID, UnitID: a.UnitID}, nil
		}
	}
	return qilian.User{}, qilian.ErrUnauthorized
}

func (p tokenPeople) Actor(_ context.Context, u qilian.User) (qilian.Actor, error) {
	for _, a := range p.byToken {
		if a.UserID == u.ID {
			return a, nil
		}
	}
	return qilian.Actor{}, qilian.ErrNotFound
}

// subtreePlaces answers the localities of a subtree and records which
// subtree it was asked for.
type subtreePlaces struct {
	api.Places
	asked *[]string
	all   []qilian.Locality
}

func (p subtreePlaces) Localities(_ context.Context, root string) ([]qilian.Locality, error) {
	*p.asked = append(*p.asked, root)
	var out []qilian.Locality
	for _, l := range p.all {
		if qilian.Contains(root, l.Path) {
			out = append(out, l)
		}
	}
	return out, nil
}

func TestRouterOnFakes(t *testing.T) {
	var asked []string
	r := api.New(api.Server{
		People: tokenPeople{byToken: map[string]qilian.Actor{
			"admin-token": {UserID: "sub-admin", Role: qilian.RoleAdmin, LocalityID: "s1", LocalityPath: "/c/s1/"},
			"grid-token":  {UserID: "grid-1", Role: qilian.RoleGridWorker, LocalityID: "g1", LocalityPath: "/c/s1/g1/"},
		}},
		Places: subtreePlaces{asked: &asked, all: []qilian.Locality{
			{ID: "c", Path: "/c/", Level: qilian.LevelCounty},
			{ID: "s1", Path: "/c/s1/", Level: qilian.LevelStreet, ParentID: "c"},
			{ID: "g1", Path: "/c/s1/g1/", Level: qilian.LevelGrid, ParentID: "s1"},
			{ID: "s2", Path: "/c/s2/", Level: qilian.LevelStreet, ParentID: "c"},
		}},
	})
	get := func(token string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/api/v1/localities", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		r.ServeHTTP(w, req)
		return w
	}

	w := get("admin-token")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var out struct {
		Localities []struct{ ID string } `json:"localities"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out))
	var ids []string
	for _, l := range out.Localities {
		ids = append(ids, l.ID)
	}
	require.Equal(t, []string{"s1", "g1"}, ids, "the sub-admin's subtree, nothing beside it")
	require.Equal(t, []string{"/c/s1/"}, asked)

	require.Equal(t, http.StatusForbidden, get("grid-token").Code, "the route's roles, before any read")
	require.Equal(t, http.StatusUnauthorized, get("no-such-token").Code)
	require.Len(t, asked, 1)
}

// The labels need no sign-in, engine or database: the sign-in screen
// reads them before anyone is known.
func TestLabelsArePublic(t *testing.T) {
	r := api.New(api.Server{})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/labels", nil))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var families map[string][]qilian.Term
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &families))
	v := map[string]map[string]qilian.Label{}
	for family, terms := range families {
		v[family] = map[string]qilian.Label{}
		for _, term := range terms {
			v[family][term.Code] = term.Label
		}
	}
	require.Equal(t, "regional_coordination", families["kind"][0].Code, "in the report's order")
	require.Equal(t, qilian.Label{ZH: "难题联破", EN: "Problem solving"}, v["kind"]["problem_solving"])
	require.Equal(t, "签收", v["action"]["accept"].ZH)
	require.Equal(t, "签收", v["event"]["accept"].ZH, "an action's event has the action's label")
	require.Equal(t, "临期预警", v["event"]["warning"].ZH)
	require.Equal(t, "人工录入", v["line_source"]["entry"].ZH)
}
