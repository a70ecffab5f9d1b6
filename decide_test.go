package qilian_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
)

// The locality tree of the tests: county c1 > street s1 > communities m1
// and m2; cases sit in grid g1 of community m1.
const (
	casePath = "/c1/s1/m1/g1/"
	unitA    = "u-property"
	unitB    = "u-school"
	unitC    = "u-hospital"
)

var (
	shanghai   = time.FixedZone("CST", 8*3600)
	t0         = time.Date(2026, 3, 2, 9, 0, 0, 0, shanghai) // a Monday
	axis       = qilian.Actor{UserID: "axis-m1", Role: qilian.RoleAxis, LocalityID: "m1", LocalityPath: "/c1/s1/m1/"}
	otherAxis  = qilian.Actor{UserID: "axis-m2", Role: qilian.RoleAxis, LocalityID: "m2", LocalityPath: "/c1/s1/m2/"}
	grid       = qilian.Actor{UserID: "grid-g1", Role: qilian.RoleGridWorker, LocalityID: "g1", LocalityPath: casePath}
	supervisor = qilian.Actor{UserID: "sup-s1", Role: qilian.RoleSupervisor, LocalityID: "s1", LocalityPath: "/c1/s1/"}
	admin      = qilian.Actor{UserID: "admin", Role: qilian.RoleAdmin, LocalityID: "c1", LocalityPath: "/c1/"}
)

func staff(unit string) qilian.Actor {
	return qilian.Actor{UserID: "staff-" + unit, Role: qilian.RoleUnitStaff, UnitID: unit}
}

// testPolicy is the documented default configuration (configs/qilian.yaml).
func testPolicy() qilian.Policy {
	span := func(s string) qilian.Span {
		sp, err := qilian.ParseSpan(s)
		if err != nil {
			panic(err)
		}
		return sp
	}
	rule := func(accept, resolve string, clock qilian.Clock) qilian.DeadlineRule {
		return qilian.DeadlineRule{Accept: span(accept), Resolve: span(resolve), Clock: clock}
	}
	return qilian.Policy{
		Deadlines: map[qilian.Kind]map[qilian.Priority]qilian.DeadlineRule{
			"": {
				qilian.PriorityEmergency: rule("1h", "2h", qilian.ClockWall),
				qilian.PriorityUrgent:    rule("2h", "24h", qilian.ClockWall),
				qilian.PriorityNormal:    rule("1d", "7d", qilian.ClockWorking),
				qilian.PriorityLow:       rule("1d", "15d", qilian.ClockWorking),
			},
			qilian.KindProblemSolving: {qilian.PriorityNormal: rule("1d", "15d", qilian.ClockWorking)},
		},
		WarnAt: 0.8,
		Ladder: []qilian.EscalationStep{
			{Action: qilian.EscalateRemind, After: span("0")},
			{Action: qilian.EscalateNotice, After: span("4h")},
			{Action: qilian.EscalateWhistle, After: span("1d")},
			{Action: qilian.EscalateCounty, After: span("3d")},
		},
		MaxReturns:          2,
		WhistleReportWithin: span("30m"),
		ProgressEvery:       span("5d"),
	}
}

// hourly is a working-time calendar where every hour works and a working
// day is 8 hours, so deadlines are plain arithmetic.
type hourly struct{}

func (hourly) Add(start time.Time, d time.Duration) (time.Time, error) { return start.Add(d), nil }
func (hourly) Between(a, b time.Time) (time.Duration, error)           { return max(b.Sub(a), 0), nil }
func (hourly) PerDay() time.Duration                                   { return 8 * time.Hour }
func (hourly) Provisional(time.Time, time.Time) bool                   { return false }

var sched = qilian.NewScheduler(testPolicy(), hourly{})

func request(kind qilian.Kind) qilian.OpenRequest {
	r := qilian.OpenRequest{
		ID: "C1", Kind: kind, Title: "楼道堆物清理", Priority: qilian.PriorityNormal,
		LocalityID: "g1", LocalityPath: casePath, GridID: "g1",
	}
	switch kind {
	case qilian.KindResourceSharing:
		r.Details.Booking = &qilian.Booking{ResourceID: "hall-1", OwnerUnitID: unitA, From: t0.Add(24 * time.Hour), To: t0.Add(27 * time.Hour), Purpose: "Party day"}
	case qilian.KindJointConsultation:
		r.Details.Consultation = &qilian.Consultation{
			Question: "停车方案", Options: []string{"A", "B"}, Participants: []string{"p1", "p2", "p3"},
			Quorum: 2, Rule: qilian.RuleMajority, Deadline: t0.Add(72 * time.Hour),
		}
	case qilian.KindJointActivity:
		r.Details.Activity = &qilian.Activity{Capacity: 2, StartsAt: t0.Add(48 * time.Hour), EndsAt: t0.Add(51 * time.Hour), Venue: "hall"}
	case qilian.KindMemberManagement:
		r.Details.Member = &qilian.Member{Name: "张三", HomeUnitID: unitC}
	}
	return r
}

func open(t *testing.T, req qilian.OpenRequest, by qilian.Actor) *qilian.Case {
	t.Helper()
	c, evs, err := qilian.Open(req, by, t0, testPolicy())
	require.NoError(t, err)
	require.Len(t, evs, 1)
	require.Equal(t, qilian.EventOpened, evs[0].Type)
	require.Equal(t, int64(1), evs[0].Seq)
	require.Equal(t, qilian.CaseTriage, c.State)
	// The workflow applies Open's event again; that must change nothing.
	before := snapshot(t, &c)
	c.Apply(evs)
	require.Equal(t, before, snapshot(t, &c))
	return &c
}

// snapshot is the case as the workflow would persist it; comparing two
// snapshots catches any change, also inside maps and slices.
func snapshot(t *testing.T, c *qilian.Case) string {
	t.Helper()
	b, err := json.Marshal(c)
	require.NoError(t, err)
	return string(b)
}

// step runs an action the way the case workflow does: Decide, then Apply
// the events. It also checks that Decide left the case alone and that
// Apply numbered the events and counted one revision.
func step(t *testing.T, c *qilian.Case, a qilian.Action, now time.Time) []qilian.Event {
	t.Helper()
	return stepWith(t, c, a, now, sched)
}

func stepWith(t *testing.T, c *qilian.Case, a qilian.Action, now time.Time, s qilian.Scheduler) []qilian.Event {
	t.Helper()
	before := snapshot(t, c)
	evs, err := c.Decide(a, now, s)
	require.NoError(t, err, "%s by %s", a.Name, a.Actor.UserID)
	require.Equal(t, before, snapshot(t, c), "Decide changed the case")
	require.NotEmpty(t, evs)
	seq, rev := c.Seq, c.Revision
	c.Apply(evs)
	require.Equal(t, rev+1, c.Revision)
	for i, ev := range evs {
		require.Equal(t, seq+int64(i)+1, ev.Seq)
		require.Equal(t, now, ev.At)
	}
	return evs
}

// tick applies what the engine does by itself at now.
func tick(t *testing.T, c *qilian.Case, now time.Time) []qilian.Event {
	t.Helper()
	before := snapshot(t, c)
	evs := c.Tick(now)
	require.Equal(t, before, snapshot(t, c), "Tick changed the case")
	c.Apply(evs)
	return evs
}

// refuse runs an action that must fail and returns the domain error.
func refuse(t *testing.T, c *qilian.Case, a qilian.Action, now time.Time) *qilian.Error {
	t.Helper()
	before := snapshot(t, c)
	evs, err := c.Decide(a, now, sched)
	require.Error(t, err)
	require.Nil(t, evs)
	require.Equal(t, before, snapshot(t, c), "a refused Decide changed the case")
	var e *qilian.Error
	require.True(t, errors.As(err, &e), "not a domain error: %v", err)
	return e
}

func types(evs []qilian.Event) []qilian.EventType {
	out := make([]qilian.EventType, len(evs))
	for i, ev := range evs {
		out[i] = ev.Type
	}
	return out
}

func points(evs []qilian.Event) []qilian.PointsEvent {
	var out []qilian.PointsEvent
	for _, ev := range evs {
		out = append(out, ev.Points...)
	}
	return out
}

func task(t *testing.T, c *qilian.Case, id string) qilian.Task {
	t.Helper()
	for _, x := range c.Tasks {
		if x.ID == id {
			return x
		}
	}
	t.Fatalf("no task %s", id)
	return qilian.Task{}
}

func yes() *bool { v := true; return &v }
func no() *bool  { v := false; return &v }

func dispatch(as ...qilian.Assignment) qilian.Action {
	return qilian.Action{Name: qilian.ActDispatch, Actor: axis, Assignments: as}
}

