package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Conflicting actions on one case sent at the same instant, over HTTP:
// the case workflow takes them one at a time, so exactly one wins and the
// others get 409 in the one error shape, and the case ends as the winner
// left it.

// racer is one request of a race.
type racer struct {
	user, path string
	body       any
}

// race sends the requests from one barrier, each in its own goroutine, and
// returns the answers in the same order.
func (a *apiEnv) race(t *testing.T, rs ...racer) []reply {
	t.Helper()
	raws := make([][]byte, len(rs))
	for i, r := range rs {
		b, err := json.Marshal(r.body)
		require.NoError(t, err)
		raws[i] = b
	}
	out := make([]reply, len(rs))
	start := make(chan struct{})
	var ready, done sync.WaitGroup
	for i, r := range rs {
		ready.Add(1)
		done.Go(func() {
			token := a.env.Logins[r.user].Token
			ready.Done()
			<-start
			out[i] = a.send(token, http.MethodPost, r.path, true, raws[i])
		})
	}
	ready.Wait()
	close(start)
	done.Wait()
	return out
}

// oneWins requires exactly one 200 and 409 conflicts for the rest, and
// returns the index of the winner.
func oneWins(t *testing.T, round string, rs []reply) int {
	t.Helper()
	winner := -1
	for i, r := range rs {
		if r.Code == http.StatusOK {
			if winner != -1 {
				t.Fatalf("%s: two winners: %s and %s", round, rs[winner].Body, r.Body)
			}
			winner = i
			continue
		}
		r.fails(t, http.StatusConflict, "conflict")
	}
	require.NotEqual(t, -1, winner, "%s: nobody won", round)
	return winner
}

// The unit accepts its task while the axis reassigns it, sending the
// revision it saw: whichever the workflow takes first wins and the other
// is refused, round after round.
func TestAcceptAndReassignAtTheSameInstant(t *testing.T) {
	a := startAPI(t, "sqlite")
	wins := map[string]int{}
	for round := range 20 {
		name := fmt.Sprintf("round %d", round)
		c := a.open(t, "demo-grid", serviceCase(fmt.Sprintf("同时接单与改派 %d", round), "dongzha-g1"))
		c = a.act(t, "demo-axis", "/api/v1/cases/"+c.ID+"/dispatch", map[string]any{
			"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead"}},
		})
		task := c.Tasks[0].ID
		rs := a.race(t,
			racer{"demo-unit", "/api/v1/tasks/" + task + "/accept", map[string]any{}},
			racer{"demo-axis", "/api/v1/tasks/" + task + "/reassign", map[string]any{"unit_id": "u-power", "note": "改派供电", "expected_revision": c.Revision}},
		)
		after := a.view(t, "demo-axis", c.ID)
		require.Equal(t, c.Revision+1, after.Revision, "%s: one action took effect", name)
		switch oneWins(t, name, rs) {
		case 0:
			wins["accept"]++
			require.Equal(t, "in_progress", after.State, name)
			require.Len(t, after.Tasks, 1, name)
			require.Equal(t, "accepted", after.Tasks[0].State, name)
			require.Equal(t, "u-mingyuan-property", after.Tasks[0].UnitID, name)
		case 1:
			wins["reassign"]++
			require.Equal(t, "dispatching", after.State, name)
			require.Len(t, after.Tasks, 2, name)
			require.Equal(t, "reassigned", after.Tasks[0].State, name)
			require.Equal(t, "offered", after.Tasks[1].State, name)
			require.Equal(t, "u-power", after.Tasks[1].UnitID, name)
		}
	}
	t.Logf("winners over 20 rounds: %v", wins)
}

// Without the revision, a reassignment after the acceptance is a fair
// move of an accepted task; but an acceptance after the reassignment never
// is. Whatever the order, the case holds one open task, and the trail
// shows the winner's order.
func TestAcceptAndReassignWithoutRevisionStaySerial(t *testing.T) {
	a := startAPI(t, "sqlite")
	for round := range 10 {
		name := fmt.Sprintf("round %d", round)
		c := a.open(t, "demo-grid", serviceCase(fmt.Sprintf("无版本号的改派 %d", round), "dongzha-g1"))
		c = a.act(t, "demo-axis", "/api/v1/cases/"+c.ID+"/dispatch", map[string]any{
			"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead"}},
		})
		task := c.Tasks[0].ID
		rs := a.race(t,
			racer{"demo-unit", "/api/v1/tasks/" + task + "/accept", map[string]any{}},
			racer{"demo-axis", "/api/v1/tasks/" + task + "/reassign", map[string]any{"unit_id": "u-power"}},
		)
		require.Equal(t, http.StatusOK, rs[1].Code, "%s: the reassignment of an open task stands: %s", name, rs[1].Body)
		after := a.view(t, "demo-axis", c.ID)
		require.Equal(t, "dispatching", after.State, name)
		require.Len(t, after.Tasks, 2, name)
		require.Equal(t, "reassigned", after.Tasks[0].State, name)
		require.Equal(t, "offered", after.Tasks[1].State, name)
		var trail struct {
			Events []eventOut `json:"events"`
		}
		a.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+c.ID+"/events", nil).ok(t, http.StatusOK, &trail)
		types := eventTypes(trail.Events)
		if rs[0].Code == http.StatusOK {
			require.Less(t, indexOf(types, "accept"), indexOf(types, "reassign"), "%s: the acceptance came first: %v", name, types)
		} else {
			rs[0].fails(t, http.StatusConflict, "conflict")
			require.NotContains(t, types, "accept", name)
		}
	}
}

