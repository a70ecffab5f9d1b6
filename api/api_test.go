package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian/api"
	"github.com/qilian/qilian/storage/storagetest"
)

// TestAPI runs the table tests of every route through the real router on
// a running engine, once with the read model on SQLite and once on
// PostgreSQL. Subtests are named by the status they check.
func TestAPI(t *testing.T) {
	for _, dialect := range storagetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			a := startAPI(t, dialect)
			t.Run("auth", func(t *testing.T) { testAuth(t, a) })
			t.Run("errors", func(t *testing.T) { testErrors(t, a) })
			t.Run("create", func(t *testing.T) { testCreate(t, a) })
			t.Run("idempotency", func(t *testing.T) { testIdempotency(t, a) })
			t.Run("read", func(t *testing.T) { testRead(t, a) })
			t.Run("list", func(t *testing.T) { testList(t, a) })
			t.Run("actions", func(t *testing.T) { testActions(t, a) })
			t.Run("inbox", func(t *testing.T) { testInboxAndOverdue(t, a) })
			t.Run("admin", func(t *testing.T) { testAdmin(t, a) })
			t.Run("bad input", func(t *testing.T) { testBadInput(t, a) })
			t.Run("matrix", func(t *testing.T) { testMatrix(t, a) })
			t.Run("end to end", func(t *testing.T) { walkServiceLinkage(t, a) })
			t.Run("offered over HTTP", func(t *testing.T) { testOfferedOverHTTP(t, a) })
			t.Run("references", func(t *testing.T) { testReferences(t, a) })
			t.Run("owners see bookings", func(t *testing.T) { testOwnersSeeBookings(t, a) })
			t.Run("points", func(t *testing.T) { testPoints(t, a) })
			t.Run("places", func(t *testing.T) { testPlaces(t, a) })
			t.Run("calendar", func(t *testing.T) { testCalendar(t, a) })
			t.Run("sessions", func(t *testing.T) { testSessions(t, a) })
			t.Run("sso", func(t *testing.T) { testSSO(t, a) })
			t.Run("sso off", func(t *testing.T) { testSSOOff(t, a) })
			t.Run("authority", func(t *testing.T) { testAuthority(t, a) })
			t.Run("privacy", func(t *testing.T) { testPrivacy(t, a) })
			t.Run("scope by case", func(t *testing.T) { testScopeByCase(t, a) })
			t.Run("returned required tasks", func(t *testing.T) { testReturnedRequiredTasksHoldTheCase(t, a) })
			t.Run("reporter hears back", func(t *testing.T) { testReporterHearsBack(t, a) })
			t.Run("resources and hand-back", func(t *testing.T) { testResourcesAndHandBack(t, a) })
			t.Run("activity duties and check-in", func(t *testing.T) { testActivityDutiesAndCheckIn(t, a) })
			t.Run("bulk", func(t *testing.T) { testBulk(t, a) })
			t.Run("duplicates", func(t *testing.T) { testDuplicates(t, a) })
			t.Run("member registers themselves", func(t *testing.T) { testMemberRegistersThemselves(t, a) })
			t.Run("regional reports", func(t *testing.T) { testRegionalReports(t, a) })
			t.Run("action idempotency", func(t *testing.T) { testActionIdempotency(t, a) })
			t.Run("files", func(t *testing.T) { testFiles(t, a) })
			t.Run("areas", func(t *testing.T) { testAreas(t, a) })
			t.Run("action attachments", func(t *testing.T) { testActionAttachments(t, a) })
		})
	}
}

func testAuth(t *testing.T, a *apiEnv) {
	for _, tc := range []struct {
		name   string
		header string
	}{
		{"401 no header", ""},
		{"401 not bearer", "Basic ZGVtbzpkZW1v"},
		{"401 empty token", "Bearer "},
		{"401 unknown token", "Bearer qlt_not-a-real-token"},
		{"401 two tokens", "Bearer a b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := a.callToken(t, "", http.MethodGet, "/api/v1/me", nil, "Authorization", tc.header)
			e := r.fails(t, http.StatusUnauthorized, "unauthorized")
			require.Empty(t, e.Fields)
			require.Contains(t, r.Header.Get("WWW-Authenticate"), "Bearer")
		})
	}
	t.Run("200 me", func(t *testing.T) {
		var me struct {
			User struct {
				ID   string `json:"id"`
				Name string `json:"name"`
				Role string `json:"role"`
			} `json:"user"`
			LocalityPath string `json:"locality_path"`
		}
		a.call(t, "demo-grid", http.MethodGet, "/api/v1/me", nil).ok(t, http.StatusOK, &me)
		require.Equal(t, "demo-grid", me.User.ID)
		require.Equal(t, "李芳（网格员）", me.User.Name)
		require.Equal(t, "grid_worker", me.User.Role)
		require.Equal(t, "/nanhu/jianshe/dongzha/dongzha-g1/", me.LocalityPath)
	})
	t.Run("200 scheme is case-insensitive", func(t *testing.T) {
		r := a.callToken(t, "", http.MethodGet, "/api/v1/me", nil, "Authorization", "bearer "+a.env.Logins["demo-axis"].Token)
		r.ok(t, http.StatusOK, nil)
	})
	t.Run("public routes need no token", func(t *testing.T) {
		a.call(t, "", http.MethodGet, "/healthz", nil).ok(t, http.StatusOK, nil)
		a.call(t, "", http.MethodGet, "/api/v1/openapi.json", nil).ok(t, http.StatusOK, nil)
	})
}