func lead(unit string) qilian.Assignment {
	return qilian.Assignment{UnitID: unit, Role: qilian.TaskLead, Required: true}
}

func co(unit string, required bool) qilian.Assignment {
	return qilian.Assignment{UnitID: unit, Role: qilian.TaskCo, Required: required}
}

func on(name qilian.ActionName, by qilian.Actor, taskID string) qilian.Action {
	return qilian.Action{Name: name, Actor: by, TaskID: taskID}
}

// dispatched is a service linkage case with lead task C1-t1 for unitA.
func dispatched(t *testing.T) *qilian.Case {
	t.Helper()
	c := open(t, request(qilian.KindServiceLinkage), grid)
	step(t, c, dispatch(lead(unitA)), t0)
	return c
}

// working is dispatched with the lead accepted.
func working(t *testing.T) *qilian.Case {
	t.Helper()
	c := dispatched(t)
	step(t, c, on(qilian.ActAccept, staff(unitA), "C1-t1"), t0.Add(time.Hour))
	return c
}

func TestOpenRefusesBadRequestsNamingEachField(t *testing.T) {
	long := make([]rune, 201)
	for i := range long {
		long[i] = '字'
	}
	tests := []struct {
		name   string
		edit   func(*qilian.OpenRequest)
		fields []string
	}{
		{"empty title", func(r *qilian.OpenRequest) { r.Title = "  " }, []string{"title"}},
		{"title of 201 characters", func(r *qilian.OpenRequest) { r.Title = string(long) }, []string{"title"}},
		{"unknown kind and priority", func(r *qilian.OpenRequest) { r.Kind, r.Priority = "x", "y" }, []string{"kind", "priority"}},
		{"no locality", func(r *qilian.OpenRequest) { r.LocalityID, r.LocalityPath = "", "" }, []string{"locality_id", "locality_path"}},
		{"booking in the past and backwards", func(r *qilian.OpenRequest) {
			*r = request(qilian.KindResourceSharing)
			r.Details.Booking.From, r.Details.Booking.To = t0.Add(-time.Hour), t0.Add(-2*time.Hour)
		}, []string{"details.booking.from", "details.booking.to"}},
		{"booking missing", func(r *qilian.OpenRequest) { r.Kind = qilian.KindResourceSharing }, []string{"details.booking"}},
		{"consultation with one option, quorum too high, past deadline", func(r *qilian.OpenRequest) {
			*r = request(qilian.KindJointConsultation)
			con := r.Details.Consultation
			con.Options, con.Quorum, con.Deadline = []string{"A"}, 4, t0
		}, []string{"details.consultation.options", "details.consultation.quorum", "details.consultation.deadline"}},
		{"consultation naming a participant twice", func(r *qilian.OpenRequest) {
			*r = request(qilian.KindJointConsultation)
			r.Details.Consultation.Participants = []string{"p1", "p1"}
		}, []string{"details.consultation.participants"}},
		{"activity without capacity ending before it starts", func(r *qilian.OpenRequest) {
			*r = request(qilian.KindJointActivity)
			r.Details.Activity.Capacity, r.Details.Activity.EndsAt = 0, t0
		}, []string{"details.activity.capacity", "details.activity.ends_at"}},
		{"member without home unit", func(r *qilian.OpenRequest) {
			*r = request(qilian.KindMemberManagement)
			r.Details.Member.HomeUnitID = ""
		}, []string{"details.member.home_unit_id"}},
		{"details of another kind", func(r *qilian.OpenRequest) {
			r.Details.Member = &qilian.Member{Name: "x", HomeUnitID: "y"}
		}, []string{"details.member"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request(qilian.KindServiceLinkage)
			tt.edit(&req)
			c, evs, err := qilian.Open(req, grid, t0, testPolicy())
			require.Zero(t, c)
			require.Nil(t, evs)
			require.ErrorIs(t, err, qilian.ErrInvalid)
			var e *qilian.Error
			require.True(t, errors.As(err, &e))
			keys := make([]string, 0, len(e.Fields))
			for k := range e.Fields {
				keys = append(keys, k)
			}
			require.ElementsMatch(t, tt.fields, keys)
		})
	}
}

func TestOpenResetsWhatTheEngineKeepsAndCopiesThePolicy(t *testing.T) {
	req := request(qilian.KindResourceSharing)
	req.Details.Booking.State = qilian.BookingApproved
	p := testPolicy()
	c, _, err := qilian.Open(req, staff(unitB), t0, p)
	require.NoError(t, err)
	require.Equal(t, qilian.BookingRequested, c.Details.Booking.State)
	p.Deadlines[""][qilian.PriorityNormal] = qilian.DeadlineRule{}
	require.Equal(t, testPolicy(), c.Policy, "the case shares the caller's policy maps")
	require.Equal(t, int64(1), c.Revision)
	require.Equal(t, int64(1), c.Seq)
}

func TestServiceLinkageFromOpenToClosedWithASatisfiedResident(t *testing.T) {
	req := request(qilian.KindServiceLinkage)
	req.Reporter = qilian.Reporter{Name: "李阿姨", Phone: "13800000000"}
	c := open(t, req, grid)

	evs := step(t, c, dispatch(lead(unitA), co(unitB, false)), t0)
	require.Equal(t, []qilian.EventType{"dispatch", "dispatch", "dispatch"}, types(evs))
	require.Equal(t, qilian.CaseDispatching, c.State)
	t1 := task(t, c, "C1-t1")
	require.Equal(t, qilian.TaskOffered, t1.State)
	require.Equal(t, t0.Add(8*time.Hour), t1.AcceptBy.Due, "1 working day of 8 hours")
	require.Equal(t, t0.Add(56*time.Hour), t1.ResolveBy.Due, "7 working days")
	require.Equal(t, "C1-t2", c.Tasks[1].ID)
	require.False(t, c.Tasks[1].Required)

	evs = step(t, c, on(qilian.ActAccept, staff(unitA), "C1-t1"), t0.Add(time.Hour))
	require.Equal(t, qilian.CaseInProgress, c.State)
	require.Equal(t, qilian.TaskAccepted, task(t, c, "C1-t1").State)
	require.Equal(t, []qilian.PointsEvent{{Kind: qilian.PointsAcceptedOnTime, SubjectType: "unit", SubjectID: unitA, Quantity: 1, At: t0.Add(time.Hour)}}, points(evs))

	progress := on(qilian.ActProgress, staff(unitA), "C1-t1")
	progress.Note = "已联系物业"
	step(t, c, progress, t0.Add(2*time.Hour))
	require.Equal(t, qilian.TaskInProgress, task(t, c, "C1-t1").State)

	resolve := on(qilian.ActResolve, staff(unitA), "C1-t1")
	resolve.Result = "堆物已清"
	evs = step(t, c, resolve, t0.Add(3*time.Hour))
	require.Equal(t, qilian.CaseVerifying, c.State, "an optional co-task still offered does not block")
	require.Equal(t, qilian.PointsResolvedOnTime, points(evs)[0].Kind)
	require.Equal(t, "堆物已清", task(t, c, "C1-t1").Result)

	step(t, c, qilian.Action{Name: qilian.ActVerify, Actor: axis, Pass: yes()}, t0.Add(4*time.Hour))
	require.Equal(t, qilian.CaseFollowUp, c.State)
	require.Equal(t, qilian.TaskCompleted, task(t, c, "C1-t1").State)
	require.Equal(t, qilian.TaskWithdrawn, task(t, c, "C1-t2").State)

	evs = step(t, c, qilian.Action{Name: qilian.ActFollowUp, Actor: grid, Satisfied: yes(), Note: "满意"}, t0.Add(5*time.Hour))
	require.Equal(t, qilian.CaseClosed, c.State)
	require.Equal(t, qilian.ResolutionResolved, c.Resolution)
	require.Equal(t, t0.Add(5*time.Hour), c.ClosedAt)
	require.True(t, *c.Details.Service.Satisfied)
	require.Equal(t, []qilian.PointsEvent{{Kind: qilian.PointsSatisfied, SubjectType: "unit", SubjectID: unitA, Quantity: 1, At: t0.Add(5 * time.Hour)}}, points(evs))
	require.Equal(t, int64(7), c.Revision, "open plus six actions")
	require.Nil(t, c.Allowed(axis, t0), "nothing is allowed on a closed case")
}

