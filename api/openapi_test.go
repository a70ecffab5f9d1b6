package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian/api"
	"github.com/qilian/qilian/api/open311"
)

// TestOpenAPIMatchesRouter walks the router and the document both ways:
// every registered route is documented and every documented operation is
// registered, with the same method and path. Open311 is mounted beside
// the case API, as the binary mounts it, and stays out of the document.
func TestOpenAPIMatchesRouter(t *testing.T) {
	r := api.New(api.Server{Protocols: []api.Protocol{open311.Server{}}})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	require.Equal(t, http.StatusOK, w.Code)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &doc))
	require.True(t, strings.HasPrefix(doc.OpenAPI, "3."), doc.OpenAPI)

	var documented []string
	for p, ops := range doc.Paths {
		for m := range ops {
			documented = append(documented, strings.ToUpper(m)+" "+p)
		}
	}
	var routed []string
	// Open311 has its own specification and is not in the document.
	require.Less(t, len(caseAPIRoutes(r)), len(r.Routes()), "Open311 is mounted")
	for _, rt := range caseAPIRoutes(r) {
		routed = append(routed, rt.Method+" "+openAPIPath(rt.Path))
	}
	sort.Strings(documented)
	sort.Strings(routed)
	require.Equal(t, routed, documented)
	require.Contains(t, routed, "POST /api/v1/cases/{id}/dispatch")
	require.Contains(t, routed, "POST /api/v1/tasks/{id}/accept")
	require.Contains(t, routed, "POST /api/v1/extensions/{id}/approve")
	// Single sign-on's routes are there whether or not it is configured:
	// off, they answer 404, and GET /api/v1/sso says so.
	require.Contains(t, routed, "GET /api/v1/sso/login")
	require.Contains(t, routed, "GET /api/v1/sso/callback")
}

// TestOpenAPIReferencesResolve checks every $ref points at a schema the
// document defines, and that every operation has an ID, once.
func TestOpenAPIReferencesResolve(t *testing.T) {
	r := api.New(api.Server{})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	var doc map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &doc))
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	var refs []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, sub := range x {
				if s, ok := sub.(string); ok && k == "$ref" {
					refs = append(refs, s)
				}
				walk(sub)
			}
		case []any:
			for _, sub := range x {
				walk(sub)
			}
		}
	}
	walk(doc)
	require.NotEmpty(t, refs)
	for _, ref := range refs {
		name, ok := strings.CutPrefix(ref, "#/components/schemas/")
		require.True(t, ok, ref)
		require.Contains(t, schemas, name)
	}
	ids := map[string]bool{}
	for p, ops := range doc["paths"].(map[string]any) {
		for m, op := range ops.(map[string]any) {
			id, _ := op.(map[string]any)["operationId"].(string)
			require.NotEmpty(t, id, "%s %s", m, p)
			require.False(t, ids[id], "operationId %s twice", id)
			ids[id] = true
		}
	}
}