func testErrors(t *testing.T, a *apiEnv) {
	t.Run("404 unknown route", func(t *testing.T) {
		a.call(t, "demo-axis", http.MethodGet, "/api/v1/nothing", nil).fails(t, http.StatusNotFound, "not_found")
		a.call(t, "", http.MethodGet, "/nothing", nil).fails(t, http.StatusNotFound, "not_found")
	})
	t.Run("404 unknown action", func(t *testing.T) {
		a.call(t, "demo-axis", http.MethodPost, "/api/v1/cases/X/explode", "{}").fails(t, http.StatusNotFound, "not_found")
	})
	t.Run("405 wrong method", func(t *testing.T) {
		r := a.call(t, "demo-axis", http.MethodDelete, "/api/v1/cases", nil)
		r.fails(t, http.StatusMethodNotAllowed, "method_not_allowed")
		a.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/X/dispatch", nil).fails(t, http.StatusMethodNotAllowed, "method_not_allowed")
		require.Equal(t, "GET, POST", r.Header.Get("Allow"))
	})
	t.Run("request ID comes back", func(t *testing.T) {
		r := a.call(t, "", http.MethodGet, "/healthz", nil, api.RequestIDHeader, "abc-123")
		require.Equal(t, "abc-123", r.Header.Get(api.RequestIDHeader))
	})
}

func testCreate(t *testing.T, a *apiEnv) {
	valid := func() map[string]any { return serviceCase("井盖松动", "dongzha-g1") }
	with := func(k string, v any) map[string]any { b := valid(); b[k] = v; return b }

	t.Run("201 grid worker in own grid", func(t *testing.T) {
		r := a.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", valid())
		var c caseOut
		r.ok(t, http.StatusCreated, &c)
		require.Equal(t, "/api/v1/cases/"+c.ID, r.Header.Get("Location"))
		require.Regexp(t, `^QL[0-9]{8}-[0-9A-F]{10}$`, c.ID)
		require.Equal(t, "triage", c.State)
		require.Equal(t, "normal", c.Priority)
		require.Equal(t, "井盖松动", c.Title)
		require.Equal(t, "/nanhu/jianshe/dongzha/dongzha-g1/", c.Locality.Path)
		require.Equal(t, "dongzha-g1", c.GridID)
	})
	t.Run("201 axis by grid_id", func(t *testing.T) {
		b := valid()
		delete(b, "locality_id")
		b["grid_id"] = "wenhua-g1"
		b["priority"] = "urgent"
		c := a.open(t, "demo-axis", b)
		require.Equal(t, "wenhua-g1", c.Locality.ID)
		require.Equal(t, "urgent", c.Priority)
	})
	t.Run("201 kind-specific details", func(t *testing.T) {
		starts := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
		c := a.open(t, "demo-axis", map[string]any{
			"kind": "joint_activity", "title": "志愿服务日", "locality_id": "jianshe",
			"details": map[string]any{"activity": map[string]any{
				"capacity": 30, "starts_at": starts.Format(time.RFC3339), "ends_at": starts.Add(3 * time.Hour).Format(time.RFC3339), "venue": "文华社区广场",
			}},
		})
		var raw struct {
			Details struct {
				Activity struct {
					Capacity int       `json:"capacity"`
					StartsAt time.Time `json:"starts_at"`
					Venue    string    `json:"venue"`
				} `json:"activity"`
			} `json:"details"`
		}
		a.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+c.ID, nil).ok(t, http.StatusOK, &raw)
		require.Equal(t, 30, raw.Details.Activity.Capacity)
		require.True(t, starts.Equal(raw.Details.Activity.StartsAt))
		require.Equal(t, "文华社区广场", raw.Details.Activity.Venue)
	})

	for _, tc := range []struct {
		name  string
		body  any
		field string
	}{
		{"400 unknown field", with("colour", "red"), "colour"},
		{"400 unknown field, other case", with("Title", "x"), "Title"},
		{"400 unknown nested field", with("reporter", map[string]any{"name": "x", "age": 3}), "reporter.age"},
		{"400 unknown details field", with("details", map[string]any{"service": map[string]any{"satisfied": true}}), "details.service.satisfied"},
		{"400 wrong type", with("title", 42), "title"},
		{"400 wrong nested type", with("location", map[string]any{"lat": "north"}), "location.lat"},
		{"400 bad enum kind", with("kind", "party"), "kind"},
		{"400 bad enum priority", with("priority", "asap"), "priority"},
		{"400 missing title", with("title", "  "), "title"},
		{"400 title too long", with("title", strings.Repeat("长", 201)), "title"},
		{"400 description too long", with("description", strings.Repeat("字", 4001)), "description"},
		{"400 no locality", func() map[string]any { b := valid(); delete(b, "locality_id"); return b }(), "locality_id"},
		{"400 unknown locality", with("locality_id", "atlantis"), "locality_id"},
		{"400 locality outside scope", with("locality_id", "jiahe-g1"), "locality_id"},
		{"400 grid that is no grid", with("grid_id", "dongzha"), "grid_id"},
		{"400 latitude out of range", with("location", map[string]any{"lat": 91, "lng": 120}), "location.lat"},
		{"400 attachment not http", with("attachments", []string{"file:///etc/passwd"}), "attachments[0]"},
		{"400 too many attachments", with("attachments", make([]string, 11)), "attachments"},
		{"400 bad phone", with("reporter", map[string]any{"phone": "call me"}), "reporter.phone"},
		{"400 details of another kind", with("details", map[string]any{"problem": map[string]any{}}), "details.problem"},
		{"400 bad time in details", map[string]any{"kind": "resource_sharing", "title": "借用会议室", "locality_id": "dongzha-g1",
			"details": map[string]any{"booking": map[string]any{"resource_id": "hall", "owner_unit_id": "u-school", "from": "tomorrow", "to": "2026-13-01"}}}, "details.booking.from"},
		{"400 not an object", "[1,2]", "body"},
		{"400 two values", `{"kind":"service_linkage"} {}`, "body"},
		{"400 malformed", `{"kind":`, "body"},
		{"400 empty", "", "body"},
		{"400 not UTF-8", "{\"kind\":\"service_linkage\",\"title\":\"\xff\xfe\"}", "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := a.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", tc.body).fails(t, http.StatusBadRequest, "invalid")
			require.Contains(t, e.Fields, tc.field, "fields: %v", e.Fields)
		})
	}
	t.Run("400 outside scope looks like missing", func(t *testing.T) {
		outside := a.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", with("locality_id", "jiahe-g1")).fails(t, http.StatusBadRequest, "invalid")
		missing := a.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", with("locality_id", "atlantis")).fails(t, http.StatusBadRequest, "invalid")
		require.Equal(t, missing.Fields["locality_id"], outside.Fields["locality_id"])
	})
	t.Run("413 body over the limit", func(t *testing.T) {
		big := `{"kind":"service_linkage","title":"x","description":"` + strings.Repeat("a", api.MaxBody) + `"}`
		a.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", big).fails(t, http.StatusRequestEntityTooLarge, "too_large")
	})
	t.Run("401 no token", func(t *testing.T) {
		a.call(t, "", http.MethodPost, "/api/v1/cases", valid()).fails(t, http.StatusUnauthorized, "unauthorized")
	})
	for _, user := range []string{"demo-unit", "demo-supervisor", "demo-admin"} {
		t.Run("403 "+user, func(t *testing.T) {
			a.call(t, user, http.MethodPost, "/api/v1/cases", valid()).fails(t, http.StatusForbidden, "forbidden")
		})
	}
}