func TestRegionalCoordinationWithoutLeadClosesWhenEveryRequiredTaskIsDone(t *testing.T) {
	c := open(t, request(qilian.KindRegionalCoordination), axis)
	step(t, c, dispatch(co(unitA, true), co(unitB, true), co(unitC, false)), t0)

	evs := step(t, c, on(qilian.ActAccept, staff(unitA), "C1-t1"), t0.Add(time.Hour))
	require.Equal(t, qilian.CaseInProgress, c.State, "with no lead, the first acceptance starts the work")
	require.Equal(t, t0.Add(time.Hour+40*time.Hour), evs[0].NextReportDue, "a report every 5 working days")
	require.Equal(t, t0.Add(41*time.Hour), task(t, c, "C1-t1").NextReportDue)
	step(t, c, on(qilian.ActAccept, staff(unitB), "C1-t2"), t0.Add(time.Hour))

	progress := on(qilian.ActProgress, staff(unitA), "C1-t1")
	progress.Note = "完成一半"
	step(t, c, progress, t0.Add(10*time.Hour))
	require.Equal(t, 1, c.Details.Regional.Reports["C1-t1"])
	require.Equal(t, t0.Add(50*time.Hour), task(t, c, "C1-t1").NextReportDue, "a report resets the period")

	for _, x := range []struct{ unit, id string }{{unitA, "C1-t1"}, {unitB, "C1-t2"}} {
		r := on(qilian.ActResolve, staff(x.unit), x.id)
		r.Result = "done"
		step(t, c, r, t0.Add(20*time.Hour))
	}
	require.Equal(t, qilian.CaseVerifying, c.State)
	step(t, c, qilian.Action{Name: qilian.ActVerify, Actor: axis, Pass: yes()}, t0.Add(21*time.Hour))
	require.Equal(t, qilian.CaseClosed, c.State, "no reporter to call back")
	require.Equal(t, qilian.ResolutionResolved, c.Resolution)
	require.Equal(t, qilian.TaskWithdrawn, task(t, c, "C1-t3").State)
}

func TestResourceSharingFromBookingToConfirmedHandBack(t *testing.T) {
	booker := staff(unitB)
	c := open(t, request(qilian.KindResourceSharing), booker)
	owner := staff(unitA)
	require.Equal(t, []qilian.ActionName{qilian.ActApproveBooking, qilian.ActDeclineBooking}, c.Allowed(owner, t0))

	evs := step(t, c, qilian.Action{Name: qilian.ActApproveBooking, Actor: owner}, t0)
	require.Equal(t, qilian.CaseInProgress, c.State)
	require.Equal(t, qilian.BookingApproved, c.Details.Booking.State)
	require.Equal(t, "hall-1", evs[0].Payload["resource_id"], "the workflow checks overlaps with what the event says")

	step(t, c, qilian.Action{Name: qilian.ActHandBack, Actor: booker}, t0.Add(28*time.Hour))
	require.Equal(t, qilian.BookingReturned, c.Details.Booking.State)
	evs = step(t, c, qilian.Action{Name: qilian.ActConfirmHandBack, Actor: owner}, t0.Add(29*time.Hour))
	require.Equal(t, qilian.CaseClosed, c.State)
	require.Equal(t, qilian.BookingFulfilled, c.Details.Booking.State)
	require.Equal(t, []qilian.PointsEvent{{Kind: qilian.PointsBookingFulfilled, SubjectType: "unit", SubjectID: unitA, Quantity: 1, At: t0.Add(29 * time.Hour)}}, points(evs))
}

func TestResourceSharingDeclinedClosesTheCase(t *testing.T) {
	c := open(t, request(qilian.KindResourceSharing), staff(unitB))
	e := refuse(t, c, qilian.Action{Name: qilian.ActApproveBooking, Actor: staff(unitC)}, t0)
	require.Equal(t, qilian.ENOTFOUND, e.Code, "a unit that neither owns nor booked sees nothing")
	e = refuse(t, c, qilian.Action{Name: qilian.ActApproveBooking, Actor: staff(unitB)}, t0)
	require.Equal(t, qilian.EFORBIDDEN, e.Code, "the booker sees the case but does not decide")
	e = refuse(t, c, qilian.Action{Name: qilian.ActDeclineBooking, Actor: staff(unitA)}, t0)
	require.Equal(t, map[string]string{"note": "say why the booking is declined"}, e.Fields)
	step(t, c, qilian.Action{Name: qilian.ActDeclineBooking, Actor: staff(unitA), Note: "礼堂维修"}, t0)
	require.Equal(t, qilian.CaseClosed, c.State)
	require.Equal(t, qilian.ResolutionDeclined, c.Resolution)
	require.Equal(t, qilian.BookingDeclined, c.Details.Booking.State)
}

func vote(user, option string) qilian.Action {
	return qilian.Action{Name: qilian.ActVote, Actor: qilian.Actor{UserID: user, Role: qilian.RoleUnitStaff, UnitID: "u-" + user}, Option: option}
}

func TestJointConsultationEndsEarlyWhenAnOptionWins(t *testing.T) {
	c := open(t, request(qilian.KindJointConsultation), axis)
	require.Equal(t, qilian.ECONFLICT, refuse(t, c, vote("p1", "A"), t0).Code, "no votes before the consultation is open for voting")
	require.NotContains(t, c.Allowed(qilian.Actor{UserID: "p1", Role: qilian.RoleUnitStaff, UnitID: unitA}, t0), qilian.ActVote)
	step(t, c, qilian.Action{Name: qilian.ActOpenVoting, Actor: axis}, t0)
	step(t, c, vote("p1", "A"), t0.Add(time.Hour))
	require.Equal(t, qilian.CaseInProgress, c.State)
	require.Equal(t, qilian.ECONFLICT, refuse(t, c, vote("p1", "B"), t0.Add(time.Hour)).Code, "one vote per participant")

	evs := step(t, c, vote("p2", "A"), t0.Add(2*time.Hour))
	require.Equal(t, []qilian.EventType{"vote", qilian.EventDecided}, types(evs))
	require.Equal(t, "A", evs[1].Option)
	require.Equal(t, map[string]any{"A": 2, "B": 0}, evs[1].Payload["counts"])
	con := c.Details.Consultation
	require.Equal(t, "A", con.Outcome)
	require.True(t, con.EndedEarly)
	require.Equal(t, t0.Add(2*time.Hour), con.DecidedAt)
	require.Equal(t, qilian.CaseVerifying, c.State)
	require.Equal(t, qilian.ECONFLICT, refuse(t, c, vote("p3", "B"), t0.Add(3*time.Hour)).Code, "decided")

	step(t, c, qilian.Action{Name: qilian.ActVerify, Actor: axis, Pass: yes()}, t0.Add(3*time.Hour))
	require.Equal(t, qilian.CaseClosed, c.State)
}

func TestJointConsultationOutcomeMayOpenFollowUpTasks(t *testing.T) {
	c := voting(t, request(qilian.KindJointConsultation))
	e := refuse(t, c, dispatch(co(unitA, true)), t0)
	require.Equal(t, qilian.ECONFLICT, e.Code, "no tasks before the outcome")
	step(t, c, vote("p1", "B"), t0)
	step(t, c, vote("p2", "B"), t0)
	step(t, c, dispatch(co(unitA, true)), t0.Add(time.Hour))
	require.Equal(t, qilian.CaseDispatching, c.State)
	step(t, c, on(qilian.ActAccept, staff(unitA), "C1-t1"), t0.Add(2*time.Hour))
	require.Equal(t, qilian.CaseInProgress, c.State)
	r := on(qilian.ActResolve, staff(unitA), "C1-t1")
	r.Result = "划线完成"
	step(t, c, r, t0.Add(3*time.Hour))
	require.Equal(t, qilian.CaseVerifying, c.State)
}

func TestJointConsultationEndsEarlyWhenNoOptionCanWin(t *testing.T) {
	req := request(qilian.KindJointConsultation)
	req.Details.Consultation.Rule = qilian.RuleUnanimity
	c := voting(t, req)
	step(t, c, vote("p1", "A"), t0)
	evs := step(t, c, vote("p2", "B"), t0.Add(time.Hour))
	require.Equal(t, []qilian.EventType{"vote", qilian.EventDecided}, types(evs))
	require.Equal(t, qilian.OutcomeNoDecision, c.Details.Consultation.Outcome)
	require.True(t, c.Details.Consultation.EndedEarly)
	require.Equal(t, qilian.CaseVerifying, c.State)
}

func TestJointConsultationWithoutQuorumAtTheDeadline(t *testing.T) {
	c := voting(t, request(qilian.KindJointConsultation))
	step(t, c, vote("p1", "A"), t0)
	deadline := c.Details.Consultation.Deadline
	at, ok := c.NextWakeup()
	require.True(t, ok)
	require.Equal(t, deadline, at)
	require.Empty(t, tick(t, c, deadline.Add(-time.Nanosecond)))
	require.Equal(t, qilian.ECONFLICT, refuse(t, c, vote("p2", "A"), deadline).Code, "voting closed")

	evs := tick(t, c, deadline)
	require.Equal(t, []qilian.EventType{qilian.EventDecided}, types(evs))
	require.Equal(t, qilian.System, evs[0].Actor)
	con := c.Details.Consultation
	require.Equal(t, qilian.OutcomeNoQuorum, con.Outcome, "one vote, quorum two")
	require.False(t, con.EndedEarly)
	require.Equal(t, qilian.CaseVerifying, c.State)
	_, ok = c.NextWakeup()
	require.False(t, ok)
}

