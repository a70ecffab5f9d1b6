package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/qilian/qilian"
)

// The demo's present: open cases of all seven kinds at every stage, in
// the case engine, so that they can be acted on and their timers fire.
// A case opened now cannot be overdue yet, and the engine cannot backdate,
// so the kinds whose deadlines matter most are lived by the domain from a
// past opening up to now and then handed to the engine (Engine.Resume),
// which fires whatever is due from then on; the others are opened and
// acted on through the engine now.

// Engine is how the demo's open cases reach the case engine
// (workflows.Client).
type Engine interface {
	Open(ctx context.Context, req qilian.OpenRequest, actor qilian.Actor) (qilian.Case, error)
	Act(ctx context.Context, caseID string, act qilian.Action) (qilian.Case, error)
	Resume(ctx context.Context, c qilian.Case, past []qilian.Event) (qilian.Case, error)
	Known(ctx context.Context, caseID string) (bool, error)
}

// LiveReport counts what Live left open.
type LiveReport struct {
	Opened  int // new in the engine
	Kept    int // there from an earlier seed, left as they stand
	Overdue int // of the new ones, with a deadline already missed
}

// step is one action of a scripted life, after a pause.
type step struct {
	after time.Duration
	act   func(c *qilian.Case) qilian.Action
}

// life is a case's script: how it opens and what follows, in order. Live
// cuts every script somewhere, so the cases stand at every stage.
type life struct {
	req      qilian.OpenRequest
	by       qilian.Actor
	steps    []step
	backdate bool // lived from a past opening, for deadlines to have run
}

// Live opens n cases in the engine, a seed deciding which (the same seed
// gives the same cases under the same IDs, so a second call finds them
// and leaves them as they stand).
func Live(ctx context.Context, eng Engine, now time.Time, n int, seed uint64, policy qilian.Policy, cal qilian.WorkingTime) (LiveReport, error) {
	var rep LiveReport
	sched := qilian.NewScheduler(policy, cal)
	for i := range n {
		id := fmt.Sprintf("QL-DEMO-LIVE-%d-%03d", seed, i)
		// Each case its own draw: a case is the same whatever came before.
		rng := rand.New(rand.NewPCG(seed, 0x11fe+uint64(i)))
		l := script(id, kindsInTurn[i%len(kindsInTurn)], i, rng, now)
		cut := rng.IntN(len(l.steps) + 1)
		switch known, err := eng.Known(ctx, id); {
		case err != nil:
			return rep, fmt.Errorf("demo case %s: %w", id, err)
		case known:
			rep.Kept++ // from an earlier seed, as it stands now
			continue
		}
		var (
			c   qilian.Case
			err error
		)
		if l.backdate {
			c, err = backdated(ctx, eng, l, l.steps[:cut], rng, now, policy, sched)
		} else {
			c, err = current(ctx, eng, l, l.steps[:cut])
		}
		if err != nil {
			return rep, fmt.Errorf("demo case %s: %w", id, err)
		}
		rep.Opened++
		if overdue(c) {
			rep.Overdue++
		}
	}
	return rep, nil
}

// kindsInTurn spreads the open cases over the kinds, most of them where
// most of the work is.
var kindsInTurn = []qilian.Kind{
	qilian.KindServiceLinkage, qilian.KindProblemSolving, qilian.KindRegionalCoordination,
	qilian.KindServiceLinkage, qilian.KindResourceSharing, qilian.KindJointConsultation,
	qilian.KindServiceLinkage, qilian.KindJointActivity, qilian.KindMemberManagement,
	qilian.KindProblemSolving,
}

// current opens the case through the engine now and acts on it.
func current(ctx context.Context, eng Engine, l life, steps []step) (qilian.Case, error) {
	c, err := eng.Open(ctx, l.req, l.by)
	if err != nil {
		return c, err
	}
	for _, s := range steps {
		if c, err = eng.Act(ctx, c.ID, s.act(&c)); err != nil {
			return c, err
		}
	}
	return c, nil
}

