package qilian

import (
	"math"
	"time"
)

// WorkingTime is the working-time calendar the Scheduler counts on: the
// official calendar of public holidays and make-up working days with the
// office hours of a working day. The calendar package provides one; the
// domain only needs these three questions answered.
type WorkingTime interface {
	// Add returns the instant at which d of working time has elapsed after
	// start.
	Add(start time.Time, d time.Duration) (time.Time, error)
	// Between returns the working time elapsed from from to to.
	Between(from, to time.Time) (time.Duration, error)
	// PerDay is the working time in one full working day.
	PerDay() time.Duration
	// Provisional reports whether any day from from to to lies in a year
	// the calendar has no official data for, so that its working days were
	// computed from the rules and may move once the year is arranged.
	Provisional(from, to time.Time) bool
}

// Scheduler computes deadlines. Decide is the only caller, so every instant
// lands in an event and Apply and Tick never need a calendar: replaying a
// case, or editing a calendar file later, never moves a deadline.
type Scheduler interface {
	// Deadlines returns the accept-by and resolve-by deadlines of a task of
	// a case of kind k and priority p offered at from.
	Deadlines(k Kind, p Priority, from time.Time) (accept, resolve Deadline, err error)
	// Extend moves d by extra on d's own clock, counted from d's old due
	// time, and recomputes its warning and ladder.
	Extend(d Deadline, extra Span) (Deadline, error)
	// After returns the instant sp after from on clock.
	After(from time.Time, sp Span, clock Clock) (time.Time, error)
	// Retime recomputes a provisional deadline from its From and Span on
	// the calendar in force now; Deadline.Equal tells whether it moved. It
	// returns d unchanged when d is not provisional.
	Retime(d Deadline) (Deadline, error)
}

// NewScheduler returns the Scheduler for policy p counting working time on
// w. Wall-clock deadlines need no calendar, so w may be nil when no rule
// uses the working clock.
func NewScheduler(p Policy, w WorkingTime) Scheduler {
	return scheduler{policy: p, work: w}
}

type scheduler struct {
	policy Policy
	work   WorkingTime
}

func (s scheduler) Deadlines(k Kind, p Priority, from time.Time) (Deadline, Deadline, error) {
	r, err := s.policy.Deadline(k, p)
	if err != nil {
		return Deadline{}, Deadline{}, err
	}
	accept, err := s.deadline(from, r.Accept, r.Clock)
	if err != nil {
		return Deadline{}, Deadline{}, err
	}
	resolve, err := s.deadline(from, r.Resolve, r.Clock)
	if err != nil {
		return Deadline{}, Deadline{}, err
	}
	return accept, resolve, nil
}

func (s scheduler) Extend(d Deadline, extra Span) (Deadline, error) {
	if extra.IsZero() {
		return Deadline{}, Errorf(EINVALID, "an extension must add time")
	}
	return s.deadline(d.Due, extra, d.Clock)
}

func (s scheduler) Retime(d Deadline) (Deadline, error) {
	if !d.Provisional || d.Clock != ClockWorking || d.From.IsZero() {
		return d, nil
	}
	return s.deadline(d.From, d.Span, d.Clock)
}

func (s scheduler) After(from time.Time, sp Span, clock Clock) (time.Time, error) {
	switch clock {
	case ClockWall:
		return from.Add(sp.Wall()), nil
	case ClockWorking:
		if s.work == nil {
			return time.Time{}, Errorf(EINTERNAL, "no working-time calendar configured")
		}
		return s.addWorking(from, time.Duration(sp.Days)*s.work.PerDay()+sp.Time)
	}
	return time.Time{}, Errorf(EINVALID, "unknown clock %q: must be wall or working", clock)
}

// deadline is sp after from on clock, with the warning at Policy.WarnAt of
// the way and one instant per ladder rung, each counted from the due time on
// the same clock.
func (s scheduler) deadline(from time.Time, sp Span, clock Clock) (Deadline, error) {
	due, err := s.After(from, sp, clock)
	if err != nil {
		return Deadline{}, err
	}
	var warn time.Time
	if clock == ClockWall {
		warn = from.Add(fraction(sp.Wall(), s.policy.WarnAt))
	} else {
		total := time.Duration(sp.Days)*s.work.PerDay() + sp.Time
		if warn, err = s.addWorking(from, fraction(total, s.policy.WarnAt)); err != nil {
			return Deadline{}, err
		}
	}
	d := Deadline{Due: due, WarnAt: warn, Clock: clock}
	for _, step := range s.policy.Ladder {
		at, err := s.After(due, step.After, clock)
		if err != nil {
			return Deadline{}, err
		}
		d.Steps = append(d.Steps, at)
	}
	if clock == ClockWorking {
		last := due
		if n := len(d.Steps); n > 0 {
			last = d.Steps[n-1]
		}
		d.From, d.Span = from, sp
		d.Provisional = s.work.Provisional(from, last)
	}
	return d, nil
}

