package qilian

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The case state machine is split the way the case workflow uses it:
//
//   - Open validates a request and returns the new case.
//   - Decide checks a human action against the case and returns the events
//     it causes, without touching the case. Deadlines are computed here,
//     with the Scheduler, and travel in the events.
//   - Apply records events on the case. It is deterministic and needs
//     neither a clock nor a calendar, so a replay rebuilds the same case.
//   - Tick (schedule.go) returns what the engine does by itself as time
//     passes, and NextWakeup when to call it next.
//
// Decide works on a copy of the case and applies each event to the copy as
// it emits it, so later decisions of the same action (does the case move on
// now that this task is resolved?) see the earlier ones, and Apply on the
// real case is bound to end up where Decide looked.

// EventType is what an event records: an action's name, or one of the
// engine's own events below.
type EventType string

// EventOf is the type of the event an action records.
func EventOf(n ActionName) EventType { return EventType(n) }

// Engine event types: what the trail records besides action names.
const (
	EventOpened        EventType = "opened"         // the case was opened
	EventWarning       EventType = "warning"        // a task used up Policy.WarnAt of its time
	EventOverdue       EventType = "overdue"        // a task's current deadline passed
	EventEscalated     EventType = "escalated"      // a ladder rung fired on a breached deadline
	EventWhistleMissed EventType = "whistle_missed" // summoned units did not report in time
	EventReportMissing EventType = "report_missing" // a regional coordination task owes a progress report
	EventDecided       EventType = "decided"        // a consultation has its outcome
	EventRetimed       EventType = "retimed"        // a provisional deadline was counted again on official data
)

// engineEvents lists the events the engine records by itself.
var engineEvents = []EventType{EventOpened, EventWarning, EventOverdue, EventEscalated,
	EventWhistleMissed, EventReportMissing, EventDecided, EventRetimed}

// EventTypes lists every type of event a trail holds: the engine's own,
// then one per action, in the table's order.
func EventTypes() []EventType {
	out := slices.Clone(engineEvents)
	for _, n := range Actions() {
		out = append(out, EventOf(n))
	}
	return out
}

// Consultation outcomes that are not an option.
const (
	OutcomeNoQuorum   = "no_quorum"
	OutcomeNoDecision = "no_decision"
)

// Subjects of points events.
const (
	SubjectUnit     = "unit"
	SubjectLocality = "locality"
	SubjectMember   = "member"
)

// Limits on what people type.
const (
	MaxTitle       = 200  // runes
	MaxDescription = 4000 // runes
)

// Decide checks action a against the case at now and returns the events to
// record; it never changes the case. The checks run in this order, and the
// first that fails decides the error: the case is not closed or cancelled
// (ECONFLICT); a.ExpectedRevision, when set, is the case's revision
// (ECONFLICT); the actor's role may ever take the action (EFORBIDDEN); the
// actor's place covers the case and the task (ENOTFOUND, so that what is
// out of scope looks like what does not exist); the case and task states
// allow it (ECONFLICT, with the reason); the inputs are valid (EINVALID,
// naming the fields). s computes the deadlines of new tasks, extensions
// and progress reports; the instants travel in the events. Build it from
// the case's own policy, NewScheduler(c.Policy, calendar), so that a
// change of configuration never reaches cases already running.
func (c *Case) Decide(a Action, now time.Time, s Scheduler) ([]Event, error) {
	if c.State.Terminal() {
		return nil, Errorf(ECONFLICT, "the case is %s", c.State)
	}
	if a.ExpectedRevision != 0 && a.ExpectedRevision != c.Revision {
		return nil, Errorf(ECONFLICT, "stale: the case is at revision %d, not %d; reload it", c.Revision, a.ExpectedRevision)
	}
	ti, err := c.guard(a, now)
	if err != nil {
		return nil, err
	}
	d := &decision{c: c.clone(), a: a, now: now, s: s, ti: ti}
	if err := d.run(); err != nil {
		return nil, err
	}
	return d.evs, nil
}