func TestJointConsultationThresholds(t *testing.T) {
	tests := []struct {
		name  string
		rule  qilian.VoteRule
		votes []string // option per participant p1..pn, "" for no vote
		want  string
	}{
		{"majority of all participants wins", qilian.RuleMajority, []string{"A", "A", "B", ""}, qilian.OutcomeNoDecision},
		{"majority needs more than half of all", qilian.RuleMajority, []string{"A", "A", "A", "B"}, "A"},
		{"two thirds of all participants", qilian.RuleTwoThirds, []string{"A", "A", "", ""}, qilian.OutcomeNoDecision},
		{"two thirds reached", qilian.RuleTwoThirds, []string{"A", "A", "A", ""}, "A"},
		{"unanimity needs everyone", qilian.RuleUnanimity, []string{"A", "A", "A", ""}, qilian.OutcomeNoDecision},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request(qilian.KindJointConsultation)
			con := req.Details.Consultation
			con.Participants, con.Rule, con.Quorum = []string{"p1", "p2", "p3", "p4"}, tt.rule, 1
			c := voting(t, req)
			for i, o := range tt.votes {
				if o != "" && c.Details.Consultation.Outcome == "" {
					step(t, c, vote(con.Participants[i], o), t0)
				}
			}
			tick(t, c, con.Deadline)
			require.Equal(t, tt.want, c.Details.Consultation.Outcome)
		})
	}
}

func TestJointActivityFromSignUpToSummary(t *testing.T) {
	c := open(t, request(qilian.KindJointActivity), axis)
	act := c.Details.Activity
	step(t, c, dispatch(co(unitA, true)), t0)
	step(t, c, on(qilian.ActAccept, staff(unitA), "C1-t1"), t0)
	require.Equal(t, qilian.CaseInProgress, c.State)

	step(t, c, qilian.Action{Name: qilian.ActSignUp, Actor: grid, Participant: &qilian.Participant{ID: "r1", Name: "王五"}}, t0)
	step(t, c, qilian.Action{Name: qilian.ActSignUp, Actor: staff(unitA), Participant: &qilian.Participant{ID: "r2", Name: "赵六", UnitID: unitA}}, t0)
	require.Len(t, c.Details.Activity.SignUps, 2)
	require.Equal(t, t0, c.Details.Activity.SignUps[0].SignedAt)

	early := act.StartsAt.Add(-61 * time.Minute)
	checkIn := func(id string) qilian.Action {
		return qilian.Action{Name: qilian.ActCheckIn, Actor: axis, Participant: &qilian.Participant{ID: id}}
	}
	require.Equal(t, qilian.ECONFLICT, refuse(t, c, checkIn("r1"), early).Code, "check-in opens an hour before")
	evs := step(t, c, checkIn("r1"), act.StartsAt.Add(-time.Hour))
	require.Equal(t, []qilian.PointsEvent{{Kind: qilian.PointsActivityJoined, SubjectType: "locality", SubjectID: "g1", Quantity: 1, At: act.StartsAt.Add(-time.Hour)}}, points(evs))
	require.Equal(t, qilian.ENOTFOUND, refuse(t, c, checkIn("r9"), act.StartsAt).Code)
	require.Equal(t, qilian.ECONFLICT, refuse(t, c, checkIn("r1"), act.StartsAt).Code, "checked in twice")
	evs = step(t, c, qilian.Action{Name: qilian.ActCheckIn, Actor: staff(unitA), Participant: &qilian.Participant{ID: "r2"}}, act.StartsAt)
	require.Equal(t, unitA, points(evs)[0].SubjectID)
	require.True(t, c.Details.Activity.CheckedIn["r2"])
	require.Contains(t, refuse(t, c, checkIn("r2"), act.StartsAt).Message, "nobody signed up is left")

	r := on(qilian.ActResolve, staff(unitA), "C1-t1")
	r.Result = "场地布置完成"
	step(t, c, r, act.StartsAt)
	require.Equal(t, qilian.CaseInProgress, c.State, "an activity is verified on its summary, not its tasks")

	summary := qilian.Action{Name: qilian.ActSummary, Actor: axis, Note: "到场 2 人"}
	require.Equal(t, qilian.ECONFLICT, refuse(t, c, summary, act.StartsAt.Add(-time.Minute)).Code)
	step(t, c, summary, act.EndsAt)
	require.Equal(t, qilian.CaseVerifying, c.State)
	require.Equal(t, "到场 2 人", c.Details.Activity.Summary)
	step(t, c, qilian.Action{Name: qilian.ActVerify, Actor: axis, Pass: yes()}, act.EndsAt)
	require.Equal(t, qilian.CaseClosed, c.State)
}

func TestJointActivitySignUpRefusals(t *testing.T) {
	c := open(t, request(qilian.KindJointActivity), axis)
	signUp := func(id string) qilian.Action {
		return qilian.Action{Name: qilian.ActSignUp, Actor: grid, Participant: &qilian.Participant{ID: id, Name: id}}
	}
	step(t, c, signUp("r1"), t0)
	e := refuse(t, c, signUp("r1"), t0)
	require.Equal(t, qilian.ECONFLICT, e.Code)
	require.Contains(t, e.Message, "already signed up")
	e = refuse(t, c, qilian.Action{Name: qilian.ActSignUp, Actor: grid, Participant: &qilian.Participant{ID: "r2"}}, t0)
	require.Equal(t, map[string]string{"participant.name": "required"}, e.Fields)
	step(t, c, signUp("r2"), t0)
	e = refuse(t, c, signUp("r3"), t0)
	require.Equal(t, qilian.ECONFLICT, e.Code)
	require.Equal(t, "activity is full", e.Message)

	c2 := open(t, request(qilian.KindJointActivity), axis)
	e = refuse(t, c2, signUp("r1"), c2.Details.Activity.StartsAt)
	require.Contains(t, e.Message, "started")
	e = refuse(t, c2, qilian.Action{Name: qilian.ActSignUp, Actor: staff(unitA), Participant: &qilian.Participant{ID: "r", Name: "r"}}, t0)
	require.Equal(t, qilian.ENOTFOUND, e.Code, "a unit without a task on the activity does not see it")
}

func TestMemberManagementHoursAreConfirmedForMemberAndHomeUnit(t *testing.T) {
	c := open(t, request(qilian.KindMemberManagement), axis)
	home := staff(unitC)
	logHours := qilian.Action{Name: qilian.ActLogHours, Actor: home, Hours: &qilian.HoursLog{Date: "2026-03-01", Hours: 2.5, Note: "助老"}}
	require.Contains(t, refuse(t, c, logHours, t0).Message, "no service post")

	step(t, c, qilian.Action{Name: qilian.ActAssignPost, Actor: axis, Post: "楼道长"}, t0)
	require.Equal(t, qilian.CaseInProgress, c.State)
	require.Equal(t, "楼道长", c.Details.Member.Post)

	bad := logHours
	bad.Hours = &qilian.HoursLog{Date: "2026-03-03", Hours: 25}
	require.Equal(t, map[string]string{"hours.date": "must not be in the future", "hours.hours": "more than 0, at most 24"}, refuse(t, c, bad, t0).Fields)
	step(t, c, logHours, t0)
	h := c.Details.Member.Hours
	require.Len(t, h, 1)
	require.Equal(t, "C1-h1", h[0].ID)
	require.False(t, h[0].Confirmed)

	evs := step(t, c, qilian.Action{Name: qilian.ActConfirmHours, Actor: axis, Hours: &qilian.HoursLog{ID: "C1-h1"}}, t0.Add(time.Hour))
	require.True(t, c.Details.Member.Hours[0].Confirmed)
	require.Equal(t, axis.UserID, c.Details.Member.Hours[0].ConfirmedBy)
	require.Equal(t, []qilian.PointsEvent{
		{Kind: qilian.PointsHoursConfirmed, SubjectType: "member", SubjectID: "C1", Quantity: 2.5, At: t0.Add(time.Hour)},
		{Kind: qilian.PointsHoursConfirmed, SubjectType: "unit", SubjectID: unitC, Quantity: 2.5, At: t0.Add(time.Hour)},
	}, points(evs))
	require.Equal(t, qilian.ECONFLICT, refuse(t, c, qilian.Action{Name: qilian.ActConfirmHours, Actor: axis, Hours: &qilian.HoursLog{ID: "C1-h1"}}, t0).Code)

	// A registration ends when the member leaves: the axis cancels it.
	step(t, c, qilian.Action{Name: qilian.ActCancel, Actor: axis, Note: "迁出本社区"}, t0.Add(2*time.Hour))
	require.Equal(t, qilian.CaseCancelled, c.State)
}

