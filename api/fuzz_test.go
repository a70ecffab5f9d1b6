package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/api"
)

// Fuzz targets for every request decoder: case bodies, action bodies,
// administration bodies, query strings, path IDs and the bearer token.
// Each sends what the fuzzer makes through the real router on the real
// engine (embedded Temporal, PostgreSQL read model) and requires an
// answer below 500 whose errors have the one error shape. `go test` runs
// the seeds; scripts/fuzz runs each target for as long as it is told.

// fuzzUser is the demo user who acts in each role.
var fuzzUser = map[qilian.Role]string{
	qilian.RoleAdmin:      "demo-admin",
	qilian.RoleGridWorker: "demo-grid",
	qilian.RoleAxis:       "demo-axis",
	qilian.RoleUnitStaff:  "demo-unit",
	qilian.RoleSupervisor: "demo-supervisor",
}

// fuzzFixture is the API with a case at triage, a dispatched case whose
// task was accepted, and an extension requested on that task, so that
// every action route has something real to act on.
type fuzzFixture struct {
	a   *apiEnv
	ids map[string]string // by what an {id} names: case, task, extension
}

func startFuzz(f *testing.F) *fuzzFixture {
	a := startAPI(f, "postgres")
	triage := a.open(f, "demo-grid", serviceCase("楼道堆物", "dongzha-g1"))
	d := a.open(f, "demo-grid", serviceCase("路灯不亮", "dongzha-g1"))
	d = a.act(f, "demo-axis", "/api/v1/cases/"+d.ID+"/dispatch", map[string]any{
		"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead"}},
	})
	task := d.Tasks[0].ID
	a.act(f, "demo-unit", "/api/v1/tasks/"+task+"/accept", nil)
	d = a.act(f, "demo-unit", "/api/v1/tasks/"+task+"/request-extension", map[string]any{"extra": "2d", "note": "等配件"})
	if d.Tasks[0].Extension == nil {
		f.Fatal("the extension request left no extension on the task")
	}
	return &fuzzFixture{a: a, ids: map[string]string{"case": triage.ID, "task": task, "extension": d.Tasks[0].Extension.ID}}
}

// token is the demo user's bearer token.
func (fx *fuzzFixture) token(user string) string { return fx.a.env.Logins[user].Token }

// raw sends a request whose path and query are taken as they are, as a
// server sees them after parsing the request line; it cannot fail a test.
func (a *apiEnv) raw(token, method, path, rawQuery string, body []byte, headers ...string) reply {
	req := httptest.NewRequest(method, "/", bytes.NewReader(body))
	req.URL.Path, req.URL.RawPath, req.URL.RawQuery = path, "", rawQuery
	req.RequestURI = ""
	return a.serve(req, token, body != nil, headers...)
}

// wellFormed fails on a 5xx, and on an error answer that is not exactly
// the one error shape.
func wellFormed(t *testing.T, what string, r reply) {
	t.Helper()
	if r.Code >= 500 {
		t.Fatalf("%s: status %d: %s", what, r.Code, r.Body)
	}
	if r.Code < 400 {
		if r.Code != http.StatusNoContent && !json.Valid(r.Body) {
			t.Fatalf("%s: status %d with a body that is not JSON: %q", what, r.Code, r.Body)
		}
		return
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &top); err != nil || len(top) != 1 || top["error"] == nil {
		t.Fatalf("%s: status %d without the error shape: %s", what, r.Code, r.Body)
	}
	dec := json.NewDecoder(bytes.NewReader(top["error"]))
	dec.DisallowUnknownFields()
	var e apiError
	if err := dec.Decode(&e); err != nil || e.Code == "" || e.Message == "" || e.MessageZH == "" {
		t.Fatalf("%s: status %d with a malformed error: %s", what, r.Code, r.Body)
	}
}

