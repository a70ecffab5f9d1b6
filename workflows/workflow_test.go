package workflows_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/activities"
	"github.com/qilian/qilian/configs"
	"github.com/qilian/qilian/workflows"
	"github.com/qilian/qilian/workflows/enginetest"
)

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// harness runs the case workflow under the time-skipping test server with
// the real policy and calendar; the read-model activity is replaced by a
// recorder, so the test sees exactly what would be projected, and when.
type harness struct {
	testsuite.WorkflowTestSuite
	env *testsuite.TestWorkflowEnvironment

	mu     sync.Mutex
	events []qilian.Event
	last   qilian.Case
}

func newHarness(t *testing.T, start time.Time, policy *qilian.Policy) *harness {
	return newHarnessOn(t, start, policy, nil)
}

// newHarnessOn is newHarness with the worker counting on cal, or on the
// configured calendar (lunar-go and configs/calendar) when cal is nil.
func newHarnessOn(t *testing.T, start time.Time, policy *qilian.Policy, cal qilian.WorkingTime) *harness {
	cfg, err := configs.Load("", func(string) (string, bool) { return "", false })
	require.NoError(t, err)
	p, err := cfg.Policy()
	require.NoError(t, err)
	if policy != nil {
		p = *policy
	}
	if cal == nil {
		standard, err := cfg.Calendar()
		require.NoError(t, err)
		cal = standard
	}
	h := &harness{}
	h.SetLogger(sdklog.NewStructuredLogger(enginetest.Quiet()))
	h.env = h.NewTestWorkflowEnvironment()
	h.env.SetStartTime(start)
	eng := &workflows.Engine{Policy: p, Calendar: cal}
	eng.Register(h.env)
	var a *activities.Activities
	h.env.RegisterActivity(a)
	h.env.OnActivity(a.SyncCase, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.SyncInput) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.events = append(h.events, in.Events...)
		if in.Case.Revision > h.last.Revision {
			h.last = in.Case
		}
		return nil
	})
	return h
}

// act schedules an action after delay and fails the test if it is refused.
func (h *harness) act(t *testing.T, delay time.Duration, a qilian.Action) {
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(workflows.UpdateAct, "", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { t.Errorf("%s refused: %v", a.Name, err) },
			OnAccept:   func() {},
			OnComplete: func(_ any, err error) { require.NoError(t, err, "%s", a.Name) },
		}, a)
	}, delay)
}

func (h *harness) ofType(typ qilian.EventType) []qilian.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []qilian.Event
	for _, e := range h.events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

var (
	grid  = qilian.Actor{UserID: "g", Role: qilian.RoleGridWorker, LocalityID: "g1", LocalityPath: "/county/s1/c1/g1/"}
	axis  = qilian.Actor{UserID: "a", Role: qilian.RoleAxis, LocalityID: "s1", LocalityPath: "/county/s1/"}
	staff = qilian.Actor{UserID: "u", Role: qilian.RoleUnitStaff, UnitID: "unit-a"}
)

func openReq(id string, kind qilian.Kind) qilian.OpenRequest {
	return qilian.OpenRequest{ID: id, Kind: kind, Title: "路面塌陷", Priority: qilian.PriorityNormal,
		LocalityID: "g1", LocalityPath: "/county/s1/c1/g1/", GridID: "g1"}
}

func dispatchLead() qilian.Action {
	return qilian.Action{Name: qilian.ActDispatch, Actor: axis, Assignments: []qilian.Assignment{{UnitID: "unit-a", Role: qilian.TaskLead, Required: true}}}
}

// A case dispatched on the last working day before the 2026 Spring
// Festival and accepted but never resolved climbs the whole ladder, each
// rung at the instant the working calendar says: the festival's nine days
// off do not count, the make-up Saturdays do.
func TestResolveDeadlineOverTheSpringFestivalClimbsTheLadder(t *testing.T) {
	t0 := at("2026-02-13 10:00") // Friday; Sat 14 is a make-up working day
	h := newHarness(t, t0, nil)
	h.act(t, time.Minute, dispatchLead())
	h.act(t, 2*time.Minute, qilian.Action{Name: qilian.ActAccept, Actor: staff, TaskID: "SF1-t1"})
	// Cancel long after the last rung so the workflow ends.
	h.act(t, 40*24*time.Hour, qilian.Action{Name: qilian.ActCancel, Actor: axis, Note: "测试结束"})
	h.env.ExecuteWorkflow(qilian.CaseWorkflowName, workflows.Input{Open: ptr(openReq("SF1", qilian.KindServiceLinkage)), Actor: grid})
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())

	// Deadlines count from dispatch, Fri 13 10:01. Seven working days of
	// 7h30: 5h59 left on Fri 13, Sat 14 (make-up), Feb 15–23 off, Tue 24 to
	// Fri 27, Sat 28 (make-up), and 1h31 of Mon 2 Mar.
	resolveBy := at("2026-03-02 10:01")
	warn := h.ofType(qilian.EventWarning)
	require.NotEmpty(t, warn)
	require.True(t, warn[len(warn)-1].At.Before(resolveBy))
	overdue := h.ofType(qilian.EventOverdue)
	require.Len(t, overdue, 1)
	require.Equal(t, resolveBy, overdue[0].At.In(shanghai), "overdue fires at resolve-by")

	esc := h.ofType(qilian.EventEscalated)
	var rungs []time.Time
	for _, e := range esc {
		rungs = append(rungs, e.At.In(shanghai))
	}
	// remind at breach, notice 4 working hours later (lunch break skipped),
	// whistle one working day later, county three working days later.
	require.Equal(t, []time.Time{
		resolveBy,
		at("2026-03-02 15:31"),
		at("2026-03-03 10:01"),
		at("2026-03-05 10:01"),
	}, rungs)
	for i, want := range []string{"remind", "notice", "whistle", "county"} {
		require.Equal(t, want, esc[i].Payload["action"], "rung %d", i)
	}
	require.Equal(t, 4, h.last.Tasks[0].Level)
	require.Equal(t, qilian.CaseCancelled, h.last.State)
}

