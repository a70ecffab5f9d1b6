package api_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testReturnedRequiredTasksHoldTheCase: a required task its unit returned
// keeps the case from verifying until the axis reassigns it or withdraws
// it with a reason (issue 16, point 11).
func testReturnedRequiredTasksHoldTheCase(t *testing.T, a *apiEnv) {
	c := a.open(t, "demo-grid", serviceCase("小区雨水管网堵塞", "dongzha-g1"))
	c = a.act(t, "demo-axis", "/api/v1/cases/"+c.ID+"/dispatch", map[string]any{"assignments": []map[string]any{
		{"unit_id": "u-mingyuan-property", "role": "lead", "required": true},
		{"unit_id": "u-water", "role": "co", "required": true},
		{"unit_id": "u-police", "role": "co", "required": true},
	}})
	lead, water, police := c.Tasks[0].ID, c.Tasks[1].ID, c.Tasks[2].ID
	a.act(t, "demo-unit", "/api/v1/tasks/"+lead+"/accept", nil)
	a.act(t, "demo-unit-water", "/api/v1/tasks/"+water+"/return", map[string]any{"reason": "not_our_duty"})
	a.act(t, "demo-unit-police", "/api/v1/tasks/"+police+"/return", map[string]any{"reason": "not_our_duty"})
	c = a.act(t, "demo-unit", "/api/v1/tasks/"+lead+"/resolve", map[string]any{"result": "已疏通主管"})
	require.Equal(t, "in_progress", c.State, "two required tasks were returned and nobody took them over")
	a.call(t, "demo-axis", http.MethodPost, "/api/v1/cases/"+c.ID+"/verify", map[string]any{"pass": true}).fails(t, http.StatusConflict, "conflict")

	c = a.view(t, "demo-axis", c.ID)
	require.Contains(t, c.Tasks[1].AllowedActions, "reassign")
	require.Contains(t, c.Tasks[1].AllowedActions, "withdraw")
	c = a.act(t, "demo-axis", "/api/v1/tasks/"+water+"/reassign", map[string]any{"unit_id": "u-enforcement", "note": "改由执法局处理"})
	require.Equal(t, "reassigned", c.Tasks[1].State)
	require.Equal(t, "in_progress", c.State)
	a.call(t, "demo-axis", http.MethodPost, "/api/v1/tasks/"+police+"/withdraw", map[string]any{}).fails(t, http.StatusBadRequest, "invalid")
	c = a.act(t, "demo-axis", "/api/v1/tasks/"+police+"/withdraw", map[string]any{"note": "无需公安协办"})
	require.Equal(t, "in_progress", c.State, "the enforcement bureau has still to work")

	enforcement := c.Tasks[len(c.Tasks)-1].ID
	a.act(t, "demo-unit-enforcement", "/api/v1/tasks/"+enforcement+"/accept", nil)
	c = a.act(t, "demo-unit-enforcement", "/api/v1/tasks/"+enforcement+"/resolve", map[string]any{"result": "已清理占道"})
	require.Equal(t, "verifying", c.State)
}

// testReporterHearsBack: a case with a reporter goes to the follow-up
// (回访) once verified, whatever its kind, unless the axis says why not
// (issue 16, point 3).
func testReporterHearsBack(t *testing.T, a *apiEnv) {
	solve := func(title string) caseOut {
		c := a.open(t, "demo-grid", map[string]any{
			"kind": "problem_solving", "title": title, "locality_id": "dongzha-g1",
			"reporter": map[string]any{"name": "张大爷"},
		})
		c = a.act(t, "demo-axis", "/api/v1/cases/"+c.ID+"/dispatch", map[string]any{"assignments": []map[string]any{
			{"unit_id": "u-mingyuan-property", "role": "lead", "required": true}}})
		a.act(t, "demo-unit", "/api/v1/tasks/"+c.Tasks[0].ID+"/accept", nil)
		c = a.act(t, "demo-unit", "/api/v1/tasks/"+c.Tasks[0].ID+"/resolve", map[string]any{"result": "已协调解决"})
		require.Equal(t, "verifying", c.State)
		return c
	}
	c := solve("楼上漏水邻里纠纷")
	c = a.act(t, "demo-axis", "/api/v1/cases/"+c.ID+"/verify", map[string]any{"pass": true})
	require.Equal(t, "follow_up", c.State, "the resident who reported it hears back")
	c = a.act(t, "demo-grid", "/api/v1/cases/"+c.ID+"/follow-up", map[string]any{"satisfied": true})
	require.Equal(t, "closed", c.State)

	c = solve("小区门口占道经营")
	e := a.call(t, "demo-axis", http.MethodPost, "/api/v1/cases/"+c.ID+"/verify", map[string]any{"pass": false, "note": "未处理完", "no_follow_up": "居民已搬离"}).
		fails(t, http.StatusBadRequest, "invalid")
	require.Contains(t, e.Fields, "no_follow_up")
	c = a.act(t, "demo-axis", "/api/v1/cases/"+c.ID+"/verify", map[string]any{"pass": true, "no_follow_up": "居民已搬离，联系不上"})
	require.Equal(t, "closed", c.State)
	var trail struct {
		Events []eventOut `json:"events"`
	}
	a.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+c.ID+"/events", nil).ok(t, http.StatusOK, &trail)
	last := trail.Events[len(trail.Events)-1]
	require.Equal(t, "no follow-up", last.Reason)

	s := a.open(t, "demo-grid", serviceCase("路灯不亮", "dongzha-g1"))
	s = a.act(t, "demo-axis", "/api/v1/cases/"+s.ID+"/dispatch", map[string]any{"assignments": []map[string]any{
		{"unit_id": "u-mingyuan-property", "role": "lead", "required": true}}})
	a.act(t, "demo-unit", "/api/v1/tasks/"+s.Tasks[0].ID+"/accept", nil)
	a.act(t, "demo-unit", "/api/v1/tasks/"+s.Tasks[0].ID+"/resolve", map[string]any{"result": "已更换灯泡"})
	e = a.call(t, "demo-axis", http.MethodPost, "/api/v1/cases/"+s.ID+"/verify", map[string]any{"pass": true, "no_follow_up": "不需要"}).
		fails(t, http.StatusBadRequest, "invalid")
	require.Contains(t, e.Fields["no_follow_up"], "followed up")
}

