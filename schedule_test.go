package qilian_test

import (
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/calendar"
)

// officeHours adapts the official calendar to qilian.WorkingTime.
type officeHours struct{ *calendar.Calendar }

func (o officeHours) PerDay() time.Duration { return o.Hours().PerDay() }

func officialCalendar(t *testing.T) (qilian.WorkingTime, *time.Location) {
	t.Helper()
	cal, err := calendar.LoadFS(os.DirFS("configs/calendar"), ".")
	require.NoError(t, err)
	loc, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	return officeHours{cal}, loc
}

// missingYear fails the way the calendar does for a year it cannot count
// even provisionally, centuries away.
type missingYear struct{ hourly }

func (missingYear) Add(time.Time, time.Duration) (time.Time, error) {
	return time.Time{}, fmt.Errorf("calendar: date outside the covered years: 2300: no official data, and provisional years run from 1901 to 2199")
}

func TestSchedulerWallClockIsPlainArithmetic(t *testing.T) {
	s := qilian.NewScheduler(testPolicy(), nil) // no calendar needed on the wall clock
	accept, resolve, err := s.Deadlines(qilian.KindServiceLinkage, qilian.PriorityEmergency, t0)
	require.NoError(t, err)
	require.Equal(t, qilian.Deadline{
		Due: t0.Add(time.Hour), WarnAt: t0.Add(48 * time.Minute), Clock: qilian.ClockWall,
		Steps: []time.Time{t0.Add(time.Hour), t0.Add(5 * time.Hour), t0.Add(25 * time.Hour), t0.Add(73 * time.Hour)},
	}, accept)
	require.Equal(t, t0.Add(2*time.Hour), resolve.Due)
	require.Equal(t, t0.Add(96*time.Minute), resolve.WarnAt)
}

func TestSchedulerWorkingDaysCountWholeWorkingDays(t *testing.T) {
	accept, resolve, err := sched.Deadlines(qilian.KindServiceLinkage, qilian.PriorityNormal, t0)
	require.NoError(t, err)
	require.Equal(t, qilian.Deadline{
		Due: t0.Add(8 * time.Hour), WarnAt: t0.Add(6*time.Hour + 24*time.Minute), Clock: qilian.ClockWorking,
		// remind 0, notice 4h, whistle 1 working day, county 3 working days
		Steps: []time.Time{t0.Add(8 * time.Hour), t0.Add(12 * time.Hour), t0.Add(16 * time.Hour), t0.Add(32 * time.Hour)},
		From:  t0, Span: qilian.Span{Days: 1},
	}, accept)
	require.Equal(t, t0.Add(56*time.Hour), resolve.Due)

	_, resolve, err = sched.Deadlines(qilian.KindProblemSolving, qilian.PriorityNormal, t0)
	require.NoError(t, err)
	require.Equal(t, t0.Add(120*time.Hour), resolve.Due, "the kind's own rule wins over the default")

	at, err := sched.After(t0, qilian.Span{Days: 1, Time: 30 * time.Minute}, qilian.ClockWorking)
	require.NoError(t, err)
	require.Equal(t, t0.Add(8*time.Hour+30*time.Minute), at)
}

func TestSchedulerExtendCountsFromTheOldDueTime(t *testing.T) {
	_, resolve, err := sched.Deadlines(qilian.KindServiceLinkage, qilian.PriorityNormal, t0)
	require.NoError(t, err)
	ext, err := sched.Extend(resolve, qilian.Span{Days: 2})
	require.NoError(t, err)
	due := t0.Add(72 * time.Hour)
	require.Equal(t, qilian.Deadline{
		Due: due, WarnAt: resolve.Due.Add(12*time.Hour + 48*time.Minute), Clock: qilian.ClockWorking,
		Steps: []time.Time{due, due.Add(4 * time.Hour), due.Add(8 * time.Hour), due.Add(24 * time.Hour)},
		From:  resolve.Due, Span: qilian.Span{Days: 2},
	}, ext)
	_, err = sched.Extend(resolve, qilian.Span{})
	require.ErrorIs(t, err, qilian.ErrInvalid)
}