// backdated lives the case by the domain from an opening in the past, the
// timers firing on the way as the workflow fires them, and hands it to the
// engine. A step that would fall after now is not taken.
func backdated(ctx context.Context, eng Engine, l life, steps []step, rng *rand.Rand, now time.Time, policy qilian.Policy, sched qilian.Scheduler) (qilian.Case, error) {
	at := now.Add(-time.Duration(1+rng.IntN(10*24)) * time.Hour).Truncate(time.Minute)
	c, past, err := qilian.Open(l.req, l.by, at, policy)
	if err != nil {
		return c, err
	}
	until := func(t time.Time) { past = append(past, fireUntil(&c, t)...) }
	for _, s := range steps {
		if at.Add(s.after).After(now) {
			break
		}
		at = at.Add(s.after)
		until(at)
		evs, err := c.Decide(s.act(&c), at, sched)
		if err != nil {
			return c, err
		}
		c.Apply(evs)
		past = append(past, evs...)
	}
	until(now)
	if c.State.Terminal() {
		return c, fmt.Errorf("ended %s before now", c.State)
	}
	return eng.Resume(ctx, c, past)
}

// overdue reports whether a task of the case has missed a deadline.
func overdue(c qilian.Case) bool {
	for _, t := range c.Tasks {
		if t.State.Open() && t.Overdue {
			return true
		}
	}
	return false
}

// Actors of the demo's lives, as the read model would make them.
func actorOf(userID string) qilian.Actor {
	for _, u := range Users {
		if u.ID == userID {
			return qilian.Actor{UserID: u.ID, Role: u.Role, LocalityID: u.LocalityID, LocalityPath: localityPath(u.LocalityID), UnitID: u.UnitID}
		}
	}
	panic("demo: no user " + userID)
}

// staffOf is the demo user who works for unit.
func staffOf(unit string) qilian.Actor {
	for _, u := range Users {
		if u.Role == qilian.RoleUnitStaff && u.UnitID == unit {
			return actorOf(u.ID)
		}
	}
	panic("demo: nobody works for " + unit)
}

// localityPath is the materialized path of a demo locality, as the read
// model stores it ("/nanhu/jianshe/dongzha/").
func localityPath(id string) string {
	if id == "" {
		return ""
	}
	var parts []string
	for id != "" {
		parts = append([]string{id}, parts...)
		next := ""
		for _, l := range Localities {
			if l.ID == id {
				next = l.ParentID
			}
		}
		id = next
	}
	return "/" + strings.Join(parts, "/") + "/"
}

// Where the demo's open cases are, with the axis that answers there.
var liveGrids = []struct{ grid, worker, axis string }{
	{"dongzha-g1", "demo-grid", "demo-axis"},
	{"jiahe-g1", "demo-grid-jiahe", "demo-axis-xinxing"},
}

// liveUnits are the units the demo's open cases go to.
var liveUnits = []string{
	"u-mingyuan-property", "u-power", "u-hospital", "u-water", "u-police",
	"u-enforcement", "u-huayuan-property", "u-school",
}