// testResourcesAndHandBack: the units' resources are listed with their
// owners, and a booking is handed back only once its window has begun
// (issue 16, point 10).
func testResourcesAndHandBack(t *testing.T, a *apiEnv) {
	var list struct {
		Resources []struct {
			ID     string `json:"id"`
			UnitID string `json:"unit_id"`
			Name   string `json:"name"`
		} `json:"resources"`
	}
	a.call(t, "demo-grid", http.MethodGet, "/api/v1/resources", nil).ok(t, http.StatusOK, &list)
	owners := map[string]string{}
	for _, r := range list.Resources {
		owners[r.ID] = r.UnitID
		require.NotEmpty(t, r.Name)
	}
	require.Equal(t, "u-school", owners["u-school-field"])
	require.Equal(t, "u-power", owners["u-power-hall"])
	a.call(t, "demo-unit-power", http.MethodGet, "/api/v1/resources?unit_id=u-power", nil).ok(t, http.StatusOK, &list)
	require.Len(t, list.Resources, 1)
	require.Equal(t, "u-power-hall", list.Resources[0].ID)
	e := a.call(t, "demo-axis", http.MethodGet, "/api/v1/resources?unit_id=u-nope", nil).fails(t, http.StatusBadRequest, "invalid")
	require.Contains(t, e.Fields, "unit_id")

	book := func(from time.Time) caseOut {
		c := a.open(t, "demo-axis", map[string]any{
			"kind": "resource_sharing", "title": "借用医院义诊车", "locality_id": "jianshe",
			"details": map[string]any{"booking": map[string]any{
				"resource_id": "u-hospital-van", "from": from.Format(time.RFC3339), "to": from.Add(3 * time.Hour).Format(time.RFC3339),
			}},
		})
		return a.act(t, "demo-unit-hospital", "/api/v1/cases/"+c.ID+"/approve-booking", map[string]any{"note": "同意"})
	}
	later := book(time.Now().Add(200 * time.Hour).Truncate(time.Hour))
	require.NotContains(t, a.view(t, "demo-axis", later.ID).AllowedActions, "hand-back")
	a.call(t, "demo-axis", http.MethodPost, "/api/v1/cases/"+later.ID+"/hand-back", map[string]any{}).fails(t, http.StatusConflict, "conflict")
	begun := book(time.Now().Add(-30 * time.Second).Truncate(time.Second))
	require.Contains(t, a.view(t, "demo-axis", begun.ID).AllowedActions, "hand-back")
	a.act(t, "demo-axis", "/api/v1/cases/"+begun.ID+"/hand-back", map[string]any{"note": "已归还"})
}

