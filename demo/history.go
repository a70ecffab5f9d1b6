package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/qilian/qilian"
)

// The demo's past: months of closed cases, so that the scores, the three
// rates and the trends have shape on the first look. The engine cannot
// backdate a workflow, and a closed case needs none, so each life is
// lived by the domain itself (Open and Decide at past times, on the real
// policy and calendar) and written to the read model as it ended, events
// and points included. Open cases go through the engine as any other.

// HistoryStore is where the past is written.
type HistoryStore interface {
	SyncCase(ctx context.Context, c qilian.Case, events []qilian.Event) error
}

// historyUnits are the units the demo's past dispatches to: those with a
// demo user, whose staff act in the lives.
var historyUnits = []struct{ unit, user string }{
	{"u-mingyuan-property", "demo-unit"},
	{"u-power", "demo-unit-power"},
	{"u-hospital", "demo-unit-hospital"},
}

// historyTitles are what residents report, by kind.
var historyTitles = map[qilian.Kind][]string{
	qilian.KindServiceLinkage: {"楼道堆物影响通行", "小区路灯不亮", "垃圾分类点异味", "电梯故障停运", "楼顶漏水", "门诊预约咨询"},
	qilian.KindProblemSolving: {"老旧小区加装电梯协调", "停车位紧张矛盾", "沿街商铺油烟扰民"},
}

// History writes n closed cases opened over the months before now, with
// a seed so that the same call writes the same past. Case IDs are
// derived from the seed and the index, so a second call with the same
// seed rewrites the same cases and duplicates nothing.
func History(ctx context.Context, s HistoryStore, now time.Time, n int, seed uint64, policy qilian.Policy, cal qilian.WorkingTime) error {
	rng := rand.New(rand.NewPCG(seed, 0x71a7))
	sched := qilian.NewScheduler(policy, cal)
	grid := qilian.Actor{UserID: "demo-grid", Role: qilian.RoleGridWorker, LocalityID: "dongzha-g1", LocalityPath: "/nanhu/jianshe/dongzha/dongzha-g1/"}
	axis := qilian.Actor{UserID: "demo-axis", Role: qilian.RoleAxis, LocalityID: "jianshe", LocalityPath: "/nanhu/jianshe/"}
	kinds := []qilian.Kind{qilian.KindServiceLinkage, qilian.KindServiceLinkage, qilian.KindServiceLinkage, qilian.KindProblemSolving}
	for i := range n {
		kind := kinds[rng.IntN(len(kinds))]
		titles := historyTitles[kind]
		// Spread over about 120 days, none in the last week.
		at := now.Add(-time.Duration(7*24+rng.IntN(113*24)) * time.Hour).Truncate(time.Minute)
		req := qilian.OpenRequest{
			ID: fmt.Sprintf("QL-DEMO-%d-%04d", seed, i), Kind: kind, Title: titles[rng.IntN(len(titles))],
			Priority: qilian.PriorityNormal, LocalityID: grid.LocalityID, LocalityPath: grid.LocalityPath, GridID: grid.LocalityID,
			Reporter: qilian.Reporter{Name: "居民", Phone: "13800000000"},
		}
		if kind == qilian.KindProblemSolving {
			req.Reporter = qilian.Reporter{}
		}
		c, evs, err := qilian.Open(req, grid, at, policy)
		if err != nil {
			return fmt.Errorf("history case %d: %w", i, err)
		}
		all := append([]qilian.Event(nil), evs...)
		u := historyUnits[rng.IntN(len(historyUnits))]
		staff := qilian.Actor{UserID: u.user, Role: qilian.RoleUnitStaff, UnitID: u.unit}
		yes, no := true, false
		// Most units keep their deadlines; some accept or resolve late.
		late := rng.IntN(5) == 0
		step := func(after time.Duration, a qilian.Action) error {
			at = at.Add(after)
			all = append(all, fireUntil(&c, at)...)
			evs, err := c.Decide(a, at, sched)
			if err != nil {
				return fmt.Errorf("history case %d, %s: %w", i, a.Name, err)
			}
			c.Apply(evs)
			all = append(all, evs...)
			return nil
		}
		acceptAfter, resolveAfter := time.Duration(1+rng.IntN(4))*time.Hour, time.Duration(1+rng.IntN(4))*24*time.Hour
		if late {
			acceptAfter, resolveAfter = time.Duration(72+rng.IntN(72))*time.Hour, time.Duration(16+rng.IntN(10))*24*time.Hour
		}
		satisfied := &yes
		if rng.IntN(6) == 0 {
			satisfied = &no
		}
		steps := []struct {
			after time.Duration
			a     qilian.Action
		}{
			{time.Duration(20+rng.IntN(90)) * time.Minute, qilian.Action{Name: qilian.ActDispatch, Actor: axis,
				Assignments: []qilian.Assignment{{UnitID: u.unit, Role: qilian.TaskLead, Required: true}}}},
			{acceptAfter, qilian.Action{Name: qilian.ActAccept, Actor: staff, TaskID: c.ID + "-t1"}},
			{resolveAfter / 2, qilian.Action{Name: qilian.ActProgress, Actor: staff, TaskID: c.ID + "-t1", Note: "已安排人员处理"}},
			{resolveAfter / 2, qilian.Action{Name: qilian.ActResolve, Actor: staff, TaskID: c.ID + "-t1", Result: "已处理完毕"}},
			{time.Duration(2+rng.IntN(20)) * time.Hour, qilian.Action{Name: qilian.ActVerify, Actor: axis, Pass: &yes}},
		}
		for _, s := range steps {
			if err := step(s.after, s.a); err != nil {
				return err
			}
		}
		if c.State == qilian.CaseFollowUp {
			if err := step(time.Duration(1+rng.IntN(48))*time.Hour, qilian.Action{Name: qilian.ActFollowUp, Actor: grid, Satisfied: satisfied}); err != nil {
				return err
			}
		}
		if c.State == qilian.CaseDispatching {
			// The resident was not satisfied: the case went back to
			// dispatching, and the axis closed it after a second look.
			if err := step(24*time.Hour, qilian.Action{Name: qilian.ActCancel, Actor: axis, Note: "经复核已另案处理"}); err != nil {
				return err
			}
		}
		if !c.State.Terminal() {
			return fmt.Errorf("history case %d ended %s, not closed", i, c.State)
		}
		if err := s.SyncCase(ctx, c, all); err != nil {
			return fmt.Errorf("history case %d: %w", i, err)
		}
	}
	return nil
}

// fireUntil fires the case's timers that come up to t, as the case
// workflow fires them (warnings, breaches, the ladder), and returns their
// events, applied.
func fireUntil(c *qilian.Case, t time.Time) []qilian.Event {
	var out []qilian.Event
	for guard := 0; guard < 100; guard++ {
		wake, ok := c.NextWakeup()
		if !ok || wake.After(t) {
			break
		}
		evs := c.Tick(wake)
		c.Apply(evs)
		out = append(out, evs...)
	}
	return out
}