func TestProblemSolvingWithWhistleMeetingAndVerification(t *testing.T) {
	c := open(t, request(qilian.KindProblemSolving), axis)
	step(t, c, dispatch(lead(unitA), co(unitB, true)), t0)
	require.Equal(t, t0.Add(15*8*time.Hour), task(t, c, "C1-t1").ResolveBy.Due, "problem solving has 15 working days")

	evs := step(t, c, qilian.Action{Name: qilian.ActWhistle, Actor: axis, Units: []string{unitA, unitB, unitC}}, t0)
	w := c.Details.Problem.Whistles[0]
	require.Equal(t, "C1-w1", w.ID)
	require.Equal(t, t0.Add(30*time.Minute), w.Due, "report within 30 minutes, wall clock")
	require.Equal(t, w.ID, evs[0].Ref)
	require.Contains(t, c.Allowed(staff(unitC), t0), qilian.ActReport, "a summoned unit sees the case")
	for _, u := range []string{unitA, unitB, unitC} {
		step(t, c, qilian.Action{Name: qilian.ActReport, Actor: staff(u)}, t0.Add(10*time.Minute))
	}
	require.Len(t, c.Details.Problem.Whistles[0].Reported, 3)
	require.NotContains(t, c.Allowed(staff(unitC), t0), qilian.ActReport)

	step(t, c, qilian.Action{Name: qilian.ActMeeting, Actor: axis, Note: "分工明确", Units: []string{unitA, unitB}}, t0.Add(time.Hour))
	require.Equal(t, "分工明确", c.Details.Problem.Meetings[0].Minutes)

	for _, x := range []struct{ unit, id string }{{unitA, "C1-t1"}, {unitB, "C1-t2"}} {
		step(t, c, on(qilian.ActAccept, staff(x.unit), x.id), t0.Add(2*time.Hour))
	}
	r := on(qilian.ActResolve, staff(unitA), "C1-t1")
	r.Result = "拆除完成"
	step(t, c, r, t0.Add(3*time.Hour))
	require.Equal(t, qilian.CaseInProgress, c.State, "a required co-task is still open")
	r = on(qilian.ActResolve, staff(unitB), "C1-t2")
	r.Result = "清运完成"
	step(t, c, r, t0.Add(4*time.Hour))
	require.Equal(t, qilian.CaseVerifying, c.State)
	step(t, c, qilian.Action{Name: qilian.ActVerify, Actor: axis, Pass: yes()}, t0.Add(5*time.Hour))
	require.Equal(t, qilian.CaseClosed, c.State)
	require.Equal(t, qilian.ResolutionResolved, c.Resolution)
}

func TestVerificationFailureSendsTheWorkBack(t *testing.T) {
	c := working(t)
	r := on(qilian.ActResolve, staff(unitA), "C1-t1")
	r.Result = "done"
	step(t, c, r, t0.Add(2*time.Hour))
	e := refuse(t, c, qilian.Action{Name: qilian.ActVerify, Actor: axis, Pass: no()}, t0.Add(3*time.Hour))
	require.Equal(t, map[string]string{"note": "say what is wrong with the result"}, e.Fields)
	step(t, c, qilian.Action{Name: qilian.ActVerify, Actor: axis, Pass: no(), Note: "现场仍有堆物"}, t0.Add(3*time.Hour))
	require.Equal(t, qilian.CaseInProgress, c.State)
	require.Equal(t, qilian.TaskInProgress, task(t, c, "C1-t1").State)
	step(t, c, r, t0.Add(4*time.Hour))
	require.Equal(t, qilian.CaseVerifying, c.State)
}

// Any action carries files, kept once on its first event of its own type;
// a task keeps only the photos of its work (progress and result).
func TestAnActionsAttachmentsStayOnItsEvent(t *testing.T) {
	withFiles := func(a qilian.Action, files ...string) qilian.Action { a.Attachments = files; return a }
	carrying := func(evs []qilian.Event) [][]string {
		var out [][]string
		for _, ev := range evs {
			out = append(out, ev.Attachments)
		}
		return out
	}
	c := dispatched(t)
	evs := step(t, c, withFiles(on(qilian.ActAccept, staff(unitA), "C1-t1"), "/api/v1/files/accept"), t0.Add(time.Hour))
	require.Equal(t, []qilian.EventType{"accept", "accept"}, types(evs), "the task's move and the case's")
	require.Equal(t, [][]string{{"/api/v1/files/accept"}, nil}, carrying(evs), "once, on the first")
	require.Empty(t, task(t, c, "C1-t1").Attachments, "an acceptance's file is no photo of the work")

	r := withFiles(on(qilian.ActResolve, staff(unitA), "C1-t1"), "/api/v1/files/after")
	r.Result = "done"
	evs = step(t, c, r, t0.Add(2*time.Hour))
	require.Equal(t, []string{"/api/v1/files/after"}, evs[0].Attachments)
	require.Equal(t, []string{"/api/v1/files/after"}, task(t, c, "C1-t1").Attachments)

	v := withFiles(qilian.Action{Name: qilian.ActVerify, Actor: axis, Pass: yes()}, "/api/v1/files/check", "https://example.com/report.pdf")
	evs = step(t, c, v, t0.Add(3*time.Hour))
	require.Equal(t, []string{"/api/v1/files/check", "https://example.com/report.pdf"}, evs[0].Attachments)
	require.Greater(t, len(evs), 1, "the case moves and the task completes")
	for _, ev := range evs[1:] {
		require.Empty(t, ev.Attachments)
	}
	require.Equal(t, []string{"/api/v1/files/after"}, task(t, c, "C1-t1").Attachments, "the task's photos are its own")
}

func TestUnsatisfiedResidentReopensTheCase(t *testing.T) {
	c := working(t)
	r := on(qilian.ActResolve, staff(unitA), "C1-t1")
	r.Result = "done"
	step(t, c, r, t0.Add(2*time.Hour))
	step(t, c, qilian.Action{Name: qilian.ActVerify, Actor: axis, Pass: yes()}, t0.Add(3*time.Hour))
	require.Equal(t, qilian.CaseFollowUp, c.State)

	evs := step(t, c, qilian.Action{Name: qilian.ActFollowUp, Actor: axis, Satisfied: no(), Note: "仍有噪音"}, t0.Add(4*time.Hour))
	require.Equal(t, qilian.CaseDispatching, c.State)
	require.Equal(t, qilian.PointsUnsatisfied, points(evs)[0].Kind)
	require.False(t, *c.Details.Service.Satisfied)
	require.Equal(t, qilian.TaskCompleted, task(t, c, "C1-t1").State, "completed tasks stay completed")

	step(t, c, dispatch(lead(unitB)), t0.Add(5*time.Hour))
	require.Equal(t, "C1-t2", c.Tasks[1].ID)
	step(t, c, on(qilian.ActAccept, staff(unitB), "C1-t2"), t0.Add(6*time.Hour))
	require.Equal(t, qilian.CaseInProgress, c.State)
}

func TestReopenFromFollowUp(t *testing.T) {
	c := working(t)
	r := on(qilian.ActResolve, staff(unitA), "C1-t1")
	r.Result = "done"
	step(t, c, r, t0.Add(2*time.Hour))
	step(t, c, qilian.Action{Name: qilian.ActVerify, Actor: axis, Pass: yes()}, t0.Add(3*time.Hour))
	require.Equal(t, qilian.ENOTFOUND, refuse(t, c, qilian.Action{Name: qilian.ActReopen, Actor: otherAxis}, t0).Code)
	step(t, c, qilian.Action{Name: qilian.ActReopen, Actor: axis}, t0.Add(4*time.Hour))
	require.Equal(t, qilian.CaseDispatching, c.State)
}