// testActivityDutiesAndCheckIn: an activity's organising units are given
// duties (venue, staff, materials), and a check-in records when
// (issue 16, point 12).
func testActivityDutiesAndCheckIn(t *testing.T, a *apiEnv) {
	starts := time.Now().Add(30 * time.Minute).UTC().Truncate(time.Second)
	c := a.open(t, "demo-axis", map[string]any{
		"kind": "joint_activity", "title": "社区义诊", "locality_id": "jianshe",
		"details": map[string]any{"activity": map[string]any{
			"capacity": 10, "starts_at": starts.Format(time.RFC3339), "ends_at": starts.Add(2 * time.Hour).Format(time.RFC3339), "venue": "文化馆",
		}},
	})
	e := a.call(t, "demo-axis", http.MethodPost, "/api/v1/cases/"+c.ID+"/dispatch", map[string]any{"assignments": []map[string]any{
		{"unit_id": "u-culture", "role": "co", "duty": "catering"}}}).fails(t, http.StatusBadRequest, "invalid")
	require.Equal(t, "must be venue, staff or materials", e.Fields["assignments[0].duty"])
	c = a.act(t, "demo-axis", "/api/v1/cases/"+c.ID+"/dispatch", map[string]any{"assignments": []map[string]any{
		{"unit_id": "u-culture", "role": "co", "duty": "venue"},
		{"unit_id": "u-hospital", "role": "co", "required": true, "duty": "staff"},
	}})
	var duties struct {
		Tasks []struct {
			UnitID string `json:"unit_id"`
			Duty   string `json:"duty"`
		} `json:"tasks"`
	}
	a.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+c.ID, nil).ok(t, http.StatusOK, &duties)
	require.Equal(t, "venue", duties.Tasks[0].Duty)
	require.Equal(t, "staff", duties.Tasks[1].Duty)

	s := a.open(t, "demo-grid", serviceCase("水管漏水", "dongzha-g1"))
	e = a.call(t, "demo-axis", http.MethodPost, "/api/v1/cases/"+s.ID+"/dispatch", map[string]any{"assignments": []map[string]any{
		{"unit_id": "u-mingyuan-property", "role": "lead", "duty": "venue"}}}).fails(t, http.StatusBadRequest, "invalid")
	require.Contains(t, e.Fields, "assignments[0].duty")

	a.act(t, "demo-axis", "/api/v1/cases/"+c.ID+"/sign-up", map[string]any{"participant": map[string]any{"id": "p-wang", "name": "王阿姨"}})
	before := time.Now().Add(-time.Second)
	a.act(t, "demo-axis", "/api/v1/cases/"+c.ID+"/check-in", map[string]any{"participant": map[string]any{"id": "p-wang"}})
	var got struct {
		Details struct {
			Activity struct {
				SignUps []struct {
					ID          string    `json:"id"`
					CheckedInAt time.Time `json:"checked_in_at"`
				} `json:"sign_ups"`
			} `json:"activity"`
		} `json:"details"`
	}
	a.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+c.ID, nil).ok(t, http.StatusOK, &got)
	require.Len(t, got.Details.Activity.SignUps, 1)
	require.True(t, got.Details.Activity.SignUps[0].CheckedInAt.After(before), "the check-in records when: %v", got.Details.Activity.SignUps[0].CheckedInAt)
}

// testBulk: one action on many cases, each item answered as its own route
// would, and the request safe to send again (issue 16, point 14).
func testBulk(t *testing.T, a *apiEnv) {
	var ids []string
	for i := range 3 {
		ids = append(ids, a.open(t, "demo-grid", serviceCase(fmt.Sprintf("批量派单 %d", i), "dongzha-g1")).ID)
	}
	elsewhere := a.open(t, "demo-grid-jiahe", serviceCase("别处的案件", "jiahe-g1")).ID
	lead := map[string]any{"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead"}}}
	a.act(t, "demo-axis", "/api/v1/cases/"+ids[2]+"/dispatch", lead)

	type result struct {
		CaseID string `json:"case_id"`
		Status int    `json:"status"`
		Case   *struct {
			State    string `json:"state"`
			Revision int64  `json:"revision"`
		} `json:"case"`
		Error *struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	send := func(user, key string, body map[string]any) []result {
		t.Helper()
		var out struct {
			Results []result `json:"results"`
		}
		a.call(t, user, http.MethodPost, "/api/v1/bulk", body, "Idempotency-Key", key).ok(t, http.StatusOK, &out)
		return out.Results
	}
	statuses := func(rs []result) []int {
		var out []int
		for _, r := range rs {
			out = append(out, r.Status)
		}
		return out
	}
	dispatch := map[string]any{"action": "dispatch", "body": lead, "items": []map[string]any{
		{"case_id": ids[0]}, {"case_id": ids[1]}, {"case_id": ids[2]}, {"case_id": elsewhere},
	}}
	first := send("demo-axis", "bulk-dispatch-1", dispatch)
	require.Equal(t, []int{200, 200, 409, 404}, statuses(first))
	require.Equal(t, "dispatching", first[0].Case.State)
	require.Equal(t, "conflict", first[2].Error.Code)
	require.Equal(t, "not_found", first[3].Error.Code)
	rev := a.view(t, "demo-axis", ids[0]).Revision

	again := send("demo-axis", "bulk-dispatch-1", dispatch)
	require.Equal(t, statuses(first), statuses(again), "sent again, the same answers")
	require.Equal(t, rev, a.view(t, "demo-axis", ids[0]).Revision, "and nothing done twice")
	require.Len(t, a.view(t, "demo-axis", ids[0]).Tasks, 1)

	other := map[string]any{"action": "dispatch", "body": lead, "items": []map[string]any{{"case_id": ids[1]}}}
	a.call(t, "demo-axis", http.MethodPost, "/api/v1/bulk", other, "Idempotency-Key", "bulk-dispatch-1").fails(t, http.StatusConflict, "conflict")
	e := a.call(t, "demo-axis", http.MethodPost, "/api/v1/bulk", dispatch).fails(t, http.StatusBadRequest, "invalid")
	require.Contains(t, e.Fields, "Idempotency-Key")
	e = a.call(t, "demo-axis", http.MethodPost, "/api/v1/bulk", map[string]any{"action": "verify", "items": []map[string]any{{"case_id": ids[0]}, {"case_id": ids[0]}}},
		"Idempotency-Key", "bulk-bad").fails(t, http.StatusBadRequest, "invalid")
	require.Contains(t, e.Fields, "action")
	require.Equal(t, "case named twice", e.Fields["items[1].case_id"])
	a.call(t, "demo-grid", http.MethodPost, "/api/v1/bulk", dispatch, "Idempotency-Key", "bulk-grid").fails(t, http.StatusForbidden, "forbidden")

	remind := send("demo-supervisor", "bulk-remind-1", map[string]any{"action": "remind", "body": map[string]any{"note": "请尽快签收"},
		"items": []map[string]any{{"case_id": ids[0]}, {"case_id": ids[1]}}})
	require.Equal(t, []int{200, 200}, statuses(remind))
	byRole := send("demo-supervisor", "bulk-dispatch-sup", map[string]any{"action": "dispatch", "body": lead,
		"items": []map[string]any{{"case_id": elsewhere}}})
	require.Equal(t, []int{403}, statuses(byRole), "a supervisor reads the case but does not dispatch")

	junk := a.open(t, "demo-grid", serviceCase("重复上报", "dongzha-g1")).ID
	junk2 := a.open(t, "demo-grid", serviceCase("误报", "dongzha-g1")).ID
	closed := send("demo-axis", "bulk-close-1", map[string]any{"action": "close",
		"body":  map[string]any{"resolution": "invalid", "note": "无效工单"},
		"items": []map[string]any{{"case_id": junk}, {"case_id": ids[0]}, {"case_id": junk2, "body": map[string]any{"resolution": "nonsense"}}}})
	require.Equal(t, []int{200, 409, 400}, statuses(closed))
	require.Equal(t, "closed", closed[0].Case.State)
	require.Equal(t, "triage", a.view(t, "demo-axis", junk2).State, "a refused item is left as it was")
}