func TestSchedulerRefusesWhatItCannotCompute(t *testing.T) {
	_, _, err := qilian.NewScheduler(testPolicy(), missingYear{}).Deadlines(qilian.KindServiceLinkage, qilian.PriorityNormal, t0)
	require.ErrorIs(t, err, qilian.ErrInvalid)
	require.Contains(t, qilian.ErrorMessage(err), "2300: no official data", "the calendar's reason is kept")

	p := testPolicy()
	delete(p.Deadlines[""], qilian.PriorityLow)
	_, _, err = qilian.NewScheduler(p, hourly{}).Deadlines(qilian.KindServiceLinkage, qilian.PriorityLow, t0)
	require.ErrorIs(t, err, qilian.ErrInvalid)

	_, err = qilian.NewScheduler(p, nil).After(t0, qilian.Span{Days: 1}, qilian.ClockWorking)
	require.Equal(t, qilian.EINTERNAL, qilian.ErrorCode(err), "working time without a calendar is a wiring bug")
	_, err = sched.After(t0, qilian.Span{Days: 1}, "lunar")
	require.ErrorIs(t, err, qilian.ErrInvalid)
}

func TestDispatchRefusesWhenTheCalendarCannotCount(t *testing.T) {
	c := open(t, request(qilian.KindServiceLinkage), grid)
	_, err := c.Decide(dispatch(lead(unitA)), t0, qilian.NewScheduler(testPolicy(), missingYear{}))
	require.ErrorIs(t, err, qilian.ErrInvalid)
	require.Contains(t, qilian.ErrorMessage(err), "provisional years run")
}

// Friday 2026-02-13 is the last working day before the Spring Festival;
// Saturday the 14th is a make-up working day, the 15th to the 23rd are
// off, and Saturday the 28th is another make-up working day. Working hours
// are 08:30-12:00 and 13:30-17:30, 7.5 hours a day.
func TestDeadlinesOnThe2026OfficialCalendar(t *testing.T) {
	work, loc := officialCalendar(t)
	at := func(month time.Month, day, hour, min int) time.Time {
		return time.Date(2026, month, day, hour, min, 0, 0, loc)
	}
	from := at(2, 13, 10, 0)
	s := qilian.NewScheduler(testPolicy(), work)
	c := open(t, request(qilian.KindServiceLinkage), grid)
	stepWith(t, c, dispatch(lead(unitA)), from, s)
	tk := task(t, c, "C1-t1")

	// Accept within 1 working day (7.5h): 6h left on Friday, 1.5h on the
	// make-up Saturday. 80% is 6h, which ends Friday's afternoon exactly.
	require.Equal(t, qilian.Deadline{
		Due:    at(2, 14, 10, 0),
		WarnAt: at(2, 13, 17, 30),
		Clock:  qilian.ClockWorking,
		Steps: []time.Time{
			at(2, 14, 10, 0),  // remind at the breach
			at(2, 14, 15, 30), // notice 4h later: 2h before lunch, 2h after
			at(2, 24, 10, 0),  // whistle 7.5h later: 6h on Saturday, 1.5h after the holiday
			at(2, 26, 10, 0),  // county 22.5h later: 6h + 7.5h + 7.5h + 1.5h
		},
		From: from, Span: qilian.Span{Days: 1},
	}, tk.AcceptBy)

	// Resolve within 7 working days (52.5h): Fri 6h, Sat 14th, Tue 24th to
	// Sat 28th, then 1.5h on Monday 2 March. 80% is 42h: 36h by Thursday
	// the 26th, then 3.5h + 2.5h on Friday the 27th.
	require.Equal(t, qilian.Deadline{
		Due:    at(3, 2, 10, 0),
		WarnAt: at(2, 27, 16, 0),
		Clock:  qilian.ClockWorking,
		Steps:  []time.Time{at(3, 2, 10, 0), at(3, 2, 15, 30), at(3, 3, 10, 0), at(3, 5, 10, 0)},
		From:   from, Span: qilian.Span{Days: 7},
	}, tk.ResolveBy)
}