func testIdempotency(t *testing.T, a *apiEnv) {
	body := serviceCase("路灯不亮（幂等）", "dongzha-g1")
	key := "idem-" + fmt.Sprint(time.Now().UnixNano())

	t.Run("201 twenty concurrent requests, one case", func(t *testing.T) {
		const n = 20
		var wg sync.WaitGroup
		replies := make([]reply, n)
		for i := range n {
			wg.Go(func() {
				// require may not run outside the test goroutine: record.
				replies[i] = a.callNoRequire("demo-grid", http.MethodPost, "/api/v1/cases", body, api.IdempotencyKeyHeader, key)
			})
		}
		wg.Wait()
		ids := map[string]bool{}
		for _, r := range replies {
			var c caseOut
			r.ok(t, http.StatusCreated, &c)
			ids[c.ID] = true
		}
		require.Len(t, ids, 1, "every request must get the same case")

		var list struct {
			Cases []struct{ ID string } `json:"cases"`
		}
		a.call(t, "demo-grid", http.MethodGet, "/api/v1/cases?q="+url.QueryEscape("路灯不亮（幂等）"), nil).ok(t, http.StatusOK, &list)
		require.Len(t, list.Cases, 1, "exactly one case was opened")
	})
	t.Run("201 replay after the case moved on", func(t *testing.T) {
		var first caseOut
		a.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", body, api.IdempotencyKeyHeader, key).ok(t, http.StatusCreated, &first)
		a.act(t, "demo-axis", "/api/v1/cases/"+first.ID+"/close", map[string]any{"resolution": "invalid"})
		var again caseOut
		a.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", body, api.IdempotencyKeyHeader, key).ok(t, http.StatusCreated, &again)
		require.Equal(t, first.ID, again.ID)
		require.Equal(t, "closed", again.State)
	})
	t.Run("201 spacing does not make another request", func(t *testing.T) {
		k := key + "-spacing"
		var c1, c2 caseOut
		a.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", `{"kind":"service_linkage","title":"水管漏水","locality_id":"dongzha-g1"}`, api.IdempotencyKeyHeader, k).ok(t, http.StatusCreated, &c1)
		a.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", "{\n  \"locality_id\": \"dongzha-g1\", \"title\": \"水管漏水\",\n  \"kind\": \"service_linkage\"\n}", api.IdempotencyKeyHeader, k).ok(t, http.StatusCreated, &c2)
		require.Equal(t, c1.ID, c2.ID)
	})
	t.Run("201 keys belong to their user", func(t *testing.T) {
		var mine, theirs caseOut
		k := key + "-per-user"
		a.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", body, api.IdempotencyKeyHeader, k).ok(t, http.StatusCreated, &mine)
		a.call(t, "demo-axis", http.MethodPost, "/api/v1/cases", body, api.IdempotencyKeyHeader, k).ok(t, http.StatusCreated, &theirs)
		require.NotEqual(t, mine.ID, theirs.ID)
	})
	t.Run("409 same key, another body", func(t *testing.T) {
		other := serviceCase("另一件事", "dongzha-g1")
		a.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", other, api.IdempotencyKeyHeader, key).fails(t, http.StatusConflict, "conflict")
	})
	t.Run("400 key too long", func(t *testing.T) {
		e := a.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", body, api.IdempotencyKeyHeader, strings.Repeat("k", 256)).fails(t, http.StatusBadRequest, "invalid")
		require.Contains(t, e.Fields, api.IdempotencyKeyHeader)
	})
	t.Run("400 bad body never claims the key", func(t *testing.T) {
		k := key + "-bad-first"
		a.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", serviceCase("", "dongzha-g1"), api.IdempotencyKeyHeader, k).fails(t, http.StatusBadRequest, "invalid")
		a.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", body, api.IdempotencyKeyHeader, k).ok(t, http.StatusCreated, nil)
	})
}

// callNoRequire is call for other goroutines: it cannot fail the test.
func (a *apiEnv) callNoRequire(user, method, path string, body any, headers ...string) reply {
	raw, _ := json.Marshal(body) // test bodies are plain maps
	return a.send(a.env.Logins[user].Token, method, path, true, raw, headers...)
}