// testDuplicates: opening a case answers the cases it may duplicate, the
// same is asked before sending, and the axis closes a duplicate for its
// original, which lists it (issue 16, point 13).
func testDuplicates(t *testing.T, a *apiEnv) {
	at := func(title string, lat, lng float64) map[string]any {
		b := serviceCase(title, "dongzha-g1")
		b["location"] = map[string]any{"lat": lat, "lng": lng, "address": "东栅街道明苑小区"}
		return b
	}
	var first, second, far struct {
		ID                 string `json:"id"`
		PossibleDuplicates []struct {
			ID        string  `json:"id"`
			DistanceM float64 `json:"distance_m"`
		} `json:"possible_duplicates"`
	}
	a.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", at("明苑小区东门路灯不亮", 30.75431, 120.76377)).ok(t, http.StatusCreated, &first)
	require.Empty(t, first.PossibleDuplicates)
	a.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", at("东门路灯坏了", 30.75449, 120.76377)).ok(t, http.StatusCreated, &second)
	require.Len(t, second.PossibleDuplicates, 1, "20 metres away, the same kind")
	require.Equal(t, first.ID, second.PossibleDuplicates[0].ID)
	require.InDelta(t, 20, second.PossibleDuplicates[0].DistanceM, 1)
	a.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", at("北门路灯不亮", 30.75251, 120.76377)).ok(t, http.StatusCreated, &far)
	require.Empty(t, far.PossibleDuplicates, "200 metres is beyond the 50 metre radius")

	var near struct {
		Cases []struct {
			ID string `json:"id"`
		} `json:"cases"`
	}
	a.call(t, "demo-grid", http.MethodGet, "/api/v1/nearby?kind=service_linkage&lat=30.75440&lng=120.76377", nil).ok(t, http.StatusOK, &near)
	require.Len(t, near.Cases, 2)
	e := a.call(t, "demo-grid", http.MethodGet, "/api/v1/nearby?kind=service_linkage", nil).fails(t, http.StatusBadRequest, "invalid")
	require.Contains(t, e.Fields, "lat")
	a.call(t, "demo-unit", http.MethodGet, "/api/v1/nearby?kind=service_linkage&lat=30.75440&lng=120.76377", nil).fails(t, http.StatusForbidden, "forbidden")

	closeAs := func(id string, of string) reply {
		return a.call(t, "demo-axis", http.MethodPost, "/api/v1/cases/"+id+"/close", map[string]any{"resolution": "duplicate", "duplicate_of": of, "note": "并案"})
	}
	e = closeAs(second.ID, "QL20260101-0000000001").fails(t, http.StatusBadRequest, "invalid")
	require.Equal(t, "no case QL20260101-0000000001", e.Fields["duplicate_of"])
	var closed caseOut
	closeAs(second.ID, first.ID).ok(t, http.StatusOK, &closed)
	require.Equal(t, "closed", closed.State)
	var dup struct {
		DuplicateOf string   `json:"duplicate_of"`
		Duplicates  []string `json:"duplicates"`
	}
	a.call(t, "demo-grid", http.MethodGet, "/api/v1/cases/"+second.ID, nil).ok(t, http.StatusOK, &dup)
	require.Equal(t, first.ID, dup.DuplicateOf)
	closeAs(far.ID, second.ID).ok(t, http.StatusOK, &closed)
	a.call(t, "demo-grid", http.MethodGet, "/api/v1/cases/"+far.ID, nil).ok(t, http.StatusOK, &dup)
	require.Equal(t, first.ID, dup.DuplicateOf, "a duplicate of a duplicate follows the original")
	a.call(t, "demo-grid", http.MethodGet, "/api/v1/cases/"+first.ID, nil).ok(t, http.StatusOK, &dup)
	require.Equal(t, []string{second.ID, far.ID}, dup.Duplicates, "the original lists the reporters' cases that follow it")

	a.call(t, "demo-grid", http.MethodGet, "/api/v1/nearby?kind=service_linkage&lat=30.75440&lng=120.76377", nil).ok(t, http.StatusOK, &near)
	require.Len(t, near.Cases, 1, "a case closed as a duplicate is shown by its original")
}