// Seeds: real bodies of every kind, and a few broken ones.
var openSeeds = []string{
	`{"kind":"service_linkage","title":"楼道堆物清理","locality_id":"dongzha-g1","reporter":{"name":"李阿姨","phone":"13800000000"}}`,
	`{"kind":"service_linkage","title":"明苑小区3幢楼道堆物","description":"居民反映 <b>急</b>","locality_id":"dongzha-g1","priority":"urgent",
	  "location":{"lat":30.7522,"lng":120.7623,"address":"明苑小区3幢2单元"},"attachments":["https://example.org/photos/1.jpg"]}`,
	`{"kind":"resource_sharing","title":"借用会议室","grid_id":"dongzha-g1","details":{"booking":{"resource_id":"u-power-hall","owner_unit_id":"u-power",
	  "from":"2026-03-02T09:00:00+08:00","to":"2026-03-02T11:00:00+08:00","purpose":"居民议事"}}}`,
	`{"kind":"joint_consultation","title":"加装电梯","locality_id":"dongzha-g1","details":{"consultation":{"question":"是否加装电梯？","options":["同意","反对"],
	  "participants":["demo-unit","demo-grid"],"quorum":2,"rule":"majority","deadline":"2026-03-09T18:00:00+08:00"}}}`,
	`{"kind":"joint_activity","title":"义诊","locality_id":"dongzha-g1","details":{"activity":{"capacity":20,"starts_at":"2026-03-07T09:00:00+08:00",
	  "ends_at":"2026-03-07T11:30:00+08:00","venue":"社区广场"}}}`,
	`{"kind":"member_management","title":"在职党员报到","locality_id":"dongzha-g1","details":{"member":{"name":"王五","phone":"13900000000","home_unit_id":"u-power"}}}`,
	`{"kind":"service_linkage","title":"x","locality_id":"dongzha-g1","details":{"booking":{"color":"red"}}}`,
	`{"kind":"service_linkage","title":"\u0000"}`,
	`{"kind":1,"title":["a"],"location":{"lat":1e400}}`,
	`[{"kind":"service_linkage"}]`,
	`{"kind":"service_linkage","title":"a"} {}`,
	`{"kind":"service_linkage","title":"a","reporter":{"phone":"+86 (571) 1234-5678"},"attachments":["ftp://x","http://"]}`,
	`{"kind":"resource_sharing","title":"远古预约","locality_id":"jianshe","details":{"booking":{"resource_id":"u-power-hall","owner_unit_id":"u-power",
	  "from":"0000-01-01T00:00:00+14:00","to":"9999-12-31T23:59:59-12:00"}}}`,
	`{"kind":"joint_consultation","title":"远期议事","locality_id":"dongzha-g1","details":{"consultation":{"question":"?","options":["a","a"],
	  "participants":["demo-unit"],"quorum":-1,"rule":"unanimous","deadline":"9999-12-31T23:59:59Z"}}}`,
	`{"kind":"joint_activity","title":"倒着的活动","locality_id":"dongzha-g1","details":{"activity":{"capacity":9223372036854775807,
	  "starts_at":"2026-03-07T11:00:00+08:00","ends_at":"0001-01-01T00:00:00Z"}}}`,
	`{"kind":"service_linkage","title":"t","locality_id":"dongzha-g1","priority":"urgent","location":{"lat":-90,"lng":180.0000001}}`,
	``,
	`{`,
}

func FuzzOpenCase(f *testing.F) {
	fx := startFuzz(f)
	for i, s := range openSeeds {
		f.Add("", []byte(s))
		f.Add(fmt.Sprintf("seed-%d", i), []byte(s))
	}
	f.Add("key with spaces\x01", []byte(openSeeds[0]))
	grid := fx.token("demo-grid")
	f.Fuzz(func(t *testing.T, key string, body []byte) {
		var headers []string
		if key != "" {
			headers = []string{api.IdempotencyKeyHeader, key}
		}
		rep := fx.a.raw(grid, http.MethodPost, "/api/v1/cases", "", body, headers...)
		wellFormed(t, "open", rep)
		if rep.Code == http.StatusCreated && rep.Header.Get("Location") == "" {
			t.Fatalf("a case was opened without a Location: %s", rep.Body)
		}
	})
}