func testRead(t *testing.T, a *apiEnv) {
	c := a.open(t, "demo-grid", serviceCase("小区门禁损坏", "dongzha-g1"))
	caseURL := "/api/v1/cases/" + c.ID

	t.Run("200 in scope", func(t *testing.T) {
		for _, user := range []string{"demo-grid", "demo-axis", "demo-axis-dongzha", "demo-supervisor", "demo-supervisor-jianshe"} {
			require.Equal(t, c.ID, a.view(t, user, c.ID).ID, user)
		}
	})
	t.Run("200 actions differ by caller", func(t *testing.T) {
		require.Empty(t, a.view(t, "demo-grid", c.ID).AllowedActions)
		require.Contains(t, a.view(t, "demo-axis", c.ID).AllowedActions, "dispatch")
		require.Equal(t, []string{"remind", "notice"}, a.view(t, "demo-supervisor", c.ID).AllowedActions)
	})
	t.Run("404 out of scope looks like missing", func(t *testing.T) {
		missing := a.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/QL00000000-NOPE", nil).fails(t, http.StatusNotFound, "not_found")
		for _, user := range []string{"demo-axis-xinxing", "demo-grid-jiahe", "demo-unit", "demo-unit-power"} {
			e := a.call(t, user, http.MethodGet, caseURL, nil).fails(t, http.StatusNotFound, "not_found")
			require.Equal(t, strings.ReplaceAll(missing.Message, "QL00000000-NOPE", c.ID), e.Message)
			a.call(t, user, http.MethodGet, caseURL+"/events", nil).fails(t, http.StatusNotFound, "not_found")
		}
	})
	t.Run("404 malformed ID", func(t *testing.T) {
		a.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/bad.id", nil).fails(t, http.StatusNotFound, "not_found")
	})
	t.Run("403 admin never reads cases", func(t *testing.T) {
		a.call(t, "demo-admin", http.MethodGet, caseURL, nil).fails(t, http.StatusForbidden, "forbidden")
		a.call(t, "demo-admin", http.MethodGet, "/api/v1/cases", nil).fails(t, http.StatusForbidden, "forbidden")
	})
	t.Run("401", func(t *testing.T) {
		a.call(t, "", http.MethodGet, caseURL, nil).fails(t, http.StatusUnauthorized, "unauthorized")
		a.call(t, "", http.MethodGet, caseURL+"/events", nil).fails(t, http.StatusUnauthorized, "unauthorized")
	})
	t.Run("200 events", func(t *testing.T) {
		var trail struct {
			Events []eventOut `json:"events"`
		}
		a.call(t, "demo-axis", http.MethodGet, caseURL+"/events", nil).ok(t, http.StatusOK, &trail)
		require.Equal(t, []string{"opened"}, eventTypes(trail.Events))
		require.Equal(t, "demo-grid", trail.Events[0].Actor.UserID)
	})
}

func testList(t *testing.T, a *apiEnv) {
	tag := fmt.Sprint(time.Now().UnixNano())
	titles := []string{"列表甲" + tag, "列表乙" + tag, "列表丙" + tag}
	for _, title := range titles {
		a.open(t, "demo-grid", serviceCase(title, "dongzha-g1"))
	}
	xin := a.open(t, "demo-grid-jiahe", serviceCase("列表丁"+tag, "jiahe-g1"))
	type listOut struct {
		Cases []struct {
			ID       string `json:"id"`
			Title    string `json:"title"`
			KindName struct {
				ZH string `json:"zh"`
			} `json:"kind_name"`
		} `json:"cases"`
		NextCursor string `json:"next_cursor"`
	}
	list := func(user, query string) listOut {
		var out listOut
		a.call(t, user, http.MethodGet, "/api/v1/cases?"+query, nil).ok(t, http.StatusOK, &out)
		return out
	}
	q := "q=" + url.QueryEscape(tag)

	t.Run("200 newest first, in scope only", func(t *testing.T) {
		got := list("demo-axis", q)
		require.Len(t, got.Cases, 3)
		require.Equal(t, titles[2], got.Cases[0].Title)
		require.Equal(t, "服务联动", got.Cases[0].KindName.ZH)
		require.Empty(t, got.NextCursor)
		require.Len(t, list("demo-supervisor", q).Cases, 4)
		require.Len(t, list("demo-axis-xinxing", q).Cases, 1)
		require.Equal(t, xin.ID, list("demo-grid-jiahe", q).Cases[0].ID)
	})
	t.Run("200 pages with a cursor", func(t *testing.T) {
		var seen []string
		cursor := ""
		for i := range 3 {
			page := list("demo-axis", q+"&limit=1&cursor="+cursor)
			require.Len(t, page.Cases, 1)
			seen = append(seen, page.Cases[0].Title)
			cursor = page.NextCursor
			require.Equal(t, i == 2, cursor == "", "only the last page has no cursor")
		}
		require.Equal(t, []string{titles[2], titles[1], titles[0]}, seen)
	})
	t.Run("200 filters", func(t *testing.T) {
		require.Len(t, list("demo-supervisor", q+"&locality=xinxing").Cases, 1)
		require.Len(t, list("demo-supervisor", q+"&state=closed").Cases, 0)
		require.Len(t, list("demo-supervisor", q+"&kind=service_linkage&overdue=false").Cases, 4)
		future := url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339))
		require.Len(t, list("demo-supervisor", q+"&created_after="+future).Cases, 0)
		require.Len(t, list("demo-supervisor", q+"&created_before="+future).Cases, 4)
	})
	t.Run("200 unit staff see their unit's cases", func(t *testing.T) {
		require.Empty(t, list("demo-unit", q).Cases)
	})
	for _, tc := range []struct{ name, query, field string }{
		{"400 bad time", "created_after=yesterday", "created_after"},
		{"400 bad before", "created_before=2026-02-30T00:00:00Z", "created_before"},
		{"400 bad kind", "kind=party", "kind"},
		{"400 bad state", "state=open", "state"},
		{"400 bad overdue", "overdue=yes", "overdue"},
		{"400 limit zero", "limit=0", "limit"},
		{"400 limit too big", "limit=1000", "limit"},
		{"400 bad cursor", "cursor=" + url.QueryEscape("!!!"), "cursor"},
		{"400 unknown parameter", "status=closed", "status"},
		{"400 repeated parameter", "kind=a&kind=b", "kind"},
		{"400 other unit", "unit=u-power", "unit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			user := "demo-axis"
			if tc.field == "unit" {
				user = "demo-unit"
			}
			e := a.call(t, user, http.MethodGet, "/api/v1/cases?"+tc.query, nil).fails(t, http.StatusBadRequest, "invalid")
			require.Contains(t, e.Fields, tc.field, "%v", e.Fields)
		})
	}
}