// testMemberRegistersThemselves: a Party member who works in a unit
// registers (报到) with the community where they live, logs their own
// service hours and sees the totals; confirmed hours count for their own
// unit in the shipped indicators (issue 16, points 4 and 12).
func testMemberRegistersThemselves(t *testing.T, a *apiEnv) {
	e := a.call(t, "demo-unit-power", http.MethodPost, "/api/v1/cases", serviceCase("不是报到", "dongzha-g1")).fails(t, http.StatusForbidden, "forbidden")
	require.Contains(t, e.Message, "member registration")
	e = a.call(t, "demo-unit-power", http.MethodPost, "/api/v1/cases", map[string]any{
		"kind": "member_management", "title": "在职党员报到", "locality_id": "dongzha",
		"details": map[string]any{"member": map[string]any{"name": "赵工", "home_unit_id": "u-hospital"}},
	}).fails(t, http.StatusBadRequest, "invalid")
	require.Contains(t, e.Fields, "details.member.home_unit_id")

	var c struct {
		ID      string `json:"id"`
		State   string `json:"state"`
		Details struct {
			Member struct {
				Name           string  `json:"name"`
				HomeUnitID     string  `json:"home_unit_id"`
				UserID         string  `json:"user_id"`
				ConfirmedHours float64 `json:"confirmed_hours"`
				PendingHours   float64 `json:"pending_hours"`
				Hours          []struct {
					ID string `json:"id"`
				} `json:"hours"`
			} `json:"member"`
		} `json:"details"`
		AllowedActions []string `json:"allowed_actions"`
	}
	a.call(t, "demo-unit-power", http.MethodPost, "/api/v1/cases", map[string]any{
		"kind": "member_management", "title": "在职党员到东栅社区报到", "locality_id": "dongzha",
		"details": map[string]any{"member": map[string]any{"phone": "13900000000"}},
	}).ok(t, http.StatusCreated, &c)
	require.Equal(t, "u-power", c.Details.Member.HomeUnitID)
	require.Equal(t, "demo-unit-power", c.Details.Member.UserID)
	require.NotEmpty(t, c.Details.Member.Name, "their own name")
	require.Contains(t, a.view(t, "demo-axis-dongzha", c.ID).AllowedActions, "assign-post", "the community sees the registration")

	a.act(t, "demo-axis-dongzha", "/api/v1/cases/"+c.ID+"/assign-post", map[string]any{"post": "楼道长"})
	day := time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	for _, h := range []float64{2, 1.5} {
		a.act(t, "demo-unit-power", "/api/v1/cases/"+c.ID+"/log-hours", map[string]any{"hours": map[string]any{"date": day, "hours": h, "note": "助老服务"}})
	}
	a.call(t, "demo-unit-power", http.MethodGet, "/api/v1/cases/"+c.ID, nil).ok(t, http.StatusOK, &c)
	require.Equal(t, 3.5, c.Details.Member.PendingHours)
	a.act(t, "demo-axis-dongzha", "/api/v1/cases/"+c.ID+"/confirm-hours", map[string]any{"hours": map[string]any{"id": c.Details.Member.Hours[0].ID}})
	a.call(t, "demo-unit-power", http.MethodGet, "/api/v1/cases/"+c.ID, nil).ok(t, http.StatusOK, &c)
	require.Equal(t, 2.0, c.Details.Member.ConfirmedHours)
	require.Equal(t, 1.5, c.Details.Member.PendingHours)

	var scores struct {
		Subjects []struct {
			ID         string `json:"id"`
			Indicators []struct {
				ID     string  `json:"id"`
				Points float64 `json:"points"`
			} `json:"indicators"`
		} `json:"subjects"`
	}
	a.call(t, "demo-unit-power", http.MethodGet, "/api/v1/scores?type=unit&id=u-power", nil).ok(t, http.StatusOK, &scores)
	got := map[string]float64{}
	for _, s := range scores.Subjects {
		for _, i := range s.Indicators {
			got[i.ID] += i.Points
		}
	}
	require.GreaterOrEqual(t, got["county_unit_service"], 1.0, "two confirmed hours at 0.5 count for the member's own unit: %v", got)
}