func TestTickClimbsTheLadderAtTheCalendarInstants(t *testing.T) {
	work, loc := officialCalendar(t)
	at := func(month time.Month, day, hour, min int) time.Time {
		return time.Date(2026, month, day, hour, min, 0, 0, loc)
	}
	s := qilian.NewScheduler(testPolicy(), work)
	c := open(t, request(qilian.KindServiceLinkage), grid)
	stepWith(t, c, dispatch(lead(unitA)), at(2, 13, 10, 0), s)

	type rung struct{ action, target string }
	want := []struct {
		at     time.Time
		types  []qilian.EventType
		rungs  []rung
		level  int
		overdu bool
	}{
		{at(2, 13, 17, 30), []qilian.EventType{qilian.EventWarning}, nil, 0, false},
		{at(2, 14, 10, 0), []qilian.EventType{qilian.EventOverdue, qilian.EventEscalated}, []rung{{"remind", "unit"}}, 1, true},
		{at(2, 14, 15, 30), []qilian.EventType{qilian.EventEscalated}, []rung{{"notice", "community"}}, 2, true},
		{at(2, 24, 10, 0), []qilian.EventType{qilian.EventEscalated}, []rung{{"whistle", "street"}}, 3, true},
		{at(2, 26, 10, 0), []qilian.EventType{qilian.EventEscalated}, []rung{{"county", "county"}}, 4, true},
	}
	for _, w := range want {
		next, ok := c.NextWakeup()
		require.True(t, ok)
		require.Equal(t, w.at, next)
		require.Empty(t, tick(t, c, w.at.Add(-time.Second)), "nothing before %s", w.at)
		evs := tick(t, c, w.at)
		require.Equal(t, w.types, types(evs), "at %s", w.at)
		var got []rung
		for _, ev := range evs {
			require.Equal(t, qilian.System, ev.Actor)
			require.Equal(t, "C1-t1", ev.TaskID)
			require.Equal(t, "accept_by", ev.Payload["deadline"])
			if ev.Type == qilian.EventEscalated {
				got = append(got, rung{ev.Payload["action"].(string), ev.Payload["target"].(string)})
			}
			if ev.Type == qilian.EventOverdue {
				require.Equal(t, []qilian.PointsEvent{{Kind: qilian.PointsOverdue, SubjectType: "unit", SubjectID: unitA, Quantity: 1, At: w.at}}, ev.Points)
			}
		}
		require.Equal(t, w.rungs, got)
		require.Equal(t, w.level, c.Level)
		require.Equal(t, w.overdu, c.Overdue)
		require.Empty(t, c.Tick(w.at), "each event fires once")
	}
	_, ok := c.NextWakeup()
	require.False(t, ok, "the ladder is climbed; the offered task waits for the axis")

	// A late acceptance switches to the resolve-by deadline and starts
	// its ladder afresh.
	evs := stepWith(t, c, on(qilian.ActAccept, staff(unitA), "C1-t1"), at(2, 26, 11, 0), s)
	require.Empty(t, points(evs), "no points for a late acceptance")
	require.Zero(t, c.Level)
	require.False(t, c.Overdue)
	next, ok := c.NextWakeup()
	require.True(t, ok)
	require.Equal(t, at(2, 27, 16, 0), next)
	evs = tick(t, c, at(3, 2, 10, 0))
	require.Equal(t, []qilian.EventType{qilian.EventWarning, qilian.EventOverdue, qilian.EventEscalated}, types(evs), "a late tick catches up in order")
	require.Equal(t, "resolve_by", evs[1].Payload["deadline"])
}