func testActions(t *testing.T, a *apiEnv) {
	c := a.open(t, "demo-grid", serviceCase("电梯故障", "dongzha-g1"))
	caseURL := "/api/v1/cases/" + c.ID

	t.Run("409 wrong state", func(t *testing.T) {
		e := a.call(t, "demo-axis", http.MethodPost, caseURL+"/verify", map[string]any{"pass": true}).fails(t, http.StatusConflict, "conflict")
		require.Contains(t, e.Message, "triage")
	})
	t.Run("409 stale revision", func(t *testing.T) {
		a.call(t, "demo-axis", http.MethodPost, caseURL+"/remind", map[string]any{"expected_revision": 99}).fails(t, http.StatusConflict, "conflict")
	})
	t.Run("400 invalid input named", func(t *testing.T) {
		e := a.call(t, "demo-axis", http.MethodPost, caseURL+"/dispatch", map[string]any{"assignments": []map[string]any{{"unit_id": "u-power", "role": "boss"}}}).fails(t, http.StatusBadRequest, "invalid")
		require.Contains(t, e.Fields, "assignments[0].role")
		e = a.call(t, "demo-axis", http.MethodPost, caseURL+"/dispatch", map[string]any{"assignments": []map[string]any{{"unit": "u-power"}}}).fails(t, http.StatusBadRequest, "invalid")
		require.Contains(t, e.Fields, "assignments[0].unit")
		e = a.call(t, "demo-axis", http.MethodPost, caseURL+"/close", map[string]any{"resolution": 7}).fails(t, http.StatusBadRequest, "invalid")
		require.Contains(t, e.Fields, "resolution")
		e = a.call(t, "demo-axis", http.MethodPost, caseURL+"/cancel", map[string]any{"note": strings.Repeat("长", 4001)}).fails(t, http.StatusBadRequest, "invalid")
		require.Contains(t, e.Fields, "note")
	})
	t.Run("403 role may never", func(t *testing.T) {
		a.call(t, "demo-unit", http.MethodPost, caseURL+"/dispatch", "{}").fails(t, http.StatusForbidden, "forbidden")
		a.call(t, "demo-grid", http.MethodPost, caseURL+"/cancel", "{}").fails(t, http.StatusForbidden, "forbidden")
		a.call(t, "demo-axis", http.MethodPost, caseURL+"/notice", "{}").fails(t, http.StatusForbidden, "forbidden")
	})
	t.Run("404 out of scope", func(t *testing.T) {
		a.call(t, "demo-axis-xinxing", http.MethodPost, caseURL+"/dispatch", map[string]any{"assignments": []map[string]any{{"unit_id": "u-water", "role": "lead"}}}).fails(t, http.StatusNotFound, "not_found")
		a.call(t, "demo-axis", http.MethodPost, "/api/v1/cases/QL00000000-NOPE/cancel", map[string]any{"note": "x"}).fails(t, http.StatusNotFound, "not_found")
	})
	t.Run("401", func(t *testing.T) {
		a.call(t, "", http.MethodPost, caseURL+"/dispatch", "{}").fails(t, http.StatusUnauthorized, "unauthorized")
	})

	c = a.act(t, "demo-axis", caseURL+"/dispatch", map[string]any{"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead"}}})
	taskURL := "/api/v1/tasks/" + c.Tasks[0].ID

	t.Run("404 task of another unit", func(t *testing.T) {
		a.call(t, "demo-unit-power", http.MethodPost, taskURL+"/accept", nil).fails(t, http.StatusNotFound, "not_found")
	})
	t.Run("404 malformed or unknown task", func(t *testing.T) {
		a.call(t, "demo-unit", http.MethodPost, "/api/v1/tasks/not-a-task/accept", nil).fails(t, http.StatusNotFound, "not_found")
		a.call(t, "demo-unit", http.MethodPost, "/api/v1/tasks/"+c.ID+"-t9/accept", nil).fails(t, http.StatusNotFound, "not_found")
	})
	t.Run("400 return without a reason", func(t *testing.T) {
		e := a.call(t, "demo-unit", http.MethodPost, taskURL+"/return", "{}").fails(t, http.StatusBadRequest, "invalid")
		require.Contains(t, e.Fields, "reason")
	})
	t.Run("200 extension requested, approved once", func(t *testing.T) {
		a.act(t, "demo-unit", taskURL+"/accept", nil)
		e := a.call(t, "demo-unit", http.MethodPost, taskURL+"/request-extension", map[string]any{"extra": "two days", "note": "需要采购配件"}).fails(t, http.StatusBadRequest, "invalid")
		require.Contains(t, e.Fields, "extra")
		due := a.view(t, "demo-unit", c.ID).Tasks[0].ResolveBy
		c := a.act(t, "demo-unit", taskURL+"/request-extension", map[string]any{"extra": "2d", "note": "需要采购配件"})
		require.Equal(t, "accepted", c.Tasks[0].State, "the request does not hold the task: its clock runs")
		require.Equal(t, due, c.Tasks[0].ResolveBy)
		require.NotNil(t, c.Tasks[0].Extension)
		require.Contains(t, c.Tasks[0].AllowedActions, "resolve", "the unit may still finish in time")
		a.call(t, "demo-unit", http.MethodPost, taskURL+"/request-extension", map[string]any{"extra": "1d", "note": "再申请"}).fails(t, http.StatusConflict, "conflict")
		extURL := "/api/v1/extensions/" + c.Tasks[0].Extension.ID
		require.Contains(t, a.view(t, "demo-axis", c.ID).AllowedActions, "approve-extension")

		a.call(t, "demo-unit", http.MethodPost, extURL+"/approve", nil).fails(t, http.StatusForbidden, "forbidden")
		a.call(t, "demo-axis-xinxing", http.MethodPost, extURL+"/approve", nil).fails(t, http.StatusNotFound, "not_found")
		c = a.act(t, "demo-axis", extURL+"/approve", map[string]any{"note": "同意"})
		require.Equal(t, "accepted", c.Tasks[0].State)
		require.True(t, c.Tasks[0].ResolveBy.Due.After(due.Due), "the approval moves the deadline")
		require.Nil(t, c.Tasks[0].Extension)
		a.call(t, "demo-axis", http.MethodPost, extURL+"/reject", nil).fails(t, http.StatusConflict, "conflict")
		a.call(t, "demo-axis", http.MethodPost, "/api/v1/extensions/"+c.Tasks[0].ID+"-x7/approve", nil).fails(t, http.StatusConflict, "conflict")
		a.call(t, "demo-axis", http.MethodPost, "/api/v1/extensions/"+c.Tasks[0].ID+"/approve", nil).fails(t, http.StatusNotFound, "not_found")
	})
	t.Run("200 read your writes", func(t *testing.T) {
		c := a.act(t, "demo-unit", taskURL+"/progress", map[string]any{"note": "配件已到"})
		require.Equal(t, c.Revision, a.view(t, "demo-axis", c.ID).Revision)
	})
	t.Run("409 terminal case", func(t *testing.T) {
		a.act(t, "demo-axis", caseURL+"/cancel", map[string]any{"note": "重复受理"})
		a.call(t, "demo-axis", http.MethodPost, caseURL+"/cancel", map[string]any{"note": "again"}).fails(t, http.StatusConflict, "conflict")
	})
}