// testRegionalReports: a regional coordination's tasks show when their
// next progress report is due, and the axis reports on the whole case
// (issue 16, point 5).
func testRegionalReports(t *testing.T, a *apiEnv) {
	c := a.open(t, "demo-axis-dongzha", map[string]any{"kind": "regional_coordination", "title": "汛前排水设施排查", "locality_id": "dongzha"})
	a.call(t, "demo-axis-dongzha", http.MethodPost, "/api/v1/cases/"+c.ID+"/report", map[string]any{"note": "尚未派单"}).fails(t, http.StatusConflict, "conflict")
	c = a.act(t, "demo-axis-dongzha", "/api/v1/cases/"+c.ID+"/dispatch", map[string]any{"assignments": []map[string]any{
		{"unit_id": "u-water", "role": "co", "required": true}, {"unit_id": "u-mingyuan-property", "role": "co", "required": true}}})
	a.act(t, "demo-unit-water", "/api/v1/tasks/"+c.Tasks[0].ID+"/accept", nil)
	var got struct {
		Tasks []struct {
			NextReportDue time.Time `json:"next_report_due"`
			ReportWarnAt  time.Time `json:"report_warn_at"`
		} `json:"tasks"`
		Details struct {
			Regional struct {
				CaseReports int    `json:"case_reports"`
				LastReport  string `json:"last_report"`
			} `json:"regional"`
		} `json:"details"`
		AllowedActions []string `json:"allowed_actions"`
	}
	a.call(t, "demo-axis-dongzha", http.MethodGet, "/api/v1/cases/"+c.ID, nil).ok(t, http.StatusOK, &got)
	require.True(t, got.Tasks[0].NextReportDue.After(time.Now()), "the next report's due date is shown")
	require.True(t, got.Tasks[0].ReportWarnAt.Before(got.Tasks[0].NextReportDue), "and warned before it")
	require.True(t, got.Tasks[1].NextReportDue.IsZero(), "a task not yet accepted owes no report")
	require.Contains(t, got.AllowedActions, "report")

	e := a.call(t, "demo-axis-dongzha", http.MethodPost, "/api/v1/cases/"+c.ID+"/report", map[string]any{}).fails(t, http.StatusBadRequest, "invalid")
	require.Contains(t, e.Fields, "note")
	a.act(t, "demo-axis-dongzha", "/api/v1/cases/"+c.ID+"/report", map[string]any{"note": "已排查 12 处，整改 3 处"})
	a.call(t, "demo-axis-dongzha", http.MethodGet, "/api/v1/cases/"+c.ID, nil).ok(t, http.StatusOK, &got)
	require.Equal(t, 1, got.Details.Regional.CaseReports)
	require.Equal(t, "已排查 12 处，整改 3 处", got.Details.Regional.LastReport)
}

// testActionIdempotency: an action sent again under its Idempotency-Key,
// as a phone that lost the answer does, takes effect once.
func testActionIdempotency(t *testing.T, a *apiEnv) {
	c := a.open(t, "demo-grid", serviceCase("重发的签收", "dongzha-g1"))
	c = a.act(t, "demo-axis", "/api/v1/cases/"+c.ID+"/dispatch", map[string]any{"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead"}}})
	task := "/api/v1/tasks/" + c.Tasks[0].ID
	a.call(t, "demo-unit", http.MethodPost, task+"/accept", nil, "Idempotency-Key", "accept-1").ok(t, http.StatusOK, &c)
	progress := map[string]any{"note": "已到现场"}
	var first, again caseOut
	a.call(t, "demo-unit", http.MethodPost, task+"/progress", progress, "Idempotency-Key", "progress-1").ok(t, http.StatusOK, &first)
	a.call(t, "demo-unit", http.MethodPost, task+"/progress", progress, "Idempotency-Key", "progress-1").ok(t, http.StatusOK, &again)
	require.Equal(t, first.Revision, again.Revision, "the repeat answers as the first time")
	require.Equal(t, first.Revision, a.view(t, "demo-unit", c.ID).Revision, "and took no effect")
	a.call(t, "demo-unit", http.MethodPost, task+"/accept", nil, "Idempotency-Key", "accept-1").ok(t, http.StatusOK, &again)
	a.call(t, "demo-unit", http.MethodPost, task+"/progress", map[string]any{"note": "另一条"}, "Idempotency-Key", "progress-1").
		fails(t, http.StatusConflict, "conflict")
	a.call(t, "demo-unit", http.MethodPost, task+"/progress", progress).ok(t, http.StatusOK, &again)
	require.Equal(t, first.Revision+1, again.Revision, "without a key, each send is an action")
}