// beijing is China Standard Time, which has no daylight saving.
var beijing = time.FixedZone("CST", 8*3600)

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// script writes the life of the i-th open case.
func script(id string, kind qilian.Kind, i int, rng *rand.Rand, now time.Time) life {
	g := liveGrids[i%len(liveGrids)]
	grid, axis := actorOf(g.worker), actorOf(g.axis)
	req := qilian.OpenRequest{
		ID: id, Kind: kind, Priority: qilian.PriorityNormal,
		LocalityID: g.grid, LocalityPath: localityPath(g.grid), GridID: g.grid,
	}
	if rng.IntN(8) == 0 {
		req.Priority = qilian.PriorityUrgent
	}
	yes := true
	unit, other := pick(rng, liveUnits), ""
	for other == "" || other == unit {
		other = pick(rng, liveUnits)
	}
	onTask := func(n qilian.ActionName, unit string, k int, note string) step {
		return step{time.Duration(1+rng.IntN(30)) * time.Hour, func(c *qilian.Case) qilian.Action {
			return qilian.Action{Name: n, Actor: staffOf(unit), TaskID: fmt.Sprintf("%s-t%d", c.ID, k), Note: note, Result: note}
		}}
	}
	byAxis := func(after time.Duration, a qilian.Action) step {
		a.Actor = axis
		return step{after, func(*qilian.Case) qilian.Action { return a }}
	}
	// A unit late to accept, now and then, so the board has something.
	slow := func(s step) step {
		if rng.IntN(3) == 0 {
			s.after = time.Duration(30+rng.IntN(60)) * time.Hour
		}
		return s
	}
	switch kind {
	case qilian.KindServiceLinkage:
		req.Title = pick(rng, historyTitles[kind])
		req.Reporter = qilian.Reporter{Name: "居民", Phone: "13800000000"}
		return life{req: req, by: grid, backdate: true, steps: []step{
			byAxis(time.Duration(20+rng.IntN(90))*time.Minute, qilian.Action{Name: qilian.ActDispatch,
				Assignments: []qilian.Assignment{{UnitID: unit, Role: qilian.TaskLead, Required: true}}}),
			slow(onTask(qilian.ActAccept, unit, 1, "")),
			onTask(qilian.ActProgress, unit, 1, "已安排人员处理"),
			slow(onTask(qilian.ActResolve, unit, 1, "已处理完毕")),
			byAxis(time.Duration(2+rng.IntN(20))*time.Hour, qilian.Action{Name: qilian.ActVerify, Pass: &yes}),
		}}
	case qilian.KindProblemSolving:
		req.Title = pick(rng, historyTitles[kind])
		return life{req: req, by: grid, backdate: true, steps: []step{
			byAxis(time.Duration(1+rng.IntN(4))*time.Hour, qilian.Action{Name: qilian.ActDispatch, Assignments: []qilian.Assignment{
				{UnitID: unit, Role: qilian.TaskLead, Required: true}, {UnitID: other, Role: qilian.TaskCo, Required: true}}}),
			slow(onTask(qilian.ActAccept, unit, 1, "")),
			onTask(qilian.ActAccept, other, 2, ""),
			onTask(qilian.ActProgress, unit, 1, "已召集相关方现场踏勘"),
			onTask(qilian.ActResolve, other, 2, "配合工作已完成"),
			slow(onTask(qilian.ActResolve, unit, 1, "协调方案已落实")),
		}}
	case qilian.KindRegionalCoordination:
		req.Title = "河道沿线环境综合整治"
		req.LocalityID, req.LocalityPath, req.GridID = axis.LocalityID, axis.LocalityPath, ""
		third := "u-enforcement"
		if unit == third || other == third {
			third = "u-police"
		}
		if unit == third || other == third {
			third = "u-water"
		}
		return life{req: req, by: axis, backdate: true, steps: []step{
			byAxis(time.Hour, qilian.Action{Name: qilian.ActDispatch, Assignments: []qilian.Assignment{
				{UnitID: unit, Role: qilian.TaskCo, Required: true}, {UnitID: other, Role: qilian.TaskCo, Required: true},
				{UnitID: third, Role: qilian.TaskCo, Required: false}}}),
			onTask(qilian.ActAccept, unit, 1, ""),
			slow(onTask(qilian.ActAccept, other, 2, "")),
			onTask(qilian.ActProgress, unit, 1, "已完成沿线摸排"),
			onTask(qilian.ActResolve, unit, 1, "本单位段落整治完成"),
		}}
	case qilian.KindResourceSharing:
		r := Resources[i%len(Resources)]
		// One window per case and resource, so no two approvals meet.
		from := now.Truncate(time.Hour).Add(time.Duration(24*(2+i)) * time.Hour)
		booker := staffOf(pick(rng, []string{"u-mingyuan-property", "u-water", "u-police", "u-bank"}))
		req.Title = "借用" + r.Name + "开展活动"
		req.LocalityID, req.LocalityPath, req.GridID = g.grid, localityPath(g.grid), g.grid
		req.Details.Booking = &qilian.Booking{ResourceID: r.ID, OwnerUnitID: r.UnitID, From: from, To: from.Add(3 * time.Hour), Purpose: "主题党日活动"}
		return life{req: req, by: booker, steps: []step{
			{0, func(c *qilian.Case) qilian.Action {
				return qilian.Action{Name: qilian.ActApproveBooking, Actor: staffOf(r.UnitID), Note: "同意借用"}
			}},
		}}
	case qilian.KindJointConsultation:
		req.Title = "明苑小区停车方案协商"
		req.Category = "joint_consultation.parking_plan"
		voters := []string{"demo-unit", "demo-unit-power", "demo-unit-police", "demo-unit-school", "demo-unit-water"}
		req.Details.Consultation = &qilian.Consultation{
			Question: "地面停车位如何分配？", Options: []string{"按户抽签", "按月轮换"}, Participants: voters,
			Quorum: 3, Rule: qilian.RuleMajority, Deadline: now.Add(time.Duration(3+rng.IntN(5)) * 24 * time.Hour).Truncate(time.Hour),
		}
		vote := func(user, option string) step {
			return step{0, func(*qilian.Case) qilian.Action {
				return qilian.Action{Name: qilian.ActVote, Actor: actorOf(user), Option: option}
			}}
		}
		return life{req: req, by: axis, steps: []step{
			byAxis(0, qilian.Action{Name: qilian.ActOpenVoting, Note: "方案已在楼道公示"}),
			vote(voters[0], "按户抽签"), vote(voters[1], "按月轮换"), vote(voters[2], "按户抽签"),
		}}
	case qilian.KindJointActivity:
		// At nine in the morning, Beijing time, a few days ahead.
		day := now.In(beijing)
		starts := time.Date(day.Year(), day.Month(), day.Day()+3+rng.IntN(10), 9, 0, 0, 0, beijing)
		req.Title = "文明实践志愿服务日"
		req.Category = "joint_activity.volunteer_day"
		req.Details.Activity = &qilian.Activity{Capacity: 30, StartsAt: starts, EndsAt: starts.Add(3 * time.Hour), Venue: "东栅社区广场"}
		signUp := func(k int, name string) step {
			return step{0, func(*qilian.Case) qilian.Action {
				return qilian.Action{Name: qilian.ActSignUp, Actor: grid, Participant: &qilian.Participant{ID: fmt.Sprintf("%s-r%d", id, k), Name: name}}
			}}
		}
		return life{req: req, by: axis, steps: []step{
			byAxis(0, qilian.Action{Name: qilian.ActDispatch, Assignments: []qilian.Assignment{{UnitID: "u-volunteers", Role: qilian.TaskCo, Required: true}}}),
			{0, func(c *qilian.Case) qilian.Action {
				return qilian.Action{Name: qilian.ActAccept, Actor: staffOf("u-volunteers"), TaskID: c.ID + "-t1"}
			}},
			signUp(1, "王阿姨"), signUp(2, "刘师傅"), signUp(3, "陈同学"),
		}}
	default: // member management
		home := pick(rng, liveUnits)
		name := pick(rng, []string{"刘建国", "黄丽", "徐明", "马晓燕", "何军"})
		req.Title = name + "到社区报到"
		req.Category = "member_management.registration"
		req.Details.Member = &qilian.Member{Name: name, HomeUnitID: home}
		return life{req: req, by: axis, steps: []step{
			byAxis(0, qilian.Action{Name: qilian.ActAssignPost, Post: pick(rng, []string{"楼道长", "文明劝导员", "助老服务岗"})}),
			{0, func(c *qilian.Case) qilian.Action {
				return qilian.Action{Name: qilian.ActLogHours, Actor: staffOf(home),
					Hours: &qilian.HoursLog{Date: now.AddDate(0, 0, -1).Format(time.DateOnly), Hours: 2, Note: "助老服务"}}
			}},
		}}
	}
}
