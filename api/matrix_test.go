package api_test

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// testMatrix runs every route of the router as every demo user, on a case
// inside and a case outside each user's scope, and checks the answer
// class: 403 when the role may never use the route (as the document's
// x-roles say) and for /metrics from afar, 404 when the case is out of the
// user's scope, and
// otherwise an answer past authorization (2xx, 400 or 409: never 401, 403,
// 404 or 5xx).
func testMatrix(t *testing.T, a *apiEnv) {
	// One case in each street, each with a task waiting on an extension,
	// so that case, task and extension routes all have a target.
	// Case A names a photo its grid worker sent, for the file routes.
	var photo struct {
		ID string `json:"id"`
	}
	a.upload(t, "demo-grid", "matrix.png", tinyPNG(t)).ok(t, http.StatusCreated, &photo)
	setup := func(grid, axis, unit, unitStaff, title string) caseOut {
		body := serviceCase(title, map[string]string{"demo-grid": "dongzha-g1", "demo-grid-jiahe": "jiahe-g1"}[grid])
		if grid == "demo-grid" {
			body["attachments"] = []string{"/api/v1/files/" + photo.ID}
		}
		c := a.open(t, grid, body)
		c = a.act(t, axis, "/api/v1/cases/"+c.ID+"/dispatch", map[string]any{"assignments": []map[string]any{{"unit_id": unit, "role": "lead"}}})
		a.act(t, unitStaff, "/api/v1/tasks/"+c.Tasks[0].ID+"/accept", nil)
		c = a.act(t, unitStaff, "/api/v1/tasks/"+c.Tasks[0].ID+"/request-extension", map[string]any{"extra": "1d", "note": "等待配件"})
		require.NotNil(t, c.Tasks[0].Extension)
		return c
	}
	caseA := setup("demo-grid", "demo-axis", "u-mingyuan-property", "demo-unit", "矩阵甲：楼道灯不亮")
	caseB := setup("demo-grid-jiahe", "demo-axis-xinxing", "u-power", "demo-unit-power", "矩阵乙：路灯线路老化")
	cases := []caseOut{caseA, caseB}
	// Who sees which case, from DOMAIN.md's rules: the subtree for axis,
	// grid workers and supervisors, the unit's tasks for unit staff,
	// nothing for admins.
	sees := map[string][]string{
		caseA.ID: {"demo-grid", "demo-axis", "demo-axis-dongzha", "demo-unit", "demo-supervisor", "demo-supervisor-jianshe"},
		caseB.ID: {"demo-grid-jiahe", "demo-axis-xinxing", "demo-unit-power", "demo-supervisor"},
	}

	// A user of its own for the token routes, so revoking breaks no one.
	var created struct {
		User  struct{ ID string } `json:"user"`
		Token struct{ ID string } `json:"token"`
	}
	a.call(t, "demo-admin", http.MethodPost, "/api/v1/users", map[string]any{
		"id": "matrix-user", "name": "矩阵测试", "role": "grid_worker", "locality_id": "dongzha-g1",
	}).ok(t, http.StatusCreated, &created)

	roles := documentedRoles(t, a)
	// The document is the matrix's oracle for roles; pin a few by hand so
	// that it cannot drift from the domain unnoticed.
	require.Equal(t, []string{"grid_worker", "axis", "unit_staff"}, roles["POST /api/v1/cases"], "unit staff: their own member registration only")
	require.Equal(t, []string{"axis"}, roles["POST /api/v1/cases/{id}/dispatch"])
	require.Equal(t, []string{"grid_worker", "axis"}, roles["POST /api/v1/cases/{id}/follow-up"])
	require.Equal(t, []string{"supervisor"}, roles["POST /api/v1/cases/{id}/notice"])
	require.Equal(t, []string{"unit_staff"}, roles["POST /api/v1/tasks/{id}/accept"])
	require.Equal(t, []string{"axis"}, roles["POST /api/v1/extensions/{id}/approve"])
	require.Equal(t, []string{"admin"}, roles["POST /api/v1/users"])

	users := make([]string, 0, len(a.env.Logins))
	for u := range a.env.Logins {
		users = append(users, u)
	}
	sort.Strings(users)

	for _, rt := range caseAPIRoutes(a.r) {
		key := rt.Method + " " + openAPIPath(rt.Path)
		t.Run(key, func(t *testing.T) {
			routeRoles, authenticated := roles[key]
			var targets []string // case IDs the route is about, if any
			switch {
			case strings.HasPrefix(rt.Path, "/api/v1/cases/:id"),
				strings.HasPrefix(rt.Path, "/api/v1/tasks/:id"),
				strings.HasPrefix(rt.Path, "/api/v1/extensions/:id"):
				for _, c := range cases {
					targets = append(targets, c.ID)
				}
			default:
				targets = []string{""}
			}
			for _, user := range users {
				role := string(a.env.Logins[user].Role)
				for _, caseID := range targets {
					path := rt.Path
					switch {
					case caseID == "":
						path = strings.NewReplacer(
							"/users/:id", "/users/"+created.User.ID,
							"/tokens/:id", "/tokens/"+created.Token.ID,
							"/files/:id", "/files/"+photo.ID,
							"/localities/:id", "/localities/dongzha-g1",
						).Replace(path)
					case strings.HasPrefix(path, "/api/v1/tasks/"):
						path = fill(path, caseFor(cases, caseID).Tasks[0].ID)
					case strings.HasPrefix(path, "/api/v1/extensions/"):
						path = fill(path, caseFor(cases, caseID).Tasks[0].Extension.ID)
					default:
						path = fill(path, caseID)
					}
					var body any
					if rt.Method == http.MethodPost || rt.Method == http.MethodPut {
						body = "{}"
					}
					r := a.call(t, user, rt.Method, path, body)
					what := user + " (" + role + ") " + rt.Method + " " + path + ": " + string(r.Body)
					switch {
					case rt.Path == "/metrics":
						// No metrics token here, and the recorder's client
						// is not on the loopback interface.
						require.Equal(t, http.StatusForbidden, r.Code, what)
					case strings.HasPrefix(rt.Path, "/api/v1/sso/"):
						// Single sign-on is off here: its routes answer as if absent.
						require.Equal(t, http.StatusNotFound, r.Code, what)
					case !authenticated: // public: a token neither helps nor hurts
						require.NotContains(t, []int{401, 403, 404}, r.Code, what)
						require.Less(t, r.Code, 500, what)
					case !has(routeRoles, role):
						require.Equal(t, http.StatusForbidden, r.Code, what)
					case caseID != "" && !has(sees[caseID], user):
						require.Equal(t, http.StatusNotFound, r.Code, what)
					case strings.HasPrefix(rt.Path, "/api/v1/files/:id") && !has(sees[caseA.ID], user):
						// A file is read by its sender and those who see a case naming it.
						require.Equal(t, http.StatusNotFound, r.Code, what)
					default:
						require.NotContains(t, []int{401, 403, 404}, r.Code, what)
						require.Less(t, r.Code, 500, what)
					}
				}
			}
		})
	}

	t.Run("lists hold exactly what each user sees", func(t *testing.T) {
		for _, user := range users {
			r := a.call(t, user, http.MethodGet, "/api/v1/cases?q="+url.QueryEscape("矩阵"), nil)
			if user == "demo-admin" {
				r.fails(t, http.StatusForbidden, "forbidden")
				continue
			}
			var list struct {
				Cases []struct{ ID string } `json:"cases"`
			}
			r.ok(t, http.StatusOK, &list)
			var got, want []string
			for _, c := range list.Cases {
				got = append(got, c.ID)
			}
			for _, c := range cases {
				if has(sees[c.ID], user) {
					want = append(want, c.ID)
				}
			}
			require.ElementsMatch(t, want, got, user)
		}
	})
}

func caseFor(cases []caseOut, id string) caseOut {
	for _, c := range cases {
		if c.ID == id {
			return c
		}
	}
	return caseOut{}
}

// documentedRoles reads x-roles of every operation of the served
// document, by "METHOD /path"; public operations have none.
func documentedRoles(t *testing.T, a *apiEnv) map[string][]string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]struct {
			Roles []string `json:"x-roles"`
		} `json:"paths"`
	}
	a.call(t, "", http.MethodGet, "/api/v1/openapi.json", nil).ok(t, http.StatusOK, &doc)
	out := map[string][]string{}
	for p, ops := range doc.Paths {
		for m, op := range ops {
			if op.Roles != nil {
				out[strings.ToUpper(m)+" "+p] = op.Roles
			}
		}
	}
	return out
}

func openAPIPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			segs[i] = "{" + name + "}"
		}
	}
	return strings.Join(segs, "/")
}