// decision is one run of Decide: a scratch copy of the case and the events
// emitted so far, each already applied to the copy.
type decision struct {
	c   *Case
	a   Action
	now time.Time
	s   Scheduler
	ti  int
	evs []Event
	// attached is set once an event keeps the action's attachments.
	attached bool
}

// emit applies ev to the scratch case and records it. The action's first
// event of its own type keeps what the action carried (a progress report's
// task event, a verification's case event), once.
func (d *decision) emit(ev Event) {
	ev.At = d.now
	if ev.Actor == (Actor{}) {
		ev.Actor = d.a.Actor
	}
	if ev.Type == "" {
		ev.Type = EventOf(d.a.Name)
	}
	if !d.attached && ev.Type == EventOf(d.a.Name) {
		ev.Attachments, d.attached = slices.Clone(d.a.Attachments), true
	}
	d.c.apply(&ev)
	d.evs = append(d.evs, ev)
}

// moveCase emits a case event that moves the case to state to. The event
// is emitted even when the case is there already, without states, so that
// nothing it carries is ever dropped.
func (d *decision) moveCase(to CaseState, ev Event) {
	if d.c.State != to {
		ev.FromState, ev.ToState = string(d.c.State), string(to)
	}
	d.emit(ev)
}

// moveTask emits a task state change.
func (d *decision) moveTask(i int, to TaskState, ev Event) {
	ev.TaskID = d.c.Tasks[i].ID
	ev.FromState, ev.ToState = string(d.c.Tasks[i].State), string(to)
	d.emit(ev)
}

func (d *decision) task() *Task { return &d.c.Tasks[d.ti] }

func (d *decision) scheduler() error {
	if d.s == nil {
		return Errorf(EINTERNAL, "%s needs a scheduler", d.a.Name)
	}
	return nil
}

func unitPoints(k PointsKind, unit string, at time.Time) PointsEvent {
	return PointsEvent{Kind: k, SubjectType: SubjectUnit, SubjectID: unit, Quantity: 1, At: at}
}

// run is the action's decision, from the action table.
func (d *decision) run() error {
	s, ok := actionIndex[d.a.Name]
	if !ok || s.Decide == nil {
		return Errorf(EINTERNAL, "action %s has no decision", d.a.Name)
	}
	return s.Decide(d)
}

// needsLead reports whether cases of kind k must have a lead unit (主办):
// the classic one-unit-leads flows (the kind's lead trait). Regional
// coordination, activities and the follow-up tasks of a consultation may
// be all co-units.
func needsLead(k Kind) bool { return k.spec().lead }

// liveLead reports whether the case has a lead task that is open or has
// done its work.
func (c *Case) liveLead() bool {
	for _, t := range c.Tasks {
		if t.Role == TaskLead && (t.State.Open() || t.State == TaskResolved || t.State == TaskCompleted) {
			return true
		}
	}
	return false
}

func (c *Case) openLead() bool {
	for _, t := range c.Tasks {
		if t.Role == TaskLead && t.State.Open() {
			return true
		}
	}
	return false
}

func (c *Case) openTaskOf(unit string) bool {
	for _, t := range c.Tasks {
		if t.UnitID == unit && t.State.Open() {
			return true
		}
	}
	return false
}

// workDone reports whether the axis can verify: no lead or required task
// is still open (optional co-tasks do not block), at least one task has a
// fresh result and, where a lead is needed, the lead has done its part.
func (c *Case) workDone() bool {
	fresh, lead := false, false
	for i, t := range c.Tasks {
		if t.State.Open() && (t.Role == TaskLead || t.Required) {
			return false
		}
		if c.unsettled(i) {
			return false
		}
		if t.State == TaskResolved {
			fresh = true
		}
		if t.Role == TaskLead && (t.State == TaskResolved || t.State == TaskCompleted) {
			lead = true
		}
	}
	return fresh && (lead || !needsLead(c.Kind))
}

