package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
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

// TestOpenAPIEnumsNameTheirLabels reads the document as a form does: a
// choice from a schema's enum, each option named by the /api/v1/labels
// family its x-labels names. Every family named is served, with a term
// for every value, and the enums that people choose from name theirs.
func TestOpenAPIEnumsNameTheirLabels(t *testing.T) {
	r := api.New(api.Server{})
	get := func(path string, v any) {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		require.Equal(t, http.StatusOK, w.Code, path)
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), v))
	}
	var doc map[string]any
	get("/api/v1/openapi.json", &doc)
	var labels map[string][]struct {
		Code string `json:"code"`
		ZH   string `json:"zh"`
		EN   string `json:"en"`
	}
	get("/api/v1/labels", &labels)

	named := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if family, ok := x["x-labels"].(string); ok {
				named[family] = true
				terms, served := labels[family]
				require.True(t, served, "x-labels %q is no family of /api/v1/labels", family)
				values, _ := x["enum"].([]any)
				require.NotEmpty(t, values, "x-labels %q on a schema without an enum", family)
				for _, v := range values {
					found := false
					for _, term := range terms {
						found = found || (term.Code == v && term.ZH != "" && term.EN != "")
					}
					require.True(t, found, "%s has no term for %v", family, v)
				}
			}
			for _, sub := range x {
				walk(sub)
			}
		case []any:
			for _, sub := range x {
				walk(sub)
			}
		}
	}
	walk(doc)
	for _, family := range []string{"kind", "case_state", "task_state", "task_role", "priority", "role", "level",
		"return_reason", "duty", "resolution", "unit_type", "vote_rule", "booking_state", "clock", "action", "event",
		"points_kind", "line_source"} {
		require.True(t, named[family], "no enum names the family %s", family)
	}

	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	property := func(op, name string) map[string]any {
		path, method, _ := strings.Cut(op, " ")
		o := doc["paths"].(map[string]any)[path].(map[string]any)[method].(map[string]any)
		ref := o["requestBody"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)["$ref"].(string)
		s := schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
		p, ok := s["properties"].(map[string]any)[name].(map[string]any)
		require.True(t, ok, "%s has no property %s", op, name)
		return p
	}
	reason := property("/api/v1/tasks/{id}/return post", "reason")
	require.Equal(t, "return_reason", reason["x-labels"])
	require.Contains(t, reason["enum"], "not_our_duty")
	require.Equal(t, "resolution", property("/api/v1/cases/{id}/close post", "resolution")["x-labels"])
	// A field's enum tag narrows its type's values and keeps its family.
	action := property("/api/v1/bulk post", "action")
	require.Equal(t, []any{"dispatch", "remind", "close"}, action["enum"])
	require.Equal(t, "action", action["x-labels"])
	duty := schemas["AssignmentIn"].(map[string]any)["properties"].(map[string]any)["duty"].(map[string]any)
	require.Equal(t, "duty", duty["x-labels"])
	require.Equal(t, []any{"venue", "staff", "materials"}, duty["enum"])
	require.NotEmpty(t, duty["description"], "the field's doc stays beside the enum")

	// Query parameters choose from a family too.
	var state map[string]any
	for _, p := range doc["paths"].(map[string]any)["/api/v1/cases"].(map[string]any)["get"].(map[string]any)["parameters"].([]any) {
		if p := p.(map[string]any); p["name"] == "state" {
			state = p["schema"].(map[string]any)
		}
	}
	require.Equal(t, "case_state", state["x-labels"])
}

// TestOpenAPIChoicesPointIntoTheCase: a field's x-choices names a list
// that a case's details hold (a form offers its items), and the fields
// people pick a case's own item for say where it is.
func TestOpenAPIChoicesPointIntoTheCase(t *testing.T) {
	r := api.New(api.Server{})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	require.Equal(t, http.StatusOK, w.Code)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &doc))

	// holds is the JSON path's type in a case's details, if it is a list.
	holds := func(path string) bool {
		typ := reflect.TypeFor[qilian.Details]()
		for _, seg := range strings.Split(path, ".") {
			for typ.Kind() == reflect.Pointer {
				typ = typ.Elem()
			}
			if typ.Kind() != reflect.Struct {
				return false
			}
			found := false
			for i := range typ.NumField() {
				if name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ","); name == seg {
					typ, found = typ.Field(i).Type, true
					break
				}
			}
			if !found {
				return false
			}
		}
		return typ.Kind() == reflect.Slice
	}
	seen := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if path, ok := x["x-choices"].(string); ok {
				require.True(t, holds(path), "x-choices %q is no list of a case's details", path)
				seen[path] = true
			}
			for _, sub := range x {
				walk(sub)
			}
		case []any:
			for _, sub := range x {
				walk(sub)
			}
		}
	}
	walk(doc)
	require.Equal(t, map[string]bool{"consultation.options": true, "activity.sign_ups": true, "member.hours": true}, seen)
}