func TestNextWakeupAlwaysMovesOn(t *testing.T) {
	c := open(t, request(qilian.KindProblemSolving), axis)
	step(t, c, dispatch(lead(unitA)), t0)
	step(t, c, dispatch(co(unitB, true)), t0.Add(90*time.Minute))
	step(t, c, qilian.Action{Name: qilian.ActWhistle, Actor: axis, Units: []string{unitC}}, t0.Add(3*time.Hour))
	step(t, c, on(qilian.ActAccept, staff(unitB), "C1-t2"), t0.Add(4*time.Hour))

	var prev time.Time
	fired := map[qilian.EventType]int{}
	for i := 0; ; i++ {
		require.Less(t, i, 100, "NextWakeup does not settle")
		next, ok := c.NextWakeup()
		if !ok {
			break
		}
		require.True(t, next.After(prev), "wakeup %s is not after %s", next, prev)
		evs := tick(t, c, next)
		require.NotEmpty(t, evs, "woken at %s for nothing", next)
		for _, ev := range evs {
			fired[ev.Type]++
		}
		prev = next
	}
	require.Equal(t, map[qilian.EventType]int{
		qilian.EventWarning: 2, qilian.EventOverdue: 2, qilian.EventEscalated: 8, qilian.EventWhistleMissed: 1,
	}, fired)
	require.Equal(t, 4, c.Level)
	require.True(t, c.Overdue)
}

func TestRegionalTasksOweProgressReports(t *testing.T) {
	c := open(t, request(qilian.KindRegionalCoordination), axis)
	step(t, c, dispatch(co(unitA, true)), t0)
	accepted := t0.Add(time.Hour)
	step(t, c, on(qilian.ActAccept, staff(unitA), "C1-t1"), accepted)
	due := accepted.Add(40 * time.Hour) // 5 working days of 8 hours
	require.Equal(t, due, task(t, c, "C1-t1").NextReportDue)
	require.Equal(t, 40*time.Hour, task(t, c, "C1-t1").ReportEvery)

	reports := func(evs []qilian.Event) []qilian.Event {
		var out []qilian.Event
		for _, ev := range evs {
			if ev.Type == qilian.EventReportMissing {
				out = append(out, ev)
			}
		}
		return out
	}
	require.Empty(t, reports(tick(t, c, due.Add(-time.Second))))
	evs := reports(tick(t, c, due))
	require.Len(t, evs, 1)
	require.Equal(t, due.Add(40*time.Hour), evs[0].NextReportDue)
	require.Equal(t, due.Add(40*time.Hour), task(t, c, "C1-t1").NextReportDue)

	// A tick long overdue reminds once and moves past now.
	late := due.Add(150 * time.Hour)
	evs = reports(tick(t, c, late))
	require.Len(t, evs, 1)
	require.Equal(t, due.Add(160*time.Hour), task(t, c, "C1-t1").NextReportDue)

	p := on(qilian.ActProgress, staff(unitA), "C1-t1")
	p.Note = "已完成 3 处"
	step(t, c, p, late.Add(time.Hour))
	require.Equal(t, late.Add(41*time.Hour), task(t, c, "C1-t1").NextReportDue, "the report starts a new period")
	require.Equal(t, 1, c.Details.Regional.Reports["C1-t1"])
}

func TestWhistleNotAnswered(t *testing.T) {
	c := open(t, request(qilian.KindProblemSolving), axis)
	step(t, c, qilian.Action{Name: qilian.ActWhistle, Actor: axis, Units: []string{unitA, unitB}}, t0)
	step(t, c, qilian.Action{Name: qilian.ActReport, Actor: staff(unitA)}, t0.Add(10*time.Minute))
	due := t0.Add(30 * time.Minute)
	next, ok := c.NextWakeup()
	require.True(t, ok)
	require.Equal(t, due, next)
	require.Empty(t, tick(t, c, due.Add(-time.Second)))

	evs := tick(t, c, due)
	require.Equal(t, []qilian.EventType{qilian.EventWhistleMissed}, types(evs))
	require.Equal(t, "C1-w1", evs[0].Ref)
	require.Equal(t, []string{unitB}, evs[0].Payload["units"])
	require.True(t, c.Details.Problem.Whistles[0].Missed)
	require.True(t, c.Overdue, "a missed whistle makes the case overdue")
	_, ok = c.NextWakeup()
	require.False(t, ok)
	require.Empty(t, c.Tick(due.Add(time.Hour)), "missed once")

	evs = step(t, c, qilian.Action{Name: qilian.ActReport, Actor: staff(unitB)}, due.Add(time.Hour))
	require.Equal(t, true, evs[0].Payload["late"])
	require.False(t, c.Overdue, "every summoned unit has reported")
}

