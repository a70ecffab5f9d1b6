package qilian_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
)

// goodInput is the action with inputs Decide accepts when its guard
// passes: the test's stand-in for a person filling in the form well.
func goodInput(c *qilian.Case, n qilian.ActionName, by qilian.Actor, target string) qilian.Action {
	yes := true
	a := qilian.Action{Name: n, Actor: by, Note: "说明"}
	switch n {
	case qilian.ActDispatch:
		// A unit without an open task; the lead when the kind needs one
		// and none is open.
		lead := false
		for _, t := range c.Tasks {
			lead = lead || (t.State.Open() && t.Role == qilian.TaskLead)
		}
		role := qilian.TaskCo
		if !lead && (c.Kind == qilian.KindServiceLinkage || c.Kind == qilian.KindProblemSolving) {
			role = qilian.TaskLead
		}
		a.Assignments = []qilian.Assignment{{UnitID: freeUnit(c), Role: role, Required: true}}
	case qilian.ActVerify:
		a.Pass = &yes
	case qilian.ActFollowUp:
		a.Satisfied = &yes
	case qilian.ActClose:
		a.Resolution = qilian.ResolutionInvalid
		if c.Kind == qilian.KindMemberManagement && c.State == qilian.CaseInProgress {
			a.Resolution = qilian.ResolutionResolved
		}
	case qilian.ActReturn:
		a.Reason = qilian.ReturnNotOurDuty
	case qilian.ActResolve:
		a.Result = "已处理"
	case qilian.ActRequestExtension:
		a.Extra = qilian.Span{Days: 1}
	case qilian.ActReassign:
		a.UnitID = freeUnit(c)
	case qilian.ActWhistle, qilian.ActMeeting:
		a.Units = []string{unitC}
	case qilian.ActVote:
		if con := c.Details.Consultation; con != nil {
			a.Option = con.Options[0]
		}
	case qilian.ActSignUp:
		n := 0
		if act := c.Details.Activity; act != nil {
			n = len(act.SignUps)
		}
		a.Participant = &qilian.Participant{ID: fmt.Sprintf("p-%s-%d", by.UserID, n), Name: "居民"}
	case qilian.ActCheckIn:
		if c.Details.Activity == nil {
			break
		}
		for _, p := range c.Details.Activity.SignUps {
			if !c.Details.Activity.CheckedIn[p.ID] {
				a.Participant = &qilian.Participant{ID: p.ID}
			}
		}
	case qilian.ActAssignPost:
		a.Post = "楼道长"
	case qilian.ActLogHours:
		a.Hours = &qilian.HoursLog{Date: "2026-03-01", Hours: 2}
	case qilian.ActConfirmHours:
		if c.Details.Member == nil {
			break
		}
		for _, h := range c.Details.Member.Hours {
			if !h.Confirmed {
				a.Hours = &qilian.HoursLog{ID: h.ID}
			}
		}
	}
	if n.OnTask() || n.Target() == qilian.OnCaseOrTask {
		a.TaskID = target
	}
	if n == qilian.ActApproveExtension || n == qilian.ActRejectExtension {
		a.ExtensionID = target
	}
	return a
}

// freeUnit is a unit with no open task on the case.
func freeUnit(c *qilian.Case) string {
	open := map[string]bool{}
	for _, t := range c.Tasks {
		if t.State.Open() || t.State == qilian.TaskReturned {
			open[t.UnitID] = true // busy, or not the one to take it over
		}
	}
	for _, u := range []string{unitA, unitB, unitC, "u-extra-1", "u-extra-2", "u-extra-3", "u-extra-4"} {
		if !open[u] {
			return u
		}
	}
	return "u-extra-5"
}

// targets are what an action may name on the case: its tasks, its
// pending extensions, or nothing.
func targets(c *qilian.Case, n qilian.ActionName) []string {
	var out []string
	switch {
	case n.OnTask():
		for _, t := range c.Tasks {
			out = append(out, t.ID)
		}
	case n == qilian.ActApproveExtension || n == qilian.ActRejectExtension:
		for _, t := range c.Tasks {
			if t.Extension != nil {
				out = append(out, t.Extension.ID)
			}
		}
	case n.Target() == qilian.OnCaseOrTask:
		out = []string{""}
		for _, t := range c.Tasks {
			out = append(out, t.ID)
		}
	default:
		out = []string{""}
	}
	return out
}

// TestOfferedIsWhatSucceeds walks every kind through many random lives
// and, at every step, tries every action for every actor on every target,
// offered or not: an action in the case's allowed_actions succeeds with
// good inputs on at least one target, and one that is not offered fails
// on all of them; an action in a task's own list (AllowedOn) succeeds on
// that task, and one not in it fails there. Time moves on by random
// hours, so time windows are crossed too.
func TestOfferedIsWhatSucceeds(t *testing.T) {
	actors := []qilian.Actor{axis, grid, supervisor, otherAxis, staff(unitA), staff(unitB), staff(unitC), admin,
		{UserID: "p1", Role: qilian.RoleAxis, LocalityID: "m1", LocalityPath: "/c1/s1/m1/"}}
	checked := map[qilian.Kind]int{}
	for _, kind := range qilian.Kinds() {
		for seed := range uint64(12) {
			rng := rand.New(rand.NewPCG(seed, uint64(len(kind))))
			req := request(kind)
			if con := req.Details.Consultation; con != nil {
				con.Participants = []string{"p1", axis.UserID, grid.UserID}
			}
			c := open(t, req, grid)
			now := t0
			for step := 0; step < 30 && !c.State.Terminal(); step++ {
				type move struct{ a qilian.Action }
				var moves []move
				for _, who := range actors {
					offered := c.Allowed(who, now)
					for _, n := range qilian.Actions() {
						var ok bool
						var last error
						for _, target := range targets(c, n) {
							a := goodInput(c, n, who, target)
							if _, err := c.Decide(a, now, sched); err == nil {
								ok = true
								moves = append(moves, move{a})
							} else {
								last = err
							}
						}
						for _, task := range c.Tasks {
							target := task.ID
							if n.Target() == qilian.OnExtension {
								if task.Extension == nil {
									continue
								}
								target = task.Extension.ID
							} else if n.Target() == qilian.OnCase {
								continue
							}
							_, err := c.Decide(goodInput(c, n, who, target), now, sched)
							onTask := slicesContains(c.AllowedOn(task.ID, who, now), n)
							require.Equal(t, onTask, err == nil, "%s step %d: %s on %s for %s: offered %v, decided %v",
								kind, step, n, task.ID, who.UserID, onTask, err)
						}
						if slicesContains(offered, n) {
							require.True(t, ok, "%s step %d: %s offered to %s but refused: %v", kind, step, n, who.UserID, last)
						} else {
							require.False(t, ok, "%s step %d: %s not offered to %s but it succeeds", kind, step, n, who.UserID)
						}
						checked[kind]++
					}
				}
				if len(moves) == 0 {
					break
				}
				m := moves[rng.IntN(len(moves))]
				evs, err := c.Decide(m.a, now, sched)
				require.NoError(t, err)
				c.Apply(evs)
				now = now.Add(time.Duration(rng.IntN(30)) * time.Hour)
			}
		}
	}
	for _, k := range qilian.Kinds() {
		require.Positive(t, checked[k], k)
	}
}

func slicesContains(xs []qilian.ActionName, x qilian.ActionName) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