// actionSeeds are real bodies by route segment.
var actionSeeds = map[string][]string{
	"dispatch":          {`{"assignments":[{"unit_id":"u-mingyuan-property","role":"lead","required":true},{"unit_id":"u-power","role":"co"}]}`, `{"assignments":[]}`},
	"verify":            {`{"pass":true}`, `{"pass":false,"note":"还有堆物","expected_revision":3}`},
	"follow-up":         {`{"satisfied":false,"note":"不满意"}`},
	"close":             {`{"resolution":"duplicate","note":"同 QL20260302-0000000001"}`},
	"whistle":           {`{"units":["u-power","u-hospital"],"note":"请报到"}`},
	"meeting":           {`{"units":["u-power"],"note":"会议纪要"}`},
	"remind":            {`{"task_id":"X-t1","note":"请尽快"}`, `{}`},
	"notice":            {`{"note":"通报"}`},
	"vote":              {`{"option":"同意"}`},
	"sign-up":           {`{"participant":{"id":"p1","name":"张三","phone":"13800000001","unit_id":"u-power"}}`},
	"check-in":          {`{"participant":{"id":"p1"}}`},
	"assign-post":       {`{"post":"楼道长"}`},
	"log-hours":         {`{"hours":{"date":"2026-03-02","hours":2.5,"note":"巡逻"}}`, `{"hours":{"date":"2026-02-30","hours":-1}}`, `{"hours":{"date":"0000-01-01","hours":1e308}}`},
	"confirm-hours":     {`{"hours":{"id":"h1"}}`},
	"return":            {`{"reason":"not_our_duty","note":"不归我们管"}`, `{"reason":"other"}`},
	"resolve":           {`{"result":"已清理"}`},
	"request-extension": {`{"extra":"2d","note":"等配件"}`, `{"extra":"1d4h"}`, `{"extra":"-3d"}`, `{"extra":"99999999999d"}`, `{"extra":"9223372036854775807h"}`},
	"reassign":          {`{"unit_id":"u-power","note":"转供电"}`},
	"progress":          {`{"note":"已联系保洁"}`},
}

func FuzzAction(f *testing.F) {
	fx := startFuzz(f)
	routes := api.ActionRoutes()
	for i, ar := range routes {
		bodies := append([]string{`{"note":"好"}`, ``, `{"note":1}`, `{"nope":true}`}, actionSeeds[ar.Segment]...)
		for _, b := range bodies {
			f.Add(uint8(i), "", []byte(b))
		}
	}
	f.Add(uint8(0), "../../localities", []byte(`{}`))
	f.Add(uint8(23), "X-t99999999999999999999", []byte(`{}`))
	f.Fuzz(func(t *testing.T, route uint8, id string, body []byte) {
		ar := routes[int(route)%len(routes)]
		if id == "" {
			id = fx.ids[ar.On]
		}
		user := fuzzUser[ar.Roles[0]]
		rep := fx.a.raw(fx.token(user), http.MethodPost, strings.Replace(ar.Path, ":id", id, 1), "", body)
		wellFormed(t, ar.Path, rep)
	})
}

// queryRoutes are the GET routes that read a query or a path ID, with the
// user who reads them.
var queryRoutes = []struct{ path, user string }{
	{"/api/v1/cases", "demo-axis"},
	{"/api/v1/cases", "demo-unit"},
	{"/api/v1/tasks", "demo-unit"},
	{"/api/v1/overdue", "demo-supervisor"},
	{"/api/v1/cases/:id", "demo-grid"},
	{"/api/v1/cases/:id/events", "demo-axis"},
	{"/api/v1/localities", "demo-admin"},
}