func TestAnExtensionRequestLeavesTheClockRunning(t *testing.T) {
	c := working(t)
	before, ok := c.NextWakeup()
	require.True(t, ok)
	req := on(qilian.ActRequestExtension, staff(unitA), "C1-t1")
	req.Extra, req.Note = qilian.Span{Days: 1}, "等配件"
	step(t, c, req, t0.Add(2*time.Hour))
	after, ok := c.NextWakeup()
	require.True(t, ok)
	require.Equal(t, before, after)
	tick(t, c, task(t, c, "C1-t1").ResolveBy.Due)
	require.True(t, task(t, c, "C1-t1").Overdue, "a pending request does not stop the deadline")
}

// A task put on hold by a request made before requests stopped holding is
// not watched until the axis answers; the answer puts it back to work.
func TestLegacyOnHoldTasksAreNotWatched(t *testing.T) {
	c := working(t)
	c.Apply([]qilian.Event{{Type: qilian.EventOf(qilian.ActRequestExtension), TaskID: "C1-t1", At: t0.Add(2 * time.Hour), Seq: c.Seq + 1,
		FromState: string(qilian.TaskAccepted), ToState: string(qilian.TaskOnHold), Ref: "C1-t1-x1",
		Extension: &qilian.Extension{ID: "C1-t1-x1", RequestedBy: "u", Reason: "等配件", Extra: qilian.Span{Days: 1}, RequestedAt: t0.Add(2 * time.Hour)}}})
	require.Equal(t, qilian.TaskOnHold, task(t, c, "C1-t1").State)
	_, ok := c.NextWakeup()
	require.False(t, ok)
	require.Empty(t, c.Tick(t0.Add(1000*time.Hour)))
	step(t, c, qilian.Action{Name: qilian.ActRejectExtension, Actor: axis, ExtensionID: "C1-t1-x1", Note: "不同意"}, t0.Add(1001*time.Hour))
	require.Equal(t, qilian.TaskInProgress, task(t, c, "C1-t1").State)
	_, ok = c.NextWakeup()
	require.True(t, ok)
}

func TestTickOnAClosedCaseDoesNothing(t *testing.T) {
	c := open(t, request(qilian.KindJointConsultation), axis)
	step(t, c, qilian.Action{Name: qilian.ActCancel, Actor: axis, Note: "取消"}, t0)
	require.Empty(t, c.Tick(c.Details.Consultation.Deadline))
	_, err := c.Decide(vote("p1", "A"), t0, sched)
	require.True(t, errors.Is(err, qilian.ErrConflict))
}

// guessed is a calendar that has no official data from cutoff on: every
// hour there works, shifted by extra once the year's data arrives.
type guessed struct {
	hourly
	cutoff   time.Time
	official bool          // the year has been arranged since
	extra    time.Duration // what the arrangement adds to any count reaching past cutoff
}

func (g guessed) Add(start time.Time, d time.Duration) (time.Time, error) {
	end := start.Add(d)
	if g.official && end.After(g.cutoff) {
		end = end.Add(g.extra)
	}
	return end, nil
}

func (g guessed) Provisional(_, to time.Time) bool { return !g.official && to.After(g.cutoff) }

func TestADeadlineOverAProvisionalYearSaysSo(t *testing.T) {
	s := qilian.NewScheduler(testPolicy(), guessed{cutoff: t0.Add(40 * time.Hour)})
	accept, resolve, err := s.Deadlines(qilian.KindServiceLinkage, qilian.PriorityNormal, t0)
	require.NoError(t, err)
	require.False(t, accept.Provisional, "accept-by's last rung (32h) is before the cutoff")
	require.True(t, resolve.Provisional)

	wall, _, err := qilian.NewScheduler(testPolicy(), guessed{cutoff: t0}).Deadlines(qilian.KindServiceLinkage, qilian.PriorityEmergency, t0)
	require.NoError(t, err)
	require.False(t, wall.Provisional, "a wall-clock deadline counts no working days")
}