func testInboxAndOverdue(t *testing.T, a *apiEnv) {
	c := a.open(t, "demo-grid", serviceCase("消防栓漏水", "dongzha-g1"))
	c = a.act(t, "demo-axis", "/api/v1/cases/"+c.ID+"/dispatch", map[string]any{"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead"}}})
	task := c.Tasks[0].ID
	type inbox struct {
		Tasks []struct {
			ID     string `json:"id"`
			CaseID string `json:"case_id"`
			State  string `json:"state"`
		} `json:"tasks"`
	}
	ids := func(in inbox) []string {
		var out []string
		for _, t := range in.Tasks {
			out = append(out, t.ID)
		}
		return out
	}

	t.Run("200 own unit's inbox", func(t *testing.T) {
		var got inbox
		a.call(t, "demo-unit", http.MethodGet, "/api/v1/tasks?state=offered&limit=200", nil).ok(t, http.StatusOK, &got)
		require.Contains(t, ids(got), task)
		a.call(t, "demo-unit-power", http.MethodGet, "/api/v1/tasks", nil).ok(t, http.StatusOK, &got)
		require.NotContains(t, ids(got), task)
	})
	t.Run("400 inbox filters", func(t *testing.T) {
		e := a.call(t, "demo-unit", http.MethodGet, "/api/v1/tasks?state=lost&overdue=1", nil).fails(t, http.StatusBadRequest, "invalid")
		require.Contains(t, e.Fields, "state")
		require.Contains(t, e.Fields, "overdue")
	})
	t.Run("403 inbox is for unit staff", func(t *testing.T) {
		a.call(t, "demo-axis", http.MethodGet, "/api/v1/tasks", nil).fails(t, http.StatusForbidden, "forbidden")
	})

	type overdue struct {
		Overdue []struct {
			CaseID  string `json:"case_id"`
			TaskID  string `json:"task_id"`
			UnitID  string `json:"unit_id"`
			Level   int    `json:"level"`
			Late    int64  `json:"lateness_seconds"`
			DueAt   string `json:"due_at"`
			CaseKnd string `json:"case_kind"`
		} `json:"overdue"`
	}
	later := a.at(40 * 24 * time.Hour) // every deadline of the case has passed by then
	t.Run("200 overdue in own subtree, most late first", func(t *testing.T) {
		var got overdue
		later.call(t, "demo-axis", http.MethodGet, "/api/v1/overdue?limit=200", nil).ok(t, http.StatusOK, &got)
		found := false
		for i, o := range got.Overdue {
			if i > 0 {
				require.LessOrEqual(t, o.Late, got.Overdue[i-1].Late)
			}
			if o.TaskID == task {
				found = true
				require.Equal(t, "u-mingyuan-property", o.UnitID)
				require.Equal(t, c.ID, o.CaseID)
				require.Positive(t, o.Late)
			}
		}
		require.True(t, found, "the task is overdue inside jianshe")
		later.call(t, "demo-supervisor", http.MethodGet, "/api/v1/overdue?limit=200", nil).ok(t, http.StatusOK, &got)
		require.NotEmpty(t, got.Overdue)
		later.call(t, "demo-axis-xinxing", http.MethodGet, "/api/v1/overdue", nil).ok(t, http.StatusOK, &got)
		for _, o := range got.Overdue {
			require.NotEqual(t, task, o.TaskID)
		}
		a.call(t, "demo-axis", http.MethodGet, "/api/v1/overdue", nil).ok(t, http.StatusOK, &got)
		for _, o := range got.Overdue {
			require.NotEqual(t, task, o.TaskID, "not overdue yet")
		}
	})
	t.Run("403 overdue is for axis and supervisors", func(t *testing.T) {
		a.call(t, "demo-grid", http.MethodGet, "/api/v1/overdue", nil).fails(t, http.StatusForbidden, "forbidden")
		a.call(t, "demo-unit", http.MethodGet, "/api/v1/overdue", nil).fails(t, http.StatusForbidden, "forbidden")
	})
	t.Run("400 overdue limit", func(t *testing.T) {
		a.call(t, "demo-axis", http.MethodGet, "/api/v1/overdue?limit=-1", nil).fails(t, http.StatusBadRequest, "invalid")
	})
}