// testFiles: a photo is sent, kept without its metadata and with a
// thumbnail, named in a case, and read by those who see the case only
// (issue 14, point 5).
func testFiles(t *testing.T, a *apiEnv) {
	upload := func(user, name string, content []byte) reply { return a.upload(t, user, name, content) }
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for x := range 640 {
		img.Set(x, x%480, color.RGBA{200, 30, 30, 255})
	}
	var jpg bytes.Buffer
	require.NoError(t, jpeg.Encode(&jpg, img, nil))
	raw := jpg.Bytes()
	// A camera's EXIF segment, with where the photo was taken.
	exif := append([]byte("Exif\x00\x00"), "GPS 30.7521N 120.7623E"...)
	raw = append(append(append([]byte{}, raw[:2]...), append([]byte{0xFF, 0xE1, 0, byte(len(exif) + 2)}, exif...)...), raw[2:]...)

	var f struct {
		ID           string `json:"id"`
		URL          string `json:"url"`
		ThumbnailURL string `json:"thumbnail_url"`
		ContentType  string `json:"content_type"`
	}
	upload("demo-grid", "pothole.jpg", raw).ok(t, http.StatusCreated, &f)
	require.Equal(t, "image/jpeg", f.ContentType)
	require.Equal(t, "/api/v1/files/"+f.ID, f.URL)

	got := a.call(t, "demo-grid", http.MethodGet, f.URL, nil)
	require.Equal(t, http.StatusOK, got.Code)
	require.Equal(t, "image/jpeg", got.Header.Get("Content-Type"))
	require.Equal(t, "nosniff", got.Header.Get("X-Content-Type-Options"))
	require.NotContains(t, string(got.Body), "GPS 30.7521N", "the place the photo was taken is not kept")
	thumb := a.call(t, "demo-grid", http.MethodGet, f.ThumbnailURL, nil)
	require.Equal(t, http.StatusOK, thumb.Code)
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(thumb.Body))
	require.NoError(t, err)
	require.Equal(t, 320, cfg.Width)

	upload("demo-grid", "page.html", []byte("<html><script>alert(1)</script></html>")).fails(t, http.StatusUnsupportedMediaType, "unsupported")
	a.call(t, "demo-grid", http.MethodPost, "/api/v1/files", map[string]any{"file": "x"}).fails(t, http.StatusUnsupportedMediaType, "unsupported")
	e := a.call(t, "demo-grid", http.MethodPost, "/api/v1/files", `--x--`, "Content-Type", "multipart/form-data; boundary=x").fails(t, http.StatusBadRequest, "invalid")
	require.Contains(t, e.Fields, "file")
	a.call(t, "demo-unit", http.MethodGet, f.URL, nil).fails(t, http.StatusNotFound, "not_found")

	body := serviceCase("路面坑洼", "dongzha-g1")
	body["attachments"] = []string{f.URL}
	e = a.call(t, "demo-grid-jiahe", http.MethodPost, "/api/v1/cases", func() map[string]any {
		b := serviceCase("别人的照片", "jiahe-g1")
		b["attachments"] = []string{f.URL}
		return b
	}()).fails(t, http.StatusBadRequest, "invalid")
	require.Contains(t, e.Fields["attachments[0]"], "sent by you")
	c := a.open(t, "demo-grid", body)
	a.act(t, "demo-axis", "/api/v1/cases/"+c.ID+"/dispatch", map[string]any{"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead"}}})
	require.Equal(t, http.StatusOK, a.call(t, "demo-unit", http.MethodGet, f.URL, nil).Code, "the unit now sees the case, and its photo")
	require.Equal(t, http.StatusOK, a.call(t, "demo-axis", http.MethodGet, f.URL, nil).Code)
	a.call(t, "demo-unit-power", http.MethodGet, f.URL, nil).fails(t, http.StatusNotFound, "not_found")
	a.call(t, "demo-grid", http.MethodGet, "/api/v1/files/"+strings.Repeat("0", 64), nil).fails(t, http.StatusNotFound, "not_found")

	// The unit's work, with its own photo: before and after side by side.
	var after struct {
		URL string `json:"url"`
	}
	a.upload(t, "demo-unit", "after.png", tinyPNG(t)).ok(t, http.StatusCreated, &after)
	var mine struct {
		URL string `json:"url"`
	}
	a.upload(t, "demo-unit-power", "same.png", tinyPNG(t)).ok(t, http.StatusCreated, &mine)
	require.Equal(t, after.URL, mine.URL, "the same photo is one file, noted for each sender")
	task := "/api/v1/tasks/" + a.view(t, "demo-axis", c.ID).Tasks[0].ID
	a.act(t, "demo-unit", task+"/accept", nil)
	e = a.call(t, "demo-unit", http.MethodPost, task+"/resolve", map[string]any{"result": "已修补", "attachments": []string{"/api/v1/files/" + strings.Repeat("a", 64)}}).
		fails(t, http.StatusBadRequest, "invalid")
	require.Contains(t, e.Fields, "attachments[0]")
	e = a.call(t, "demo-unit", http.MethodPost, task+"/progress", map[string]any{"note": "已到现场", "attachments": []string{f.URL}}).
		fails(t, http.StatusBadRequest, "invalid")
	require.Contains(t, e.Fields["attachments[0]"], "sent by you", "another's photo, though the unit may see it")
	a.act(t, "demo-unit", task+"/progress", map[string]any{"note": "已到现场"})
	a.act(t, "demo-unit", task+"/resolve", map[string]any{"result": "已修补", "attachments": []string{after.URL}})
	var done struct {
		Attachments []string `json:"attachments"`
		Tasks       []struct {
			Attachments []string `json:"attachments"`
		} `json:"tasks"`
	}
	a.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+c.ID, nil).ok(t, http.StatusOK, &done)
	require.Equal(t, []string{f.URL}, done.Attachments, "before")
	require.Equal(t, []string{after.URL}, done.Tasks[0].Attachments, "after")
	require.Equal(t, http.StatusOK, a.call(t, "demo-axis", http.MethodGet, after.URL, nil).Code, "the axis sees the unit's photo")
	require.Equal(t, http.StatusOK, a.call(t, "demo-grid", http.MethodGet, after.URL, nil).Code)
	a.call(t, "demo-grid-jiahe", http.MethodGet, after.URL, nil).fails(t, http.StatusNotFound, "not_found")
}