// unsettled reports whether the task at i is a required task its unit
// returned that still wants a decision: the axis reassigns it to another
// unit or withdraws it, saying why. A returned lead whose place a later
// lead has taken is settled by that dispatch.
func (c *Case) unsettled(i int) bool {
	t := c.Tasks[i]
	if t.State != TaskReturned || !t.Required {
		return false
	}
	if t.Role == TaskLead {
		for _, later := range c.Tasks[i+1:] {
			if later.Role == TaskLead {
				return false
			}
		}
	}
	return true
}

// newTask is a task offered to unit now, with fresh deadlines.
func (d *decision) newTask(unit string, role TaskRole, required bool) (Task, error) {
	accept, resolve, err := d.s.Deadlines(d.c.Kind, d.c.Priority, d.now)
	if err != nil {
		return Task{}, err
	}
	return Task{
		ID: d.c.ID + "-t" + strconv.Itoa(len(d.c.Tasks)+1), UnitID: unit, Role: role,
		Required: required || role == TaskLead, State: TaskOffered,
		AcceptBy: accept, ResolveBy: resolve, CreatedAt: d.now, UpdatedAt: d.now,
	}, nil
}

func (d *decision) dispatch() error {
	a, c := d.a, d.c
	// f names every problem; conflicts those the case's current state
	// refuses (409: a second open lead, a unit with an open task), which
	// is also what a retried dispatch that already took effect meets. Any
	// problem with the input itself makes the whole answer a 400.
	f, conflicts := map[string]string{}, map[string]string{}
	conflict := func(k, v string) { f[k], conflicts[k] = v, v }
	if len(a.Assignments) == 0 {
		f["assignments"] = "at least one unit"
	}
	seen := map[string]bool{}
	leads := 0
	if c.openLead() {
		leads = 1
	}
	for i, as := range a.Assignments {
		key := fmt.Sprintf("assignments[%d]", i)
		switch {
		case as.UnitID == "":
			f[key+".unit_id"] = "required"
		case seen[as.UnitID]:
			f[key+".unit_id"] = "unit named twice"
		case c.openTaskOf(as.UnitID):
			conflict(key+".unit_id", "the unit already has an open task on this case")
		}
		seen[as.UnitID] = true
		switch as.Role {
		case TaskLead:
			if leads++; leads > 1 && c.openLead() {
				conflict(key+".role", "the case already has an open lead")
			} else if leads > 1 {
				f[key+".role"] = "only one lead"
			}
		case TaskCo:
		default:
			f[key+".role"] = "must be lead or co"
		}
		switch {
		case as.Duty == "":
		case c.Kind != KindJointActivity:
			f[key+".duty"] = "only joint activities give their units duties"
		case !slices.Contains(Duties(), as.Duty):
			f[key+".duty"] = "must be venue, staff or materials"
		}
	}
	if len(f) == 0 && needsLead(c.Kind) && leads == 0 && !c.liveLead() {
		f["assignments"] = "a lead unit is required"
	}
	if len(f) > len(conflicts) {
		return Invalid(f)
	}
	if len(conflicts) > 0 {
		return &Error{Code: ECONFLICT, Message: "not allowed in the case's current state", Fields: conflicts}
	}
	if err := d.scheduler(); err != nil {
		return err
	}
	var ids []string
	for _, as := range a.Assignments {
		t, err := d.newTask(as.UnitID, as.Role, as.Required)
		if err != nil {
			return err
		}
		t.Duty = as.Duty
		ids = append(ids, t.ID)
		payload := map[string]any{
			"unit_id": t.UnitID, "role": string(t.Role), "required": t.Required,
			"accept_by": t.AcceptBy.Due, "resolve_by": t.ResolveBy.Due,
		}
		if t.Duty != "" {
			payload["duty"] = string(t.Duty)
		}
		d.emit(Event{TaskID: t.ID, ToState: string(TaskOffered), Task: &t, Payload: payload})
	}
	if c.State == CaseTriage || c.State == CaseVerifying {
		d.moveCase(CaseDispatching, Event{Payload: map[string]any{"tasks": ids}})
	}
	return nil
}

