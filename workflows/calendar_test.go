package workflows_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/calendar"
	"github.com/qilian/qilian/configs"
	"github.com/qilian/qilian/workflows"
	"github.com/qilian/qilian/workflows/enginetest"
)

// cancelLater ends a test's case long after its deadlines.
func (h *harness) cancelLater(t *testing.T, after time.Duration) {
	h.act(t, after, qilian.Action{Name: qilian.ActCancel, Actor: axis, Note: "测试结束"})
}

// taskAt records the first task as the case stands after the delayed
// callbacks up to after have run.
func (h *harness) taskAt(after time.Duration, into *qilian.Task) {
	h.env.RegisterDelayedCallback(func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if len(h.last.Tasks) > 0 {
			*into = h.last.Tasks[0]
		}
	}, after)
}

// dispatched runs a problem-solving case on h: dispatched to unit-a after
// dispatchAfter, accepted a minute later when accept is set, cancelled
// after 60 days. It returns the task as it stood an hour in.
func (h *harness) dispatched(t *testing.T, id string, dispatchAfter time.Duration, accept bool) qilian.Task {
	t.Helper()
	h.act(t, dispatchAfter, dispatchLead())
	if accept {
		h.act(t, dispatchAfter+time.Minute, qilian.Action{Name: qilian.ActAccept, Actor: staff, TaskID: id + "-t1"})
	}
	var tk qilian.Task
	h.taskAt(time.Hour, &tk)
	h.cancelLater(t, 60*24*time.Hour)
	h.env.ExecuteWorkflow(qilian.CaseWorkflowName, workflows.Input{Open: ptr(openReq(id, qilian.KindProblemSolving)), Actor: grid})
	require.NoError(t, h.env.GetWorkflowError())
	return tk
}

// Dispatched on Sunday 20 December 2026, a problem-solving case's 15
// working days run from Monday the 21st over New Year on the official 2027
// arrangement: 21–25 and 28–31 December are nine days, 1–3 January rest,
// 4–8 January make fourteen and Monday 11 January the fifteenth.
func TestDispatchedInLateDecemberTheResolveByIsOn2027OfficialData(t *testing.T) {
	h := newHarness(t, at("2026-12-20 10:00"), nil)
	tk := h.dispatched(t, "DEC1", time.Minute, true)

	require.Equal(t, at("2027-01-11 17:30"), tk.ResolveBy.Due.In(shanghai))
	require.False(t, tk.ResolveBy.Provisional)
	require.False(t, tk.AcceptBy.Provisional)
	var resolveOverdue []qilian.Event
	for _, e := range h.ofType(qilian.EventOverdue) {
		if e.Payload["deadline"] == "resolve_by" {
			resolveOverdue = append(resolveOverdue, e)
		}
	}
	require.Len(t, resolveOverdue, 1)
	require.Equal(t, at("2027-01-11 17:30"), resolveOverdue[0].At.In(shanghai), "the resolve-by's timer fires there")
}

// With the clock at 20 December 2028 there is no official data for 2028's
// end or for 2029 (lunar-go v1.4.7 stops at 2027): the case is taken,
// its deadlines are counted on the rules and say they are provisional.
func TestPastTheOfficialYearsDeadlinesAreProvisionalNotRefused(t *testing.T) {
	h := newHarness(t, at("2028-12-20 10:00"), nil)
	tk := h.dispatched(t, "P2029", time.Minute, false)

	require.True(t, tk.AcceptBy.Provisional)
	require.True(t, tk.ResolveBy.Provisional)
	// Fifteen working days after Wed 20 Dec 10:01: 21–22 and 25–29
	// December (7), 1 January rests by rule, 2–5 January (11), 8–11
	// January (15), ending at 10:01.
	require.Equal(t, at("2029-01-11 10:01"), tk.ResolveBy.Due.In(shanghai))
	var offered *qilian.Task
	for _, e := range h.ofType(qilian.EventOf(qilian.ActDispatch)) {
		if e.Task != nil {
			offered = e.Task
		}
	}
	require.NotNil(t, offered)
	require.True(t, offered.ResolveBy.Provisional, "the audit trail's event carries the mark")
}