func TestReturnsAreCappedAndTheLeadReturningSendsTheCaseBack(t *testing.T) {
	c := working(t)
	ret := on(qilian.ActReturn, staff(unitA), "C1-t1")
	ret.Reason = qilian.ReturnNotOurDuty
	evs := step(t, c, ret, t0.Add(2*time.Hour))
	require.Equal(t, qilian.CaseDispatching, c.State)
	require.Equal(t, 1, c.Returns)
	require.Equal(t, qilian.PointsReturned, points(evs)[0].Kind)
	require.Equal(t, string(qilian.ReturnNotOurDuty), evs[0].Reason)

	step(t, c, dispatch(lead(unitB)), t0.Add(3*time.Hour))
	ret = on(qilian.ActReturn, staff(unitB), "C1-t2")
	ret.Reason = qilian.ReturnOther
	require.Equal(t, map[string]string{"note": "required when the reason is other"}, refuse(t, c, ret, t0).Fields)
	ret.Note = "设备不足"
	step(t, c, ret, t0.Add(4*time.Hour))
	require.Equal(t, 2, c.Returns)

	step(t, c, dispatch(lead(unitC)), t0.Add(5*time.Hour))
	ret = on(qilian.ActReturn, staff(unitC), "C1-t3")
	ret.Reason = qilian.ReturnBeyondCapacity
	e := refuse(t, c, ret, t0.Add(6*time.Hour))
	require.Equal(t, qilian.ECONFLICT, e.Code)
	require.Equal(t, "return limit reached; the axis must assign", e.Message)
	require.Equal(t, []qilian.ActionName{qilian.ActAccept}, c.Allowed(staff(unitC), t0), "no return offered past the cap")
}

func TestExtensionApprovedMovesTheDeadlineAndRejectedKeepsIt(t *testing.T) {
	c := working(t)
	old := task(t, c, "C1-t1").ResolveBy
	// Let the deadline pass so the approval visibly resets the ladder.
	tick(t, c, old.Due)
	require.True(t, c.Overdue)
	require.Equal(t, 1, c.Level)

	req := on(qilian.ActRequestExtension, staff(unitA), "C1-t1")
	require.Equal(t, map[string]string{"extra": "required: how much more time", "note": "required: why more time is needed"}, refuse(t, c, req, old.Due).Fields)
	req.Extra, req.Note = qilian.Span{Days: 2}, "等待配件"
	step(t, c, req, old.Due.Add(time.Hour))
	tk := task(t, c, "C1-t1")
	require.Equal(t, qilian.TaskAccepted, tk.State, "a request is no state: the task is still being worked")
	require.Equal(t, "C1-t1-x1", tk.Extension.ID)
	require.Equal(t, qilian.ECONFLICT, refuse(t, c, req, old.Due.Add(time.Hour)).Code, "one request pending at a time")
	require.NotEmpty(t, tick(t, c, old.Steps[3]), "the clock runs while the request waits")
	require.Greater(t, task(t, c, "C1-t1").Level, 1, "escalated further")
	require.Equal(t, []qilian.ActionName{qilian.ActDispatch, qilian.ActCancel, qilian.ActRemind, qilian.ActApproveExtension, qilian.ActRejectExtension, qilian.ActReassign, qilian.ActWithdraw}, c.Allowed(axis, t0))

	evs := step(t, c, qilian.Action{Name: qilian.ActApproveExtension, Actor: axis, ExtensionID: "C1-t1-x1"}, old.Due.Add(2*time.Hour))
	tk = task(t, c, "C1-t1")
	require.Equal(t, qilian.TaskAccepted, tk.State)
	require.Equal(t, old.Due.Add(16*time.Hour), tk.ResolveBy.Due, "two working days of 8 hours after the old due time")
	require.Equal(t, *evs[0].Deadline, tk.ResolveBy)
	require.Nil(t, tk.Extension)
	require.False(t, tk.Overdue)
	require.Zero(t, tk.Level)
	require.False(t, c.Overdue)
	require.Equal(t, qilian.ECONFLICT, refuse(t, c, qilian.Action{Name: qilian.ActApproveExtension, Actor: axis, ExtensionID: "C1-t1-x1"}, old.Due).Code)
	require.Equal(t, qilian.ENOTFOUND, refuse(t, c, qilian.Action{Name: qilian.ActApproveExtension, Actor: axis, ExtensionID: "nope"}, old.Due).Code)

	req.Note = "再等一天"
	step(t, c, req, old.Due.Add(3*time.Hour))
	require.Equal(t, "C1-t1-x2", task(t, c, "C1-t1").Extension.ID)
	step(t, c, qilian.Action{Name: qilian.ActRejectExtension, Actor: axis, ExtensionID: "C1-t1-x2", Note: "不同意"}, old.Due.Add(4*time.Hour))
	tk = task(t, c, "C1-t1")
	require.Equal(t, qilian.TaskAccepted, tk.State)
	require.Equal(t, old.Due.Add(16*time.Hour), tk.ResolveBy.Due, "unchanged")
	require.Nil(t, tk.Extension)
}

func TestAPendingExtensionIsMootOnceTheTaskIsResolved(t *testing.T) {
	c := working(t)
	req := on(qilian.ActRequestExtension, staff(unitA), "C1-t1")
	req.Extra, req.Note = qilian.Span{Days: 1}, "等配件"
	step(t, c, req, t0.Add(2*time.Hour))
	res := on(qilian.ActResolve, staff(unitA), "C1-t1")
	res.Result = "提前修好了"
	step(t, c, res, t0.Add(3*time.Hour))
	require.Nil(t, task(t, c, "C1-t1").Extension)
	require.Equal(t, qilian.ECONFLICT, refuse(t, c, qilian.Action{Name: qilian.ActApproveExtension, Actor: axis, ExtensionID: "C1-t1-x1"}, t0.Add(4*time.Hour)).Code)
}

func TestReassignAndWithdraw(t *testing.T) {
	c := working(t)
	step(t, c, dispatch(co(unitB, true)), t0.Add(time.Hour))
	e := refuse(t, c, qilian.Action{Name: qilian.ActReassign, Actor: axis, TaskID: "C1-t1", UnitID: unitB}, t0)
	require.Equal(t, map[string]string{"unit_id": "the unit already has an open task on this case"}, e.Fields)

	step(t, c, qilian.Action{Name: qilian.ActReassign, Actor: axis, TaskID: "C1-t1", UnitID: unitC}, t0.Add(2*time.Hour))
	require.Equal(t, qilian.TaskReassigned, task(t, c, "C1-t1").State)
	nt := task(t, c, "C1-t3")
	require.Equal(t, unitC, nt.UnitID)
	require.Equal(t, qilian.TaskLead, nt.Role)
	require.Equal(t, t0.Add(2*time.Hour+8*time.Hour), nt.AcceptBy.Due, "fresh deadlines")
	require.Equal(t, qilian.CaseDispatching, c.State, "the new lead has to accept")

	require.Equal(t, map[string]string{"note": "say why the task is withdrawn"}, refuse(t, c, on(qilian.ActWithdraw, axis, "C1-t2"), t0).Fields)
	w := on(qilian.ActWithdraw, axis, "C1-t2")
	w.Note = "无需协办"
	step(t, c, w, t0.Add(3*time.Hour))
	require.Equal(t, qilian.TaskWithdrawn, task(t, c, "C1-t2").State)
	require.Equal(t, qilian.ECONFLICT, refuse(t, c, w, t0.Add(3*time.Hour)).Code)
}

func TestCancelWithdrawsOpenTasksAndCloseOnlyAtTriage(t *testing.T) {
	c := dispatched(t)
	require.Equal(t, qilian.ECONFLICT, refuse(t, c, qilian.Action{Name: qilian.ActClose, Actor: axis, Resolution: qilian.ResolutionInvalid}, t0).Code)
	step(t, c, qilian.Action{Name: qilian.ActCancel, Actor: axis, Note: "居民撤诉"}, t0.Add(time.Hour))
	require.Equal(t, qilian.CaseCancelled, c.State)
	require.Equal(t, qilian.TaskWithdrawn, task(t, c, "C1-t1").State)
	_, ok := c.NextWakeup()
	require.False(t, ok)
	require.Empty(t, c.Tick(t0.Add(1000*time.Hour)))

	c = open(t, request(qilian.KindServiceLinkage), grid)
	closeAs := qilian.Action{Name: qilian.ActClose, Actor: axis, Resolution: qilian.ResolutionDuplicate}
	require.Equal(t, map[string]string{"duplicate_of": "required: the case this one duplicates"}, refuse(t, c, closeAs, t0).Fields)
	closeAs.DuplicateOf = c.ID
	require.Equal(t, map[string]string{"duplicate_of": "a case cannot duplicate itself"}, refuse(t, c, closeAs, t0).Fields)
	closeAs.DuplicateOf = "C0"
	step(t, c, closeAs, t0)
	require.Equal(t, qilian.CaseClosed, c.State)
	require.Equal(t, qilian.ResolutionDuplicate, c.Resolution)
	require.Equal(t, "C0", c.DuplicateOf)
}

