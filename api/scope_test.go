package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
)

// testScopeByCase puts a street JIANSHE beside the demo's jianshe: their
// IDs differ only in case, so on SQLite a LIKE '/nanhu/jianshe/%' would
// match both. Every route that lists, searches or resolves a place must
// keep the two apart for jianshe's axis, its sub-admin and its grid
// workers; JIANSHE's own axis sees its case, which shows the probe would
// catch a leak. It adds places and users to the district, so it runs
// after the tests that count them.
func testScopeByCase(t *testing.T, a *apiEnv) {
	ctx := context.Background()
	for _, l := range []map[string]any{
		{"id": "JIANSHE", "parent_id": "nanhu", "level": "street", "name": "大写街道"},
		{"id": "JIANSHE-c", "parent_id": "JIANSHE", "level": "community", "name": "大写社区"},
		{"id": "JIANSHE-g1", "parent_id": "JIANSHE-c", "level": "grid", "name": "大写网格"},
	} {
		a.call(t, "demo-admin", http.MethodPost, "/api/v1/localities", l).ok(t, http.StatusCreated, nil)
	}
	a.call(t, "demo-admin", http.MethodPost, "/api/v1/units", map[string]any{
		"id": "u-JIANSHE", "name": "大写物业", "type": "property", "locality_id": "JIANSHE-c"}).ok(t, http.StatusCreated, nil)
	// A grid far from the demo's, so that only a leaking GridAt finds it.
	require.NoError(t, a.env.DB.SetArea(ctx, "JIANSHE-g1", qilian.Area{
		{Lat: 30.80, Lng: 120.80}, {Lat: 30.80, Lng: 120.81}, {Lat: 30.81, Lng: 120.81}, {Lat: 30.81, Lng: 120.80}}))

	token := func(user, role, locality string) string {
		var created struct {
			Token struct {
				Token string `json:"token"`
			} `json:"token"`
		}
		a.call(t, "demo-admin", http.MethodPost, "/api/v1/users", map[string]any{
			"id": user, "name": user, "role": role, "locality_id": locality}).ok(t, http.StatusCreated, &created)
		require.NotEmpty(t, created.Token.Token)
		return created.Token.Token
	}
	upper := token("axis-JIANSHE", "axis", "JIANSHE")
	subAdmin := token("admin-jianshe", "admin", "jianshe")
	lower := a.key(t, "demo-axis")

	var c caseOut
	a.callToken(t, upper, http.MethodPost, "/api/v1/cases", map[string]any{
		"kind": "service_linkage", "title": "JIANSHE probe", "description": "JIANSHE", "locality_id": "JIANSHE-g1",
		"location": map[string]any{"address": "JIANSHE road"},
	}).ok(t, http.StatusCreated, &c)
	a.callToken(t, upper, http.MethodPost, "/api/v1/cases/"+c.ID+"/dispatch", map[string]any{
		"assignments": []map[string]any{{"unit_id": "u-JIANSHE", "role": "lead"}}}).ok(t, http.StatusOK, nil)
	later := a.at(40 * 24 * time.Hour) // the task is overdue by then

	// Each probe is read by JIANSHE's own caller first, which must see the
	// marker, and then by jianshe's, which must not.
	probes := []struct {
		name         string
		env          *apiEnv
		own, other   string
		path, marker string
	}{
		{"case list", a, upper, lower, "/api/v1/cases?limit=200", c.ID},
		{"search", a, upper, lower, "/api/v1/cases?q=probe", c.ID},
		{"locality filter", a, upper, lower, "/api/v1/cases?locality=JIANSHE", c.ID},
		{"overdue", later, upper, lower, "/api/v1/overdue?limit=200", c.ID},
		{"overdue export", later, upper, lower, "/api/v1/overdue.csv", c.ID},
		{"open311 list", a, upper, lower, "/open311/v2/requests.json?api_key=", c.ID},
		{"open311 one", a, upper, lower, "/open311/v2/requests/" + c.ID + ".json?api_key=", "JIANSHE road"},
		{"admin localities", a, upper, subAdmin, "/api/v1/localities", "JIANSHE"},
		{"admin units", a, upper, subAdmin, "/api/v1/units", "u-JIANSHE"},
		{"admin users", a, upper, subAdmin, "/api/v1/users", "axis-JIANSHE"},
	}
	for _, p := range probes {
		t.Run(p.name, func(t *testing.T) {
			get := func(tok string) reply {
				if strings.HasSuffix(p.path, "api_key=") {
					return p.env.callToken(t, "", http.MethodGet, p.path+tok, nil)
				}
				return p.env.callToken(t, tok, http.MethodGet, p.path, nil)
			}
			own := p.own
			if strings.HasPrefix(p.name, "admin") {
				own = a.key(t, "demo-admin")
			}
			r := get(own)
			require.Equal(t, http.StatusOK, r.Code, "%s", r.Body)
			require.Contains(t, string(r.Body), p.marker)
			r = get(p.other)
			require.NotContains(t, string(r.Body), p.marker, "status %d", r.Code)
			require.Contains(t, []int{http.StatusOK, http.StatusNotFound, http.StatusBadRequest}, r.Code, "%s", r.Body)
		})
	}
	t.Run("counts", func(t *testing.T) {
		type counts struct {
			Cases int `json:"cases"`
		}
		var own, before, after counts
		a.callToken(t, upper, http.MethodGet, "/api/v1/counts", nil).ok(t, http.StatusOK, &own)
		require.Equal(t, 1, own.Cases)
		a.callToken(t, lower, http.MethodGet, "/api/v1/counts", nil).ok(t, http.StatusOK, &before)
		a.callToken(t, upper, http.MethodPost, "/api/v1/cases", map[string]any{
			"kind": "service_linkage", "title": "JIANSHE second", "locality_id": "JIANSHE-g1"}).ok(t, http.StatusCreated, nil)
		a.callToken(t, upper, http.MethodGet, "/api/v1/counts", nil).ok(t, http.StatusOK, &own)
		require.Equal(t, 2, own.Cases)
		a.callToken(t, lower, http.MethodGet, "/api/v1/counts", nil).ok(t, http.StatusOK, &after)
		require.Equal(t, before.Cases, after.Cases)
	})
	t.Run("point in the other subtree's grid", func(t *testing.T) {
		r := a.postForm(t, "/open311/v2/requests.json", url.Values{"api_key": {lower}, "service_code": {"service_linkage"},
			"lat": {"30.805"}, "long": {"120.805"}, "description": {"JIANSHE point"}})
		if r.Code == http.StatusCreated {
			var got []struct {
				ID string `json:"service_request_id"`
			}
			r.ok(t, http.StatusCreated, &got)
			require.Len(t, got, 1)
			var c caseOut
			a.callToken(t, lower, http.MethodGet, "/api/v1/cases/"+got[0].ID, nil).ok(t, http.StatusOK, &c)
			require.NotEqual(t, "JIANSHE-g1", c.GridID)
			require.False(t, strings.Contains(c.Locality.Path, "JIANSHE"), c.Locality.Path)
			return
		}
		require.Equal(t, http.StatusBadRequest, r.Code, "%s", r.Body)
	})
}