// A 15-working-day deadline across the 2027 Spring Festival lands where
// the official arrangement says: the make-up Sunday 31 January counts,
// 5–13 February rest, Sunday 14 February works.
func TestFifteenWorkingDaysAcrossThe2027SpringFestival(t *testing.T) {
	h := newHarness(t, at("2027-01-25 08:00"), nil) // Monday
	tk := h.dispatched(t, "SF27", 30*time.Minute, false)
	// 25–29 Jan (5), 31 Jan (6), 1–4 Feb (10), 14–18 Feb (15).
	require.Equal(t, at("2027-02-18 17:30"), tk.ResolveBy.Due.In(shanghai))
	require.False(t, tk.ResolveBy.Provisional)
}

// switchable is a worker's calendar that a test can replace, standing for
// a worker restarted on a newer lunar-go or with an admin's file.
type switchable struct {
	mu  sync.Mutex
	cur qilian.WorkingTime
}

func (s *switchable) now() qilian.WorkingTime {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

func (s *switchable) set(w qilian.WorkingTime) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur = w
}

func (s *switchable) Add(t time.Time, d time.Duration) (time.Time, error) { return s.now().Add(t, d) }
func (s *switchable) Between(a, b time.Time) (time.Duration, error)       { return s.now().Between(a, b) }
func (s *switchable) PerDay() time.Duration                               { return s.now().PerDay() }
func (s *switchable) Provisional(a, b time.Time) bool                     { return s.now().Provisional(a, b) }

// calendars returns the calendar of the 2026 file alone, on which 2027 is
// provisional, and the configured one, on which it is official.
func calendars(t *testing.T) (before, after qilian.WorkingTime) {
	t.Helper()
	only2026, err := calendar.LoadFS(os.DirFS("../configs/calendar"), ".")
	require.NoError(t, err)
	cfg, err := configs.Load("", func(string) (string, bool) { return "", false })
	require.NoError(t, err)
	standard, err := cfg.Calendar()
	require.NoError(t, err)
	return only2026, standard
}

// A low-priority problem-solving case (30 working days) dispatched on Mon
// 28 December 2026 10:01 while 2027 is provisional: 29–31 December (3),
// 4–29 January (23), 1–4 February (27); the rules rest 5 and 8 February
// and make up nothing, so 9–11 February (30), due 11 February 10:01. Once
// the official arrangement is in, the case counts again on the retime
// signal: Sunday 31 January works (24), 1–4 February (28), 5–13 February
// rest, 14–15 February (30): due 15 February 10:01.
func TestRetimeMovesAProvisionalDeadlineOnceTheYearIsOfficial(t *testing.T) {
	before, after := calendars(t)
	cal := &switchable{cur: before}
	h := newHarnessOn(t, at("2026-12-28 10:00"), nil, cal)
	h.act(t, time.Minute, dispatchLead())
	h.act(t, 2*time.Minute, qilian.Action{Name: qilian.ActAccept, Actor: staff, TaskID: "RT1-t1"})
	var was, now qilian.Task
	h.taskAt(time.Hour, &was)
	h.env.RegisterDelayedCallback(func() {
		cal.set(after)
		h.env.SignalWorkflow(workflows.SignalRetime, nil)
	}, 2*time.Hour)
	h.env.RegisterDelayedCallback(func() { h.env.SignalWorkflow(workflows.SignalRetime, nil) }, 3*time.Hour)
	h.taskAt(4*time.Hour, &now)
	h.cancelLater(t, 90*24*time.Hour)
	req := openReq("RT1", qilian.KindProblemSolving)
	req.Priority = qilian.PriorityLow
	h.env.ExecuteWorkflow(qilian.CaseWorkflowName, workflows.Input{Open: &req, Actor: grid})
	require.NoError(t, h.env.GetWorkflowError())

	require.True(t, was.ResolveBy.Provisional)
	require.Equal(t, at("2027-02-11 10:01"), was.ResolveBy.Due.In(shanghai))
	require.False(t, now.ResolveBy.Provisional)
	require.Equal(t, at("2027-02-15 10:01"), now.ResolveBy.Due.In(shanghai))

	retimed := h.ofType(qilian.EventRetimed)
	require.Len(t, retimed, 1, "the second signal finds nothing left to count again")
	ev := retimed[0]
	require.Equal(t, qilian.System.UserID, ev.Actor.UserID)
	require.Equal(t, "resolve_by", ev.Ref)
	require.Equal(t, at("2027-02-11 10:01"), payloadTime(t, ev, "old_due"))
	require.Equal(t, at("2027-02-15 10:01"), payloadTime(t, ev, "new_due"))
	require.Equal(t, false, ev.Payload["provisional"])
	overdue := h.ofType(qilian.EventOverdue)
	require.Len(t, overdue, 1)
	require.Equal(t, at("2027-02-15 10:01"), overdue[0].At.In(shanghai), "the timer runs to the new resolve-by")
}