func indexOf(xs []string, x string) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}

// One extension request, answered at the same instant by two axis
// operators of the locality: twice approve, then approve against reject.
// One answer stands; the deadline moves at most once.
func TestTwoAnswersToOneExtensionRequest(t *testing.T) {
	a := startAPI(t, "sqlite")
	for round, second := range []string{"approve", "reject", "approve", "reject", "approve", "reject"} {
		name := fmt.Sprintf("round %d: approve and %s", round, second)
		c := a.open(t, "demo-grid", serviceCase(fmt.Sprintf("延期审批 %d", round), "dongzha-g1"))
		c = a.act(t, "demo-axis", "/api/v1/cases/"+c.ID+"/dispatch", map[string]any{
			"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead"}},
		})
		task := c.Tasks[0].ID
		a.act(t, "demo-unit", "/api/v1/tasks/"+task+"/accept", nil)
		c = a.act(t, "demo-unit", "/api/v1/tasks/"+task+"/request-extension", map[string]any{"extra": "2d", "note": "等配件"})
		require.NotNil(t, c.Tasks[0].Extension, name)
		ext := "/api/v1/extensions/" + c.Tasks[0].Extension.ID + "/"
		rs := a.race(t,
			racer{"demo-axis", ext + "approve", map[string]any{"note": "同意"}},
			racer{"demo-axis-dongzha", ext + second, map[string]any{"note": "社区意见"}},
		)
		w := oneWins(t, name, rs)
		after := a.view(t, "demo-axis", c.ID)
		require.Equal(t, c.Revision+1, after.Revision, "%s: one answer took effect", name)
		require.Equal(t, "accepted", after.Tasks[0].State, "%s: the task was worked on throughout", name)
		require.Nil(t, after.Tasks[0].Extension, "%s: no request pending", name)
		var trail struct {
			Events []eventOut `json:"events"`
		}
		a.call(t, "demo-axis", http.MethodGet, "/api/v1/cases/"+c.ID+"/events", nil).ok(t, http.StatusOK, &trail)
		answers := 0
		for _, e := range trail.Events {
			if e.Type == "approve-extension" || e.Type == "reject-extension" {
				answers++
				require.Equal(t, []string{"demo-axis", "demo-axis-dongzha"}[w], e.Actor.UserID, name)
			}
		}
		require.Equal(t, 1, answers, "%s: %v", name, eventTypes(trail.Events))
	}
}

// Two bookings of one hall whose windows overlap, approved by the owner
// unit at the same instant in two cases: one approval stands.
func TestOverlappingBookingsApprovedAtTheSameInstantOverHTTP(t *testing.T) {
	a := startAPI(t, "sqlite")
	base := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	for round := range 5 {
		name := fmt.Sprintf("round %d", round)
		from := base.Add(time.Duration(round) * 24 * time.Hour)
		var ids []string
		for i, off := range []time.Duration{0, time.Hour} {
			c := a.open(t, "demo-axis", map[string]any{
				"kind": "resource_sharing", "title": fmt.Sprintf("借用活动室 %d-%d", round, i), "locality_id": "jianshe",
				"details": map[string]any{"booking": map[string]any{
					"resource_id": "u-power-hall", "owner_unit_id": "u-power",
					"from": from.Add(off).Format(time.RFC3339), "to": from.Add(off + 2*time.Hour).Format(time.RFC3339),
				}},
			})
			ids = append(ids, c.ID)
		}
		rs := a.race(t,
			racer{"demo-unit-power", "/api/v1/cases/" + ids[0] + "/approve-booking", map[string]any{}},
			racer{"demo-unit-power", "/api/v1/cases/" + ids[1] + "/approve-booking", map[string]any{}},
		)
		w := oneWins(t, name, rs)
		var won struct {
			Details struct {
				Booking struct {
					State string `json:"state"`
				} `json:"booking"`
			} `json:"details"`
		}
		require.NoError(t, json.Unmarshal(rs[w].Body, &won))
		require.Equal(t, "approved", won.Details.Booking.State, name)
	}
}