// accept moves the task to accepted, not straight to in_progress: the
// first progress report does that, so "accepted, no news yet" stays
// visible. Either way the resolve-by deadline now runs, with its warning
// and ladder afresh.
func (d *decision) accept() error {
	c, t := d.c, d.task()
	ev := Event{}
	if !d.now.After(t.AcceptBy.Due) {
		ev.Points = []PointsEvent{unitPoints(PointsAcceptedOnTime, t.UnitID, d.now)}
	}
	if err := d.nextReport(&ev); err != nil {
		return err
	}
	lead := t.Role == TaskLead
	d.moveTask(d.ti, TaskAccepted, ev)
	if c.State == CaseDispatching && (lead || (!needsLead(c.Kind) && !c.openLead())) {
		d.moveCase(CaseInProgress, Event{Reason: "lead accepted"})
	}
	return nil
}

// nextReport sets when a task of a reporting kind (regional coordination)
// owes its next progress report: one reporting period of working time
// from now.
func (d *decision) nextReport(ev *Event) error {
	if !d.c.Kind.spec().reports {
		return nil
	}
	if err := d.scheduler(); err != nil {
		return err
	}
	due, err := d.s.After(d.now, d.c.Policy.ProgressEvery, ClockWorking)
	if err != nil {
		return err
	}
	ev.NextReportDue = due
	ev.ReportWarnAt = d.now.Add(fraction(due.Sub(d.now), d.c.Policy.WarnAt))
	return nil
}

func (d *decision) ret() error {
	a, c := d.a, d.c
	f := map[string]string{}
	switch {
	case !a.Reason.Valid():
		f["reason"] = "required: one of not_our_duty, wrong_location, insufficient_info, duplicate, beyond_capacity, other"
	case a.Reason == ReturnOther && strings.TrimSpace(a.Note) == "":
		f["note"] = "required when the reason is other"
	}
	if len(f) > 0 {
		return Invalid(f)
	}
	t := d.task()
	lead := t.Role == TaskLead
	d.moveTask(d.ti, TaskReturned, Event{Reason: string(a.Reason), Note: a.Note,
		Points: []PointsEvent{unitPoints(PointsReturned, t.UnitID, d.now)}})
	if lead && c.State == CaseInProgress {
		d.moveCase(CaseDispatching, Event{Reason: "lead task returned"})
	}
	return nil
}

func (d *decision) progress() error {
	a := d.a
	if strings.TrimSpace(a.Note) == "" {
		return Invalid(map[string]string{"note": "required"})
	}
	ev := Event{TaskID: d.task().ID, Note: a.Note}
	if err := d.nextReport(&ev); err != nil {
		return err
	}
	if d.task().State == TaskAccepted {
		d.moveTask(d.ti, TaskInProgress, ev)
		return nil
	}
	d.emit(ev)
	return nil
}

func (d *decision) resolve() error {
	a, c := d.a, d.c
	if strings.TrimSpace(a.Result) == "" {
		return Invalid(map[string]string{"result": "required"})
	}
	t := d.task()
	kind := PointsResolvedOnTime
	if d.now.After(t.ResolveBy.Due) {
		kind = PointsResolvedLate
	}
	d.moveTask(d.ti, TaskResolved, Event{Note: a.Result, Points: []PointsEvent{unitPoints(kind, t.UnitID, d.now)}})
	// An activity is verified on its summary, not on its tasks.
	if !c.Kind.spec().verifiedOnSummary && (c.State == CaseInProgress || c.State == CaseDispatching) && c.workDone() {
		d.moveCase(CaseVerifying, Event{Reason: "the lead and every required task are resolved"})
	}
	return nil
}