// dispatchedBefore is a case dispatched at t0 on a calendar without
// official data from cutoff on, with that calendar's scheduler and the one
// of the same calendar once official, where a count past cutoff takes
// extra more.
func dispatchedBefore(t *testing.T, cutoff time.Time, extra time.Duration) (c *qilian.Case, before, after qilian.Scheduler) {
	t.Helper()
	before = qilian.NewScheduler(testPolicy(), guessed{cutoff: cutoff})
	after = qilian.NewScheduler(testPolicy(), guessed{cutoff: cutoff, official: true, extra: extra})
	c = open(t, request(qilian.KindServiceLinkage), grid)
	stepWith(t, c, dispatch(lead(unitA)), t0, before)
	return c, before, after
}

func TestRetimeMovesOnlyProvisionalDeadlinesOfOpenTasks(t *testing.T) {
	c, before, after := dispatchedBefore(t, t0.Add(40*time.Hour), 8*time.Hour)
	old := task(t, c, "C1-t1").ResolveBy
	require.True(t, old.Provisional)
	require.False(t, task(t, c, "C1-t1").AcceptBy.Provisional, "accept-by's last rung (32h) is before the cutoff")
	require.True(t, c.Provisional(), "the resolve-by ahead of the offered task is provisional")

	// Nothing changed on a calendar that is still provisional.
	evs, err := c.Retime(t0.Add(time.Hour), before)
	require.NoError(t, err)
	require.Empty(t, evs)

	evs, err = c.Retime(t0.Add(time.Hour), after)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	require.Equal(t, qilian.EventRetimed, evs[0].Type)
	require.Equal(t, "resolve_by", evs[0].Ref)
	require.Equal(t, qilian.System, evs[0].Actor)
	require.Equal(t, old.Due, evs[0].Payload["old_due"])
	require.Equal(t, old.Due.Add(8*time.Hour), evs[0].Payload["new_due"])
	c.Apply(evs)
	nd := task(t, c, "C1-t1").ResolveBy
	require.False(t, nd.Provisional)
	require.Equal(t, old.Due.Add(8*time.Hour), nd.Due)
	require.Equal(t, old.From, nd.From, "counted again from where it was counted")
	require.False(t, c.Provisional())

	evs, err = c.Retime(t0.Add(2*time.Hour), after)
	require.NoError(t, err)
	require.Empty(t, evs, "an official deadline is never re-timed")
}

func TestRetimeKeepsWhatHasFiredOnlyIfStillDue(t *testing.T) {
	cutoff := t0.Add(4 * time.Hour)
	// The arrangement makes the first hours past the cutoff rest days.
	c, _, after := dispatchedBefore(t, cutoff, 24*time.Hour)
	acc := task(t, c, "C1-t1").AcceptBy
	require.True(t, acc.Provisional)
	require.True(t, c.Provisional())

	// Warned and overdue on the provisional count, first rung climbed.
	late := acc.Due.Add(time.Minute)
	c.Apply(c.Tick(late))
	tk := task(t, c, "C1-t1")
	require.True(t, tk.Warned && tk.Overdue)
	require.Equal(t, 1, tk.Level)

	evs, err := c.Retime(late, after)
	require.NoError(t, err)
	require.Len(t, evs, 2, "accept-by and resolve-by both reach past the cutoff")
	c.Apply(evs)
	tk = task(t, c, "C1-t1")
	require.False(t, tk.Overdue, "the new accept-by has not come")
	require.Equal(t, 0, tk.Level)
	require.False(t, tk.Warned, "the new warning has not come either")
	require.False(t, c.Overdue)
	next, ok := c.NextWakeup()
	require.True(t, ok)
	require.Equal(t, tk.AcceptBy.WarnAt, next, "the warning will be given again, at its new time")

	// A warning that has come on the new count too stays given.
	c2, _, shifted := dispatchedBefore(t, cutoff, time.Hour)
	c2.Apply(c2.Tick(late))
	evs, err = c2.Retime(late, shifted)
	require.NoError(t, err)
	c2.Apply(evs)
	tk = task(t, c2, "C1-t1")
	require.True(t, tk.Warned, "80 % of the new time (7h24m) has passed by 8h01m")
	require.False(t, tk.Overdue, "the new accept-by is 9h")
	require.Equal(t, 0, tk.Level)
}