func TestDecideRefusals(t *testing.T) {
	tests := []struct {
		name   string
		c      func(*testing.T) *qilian.Case
		a      qilian.Action
		code   string
		fields map[string]string
	}{
		{"unit staff may never dispatch", dispatched, qilian.Action{Name: qilian.ActDispatch, Actor: staff(unitA)}, qilian.EFORBIDDEN, nil},
		{"admins take no case action", dispatched, qilian.Action{Name: qilian.ActCancel, Actor: admin, Note: "x"}, qilian.EFORBIDDEN, nil},
		{"the system actor takes no human action", dispatched, qilian.Action{Name: qilian.ActRemind, Actor: qilian.System}, qilian.EFORBIDDEN, nil},
		{"supervisors only remind and notify", dispatched, qilian.Action{Name: qilian.ActVerify, Actor: supervisor, Pass: yes()}, qilian.EFORBIDDEN, nil},
		{"grid workers do not accept tasks", dispatched, on(qilian.ActAccept, grid, "C1-t1"), qilian.EFORBIDDEN, nil},
		{"unknown action", dispatched, qilian.Action{Name: "explode", Actor: axis}, qilian.EINVALID, map[string]string{"name": "unknown action"}},
		{"an axis outside its subtree finds nothing", dispatched, qilian.Action{Name: qilian.ActCancel, Actor: otherAxis, Note: "x"}, qilian.ENOTFOUND, nil},
		{"a supervisor of another street finds nothing", dispatched, qilian.Action{Name: qilian.ActRemind, Actor: qilian.Actor{UserID: "s2", Role: qilian.RoleSupervisor, LocalityPath: "/c1/s2/"}}, qilian.ENOTFOUND, nil},
		{"an uninvolved unit finds nothing", dispatched, on(qilian.ActAccept, staff(unitB), "C1-t1"), qilian.ENOTFOUND, nil},
		{"a unit cannot see another unit's task", func(t *testing.T) *qilian.Case {
			c := dispatched(t)
			step(t, c, dispatch(co(unitB, false)), t0)
			return c
		}, on(qilian.ActAccept, staff(unitB), "C1-t1"), qilian.ENOTFOUND, nil},
		{"a task that does not exist", dispatched, on(qilian.ActAccept, staff(unitA), "C1-t9"), qilian.ENOTFOUND, nil},
		{"a task action needs a task", dispatched, on(qilian.ActAccept, staff(unitA), ""), qilian.EINVALID, map[string]string{"task_id": "required"}},
		{"verify before the work is done", dispatched, qilian.Action{Name: qilian.ActVerify, Actor: axis, Pass: yes()}, qilian.ECONFLICT, nil},
		{"accept twice", working, on(qilian.ActAccept, staff(unitA), "C1-t1"), qilian.ECONFLICT, nil},
		{"resolve an offered task", dispatched, qilian.Action{Name: qilian.ActResolve, Actor: staff(unitA), TaskID: "C1-t1", Result: "x"}, qilian.ECONFLICT, nil},
		{"stale revision", dispatched, qilian.Action{Name: qilian.ActAccept, Actor: staff(unitA), TaskID: "C1-t1", ExpectedRevision: 1}, qilian.ECONFLICT, nil},
		{"a closed case refuses everything", func(t *testing.T) *qilian.Case {
			c := open(t, request(qilian.KindServiceLinkage), grid)
			step(t, c, qilian.Action{Name: qilian.ActClose, Actor: axis, Resolution: qilian.ResolutionInvalid}, t0)
			return c
		}, qilian.Action{Name: qilian.ActCancel, Actor: admin}, qilian.ECONFLICT, nil},
		{"return without a reason", working, on(qilian.ActReturn, staff(unitA), "C1-t1"), qilian.EINVALID, map[string]string{"reason": "required: one of not_our_duty, wrong_location, insufficient_info, duplicate, beyond_capacity, other"}},
		{"resolve without a result", working, on(qilian.ActResolve, staff(unitA), "C1-t1"), qilian.EINVALID, map[string]string{"result": "required"}},
		{"a second open lead", dispatched, dispatch(lead(unitB)), qilian.ECONFLICT, map[string]string{"assignments[0].role": "the case already has an open lead"}},
		{"a unit with an open task on the case", dispatched, dispatch(co(unitA, true)), qilian.ECONFLICT, map[string]string{"assignments[0].unit_id": "the unit already has an open task on this case"}},
		{"a service case needs a lead", func(t *testing.T) *qilian.Case { return open(t, request(qilian.KindServiceLinkage), grid) }, dispatch(co(unitA, true)), qilian.EINVALID, map[string]string{"assignments": "a lead unit is required"}},
		{"bad assignments", func(t *testing.T) *qilian.Case { return open(t, request(qilian.KindServiceLinkage), grid) },
			dispatch(qilian.Assignment{Role: "boss"}, lead(unitA), lead(unitA)), qilian.EINVALID, map[string]string{
				"assignments[0].unit_id": "required", "assignments[0].role": "must be lead or co",
				"assignments[2].unit_id": "unit named twice", "assignments[2].role": "only one lead",
			}},
		{"booking cases have no tasks", func(t *testing.T) *qilian.Case { return open(t, request(qilian.KindResourceSharing), axis) }, dispatch(lead(unitA)), qilian.ECONFLICT, nil},
		{"a notice needs its text", dispatched, qilian.Action{Name: qilian.ActNotice, Actor: supervisor}, qilian.EINVALID, map[string]string{"note": "required: the text of the notice"}},
		{"a whistle outside problem solving", dispatched, qilian.Action{Name: qilian.ActWhistle, Actor: axis, Units: []string{unitA}}, qilian.ECONFLICT, nil},
		{"a vote by someone in scope who is no participant", func(t *testing.T) *qilian.Case { return voting(t, request(qilian.KindJointConsultation)) },
			qilian.Action{Name: qilian.ActVote, Actor: grid, Option: "A"}, qilian.ECONFLICT, nil},
		{"a vote by someone out of scope", func(t *testing.T) *qilian.Case { return voting(t, request(qilian.KindJointConsultation)) },
			qilian.Action{Name: qilian.ActVote, Actor: otherAxis, Option: "A"}, qilian.ENOTFOUND, nil},
		{"a vote for no option", func(t *testing.T) *qilian.Case { return voting(t, request(qilian.KindJointConsultation)) },
			vote("p1", "C"), qilian.EINVALID, map[string]string{"option": "must be one of the consultation's options"}},
		{"hours logged by another unit", func(t *testing.T) *qilian.Case {
			c := open(t, request(qilian.KindMemberManagement), staff(unitA))
			step(t, c, qilian.Action{Name: qilian.ActAssignPost, Actor: axis, Post: "p"}, t0)
			return c
		}, qilian.Action{Name: qilian.ActLogHours, Actor: staff(unitA), Hours: &qilian.HoursLog{Date: "2026-03-01", Hours: 1}}, qilian.EFORBIDDEN, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c(t)
			e := refuse(t, c, tt.a, t0.Add(time.Hour))
			require.Equal(t, tt.code, e.Code, e.Message)
			if tt.fields != nil {
				require.Equal(t, tt.fields, e.Fields)
			}
		})
	}
}

func TestDecideChecksInOrder(t *testing.T) {
	c := dispatched(t)
	// Wrong revision beats wrong role, which beats wrong scope, which
	// beats wrong state.
	a := qilian.Action{Name: qilian.ActVerify, Actor: staff(unitB), ExpectedRevision: 99}
	require.Contains(t, refuse(t, c, a, t0).Message, "stale")
	a.ExpectedRevision = c.Revision
	require.Equal(t, qilian.EFORBIDDEN, refuse(t, c, a, t0).Code)
	a.Actor = otherAxis
	require.Equal(t, qilian.ENOTFOUND, refuse(t, c, a, t0).Code)
	a.Actor = axis
	require.Equal(t, qilian.ECONFLICT, refuse(t, c, a, t0).Code)
}

// rich is a case with something in every map and slice Decide could be
// tempted to write to.
func rich(t *testing.T) *qilian.Case {
	t.Helper()
	c := open(t, request(qilian.KindProblemSolving), axis)
	step(t, c, dispatch(lead(unitA), co(unitB, true)), t0)
	step(t, c, qilian.Action{Name: qilian.ActWhistle, Actor: axis, Units: []string{unitA, unitB}}, t0)
	step(t, c, qilian.Action{Name: qilian.ActReport, Actor: staff(unitA)}, t0)
	step(t, c, on(qilian.ActAccept, staff(unitA), "C1-t1"), t0)
	step(t, c, on(qilian.ActAccept, staff(unitB), "C1-t2"), t0)
	return c
}