func (d *decision) verify() error {
	a, c := d.a, d.c
	switch {
	case a.Pass == nil:
		return Invalid(map[string]string{"pass": "required"})
	case !*a.Pass && strings.TrimSpace(a.Note) == "":
		return Invalid(map[string]string{"note": "say what is wrong with the result"})
	case a.NoFollowUp != "" && !*a.Pass:
		return Invalid(map[string]string{"no_follow_up": "only a passed verification closes a case"})
	case a.NoFollowUp != "" && c.Kind.spec().followUp:
		return Invalid(map[string]string{"no_follow_up": "every " + string(c.Kind) + " case is followed up"})
	case a.NoFollowUp != "" && !c.Reporter.Given():
		return Invalid(map[string]string{"no_follow_up": "the case has no reporter to follow up"})
	}
	if !*a.Pass {
		for i, t := range c.Tasks {
			if t.State == TaskResolved {
				d.moveTask(i, TaskInProgress, Event{Reason: "verification failed", Note: a.Note})
			}
		}
		d.moveCase(CaseInProgress, Event{Reason: "verification failed", Note: a.Note})
		return nil
	}
	for i, t := range c.Tasks {
		switch {
		case t.State == TaskResolved:
			d.moveTask(i, TaskCompleted, Event{})
		case t.State.Open():
			// Optional co-tasks that were still running are no longer needed.
			d.moveTask(i, TaskWithdrawn, Event{Reason: "case verified"})
		}
	}
	// Whoever reported the case hears back (回访), unless the axis says
	// why not; the reason stays on the trail.
	why := strings.TrimSpace(a.NoFollowUp)
	if (c.Reporter.Given() && why == "") || c.Kind.spec().followUp {
		d.moveCase(CaseFollowUp, Event{Note: a.Note})
		return nil
	}
	ev := Event{Resolution: ResolutionResolved, Note: a.Note}
	if why != "" {
		ev.Reason, ev.Payload = "no follow-up", map[string]any{"no_follow_up": why}
	}
	d.moveCase(CaseClosed, ev)
	return nil
}

// answerUnits are the units a resident's answer is about: the lead of the
// last round or, for a case without a lead, every unit whose task was
// completed.
func (c *Case) answerUnits() []string {
	for i := len(c.Tasks) - 1; i >= 0; i-- {
		if t := c.Tasks[i]; t.Role == TaskLead && t.State == TaskCompleted {
			return []string{t.UnitID}
		}
	}
	var out []string
	for _, t := range c.Tasks {
		if t.State == TaskCompleted && !slices.Contains(out, t.UnitID) {
			out = append(out, t.UnitID)
		}
	}
	return out
}

func (d *decision) followUp() error {
	a, c := d.a, d.c
	if a.Satisfied == nil {
		return Invalid(map[string]string{"satisfied": "required: the resident's answer"})
	}
	kind, to := PointsSatisfied, CaseClosed
	ev := Event{Note: a.Note, Satisfied: new(*a.Satisfied)}
	if *a.Satisfied {
		ev.Resolution = ResolutionResolved
	} else {
		kind, to = PointsUnsatisfied, CaseDispatching
		ev.Reason = "resident not satisfied"
	}
	for _, u := range c.answerUnits() {
		ev.Points = append(ev.Points, unitPoints(kind, u, d.now))
	}
	d.moveCase(to, ev)
	return nil
}

func (d *decision) reassign() error {
	a, c := d.a, d.c
	old := *d.task()
	switch {
	case a.UnitID == "":
		return Invalid(map[string]string{"unit_id": "required: the unit taking over"})
	case a.UnitID == old.UnitID:
		return Invalid(map[string]string{"unit_id": "must differ from the task's unit"})
	case c.openTaskOf(a.UnitID):
		return &Error{Code: ECONFLICT, Message: "not allowed in the case's current state",
			Fields: map[string]string{"unit_id": "the unit already has an open task on this case"}}
	}
	if err := d.scheduler(); err != nil {
		return err
	}
	d.moveTask(d.ti, TaskReassigned, Event{Note: a.Note, Payload: map[string]any{"to_unit_id": a.UnitID}})
	t, err := d.newTask(a.UnitID, old.Role, old.Required)
	if err != nil {
		return err
	}
	d.emit(Event{TaskID: t.ID, ToState: string(TaskOffered), Task: &t, Payload: map[string]any{
		"unit_id": t.UnitID, "role": string(t.Role), "required": t.Required, "replaces": old.ID,
		"accept_by": t.AcceptBy.Due, "resolve_by": t.ResolveBy.Due,
	}})
	if old.Role == TaskLead && c.State == CaseInProgress {
		d.moveCase(CaseDispatching, Event{Reason: "lead task reassigned"})
	}
	return nil
}