// addWorking turns a calendar failure into an error an operator can act
// on. A year without official data is counted provisionally, so in
// practice only a date centuries away fails. The calendar's own error is
// kept as text because the domain cannot import the calendar package.
func (s scheduler) addWorking(from time.Time, d time.Duration) (time.Time, error) {
	t, err := s.work.Add(from, d)
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "deadline cannot be computed: %v", err)
	}
	return t, nil
}

// fraction rounds to the nanosecond so that 80% of 7.5h is exactly 6h.
func fraction(d time.Duration, f float64) time.Duration {
	return time.Duration(math.Round(float64(d) * f))
}

// current is the deadline a task is running against: accept-by while it
// is offered, resolve-by once accepted. A task on hold (an extension is
// pending) and a task that is done run against nothing.
func (t *Task) current() (Deadline, string, bool) {
	switch t.State {
	case TaskOffered:
		return t.AcceptBy, "accept_by", true
	case TaskAccepted, TaskInProgress:
		return t.ResolveBy, "resolve_by", true
	}
	return Deadline{}, "", false
}

// reporting reports whether the task owes periodic progress reports.
func (c *Case) reporting(t *Task) bool {
	if !c.Kind.spec().reports || t.NextReportDue.IsZero() {
		return false
	}
	return t.State == TaskAccepted || t.State == TaskInProgress || t.State == TaskOnHold
}

// reached reports whether the instant at has come by now; a zero instant
// never comes.
func reached(at, now time.Time) bool { return !at.IsZero() && !now.Before(at) }

// escalationTargets says whom each rung of the ladder addresses.
var escalationTargets = map[EscalationAction]string{
	EscalateRemind:  "unit",      // 催办
	EscalateNotice:  "community", // 通报 to the community axis
	EscalateWhistle: "street",    // 吹哨 to the street axis
	EscalateCounty:  "county",
}

// Tick returns what the engine does by itself when time has come to now,
// as events of the system actor; it never changes the case (Apply the
// events, as with Decide). For each task running against a deadline it
// emits, in order and once each: "warning" when WarnAt has come,
// "overdue" (with PointsOverdue for the unit) when Due has come, and one
// "escalated" per ladder rung whose instant has come, naming the rung's
// action and target (unit, community, street or county). For a regional
// coordination task whose progress report is due it emits
// "report_missing" and moves the due time on by the task's ReportEvery,
// the wall-clock length of the interval the scheduler computed at the last
// report, so Tick needs no calendar; the next report the unit makes is
// again scheduled exactly. A whistle whose Due has come with units
// unreported gives "whistle_missed"; a consultation whose deadline has
// come is decided. A closed or cancelled case has nothing to do.
func (c *Case) Tick(now time.Time) []Event {
	if c.State.Terminal() {
		return nil
	}
	d := &decision{c: c.clone(), a: Action{Actor: System}, now: now}
	for i := range d.c.Tasks {
		t := &d.c.Tasks[i]
		if dl, which, ok := t.current(); ok {
			if !t.Warned && reached(dl.WarnAt, now) {
				d.emit(Event{Type: EventWarning, TaskID: t.ID, Reason: which + " is near",
					Payload: map[string]any{"deadline": which, "due": dl.Due, "unit_id": t.UnitID}})
			}
			if !t.Overdue && reached(dl.Due, now) {
				d.emit(Event{Type: EventOverdue, TaskID: t.ID, Reason: which + " passed",
					Payload: map[string]any{"deadline": which, "due": dl.Due, "unit_id": t.UnitID},
					Points:  []PointsEvent{unitPoints(PointsOverdue, t.UnitID, now)}})
			}
			for t.Level < len(dl.Steps) && reached(dl.Steps[t.Level], now) {
				rung := t.Level
				var action EscalationAction
				if rung < len(c.Policy.Ladder) {
					action = c.Policy.Ladder[rung].Action
				}
				d.emit(Event{Type: EventEscalated, TaskID: t.ID, Reason: string(action), Payload: map[string]any{
					"deadline": which, "rung": rung + 1, "action": string(action), "target": escalationTargets[action],
					"unit_id": t.UnitID, "locality_id": c.LocalityID, "at": dl.Steps[rung],
				}})
			}
		}
		if c.Rules >= 1 && c.reporting(t) && !t.ReportWarned && reached(t.ReportWarnAt, now) && !reached(t.NextReportDue, now) {
			d.emit(Event{Type: EventWarning, TaskID: t.ID, Ref: refNextReport, Reason: "next_report is near",
				Payload: map[string]any{"deadline": refNextReport, "due": t.NextReportDue, "unit_id": t.UnitID}})
		}
		if c.reporting(t) && reached(t.NextReportDue, now) {
			every := t.ReportEvery
			if every <= 0 {
				every = c.Policy.ProgressEvery.Wall()
			}
			if every <= 0 {
				every = 24 * time.Hour
			}
			next := t.NextReportDue
			for !next.After(now) {
				next = next.Add(every)
			}
			missing := Event{Type: EventReportMissing, TaskID: t.ID, NextReportDue: next, Reason: "progress report missing",
				Payload: map[string]any{"due": t.NextReportDue, "next_due": next, "unit_id": t.UnitID}}
			if c.Rules < 1 {
				d.emit(missing)
				continue
			}
			// As a deadline: the unit loses the points of an overdue task,
			// the next report is warned alike, and the task climbs a rung.
			due, rung := t.NextReportDue, t.ReportMisses
			if !t.ReportWarnAt.IsZero() {
				missing.ReportWarnAt = next.Add(-due.Sub(t.ReportWarnAt))
			}
			missing.Points = []PointsEvent{unitPoints(PointsOverdue, t.UnitID, now)}
			d.emit(missing)
			if rung < len(c.Policy.Ladder) {
				action := c.Policy.Ladder[rung].Action
				d.emit(Event{Type: EventEscalated, TaskID: t.ID, Ref: refNextReport, Reason: string(action), Payload: map[string]any{
					"deadline": refNextReport, "rung": rung + 1, "action": string(action), "target": escalationTargets[action],
					"unit_id": t.UnitID, "locality_id": c.LocalityID, "at": due,
				}})
			}
		}
	}
	if p := d.c.Details.Problem; p != nil {
		for _, w := range p.Whistles {
			if missing := w.unreported(); !w.Missed && len(missing) > 0 && reached(w.Due, now) {
				d.emit(Event{Type: EventWhistleMissed, Ref: w.ID, Reason: "summoned units did not report",
					Payload: map[string]any{"units": missing, "due": w.Due}})
			}
		}
	}
	if con := d.c.Details.Consultation; con != nil && con.Outcome == "" && reached(con.Deadline, now) {
		d.decide(con.atDeadline())
	}
	return d.evs
}