func testAdmin(t *testing.T, a *apiEnv) {
	t.Run("200 lists", func(t *testing.T) {
		var ls struct {
			Localities []struct {
				ID, Path, Name string
			} `json:"localities"`
		}
		a.call(t, "demo-admin", http.MethodGet, "/api/v1/localities", nil).ok(t, http.StatusOK, &ls)
		require.Equal(t, "nanhu", ls.Localities[0].ID)
		require.Equal(t, "南湖区", ls.Localities[0].Name)
		var us struct {
			Units []struct{ ID string } `json:"units"`
		}
		a.call(t, "demo-admin", http.MethodGet, "/api/v1/units", nil).ok(t, http.StatusOK, &us)
		require.GreaterOrEqual(t, len(us.Units), 12)
		var users struct {
			Users []struct{ ID string } `json:"users"`
		}
		a.call(t, "demo-admin", http.MethodGet, "/api/v1/users", nil).ok(t, http.StatusOK, &users)
		require.GreaterOrEqual(t, len(users.Users), 11)
	})
	t.Run("403 not admin", func(t *testing.T) {
		for _, p := range []string{"/api/v1/localities", "/api/v1/units", "/api/v1/users"} {
			a.call(t, "demo-axis", http.MethodGet, p, nil).fails(t, http.StatusForbidden, "forbidden")
			a.call(t, "demo-supervisor", http.MethodPost, p, "{}").fails(t, http.StatusForbidden, "forbidden")
		}
		a.call(t, "demo-axis", http.MethodDelete, "/api/v1/tokens/demo-demo-axis", nil).fails(t, http.StatusForbidden, "forbidden")
	})
	t.Run("201 then 200 locality", func(t *testing.T) {
		body := map[string]any{"id": "dongzha-g3", "parent_id": "dongzha", "level": "grid", "name": "东栅社区第三网格"}
		var l struct{ ID, Path, Name string }
		a.call(t, "demo-admin", http.MethodPost, "/api/v1/localities", body).ok(t, http.StatusCreated, &l)
		require.Equal(t, "/nanhu/jianshe/dongzha/dongzha-g3/", l.Path)
		body["name"] = "东栅社区三网格"
		a.call(t, "demo-admin", http.MethodPost, "/api/v1/localities", body).ok(t, http.StatusOK, &l)
		require.Equal(t, "东栅社区三网格", l.Name)
	})
	t.Run("400 locality", func(t *testing.T) {
		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"id": "x1", "parent_id": "atlantis", "level": "grid", "name": "x"}, "parent_id"},
			{map[string]any{"id": "x1", "parent_id": "dongzha", "level": "castle", "name": "x"}, "level"},
			{map[string]any{"id": "x1", "parent_id": "dongzha", "level": "street", "name": "x"}, "level"},
			{map[string]any{"id": "new-county", "level": "county", "name": "x"}, "parent_id"},
			{map[string]any{"id": "bad id", "parent_id": "dongzha", "level": "grid", "name": "x"}, "id"},
		} {
			e := a.call(t, "demo-admin", http.MethodPost, "/api/v1/localities", tc.body).fails(t, http.StatusBadRequest, "invalid")
			require.Contains(t, e.Fields, tc.field, "%v", tc.body)
		}
	})
	t.Run("201 unit, 400 bad unit", func(t *testing.T) {
		a.call(t, "demo-admin", http.MethodPost, "/api/v1/units", map[string]any{"id": "u-clinic", "name": "东栅社区卫生服务站", "type": "hospital", "locality_id": "dongzha"}).ok(t, http.StatusCreated, nil)
		e := a.call(t, "demo-admin", http.MethodPost, "/api/v1/units", map[string]any{"id": "u-x", "name": "x", "type": "spaceship", "locality_id": "atlantis"}).fails(t, http.StatusBadRequest, "invalid")
		require.Contains(t, e.Fields, "locality_id")
	})

	var created struct {
		User  struct{ ID, Role string } `json:"user"`
		Token *struct {
			ID    string `json:"id"`
			Token string `json:"token"`
		} `json:"token"`
	}
	t.Run("201 user with a token shown once", func(t *testing.T) {
		a.call(t, "demo-admin", http.MethodPost, "/api/v1/users", map[string]any{
			"id": "jianshe-admin", "name": "建设街道管理员", "role": "admin", "locality_id": "jianshe", "token_label": "测试",
		}).ok(t, http.StatusCreated, &created)
		require.NotNil(t, created.Token)
		require.True(t, strings.HasPrefix(created.Token.Token, "qlt_"))
		a.callToken(t, created.Token.Token, http.MethodGet, "/api/v1/me", nil).ok(t, http.StatusOK, nil)

		var again struct {
			Token *struct{} `json:"token"`
		}
		a.call(t, "demo-admin", http.MethodPost, "/api/v1/users", map[string]any{
			"id": "jianshe-admin", "name": "建设街道管理员（改）", "role": "admin", "locality_id": "jianshe",
		}).ok(t, http.StatusOK, &again)
		require.Nil(t, again.Token, "an existing user gets no new token by being updated")
	})
	t.Run("400 user", func(t *testing.T) {
		e := a.call(t, "demo-admin", http.MethodPost, "/api/v1/users", map[string]any{"id": "u1", "name": "x", "role": "unit_staff", "locality_id": "jianshe"}).fails(t, http.StatusBadRequest, "invalid")
		require.Contains(t, e.Fields, "unit_id")
		e = a.call(t, "demo-admin", http.MethodPost, "/api/v1/users", map[string]any{"id": "u1", "name": "x", "role": "mayor", "locality_id": "jianshe"}).fails(t, http.StatusBadRequest, "invalid")
		require.Contains(t, e.Fields, "role")
	})
	t.Run("scoped admin", func(t *testing.T) {
		tok := created.Token.Token
		var ls struct {
			Localities []struct{ ID string } `json:"localities"`
		}
		a.callToken(t, tok, http.MethodGet, "/api/v1/localities", nil).ok(t, http.StatusOK, &ls)
		for _, l := range ls.Localities {
			require.NotEqual(t, "xinxing", l.ID)
			require.NotEqual(t, "nanhu", l.ID)
		}
		e := a.callToken(t, tok, http.MethodPost, "/api/v1/units", map[string]any{"id": "u-y", "name": "y", "type": "company", "locality_id": "xinxing"}).fails(t, http.StatusBadRequest, "invalid")
		require.Equal(t, "not found", e.Fields["locality_id"])
		a.callToken(t, tok, http.MethodPost, "/api/v1/units", map[string]any{"id": "u-water", "name": "抢夺", "type": "soe", "locality_id": "jianshe"}).fails(t, http.StatusConflict, "conflict")
		a.callToken(t, tok, http.MethodPost, "/api/v1/users/demo-axis-xinxing/tokens", nil).fails(t, http.StatusNotFound, "not_found")
		a.callToken(t, tok, http.MethodDelete, "/api/v1/tokens/demo-demo-axis-xinxing", nil).fails(t, http.StatusNotFound, "not_found")
	})
	t.Run("201 another token, 204 revoke, then 401", func(t *testing.T) {
		var tok struct {
			ID    string `json:"id"`
			Token string `json:"token"`
		}
		a.call(t, "demo-admin", http.MethodPost, "/api/v1/users/jianshe-admin/tokens", map[string]any{"label": "平板"}).ok(t, http.StatusCreated, &tok)
		a.callToken(t, tok.Token, http.MethodGet, "/api/v1/me", nil).ok(t, http.StatusOK, nil)
		require.Equal(t, http.StatusNoContent, a.call(t, "demo-admin", http.MethodDelete, "/api/v1/tokens/"+tok.ID, nil).Code)
		require.Equal(t, http.StatusNoContent, a.call(t, "demo-admin", http.MethodDelete, "/api/v1/tokens/"+tok.ID, nil).Code)
		a.callToken(t, tok.Token, http.MethodGet, "/api/v1/me", nil).fails(t, http.StatusUnauthorized, "unauthorized")
		a.callToken(t, created.Token.Token, http.MethodGet, "/api/v1/me", nil).ok(t, http.StatusOK, nil)
	})
	t.Run("404 unknown token or user", func(t *testing.T) {
		a.call(t, "demo-admin", http.MethodDelete, "/api/v1/tokens/tok-nope", nil).fails(t, http.StatusNotFound, "not_found")
		a.call(t, "demo-admin", http.MethodPost, "/api/v1/users/nobody/tokens", nil).fails(t, http.StatusNotFound, "not_found")
	})
}