func TestDecideNeverChangesTheCase(t *testing.T) {
	ok := func(a qilian.Action) qilian.Action { return a }
	resolve := on(qilian.ActResolve, staff(unitA), "C1-t1")
	resolve.Result = "r"
	ext := on(qilian.ActRequestExtension, staff(unitB), "C1-t2")
	ext.Extra, ext.Note = qilian.Span{Days: 1}, "n"
	actions := []qilian.Action{
		ok(resolve), ext,
		{Name: qilian.ActReport, Actor: staff(unitB)},
		{Name: qilian.ActMeeting, Actor: axis, Note: "m", Units: []string{unitA}},
		{Name: qilian.ActWhistle, Actor: axis, Units: []string{unitC}},
		{Name: qilian.ActReassign, Actor: axis, TaskID: "C1-t2", UnitID: unitC},
		{Name: qilian.ActCancel, Actor: axis, Note: "n"},
		dispatch(co(unitC, true)),
	}
	for _, a := range actions {
		t.Run(string(a.Name), func(t *testing.T) {
			c := rich(t)
			before := snapshot(t, c)
			tasks := c.Tasks
			steps := c.Tasks[0].ResolveBy.Steps
			evs, err := c.Decide(a, t0.Add(time.Hour), sched)
			require.NoError(t, err)
			require.NotEmpty(t, evs)
			require.Equal(t, before, snapshot(t, c))
			require.Len(t, c.Tasks, len(tasks))
			require.Same(t, &tasks[0], &c.Tasks[0], "the task slice was replaced")
			require.Equal(t, steps, c.Tasks[0].ResolveBy.Steps)

			// Nor does the case share memory with the events it applies.
			c.Apply(evs)
			after := snapshot(t, c)
			for i := range evs {
				if evs[i].Task != nil {
					evs[i].Task.State = "tampered"
					evs[i].Task.AcceptBy.Steps[0] = time.Time{}
				}
				if evs[i].Whistle != nil {
					evs[i].Whistle.Units[0] = "tampered"
				}
			}
			require.Equal(t, after, snapshot(t, c))
		})
	}
}

func TestAllowedFollowsRoleScopeAndState(t *testing.T) {
	c := dispatched(t)
	step(t, c, dispatch(co(unitB, false)), t0)
	tests := []struct {
		name  string
		actor qilian.Actor
		want  []qilian.ActionName
	}{
		{"the task's unit may accept or return", staff(unitA), []qilian.ActionName{qilian.ActAccept, qilian.ActReturn}},
		{"the axis dispatches, cancels and steers tasks", axis, []qilian.ActionName{qilian.ActDispatch, qilian.ActCancel, qilian.ActRemind, qilian.ActReassign, qilian.ActWithdraw}},
		{"a supervisor reminds and notifies", supervisor, []qilian.ActionName{qilian.ActRemind, qilian.ActNotice}},
		{"a grid worker has nothing to do yet", grid, nil},
		{"an admin has no case actions", admin, nil},
		{"an axis out of scope sees nothing", otherAxis, nil},
		{"an uninvolved unit sees nothing", staff(unitC), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, c.Allowed(tt.actor, t0))
			for _, name := range tt.want {
				a := qilian.Action{Name: name, Actor: tt.actor}
				_, err := c.Decide(a, t0, sched)
				require.NotContains(t, []string{qilian.EFORBIDDEN, qilian.ENOTFOUND}, qilian.ErrorCode(err), "%s allowed but refused: %v", name, err)
			}
		})
	}
	require.Equal(t, []qilian.ActionName{qilian.ActFollowUp}, followUpCase(t).Allowed(grid, t0))
}

func followUpCase(t *testing.T) *qilian.Case {
	c := working(t)
	r := on(qilian.ActResolve, staff(unitA), "C1-t1")
	r.Result = "done"
	step(t, c, r, t0.Add(2*time.Hour))
	step(t, c, qilian.Action{Name: qilian.ActVerify, Actor: axis, Pass: yes()}, t0.Add(3*time.Hour))
	return c
}

// The workflow may persist the trail and rebuild a case from it: Apply
// must read only what survives JSON, never Payload's Go types.
func TestReplayingTheTrailRebuildsTheCase(t *testing.T) {
	req := request(qilian.KindServiceLinkage)
	req.Reporter.Phone = "13800000000"
	opened, openEvs, err := qilian.Open(req, grid, t0, testPolicy())
	require.NoError(t, err)
	c := &opened
	start := snapshot(t, c)
	trail := [][]qilian.Event{}
	do := func(evs []qilian.Event) { trail = append(trail, evs) }

	do(step(t, c, dispatch(lead(unitA), co(unitB, true)), t0))
	do(step(t, c, on(qilian.ActAccept, staff(unitA), "C1-t1"), t0.Add(time.Hour)))
	do(tick(t, c, t0.Add(8*time.Hour)))
	ret := on(qilian.ActReturn, staff(unitB), "C1-t2")
	ret.Reason = qilian.ReturnWrongLocation
	do(step(t, c, ret, t0.Add(9*time.Hour)))
	drop := on(qilian.ActWithdraw, axis, "C1-t2")
	drop.Note = "该处不属协办范围"
	do(step(t, c, drop, t0.Add(9*time.Hour+30*time.Minute)))
	ext := on(qilian.ActRequestExtension, staff(unitA), "C1-t1")
	ext.Extra, ext.Note = qilian.Span{Days: 1}, "等配件"
	do(step(t, c, ext, t0.Add(10*time.Hour)))
	do(step(t, c, qilian.Action{Name: qilian.ActApproveExtension, Actor: axis, ExtensionID: "C1-t1-x1"}, t0.Add(11*time.Hour)))
	do(tick(t, c, t0.Add(100*time.Hour)))
	res := on(qilian.ActResolve, staff(unitA), "C1-t1")
	res.Result = "修好了"
	do(step(t, c, res, t0.Add(101*time.Hour)))
	do(step(t, c, qilian.Action{Name: qilian.ActVerify, Actor: axis, Pass: yes()}, t0.Add(102*time.Hour)))
	do(step(t, c, qilian.Action{Name: qilian.ActFollowUp, Actor: grid, Satisfied: no(), Note: "不满意"}, t0.Add(103*time.Hour)))
	require.Equal(t, qilian.CaseDispatching, c.State)

	var replayed qilian.Case
	require.NoError(t, json.Unmarshal([]byte(start), &replayed))
	require.Equal(t, int64(1), openEvs[0].Seq)
	for _, group := range trail {
		b, err := json.Marshal(group)
		require.NoError(t, err)
		var evs []qilian.Event
		require.NoError(t, json.Unmarshal(b, &evs))
		replayed.Apply(evs)
	}
	require.Equal(t, snapshot(t, c), snapshot(t, &replayed))
	for _, group := range trail {
		replayed.Apply(group)
	}
	require.Equal(t, snapshot(t, c), snapshot(t, &replayed), "a trail applied twice counts once")
}

func TestFollowUpWithoutLeadCreditsEveryCompletedUnit(t *testing.T) {
	req := request(qilian.KindRegionalCoordination)
	req.Reporter.Phone = "13800000000"
	c := open(t, req, axis)
	step(t, c, dispatch(co(unitA, true), co(unitB, true)), t0)
	for _, x := range []struct{ unit, id string }{{unitA, "C1-t1"}, {unitB, "C1-t2"}} {
		step(t, c, on(qilian.ActAccept, staff(x.unit), x.id), t0)
		p := on(qilian.ActProgress, staff(x.unit), x.id)
		p.Note = "first"
		step(t, c, p, t0.Add(time.Hour))
		p.Note = "second"
		evs := step(t, c, p, t0.Add(2*time.Hour))
		require.Empty(t, evs[0].ToState, "a second report changes no state")
		r := on(qilian.ActResolve, staff(x.unit), x.id)
		r.Result = "done"
		step(t, c, r, t0.Add(3*time.Hour))
	}
	require.Equal(t, 2, c.Details.Regional.Reports["C1-t2"])
	step(t, c, qilian.Action{Name: qilian.ActVerify, Actor: axis, Pass: yes()}, t0.Add(4*time.Hour))
	require.Equal(t, qilian.CaseFollowUp, c.State, "a reporter with a phone is called back")
	evs := step(t, c, qilian.Action{Name: qilian.ActFollowUp, Actor: grid, Satisfied: yes()}, t0.Add(5*time.Hour))
	at := t0.Add(5 * time.Hour)
	require.Equal(t, []qilian.PointsEvent{
		{Kind: qilian.PointsSatisfied, SubjectType: "unit", SubjectID: unitA, Quantity: 1, At: at},
		{Kind: qilian.PointsSatisfied, SubjectType: "unit", SubjectID: unitB, Quantity: 1, At: at},
	}, points(evs))
	require.Equal(t, qilian.CaseClosed, c.State)
}

// voting is a consultation opened by the axis and opened for voting.
func voting(t *testing.T, req qilian.OpenRequest) *qilian.Case {
	t.Helper()
	c := open(t, req, axis)
	step(t, c, qilian.Action{Name: qilian.ActOpenVoting, Actor: axis}, t0)
	return c
}