func FuzzQuery(f *testing.F) {
	fx := startFuzz(f)
	var page struct {
		NextCursor string `json:"next_cursor"`
	}
	fx.a.call(f, "demo-axis", http.MethodGet, "/api/v1/cases?limit=1", nil).ok(f, http.StatusOK, &page)
	if page.NextCursor == "" {
		f.Fatal("two cases but no next page")
	}
	for _, q := range []string{
		"", "kind=service_linkage&state=triage&limit=10", "overdue=true&limit=200", "limit=0", "limit=201", "limit=-1", "limit=1e3",
		"created_after=2026-01-02T15:04:05%2B08:00&created_before=2027-01-01T00:00:00Z", "created_after=yesterday",
		"created_after=0000-01-01T00:00:00%2B14:00&created_before=9999-12-31T23:59:59-12:00", "created_before=2026-13-45T25:61:61Z",
		"cursor=" + page.NextCursor, "cursor=" + page.NextCursor + "&limit=1", "cursor=%FF%FE", "cursor=AAAA",
		"q=%E6%B6%88%E9%98%B2%25_", "q=%00", "locality=dongzha&unit=u-power", "kind=x&kind=y", "Kind=service_linkage", "state=offered", "overdue=yes",
	} {
		for i := range queryRoutes {
			f.Add(uint8(i), "", q)
		}
	}
	f.Add(uint8(4), "../cases", "")
	f.Add(uint8(5), "QL20260101-%00", "")
	f.Fuzz(func(t *testing.T, route uint8, id, rawQuery string) {
		r := queryRoutes[int(route)%len(queryRoutes)]
		if id == "" {
			id = fx.ids["case"]
		}
		rep := fx.a.raw(fx.token(r.user), http.MethodGet, strings.Replace(r.path, ":id", id, 1), rawQuery, nil)
		wellFormed(t, r.path, rep)
	})
}

// adminRoutes are the administration routes that take a body.
var adminRoutes = []struct{ path, seed string }{
	{"/api/v1/localities", `{"id":"dongzha-g9","parent_id":"dongzha","level":"grid","name":"九号网格","name_en":"Grid 9"}`},
	{"/api/v1/units", `{"id":"u-bakery","name":"好利来烘焙","name_en":"Bakery","type":"company","locality_id":"jianshe"}`},
	{"/api/v1/users", `{"id":"grid-9","name":"钱多多","role":"grid_worker","locality_id":"dongzha-g1","token_label":"手机"}`},
	{"/api/v1/users", `{"id":"unit-9","name":"孙小小","role":"unit_staff","unit_id":"u-power"}`},
	{"/api/v1/users/:id/tokens", `{"label":"平板"}`},
}

func FuzzAdmin(f *testing.F) {
	fx := startFuzz(f)
	for i, r := range adminRoutes {
		for _, b := range []string{r.seed, `{}`, ``, `{"id":"` + strings.Repeat("x", 300) + `"}`, `{"id":"a","parent_id":"nope","level":"moon","name":""}`} {
			f.Add(uint8(i), "", []byte(b))
		}
	}
	f.Add(uint8(4), "nobody", []byte(`{}`))
	admin := fx.token("demo-admin")
	f.Fuzz(func(t *testing.T, route uint8, id string, body []byte) {
		r := adminRoutes[int(route)%len(adminRoutes)]
		if id == "" {
			id = "demo-grid"
		}
		rep := fx.a.raw(admin, http.MethodPost, strings.Replace(r.path, ":id", id, 1), "", body)
		wellFormed(t, r.path, rep)
	})
}

// FuzzBearer feeds the Authorization header: the answer is the caller or
// a 401, nothing else.
func FuzzBearer(f *testing.F) {
	fx := startFuzz(f)
	tok := fx.token("demo-unit")
	for _, h := range []string{"Bearer " + tok, "bearer  " + tok + " ", "Bearer", "Bearer " + tok + " x", "Basic dXNlcjpwYXNz", "", "Bearer " + strings.Repeat("q", 300), "Bearer qlt_\x00"} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, header string) {
		rep := fx.a.raw("", http.MethodGet, "/api/v1/me", "", nil, "Authorization", header)
		wellFormed(t, "me", rep)
		if rep.Code != http.StatusOK && rep.Code != http.StatusUnauthorized {
			t.Fatalf("Authorization %q: status %d: %s", header, rep.Code, rep.Body)
		}
	})
}