// testBadInput sends hostile bodies to every POST route, as a user the
// route admits, about a case that user sees: the answer is always a 4xx
// naming the problem, never a 5xx. Text with control characters is refused
// too: PostgreSQL cannot store NUL, and one would poison a case's
// projection. A body that is not sent as JSON is a 415.
func testBadInput(t *testing.T, a *apiEnv) {
	c := a.open(t, "demo-grid", serviceCase("坏输入测试", "dongzha-g1"))
	c = a.act(t, "demo-axis", "/api/v1/cases/"+c.ID+"/dispatch", map[string]any{"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead"}}})
	task := c.Tasks[0].ID
	asRole := map[string]string{
		"admin": "demo-admin", "grid_worker": "demo-grid", "axis": "demo-axis",
		"unit_staff": "demo-unit", "supervisor": "demo-supervisor",
	}
	bodies := map[string]string{
		"array":          `[]`,
		"null":           `null`,
		"string":         `"dispatch"`,
		"number":         `42`,
		"wrong type":     `{"note": 5}`,
		"huge number":    `{"expected_revision": 1e400}`,
		"negative":       `{"expected_revision": -1}`,
		"unknown":        `{"zzz": true}`,
		"deep":           `{"note": ` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`,
		"NUL in text":    `{"note": "a\u0000b", "title": "\u0000", "id": "x\u0000"}`,
		"bell in text":   `{"note": "\u0007"}`,
		"truncated":      `{"note": "`,
		"trailing comma": `{"note": "x",}`,
	}
	roles := documentedRoles(t, a)
	for _, rt := range caseAPIRoutes(a.r) {
		if (rt.Method != http.MethodPost && rt.Method != http.MethodPut) || rt.Path == "/api/v1/files" {
			continue // the file upload takes multipart forms: testFiles
		}
		key := rt.Method + " " + openAPIPath(rt.Path)
		user := "" // a public route, such as signing in
		if rs := roles[key]; len(rs) > 0 {
			user = asRole[rs[0]]
		}
		path := strings.NewReplacer("/cases/:id", "/cases/"+c.ID, "/tasks/:id", "/tasks/"+task,
			"/extensions/:id", "/extensions/"+task+"-x1", "/users/:id", "/users/demo-grid", "/localities/:id", "/localities/dongzha-g1").Replace(rt.Path)
		for name, body := range bodies {
			r := a.call(t, user, rt.Method, path, body)
			require.Equal(t, http.StatusBadRequest, r.Code, "%s %s as %s: %s", name, path, user, r.Body)
			require.NotEmpty(t, r.fails(t, http.StatusBadRequest, "invalid").Fields, "%s %s", name, path)
		}
		for _, ct := range []string{"application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"} {
			r := a.call(t, user, rt.Method, path, `{"note":"x"}`, "Content-Type", ct)
			require.Equal(t, http.StatusUnsupportedMediaType, r.Code, "%s %s as %s: %s", ct, path, user, r.Body)
			r.fails(t, http.StatusUnsupportedMediaType, "unsupported")
		}
	}
	t.Run("400 control characters in the query", func(t *testing.T) {
		e := a.call(t, "demo-axis", http.MethodGet, "/api/v1/cases?q=%00", nil).fails(t, http.StatusBadRequest, "invalid")
		require.Contains(t, e.Fields, "q")
		e = a.call(t, "demo-axis", http.MethodGet, "/api/v1/cases?q=%ff", nil).fails(t, http.StatusBadRequest, "invalid")
		require.Contains(t, e.Fields, "q")
	})
	t.Run("400 idempotency key with control characters", func(t *testing.T) {
		a.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", serviceCase("键", "dongzha-g1"), api.IdempotencyKeyHeader, "a\x01b").fails(t, http.StatusBadRequest, "invalid")
	})
	t.Run("201 Chinese, tabs and newlines are text", func(t *testing.T) {
		c := a.open(t, "demo-grid", map[string]any{"kind": "service_linkage", "title": "换行\t测试", "description": "第一行\n第二行\r\n第三行", "locality_id": "dongzha-g1"})
		require.Equal(t, "第一行\n第二行\r\n第三行", a.view(t, "demo-grid", c.ID).Description)
	})
}