// An approved extension moves the deadline, and the ladder then climbs
// from the new one.
func TestApprovedExtensionMovesTheLadder(t *testing.T) {
	t0 := at("2026-03-09 09:00") // Monday
	h := newHarness(t, t0, nil)
	h.act(t, time.Minute, dispatchLead())
	h.act(t, 2*time.Minute, qilian.Action{Name: qilian.ActAccept, Actor: staff, TaskID: "EX1-t1"})
	h.act(t, time.Hour, qilian.Action{Name: qilian.ActRequestExtension, Actor: staff, TaskID: "EX1-t1", Extra: qilian.Span{Days: 3}, Note: "需采购配件"})
	h.act(t, 2*time.Hour, qilian.Action{Name: qilian.ActApproveExtension, Actor: axis, ExtensionID: "EX1-t1-x1"})
	h.act(t, 30*24*time.Hour, qilian.Action{Name: qilian.ActCancel, Actor: axis, Note: "测试结束"})
	h.env.ExecuteWorkflow(qilian.CaseWorkflowName, workflows.Input{Open: ptr(openReq("EX1", qilian.KindServiceLinkage)), Actor: grid})
	require.NoError(t, h.env.GetWorkflowError())

	// Deadlines count from dispatch (09:01): 7 working days is Wed 18 Mar
	// 09:01; three more working days make it Mon 23 Mar 09:01.
	overdue := h.ofType(qilian.EventOverdue)
	require.Len(t, overdue, 1)
	require.Equal(t, at("2026-03-23 09:01"), overdue[0].At.In(shanghai))
	require.NotEmpty(t, h.ofType(qilian.EventOf(qilian.ActApproveExtension)))
}

// Units summoned by a whistle that do not report within 30 minutes are
// recorded as missed, and the case shows overdue.
func TestWhistleNotAnswered(t *testing.T) {
	t0 := at("2026-03-10 14:00")
	h := newHarness(t, t0, nil)
	h.act(t, time.Minute, dispatchLead())
	h.act(t, 2*time.Minute, qilian.Action{Name: qilian.ActWhistle, Actor: axis, Units: []string{"unit-b", "unit-c"}})
	h.act(t, 10*time.Minute, qilian.Action{Name: qilian.ActReport, Actor: qilian.Actor{UserID: "b", Role: qilian.RoleUnitStaff, UnitID: "unit-b"}})
	h.act(t, time.Hour, qilian.Action{Name: qilian.ActCancel, Actor: axis, Note: "测试结束"})
	h.env.ExecuteWorkflow(qilian.CaseWorkflowName, workflows.Input{Open: ptr(openReq("WH1", qilian.KindProblemSolving)), Actor: grid})
	require.NoError(t, h.env.GetWorkflowError())

	missed := h.ofType(qilian.EventWhistleMissed)
	require.Len(t, missed, 1)
	require.True(t, t0.Add(32*time.Minute).Equal(missed[0].At), "30 minutes after the whistle, got %v", missed[0].At)
}

// A consultation without quorum at its deadline ends with no_quorum.
func TestConsultationWithoutQuorum(t *testing.T) {
	t0 := at("2026-03-10 09:00")
	h := newHarness(t, t0, nil)
	req := openReq("JC9", qilian.KindJointConsultation)
	req.Details.Consultation = &qilian.Consultation{Question: "是否改造车棚", Options: []string{"是", "否"},
		Participants: []string{"a", "u", "x"}, Quorum: 2, Rule: qilian.RuleMajority, Deadline: t0.Add(48 * time.Hour)}
	h.act(t, 30*time.Minute, qilian.Action{Name: qilian.ActOpenVoting, Actor: axis})
	h.act(t, time.Hour, qilian.Action{Name: qilian.ActVote, Actor: axis, Option: "是"})
	h.act(t, 72*time.Hour, qilian.Action{Name: qilian.ActCancel, Actor: axis, Note: "测试结束"})
	h.env.ExecuteWorkflow(qilian.CaseWorkflowName, workflows.Input{Open: &req, Actor: axis})
	require.NoError(t, h.env.GetWorkflowError())
	decided := h.ofType(qilian.EventDecided)
	require.Len(t, decided, 1)
	require.True(t, t0.Add(48*time.Hour).Equal(decided[0].At), "decided at the deadline, got %v", decided[0].At)
	require.Equal(t, qilian.OutcomeNoQuorum, decided[0].Payload["outcome"])
}

func ptr[T any](v T) *T { return &v }