// Under rules 1 a progress report is a deadline: warned before it is due;
// each one missed costs the unit an overdue and climbs a rung; a report
// starts afresh. A case opened under rules 0 keeps the old behaviour.
func TestProgressReportsAreWarnedAndEscalated(t *testing.T) {
	c := open(t, request(qilian.KindRegionalCoordination), axis)
	require.Equal(t, qilian.CurrentRules, c.Rules)
	step(t, c, dispatch(co(unitA, true)), t0)
	accepted := t0.Add(time.Hour)
	step(t, c, on(qilian.ActAccept, staff(unitA), "C1-t1"), accepted)
	tk := task(t, c, "C1-t1")
	due, warn := tk.NextReportDue, tk.ReportWarnAt
	require.True(t, warn.After(accepted) && warn.Before(due), "warned on the way: %v", warn)

	typesOf := func(evs []qilian.Event) []qilian.EventType { return types(evs) }
	at, ok := c.NextWakeup()
	require.True(t, ok)
	require.True(t, at.Equal(warn) || at.Before(warn), "the workflow wakes for the report's warning")
	evs := tick(t, c, warn)
	require.Contains(t, typesOf(evs), qilian.EventWarning)
	require.True(t, task(t, c, "C1-t1").ReportWarned)

	evs = tick(t, c, due)
	require.Equal(t, []qilian.EventType{qilian.EventReportMissing, qilian.EventEscalated}, typesOf(reportEvents(evs)))
	require.Equal(t, qilian.PointsOverdue, reportEvents(evs)[0].Points[0].Kind)
	require.Equal(t, 1, task(t, c, "C1-t1").ReportMisses)
	require.Zero(t, task(t, c, "C1-t1").Level, "the resolve ladder is not touched")
	require.True(t, c.Overdue)
	require.Equal(t, 1, c.Level)
	next := task(t, c, "C1-t1")
	require.False(t, next.ReportWarned)
	require.True(t, next.ReportWarnAt.After(due) && next.ReportWarnAt.Before(next.NextReportDue))

	evs = tick(t, c, next.NextReportDue)
	require.Equal(t, 2, reportEvents(evs)[1].Payload["rung"])
	require.Equal(t, 2, task(t, c, "C1-t1").ReportMisses)

	p := on(qilian.ActProgress, staff(unitA), "C1-t1")
	p.Note = "已完成 3 处"
	step(t, c, p, next.NextReportDue.Add(time.Hour))
	require.Zero(t, task(t, c, "C1-t1").ReportMisses, "a report puts the reporting back in order")

	legacy := open(t, request(qilian.KindRegionalCoordination), axis)
	legacy.Rules = 0
	step(t, legacy, dispatch(co(unitA, true)), t0)
	step(t, legacy, on(qilian.ActAccept, staff(unitA), "C1-t1"), accepted)
	require.Empty(t, reportEvents(tick(t, legacy, warn)), "no warning under rules 0")
	require.Equal(t, []qilian.EventType{qilian.EventReportMissing}, typesOf(reportEvents(tick(t, legacy, due))))
	require.False(t, legacy.Overdue)
}

// reportEvents keeps the events about a progress report.
func reportEvents(evs []qilian.Event) []qilian.Event {
	var out []qilian.Event
	for _, ev := range evs {
		if ev.Type == qilian.EventReportMissing || ev.Ref == "next_report" {
			out = append(out, ev)
		}
	}
	return out
}