// payloadTime reads an instant of an event's payload, which crossed
// Temporal as JSON.
func payloadTime(t *testing.T, ev qilian.Event, key string) time.Time {
	t.Helper()
	s, ok := ev.Payload[key].(string)
	require.True(t, ok, "%s: %v", key, ev.Payload[key])
	v, err := time.Parse(time.RFC3339, s)
	require.NoError(t, err)
	return v.In(shanghai)
}

// On the real server: a case dispatched while the coming months have no
// official data is marked in the read model; a worker that starts on a
// calendar where they are official finds it, signals it, and the case
// records the re-timing. The years are made official here from the rules
// themselves, so the test means the same whatever today's date: the count
// comes out the same and only the mark goes.
func TestRetimeSweepOnTheEmbeddedServer(t *testing.T) {
	none, err := calendar.New() // every year provisional
	require.NoError(t, err)
	cal := &switchable{cur: none}
	env := enginetest.Start(t, enginetest.Options{Calendar: cal})
	ctx := context.Background()
	d, _ := open(t, env, "demo-grid", qilian.OpenRequest{ID: "RT2", Kind: qilian.KindProblemSolving, Title: "路灯不亮",
		LocalityID: "dongzha-g1", Priority: qilian.PriorityLow})
	c := d.act("demo-axis", qilian.Action{Name: qilian.ActDispatch, Assignments: []qilian.Assignment{{UnitID: "u-mingyuan-property", Role: qilian.TaskLead, Required: true}}})
	require.True(t, c.Tasks[0].ResolveBy.Provisional)
	k := env.Engine

	ids, err := env.DB.ProvisionalCases(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"RT2"}, ids)
	n, err := k.RetimeProvisional(ctx, env.DB, none, time.Now())
	require.NoError(t, err)
	require.Zero(t, n, "nothing would move on the same calendar: no signal")

	var official []calendar.Year
	for y := time.Now().Year() - 1; y <= time.Now().Year()+1; y++ {
		yr, err := calendar.Provisional(y)
		require.NoError(t, err)
		yr.Provisional, yr.Origin = false, "official (test)"
		official = append(official, yr)
	}
	after, err := calendar.New(official...)
	require.NoError(t, err)
	cal.set(after)
	n, err = k.RetimeProvisional(ctx, env.DB, after, time.Now())
	require.NoError(t, err)
	require.Equal(t, 1, n)

	require.Eventually(t, func() bool {
		ids, err := env.DB.ProvisionalCases(ctx)
		return err == nil && len(ids) == 0
	}, 30*time.Second, 50*time.Millisecond, "the re-timed case leaves the provisional list")
	evs, err := env.DB.Events(ctx, "RT2")
	require.NoError(t, err)
	var retimed []qilian.Event
	for _, e := range evs {
		if e.Type == qilian.EventRetimed {
			retimed = append(retimed, e)
		}
	}
	require.NotEmpty(t, retimed)
	for _, e := range retimed {
		require.Equal(t, qilian.System.UserID, e.Actor.UserID)
		require.Equal(t, false, e.Payload["provisional"])
	}
	snap, err := env.DB.CaseSnapshot(ctx, "RT2")
	require.NoError(t, err)
	require.False(t, snap.Tasks[0].ResolveBy.Provisional)
	require.True(t, snap.Tasks[0].ResolveBy.Due.Equal(c.Tasks[0].ResolveBy.Due), "the same count, now official")

	d.act("demo-axis", qilian.Action{Name: qilian.ActCancel, Note: "测试结束"})
	recordHistory(t, env.Temporal, "RT2", "retime")
}