func (d *decision) whistle() error {
	a, c := d.a, d.c
	if len(a.Units) == 0 || !distinct(a.Units) {
		return Invalid(map[string]string{"units": "at least one unit, each named once"})
	}
	w := &Whistle{
		ID:      c.ID + "-w" + strconv.Itoa(len(c.Details.Problem.Whistles)+1),
		BlownBy: a.Actor.UserID, BlownAt: d.now,
		Due:   d.now.Add(c.Policy.WhistleReportWithin.Wall()),
		Units: slices.Clone(a.Units),
	}
	d.emit(Event{Whistle: w, Ref: w.ID, Note: a.Note, Payload: map[string]any{"units": slices.Clone(a.Units), "due": w.Due}})
	return nil
}

func (d *decision) signUp() error {
	a, c := d.a, d.c
	p := a.Participant
	f := map[string]string{}
	if p == nil || strings.TrimSpace(p.ID) == "" {
		f["participant.id"] = "required"
	}
	if p == nil || strings.TrimSpace(p.Name) == "" {
		f["participant.name"] = "required"
	}
	if len(f) > 0 {
		return Invalid(f)
	}
	if slices.ContainsFunc(c.Details.Activity.SignUps, func(x Participant) bool { return x.ID == p.ID }) {
		return Errorf(ECONFLICT, "participant %s is already signed up", p.ID)
	}
	np := *p
	np.SignedAt = d.now
	d.emit(Event{Participant: &np, Ref: np.ID})
	return nil
}

func (d *decision) checkIn() error {
	a, c := d.a, d.c
	if a.Participant == nil || a.Participant.ID == "" {
		return Invalid(map[string]string{"participant.id": "required"})
	}
	act := c.Details.Activity
	i := slices.IndexFunc(act.SignUps, func(x Participant) bool { return x.ID == a.Participant.ID })
	if i < 0 {
		return Errorf(ENOTFOUND, "participant %s is not signed up", a.Participant.ID)
	}
	if act.CheckedIn[a.Participant.ID] {
		return Errorf(ECONFLICT, "participant %s has already checked in", a.Participant.ID)
	}
	p := act.SignUps[i]
	pts := PointsEvent{Kind: PointsActivityJoined, SubjectType: SubjectUnit, SubjectID: p.UnitID, Quantity: 1, At: d.now}
	if p.UnitID == "" {
		pts.SubjectType, pts.SubjectID = SubjectLocality, c.LocalityID
	}
	d.emit(Event{Ref: p.ID, Points: []PointsEvent{pts}})
	return nil
}

func (d *decision) logHours() error {
	a, c := d.a, d.c
	h := a.Hours
	f := map[string]string{}
	if h == nil {
		return Invalid(map[string]string{"hours": "required"})
	}
	if day, err := time.Parse(time.DateOnly, h.Date); err != nil {
		f["hours.date"] = "required, as YYYY-MM-DD"
	} else if day.Format(time.DateOnly) > d.now.Format(time.DateOnly) {
		f["hours.date"] = "must not be in the future"
	}
	if !(h.Hours > 0 && h.Hours <= 24) {
		f["hours.hours"] = "more than 0, at most 24"
	}
	if len(f) > 0 {
		return Invalid(f)
	}
	note := h.Note
	if note == "" {
		note = a.Note
	}
	entry := &HoursLog{ID: c.ID + "-h" + strconv.Itoa(len(c.Details.Member.Hours)+1), Date: h.Date, Hours: h.Hours, Note: note, LoggedAt: d.now}
	d.emit(Event{Hours: entry, Ref: entry.ID, Note: note})
	return nil
}
