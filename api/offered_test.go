package api_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
)

// testOfferedOverHTTP walks cases through random lives over HTTP and, at
// every step, for every demo user who can see the case, posts every
// action of the table to every route it has on the case (the case, each
// task, each pending extension) with a good body: what the case's or the
// task's allowed_actions lists is what the picked step does, and every
// action not listed there is refused and changes nothing. The screens draw
// their buttons from these lists.
func testOfferedOverHTTP(t *testing.T, a *apiEnv) {
	users := []string{"demo-axis", "demo-grid", "demo-unit", "demo-unit-power", "demo-unit-hospital", "demo-supervisor"}
	units := []string{"u-mingyuan-property", "u-power", "u-hospital"}
	for _, kind := range []qilian.Kind{qilian.KindServiceLinkage, qilian.KindProblemSolving} {
		for seed := range uint64(2) {
			t.Run(fmt.Sprintf("%s/%d", kind, seed), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, 7))
				body := serviceCase("路灯不亮", "dongzha-g1")
				body["kind"] = string(kind)
				c := a.open(t, "demo-grid", body)
				for step := 0; step < 14; step++ {
					type post struct {
						user, path string
						body       map[string]any
					}
					var listed []post
					before := a.view(t, "demo-axis", c.ID).Revision
					for _, user := range users {
						r := a.call(t, user, http.MethodGet, "/api/v1/cases/"+c.ID, nil)
						if r.Code == http.StatusNotFound {
							continue // sees nothing, may do nothing: the routes answer 404 alike
						}
						var v caseOut
						r.ok(t, http.StatusOK, &v)
						try := func(n qilian.ActionName, path string, b map[string]any, offered bool) {
							if offered {
								listed = append(listed, post{user, path, b})
								return
							}
							got := a.call(t, user, http.MethodPost, path, b)
							require.GreaterOrEqual(t, got.Code, 400, "step %d: %s not offered to %s at %s but it succeeded", step, n, user, path)
						}
						for _, n := range qilian.Actions() {
							b := goodBody(n, v, units)
							switch n.Target() {
							case qilian.OnCase, qilian.OnCaseOrTask:
								try(n, "/api/v1/cases/"+c.ID+"/"+string(n), b, slices.Contains(v.AllowedActions, string(n)))
							}
							for _, task := range v.Tasks {
								offered := slices.Contains(task.AllowedActions, string(n))
								switch n.Target() {
								case qilian.OnTask:
									try(n, "/api/v1/tasks/"+task.ID+"/"+string(n), b, offered)
								case qilian.OnCaseOrTask:
									tb := map[string]any{"task_id": task.ID, "note": "请尽快办理"}
									try(n, "/api/v1/cases/"+c.ID+"/"+string(n), tb, offered)
								case qilian.OnExtension:
									if task.Extension != nil {
										try(n, "/api/v1/extensions/"+task.Extension.ID+"/"+strings.TrimSuffix(string(n), "-extension"), b, offered)
									} else {
										require.False(t, offered, "%s offered on %s without a pending request", n, task.ID)
									}
								}
							}
						}
					}
					require.Equal(t, before, a.view(t, "demo-axis", c.ID).Revision, "step %d: a refused action changed the case", step)
					if len(listed) == 0 {
						break
					}
					// Keep the case alive: cancel and close end it, so they
					// are picked only now and then.
					p := listed[rng.IntN(len(listed))]
					for range 3 {
						if !strings.HasSuffix(p.path, "/cancel") && !strings.HasSuffix(p.path, "/close") {
							break
						}
						p = listed[rng.IntN(len(listed))]
					}
					got := a.call(t, p.user, http.MethodPost, p.path, p.body)
					require.Equal(t, http.StatusOK, got.Code, "step %d: %s offered to %s but refused: %s", step, p.path, p.user, got.Body)
					c = a.view(t, "demo-axis", c.ID)
					if c.State == "closed" || c.State == "cancelled" {
						break
					}
				}
			})
		}
	}
}

// goodBody is a body an action accepts when it is allowed: a unit without
// an open task for dispatch and reassignment, a lead when none is open.
func goodBody(n qilian.ActionName, c caseOut, units []string) map[string]any {
	free, lead := "", false
	busy := map[string]bool{}
	for _, t := range c.Tasks {
		if isOpenTask(t.State) {
			busy[t.UnitID] = true
			lead = lead || t.Role == "lead"
		}
	}
	for _, u := range units {
		if !busy[u] {
			free = u
			break
		}
	}
	note := map[string]any{"note": "已核实"}
	switch n {
	case qilian.ActDispatch:
		role := "co"
		if !lead {
			role = "lead"
		}
		return map[string]any{"assignments": []map[string]any{{"unit_id": free, "role": role}}}
	case qilian.ActVerify:
		return map[string]any{"pass": true}
	case qilian.ActFollowUp:
		return map[string]any{"satisfied": true}
	case qilian.ActClose:
		return map[string]any{"resolution": "invalid", "note": "非本平台受理范围"}
	case qilian.ActWhistle, qilian.ActMeeting:
		return map[string]any{"units": []string{"u-power"}, "note": "联席会议纪要"}
	case qilian.ActReturn:
		return map[string]any{"reason": "not_our_duty"}
	case qilian.ActResolve:
		return map[string]any{"result": "已修复"}
	case qilian.ActRequestExtension:
		return map[string]any{"extra": "1d", "note": "需要采购配件"}
	case qilian.ActReassign:
		return map[string]any{"unit_id": free}
	}
	return note
}

func isOpenTask(state string) bool {
	return qilian.TaskState(state).Open()
}