// Retime counts every provisional deadline of the case's open tasks again
// on the calendar s counts on, for when official data has replaced a year
// that was provisional. It returns one "retimed" event (system actor) per
// deadline that moved or lost its provisional mark, with both deadlines,
// and nothing when none did; like Tick it never changes the case. A task
// no longer offered keeps its accept-by as history.
func (c *Case) Retime(now time.Time, s Scheduler) ([]Event, error) {
	if c.State.Terminal() {
		return nil, nil
	}
	d := &decision{c: c.clone(), a: Action{Actor: System}, now: now}
	for i := range d.c.Tasks {
		t := &d.c.Tasks[i]
		if !t.State.Open() {
			continue
		}
		for _, which := range []string{"accept_by", "resolve_by"} {
			old := t.ResolveBy
			if which == "accept_by" {
				if t.State != TaskOffered {
					continue
				}
				old = t.AcceptBy
			}
			nd, err := s.Retime(old)
			if err != nil {
				return nil, err
			}
			if nd.Equal(old) {
				continue
			}
			d.emit(Event{Type: EventRetimed, TaskID: t.ID, Ref: which, Deadline: &nd,
				Reason: which + " counted again on the official calendar",
				Payload: map[string]any{
					"deadline": which, "unit_id": t.UnitID,
					"old_due": old.Due, "new_due": nd.Due, "provisional": nd.Provisional,
					"old": old, "new": nd,
				}})
		}
	}
	return d.evs, nil
}

// Provisional reports whether some open task has a provisional deadline
// ahead of it: what Retime would count again.
func (c *Case) Provisional() bool {
	if c.State.Terminal() {
		return false
	}
	for i := range c.Tasks {
		if c.Tasks[i].Provisional() {
			return true
		}
	}
	return false
}

// Provisional reports whether the task, still open, has a provisional
// deadline ahead of it: its resolve-by, or while offered its accept-by.
func (t *Task) Provisional() bool {
	if !t.State.Open() {
		return false
	}
	return t.ResolveBy.Provisional || (t.State == TaskOffered && t.AcceptBy.Provisional)
}

// NextWakeup returns the earliest instant at which Tick has something to
// do, and false when nothing is pending (a closed case, or no deadline
// left to watch). The instant is in the past when a Tick is overdue; once
// Tick's events for an instant are applied, NextWakeup is always later.
func (c *Case) NextWakeup() (time.Time, bool) {
	if c.State.Terminal() {
		return time.Time{}, false
	}
	var next time.Time
	consider := func(at time.Time) {
		if !at.IsZero() && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	for i := range c.Tasks {
		t := &c.Tasks[i]
		if dl, _, ok := t.current(); ok {
			if !t.Warned {
				consider(dl.WarnAt)
			}
			if !t.Overdue {
				consider(dl.Due)
			}
			if t.Level < len(dl.Steps) {
				consider(dl.Steps[t.Level])
			}
		}
		if c.reporting(t) {
			consider(t.NextReportDue)
			if c.Rules >= 1 && !t.ReportWarned {
				consider(t.ReportWarnAt)
			}
		}
	}
	if p := c.Details.Problem; p != nil {
		for _, w := range p.Whistles {
			if !w.Missed && len(w.unreported()) > 0 {
				consider(w.Due)
			}
		}
	}
	if con := c.Details.Consultation; con != nil && con.Outcome == "" {
		consider(con.Deadline)
	}
	return next, !next.IsZero()
}