// upload sends content as the file part of a multipart form, as user.
func (a *apiEnv) upload(t testing.TB, user, name string, content []byte) reply {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("file", name)
	require.NoError(t, err)
	_, _ = part.Write(content)
	require.NoError(t, w.Close())
	return a.send(a.env.Logins[user].Token, http.MethodPost, "/api/v1/files", true, body.Bytes(), "Content-Type", w.FormDataContentType())
}

// tinyPNG is a 2 × 2 photo.
func tinyPNG(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 2, 2))))
	return b.Bytes()
}

// testActionAttachments: any action carries files, not only the unit's
// progress and result. A verification's photo stays on its event, and
// whoever sees the case reads it; a file another person sent is refused.
func testActionAttachments(t *testing.T, a *apiEnv) {
	c := a.open(t, "demo-grid", serviceCase("路灯倾斜", "dongzha-g1"))
	c = a.act(t, "demo-axis", "/api/v1/cases/"+c.ID+"/dispatch", map[string]any{"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead"}}})
	task := "/api/v1/tasks/" + c.Tasks[0].ID
	a.act(t, "demo-unit", task+"/accept", nil)
	a.act(t, "demo-unit", task+"/resolve", map[string]any{"result": "已扶正加固"})

	// A photo of its own, so that only the verification names it.
	photo := func(user string, shade uint8) string {
		img := image.NewRGBA(image.Rect(0, 0, 3, 3))
		img.Set(1, 1, color.RGBA{shade, 90, 200, 255})
		var b bytes.Buffer
		require.NoError(t, png.Encode(&b, img))
		var f struct {
			URL string `json:"url"`
		}
		a.upload(t, user, "check.png", b.Bytes()).ok(t, http.StatusCreated, &f)
		return f.URL
	}
	checked, others := photo("demo-axis", 17), photo("demo-grid", 18)
	a.call(t, "demo-unit", http.MethodGet, checked, nil).fails(t, http.StatusNotFound, "not_found")

	verify := "/api/v1/cases/" + c.ID + "/verify"
	e := a.call(t, "demo-axis", http.MethodPost, verify, map[string]any{"pass": true, "attachments": []string{checked, others}}).
		fails(t, http.StatusBadRequest, "invalid")
	require.Contains(t, e.Fields["attachments[1]"], "sent by you", "the grid worker's photo, though the axis sees the case")
	e = a.call(t, "demo-axis", http.MethodPost, verify, map[string]any{"pass": true, "attachments": []string{"ftp://example.com/x"}}).
		fails(t, http.StatusBadRequest, "invalid")
	require.Contains(t, e.Fields, "attachments[0]")

	report := "https://example.com/checks/42.pdf"
	c = a.act(t, "demo-axis", verify, map[string]any{"pass": true, "note": "现场核查通过", "attachments": []string{checked, report}})
	require.Equal(t, "follow_up", c.State)
	var after struct {
		Tasks []struct {
			Attachments []string `json:"attachments"`
		} `json:"tasks"`
	}
	a.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+c.ID, nil).ok(t, http.StatusOK, &after)
	require.Empty(t, after.Tasks[0].Attachments, "the task's attachments are photos of its work only")

	var trail struct {
		Events []struct {
			Type        string   `json:"type"`
			Attachments []string `json:"attachments"`
		} `json:"events"`
		Timeline []struct {
			Type        string   `json:"type"`
			Attachments []string `json:"attachments"`
		} `json:"timeline"`
	}
	a.call(t, "demo-unit", http.MethodGet, "/api/v1/cases/"+c.ID+"/events", nil).ok(t, http.StatusOK, &trail)
	var carried [][]string
	for _, ev := range trail.Events {
		if ev.Attachments != nil {
			require.Equal(t, "verify", ev.Type)
			carried = append(carried, ev.Attachments)
		}
	}
	require.Equal(t, [][]string{{checked, report}}, carried, "on the verification's event, once")
	last := trail.Timeline[len(trail.Timeline)-1]
	require.Equal(t, "verify", last.Type)
	require.Equal(t, []string{checked, report}, last.Attachments)

	for _, user := range []string{"demo-unit", "demo-grid", "demo-axis-dongzha", "demo-supervisor"} {
		require.Equal(t, http.StatusOK, a.call(t, user, http.MethodGet, checked, nil).Code, "%s sees the case, and reads its verification's photo", user)
	}
	a.call(t, "demo-grid-jiahe", http.MethodGet, checked, nil).fails(t, http.StatusNotFound, "not_found")
	a.call(t, "demo-unit", http.MethodGet, others, nil).fails(t, http.StatusNotFound, "not_found")
}
