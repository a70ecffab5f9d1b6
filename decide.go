package qilian

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
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

// Engine event types: what the trail records besides action names.
const (
	EventOpened        = "opened"         // the case was opened
	EventWarning       = "warning"        // a task used up Policy.WarnAt of its time
	EventOverdue       = "overdue"        // a task's current deadline passed
	EventEscalated     = "escalated"      // a ladder rung fired on a breached deadline
	EventWhistleMissed = "whistle_missed" // summoned units did not report in time
	EventReportMissing = "report_missing" // a regional coordination task owes a progress report
	EventDecided       = "decided"        // a consultation has its outcome
	EventRetimed       = "retimed"        // a provisional deadline was counted again on official data
)

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

// Open validates req and returns the new case in state triage with its
// "opened" event, already applied: the case is at revision 1 and the event
// has Seq 1, so applying it again changes nothing. Whether actor may open a
// case there is the caller's check.
// Fields the engine keeps itself (booking state, votes, sign-ups, hours,
// outcome) are reset whatever req says. The case keeps its own copy of
// policy, so a later change of configuration never moves its deadlines.
func Open(req OpenRequest, actor Actor, now time.Time, policy Policy) (Case, []Event, error) {
	f := map[string]string{}
	if strings.TrimSpace(req.ID) == "" {
		f["id"] = "required"
	}
	if !req.Kind.Valid() {
		f["kind"] = "must be one of the seven kinds"
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(req.Title)); n == 0 || n > MaxTitle {
		f["title"] = fmt.Sprintf("required, at most %d characters", MaxTitle)
	}
	if req.Category != "" && req.Kind.Valid() && !ValidCategory(req.Kind, req.Category) {
		f["category"] = fmt.Sprintf("not a category of %s", req.Kind)
	}
	if utf8.RuneCountInString(req.Description) > MaxDescription {
		f["description"] = fmt.Sprintf("at most %d characters", MaxDescription)
	}
	if !req.Priority.Valid() {
		f["priority"] = "must be one of emergency, urgent, normal, low"
	}
	if req.LocalityID == "" {
		f["locality_id"] = "required"
	}
	if req.LocalityPath == "" {
		f["locality_path"] = "required"
	}
	details := openDetails(req.Kind, req.Details, now, f)
	if len(f) > 0 {
		return Case{}, nil, Invalid(f)
	}
	c := Case{
		ID:           req.ID,
		Kind:         req.Kind,
		Category:     req.Category,
		Title:        strings.TrimSpace(req.Title),
		Description:  req.Description,
		Priority:     req.Priority,
		LocalityID:   req.LocalityID,
		LocalityPath: req.LocalityPath,
		GridID:       req.GridID,
		Location:     req.Location,
		Reporter:     req.Reporter,
		Attachments:  slices.Clone(req.Attachments),
		OpenedBy:     actor,
		OpenedAt:     now,
		State:        CaseSubmitted,
		Policy:       policy.clone(),
		Details:      details,
	}
	evs := []Event{{
		At: now, Actor: actor, Type: EventOpened,
		FromState: string(CaseSubmitted), ToState: string(CaseTriage),
		Payload: map[string]any{"kind": string(req.Kind), "priority": string(req.Priority), "locality_id": req.LocalityID},
	}}
	c.Apply(evs)
	return c, evs, nil
}

// openDetails checks the part of the details that belongs to kind, refuses
// the others and returns the details a new case starts with.
func openDetails(k Kind, in Details, now time.Time, f map[string]string) Details {
	parts := map[Kind]struct {
		name string
		set  bool
	}{
		KindRegionalCoordination: {"regional", in.Regional != nil},
		KindResourceSharing:      {"booking", in.Booking != nil},
		KindJointConsultation:    {"consultation", in.Consultation != nil},
		KindJointActivity:        {"activity", in.Activity != nil},
		KindMemberManagement:     {"member", in.Member != nil},
		KindServiceLinkage:       {"service", in.Service != nil},
		KindProblemSolving:       {"problem", in.Problem != nil},
	}
	for pk, p := range parts {
		if p.set && pk != k && k.Valid() {
			f["details."+p.name] = fmt.Sprintf("not allowed for a %s case", k)
		}
	}
	var out Details
	switch k {
	case KindRegionalCoordination:
		out.Regional = &Regional{}
	case KindServiceLinkage:
		out.Service = &Service{}
	case KindProblemSolving:
		out.Problem = &Problem{}
	case KindResourceSharing:
		b := in.Booking
		if b == nil {
			f["details.booking"] = "required"
			break
		}
		if b.ResourceID == "" {
			f["details.booking.resource_id"] = "required"
		}
		if b.OwnerUnitID == "" {
			f["details.booking.owner_unit_id"] = "required"
		}
		if b.From.IsZero() || b.From.Before(now.Add(-time.Minute)) {
			f["details.booking.from"] = "required, not in the past"
		}
		if !b.To.After(b.From) {
			f["details.booking.to"] = "must be after from"
		}
		out.Booking = &Booking{ResourceID: b.ResourceID, OwnerUnitID: b.OwnerUnitID, From: b.From, To: b.To, Purpose: b.Purpose, State: BookingRequested}
	case KindJointConsultation:
		con := in.Consultation
		if con == nil {
			f["details.consultation"] = "required"
			break
		}
		if strings.TrimSpace(con.Question) == "" {
			f["details.consultation.question"] = "required"
		}
		if len(con.Options) < 2 || !distinct(con.Options) {
			f["details.consultation.options"] = "at least two distinct, non-empty options"
		}
		if len(con.Participants) < 1 || !distinct(con.Participants) {
			f["details.consultation.participants"] = "at least one participant, each named once"
		}
		if con.Quorum < 1 || con.Quorum > len(con.Participants) {
			f["details.consultation.quorum"] = "between 1 and the number of participants"
		}
		switch con.Rule {
		case RuleMajority, RuleTwoThirds, RuleUnanimity:
		default:
			f["details.consultation.rule"] = "must be majority, two_thirds or unanimity"
		}
		if !con.Deadline.After(now) {
			f["details.consultation.deadline"] = "must be in the future"
		}
		out.Consultation = &Consultation{
			Question: con.Question, Options: slices.Clone(con.Options), Participants: slices.Clone(con.Participants),
			Quorum: con.Quorum, Rule: con.Rule, Deadline: con.Deadline,
		}
	case KindJointActivity:
		act := in.Activity
		if act == nil {
			f["details.activity"] = "required"
			break
		}
		if act.Capacity < 1 {
			f["details.activity.capacity"] = "at least 1"
		}
		if act.StartsAt.IsZero() {
			f["details.activity.starts_at"] = "required"
		}
		if !act.EndsAt.After(act.StartsAt) {
			f["details.activity.ends_at"] = "must be after starts_at"
		}
		out.Activity = &Activity{Capacity: act.Capacity, StartsAt: act.StartsAt, EndsAt: act.EndsAt, Venue: act.Venue}
	case KindMemberManagement:
		m := in.Member
		if m == nil {
			f["details.member"] = "required"
			break
		}
		if strings.TrimSpace(m.Name) == "" {
			f["details.member.name"] = "required"
		}
		if m.HomeUnitID == "" {
			f["details.member.home_unit_id"] = "required"
		}
		out.Member = &Member{Name: m.Name, Phone: m.Phone, HomeUnitID: m.HomeUnitID}
	}
	return out
}

func distinct(xs []string) bool {
	seen := map[string]bool{}
	for _, x := range xs {
		if strings.TrimSpace(x) == "" || seen[x] {
			return false
		}
		seen[x] = true
	}
	return true
}

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
}

// emit applies ev to the scratch case and records it.
func (d *decision) emit(ev Event) {
	ev.At = d.now
	if ev.Actor == (Actor{}) {
		ev.Actor = d.a.Actor
	}
	if ev.Type == "" {
		ev.Type = string(d.a.Name)
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
// the classic one-unit-leads flows. Regional coordination, activities and
// the follow-up tasks of a consultation may be all co-units.
func needsLead(k Kind) bool { return k == KindServiceLinkage || k == KindProblemSolving }

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
	for _, t := range c.Tasks {
		if t.State.Open() && (t.Role == TaskLead || t.Required) {
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
		ids = append(ids, t.ID)
		d.emit(Event{TaskID: t.ID, ToState: string(TaskOffered), Task: &t, Payload: map[string]any{
			"unit_id": t.UnitID, "role": string(t.Role), "required": t.Required,
			"accept_by": t.AcceptBy.Due, "resolve_by": t.ResolveBy.Due,
		}})
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

// nextReport sets when a regional coordination task owes its next
// progress report: one reporting period of working time from now.
func (d *decision) nextReport(ev *Event) error {
	if d.c.Kind != KindRegionalCoordination {
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
	if c.Kind != KindJointActivity && (c.State == CaseInProgress || c.State == CaseDispatching) && c.workDone() {
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
	if c.Reporter.Phone != "" || c.Kind == KindServiceLinkage {
		d.moveCase(CaseFollowUp, Event{Note: a.Note})
		return nil
	}
	d.moveCase(CaseClosed, Event{Resolution: ResolutionResolved, Note: a.Note})
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

// decide records the consultation's outcome and sends the case to the
// axis for verification.
func (d *decision) decide(outcome string) {
	con := d.c.Details.Consultation
	d.moveCase(CaseVerifying, Event{Type: EventDecided, Option: outcome, Reason: outcome, Payload: con.tally(outcome, d.now)})
}

// need is how many votes an option needs to win under the rule, counted
// over all participants, not over the votes cast: majority is more than
// half, two thirds at least two thirds, unanimity everyone.
func (con *Consultation) need() int {
	n := len(con.Participants)
	switch con.Rule {
	case RuleTwoThirds:
		return (2*n + 2) / 3
	case RuleUnanimity:
		return n
	default:
		return n/2 + 1
	}
}

func (con *Consultation) counts() map[string]int {
	out := make(map[string]int, len(con.Options))
	for _, o := range con.Options {
		out[o] = 0
	}
	// Walk the participants, not the votes map, so nothing here depends on
	// map order (workflowcheck holds the workflow to that).
	for _, p := range con.Participants {
		if o, ok := con.Votes[p]; ok {
			out[o]++
		}
	}
	return out
}

// winner is the option that reached the threshold, if any; the thresholds
// are all above half, so there is at most one.
func (con *Consultation) winner() (string, bool) {
	counts := con.counts()
	for _, o := range con.Options {
		if counts[o] >= con.need() {
			return o, true
		}
	}
	return "", false
}

// early reports whether the vote is settled before the deadline: an option
// reached the threshold with the quorum present, or no option can reach it
// any more with the votes still to come.
func (con *Consultation) early() (string, bool) {
	if o, ok := con.winner(); ok && len(con.Votes) >= con.Quorum {
		return o, true
	}
	left := len(con.Participants) - len(con.Votes)
	counts := con.counts()
	for _, o := range con.Options {
		if counts[o]+left >= con.need() {
			return "", false
		}
	}
	return OutcomeNoDecision, true
}

// atDeadline is the outcome once voting has closed.
func (con *Consultation) atDeadline() string {
	if len(con.Votes) < con.Quorum {
		return OutcomeNoQuorum
	}
	if o, ok := con.winner(); ok {
		return o
	}
	return OutcomeNoDecision
}

func (con *Consultation) tally(outcome string, at time.Time) map[string]any {
	counts := map[string]any{}
	cs := con.counts()
	for _, o := range con.Options {
		counts[o] = cs[o]
	}
	return map[string]any{
		"outcome": outcome, "counts": counts, "votes": len(con.Votes), "participants": len(con.Participants),
		"quorum": con.Quorum, "rule": string(con.Rule), "ended_early": at.Before(con.Deadline),
	}
}

// Apply records evs on the case: in order, numbering each event with the
// case's next Seq (written back into evs), then bumps Revision once, since
// one call records one action or one tick. It recomputes Level (the
// highest rung any open task has climbed) and Overdue (an open task is
// past its current deadline, or a whistle was missed and some summoned
// unit has still not reported). Apply reads only the events' state fields
// and their typed fields, never Payload, and needs no clock or calendar.
//
// An event that already has a Seq no later than the case's is recorded on
// the case already and is skipped, so applying Open's event or a trail the
// case has seen is harmless. Applying nothing new changes nothing.
func (c *Case) Apply(evs []Event) {
	applied := false
	for i := range evs {
		if evs[i].Seq != 0 && evs[i].Seq <= c.Seq {
			continue
		}
		c.Seq++
		evs[i].Seq = c.Seq
		c.apply(&evs[i])
		c.UpdatedAt = evs[i].At
		applied = true
	}
	if applied {
		c.Revision++
	}
}

// apply records one event. It copies what it keeps from the event, so the
// case never shares memory with the trail.
func (c *Case) apply(ev *Event) {
	if ev.TaskID != "" {
		c.applyTask(ev)
	} else {
		c.applyCase(ev)
	}
	c.recompute()
}

func (c *Case) applyTask(ev *Event) {
	if ev.Task != nil {
		c.Tasks = append(c.Tasks, ev.Task.clone())
		return
	}
	i := c.taskIndex(ev.TaskID)
	if i < 0 {
		return
	}
	t := &c.Tasks[i]
	t.UpdatedAt = ev.At
	if ev.ToState != "" {
		t.State = TaskState(ev.ToState)
	}
	switch ev.Type {
	case string(ActAccept):
		t.AcceptedAt = ev.At
		t.resetDeadline()
		t.setReportDue(ev)
	case string(ActReturn):
		c.Returns++
	case string(ActProgress):
		if r := c.Details.Regional; r != nil {
			if r.Reports == nil {
				r.Reports = map[string]int{}
			}
			r.Reports[t.ID]++
		}
		t.setReportDue(ev)
	case string(ActResolve):
		t.Result, t.ResolvedAt = ev.Note, ev.At
	case string(ActRequestExtension):
		ext := *ev.Extension
		t.Extension = &ext
		t.Extensions++
	case string(ActApproveExtension):
		t.ResolveBy = ev.Deadline.clone()
		t.Extension = nil
		t.resetDeadline()
	case string(ActRejectExtension):
		t.Extension = nil
	case EventWarning:
		t.Warned = true
	case EventOverdue:
		t.Overdue = true
	case EventEscalated:
		t.Level++
	case EventReportMissing:
		t.NextReportDue = ev.NextReportDue
	case EventRetimed:
		nd := ev.Deadline.clone()
		if ev.Ref == "accept_by" {
			t.AcceptBy = nd
		} else {
			t.ResolveBy = nd
		}
		// What has already fired stays fired only if it is still due on
		// the new deadline; whatever is now due and was not is left for
		// Tick, so nothing is said twice and nothing is skipped.
		if cur, which, ok := t.current(); ok && which == ev.Ref {
			t.Warned = t.Warned && reached(cur.WarnAt, ev.At)
			t.Overdue = t.Overdue && reached(cur.Due, ev.At)
			n := 0
			for n < t.Level && n < len(cur.Steps) && reached(cur.Steps[n], ev.At) {
				n++
			}
			t.Level = n
		}
	}
}

// resetDeadline starts the warning and the ladder afresh on a new current
// deadline.
func (t *Task) resetDeadline() { t.Warned, t.Level, t.Overdue = false, 0, false }

func (t *Task) setReportDue(ev *Event) {
	if !ev.NextReportDue.IsZero() {
		t.NextReportDue = ev.NextReportDue
		t.ReportEvery = ev.NextReportDue.Sub(ev.At)
	}
}

func (c *Case) applyCase(ev *Event) {
	d := c.Details
	switch ev.Type {
	case string(ActWhistle):
		w := ev.Whistle.clone()
		d.Problem.Whistles = append(d.Problem.Whistles, w)
	case string(ActReport):
		if w := d.Problem.whistle(ev.Ref); w != nil {
			if w.Reported == nil {
				w.Reported = map[string]time.Time{}
			}
			w.Reported[ev.Actor.UnitID] = ev.At
		}
	case EventWhistleMissed:
		if w := d.Problem.whistle(ev.Ref); w != nil {
			w.Missed = true
		}
	case string(ActMeeting):
		m := *ev.Meeting
		m.Attendees = slices.Clone(m.Attendees)
		d.Problem.Meetings = append(d.Problem.Meetings, m)
	case string(ActApproveBooking):
		d.Booking.State, d.Booking.DecidedBy = BookingApproved, ev.Actor.UserID
		if ev.Note != "" {
			d.Booking.Note = ev.Note
		}
	case string(ActDeclineBooking):
		d.Booking.State, d.Booking.DecidedBy, d.Booking.Note = BookingDeclined, ev.Actor.UserID, ev.Note
	case string(ActHandBack):
		d.Booking.State = BookingReturned
	case string(ActConfirmHandBack):
		d.Booking.State = BookingFulfilled
	case string(ActVote):
		if d.Consultation.Votes == nil {
			d.Consultation.Votes = map[string]string{}
		}
		d.Consultation.Votes[ev.Actor.UserID] = ev.Option
	case EventDecided:
		con := d.Consultation
		con.Outcome, con.DecidedAt, con.EndedEarly = ev.Option, ev.At, ev.At.Before(con.Deadline)
	case string(ActSignUp):
		d.Activity.SignUps = append(d.Activity.SignUps, *ev.Participant)
	case string(ActCheckIn):
		if d.Activity.CheckedIn == nil {
			d.Activity.CheckedIn = map[string]bool{}
		}
		d.Activity.CheckedIn[ev.Ref] = true
	case string(ActSummary):
		d.Activity.Summary = ev.Note
	case string(ActAssignPost):
		d.Member.Post = ev.Note
	case string(ActLogHours):
		d.Member.Hours = append(d.Member.Hours, *ev.Hours)
	case string(ActConfirmHours):
		for i := range d.Member.Hours {
			if h := &d.Member.Hours[i]; h.ID == ev.Ref {
				h.Confirmed, h.ConfirmedBy = true, ev.Actor.UserID
			}
		}
	case string(ActFollowUp):
		if d.Service != nil && ev.Satisfied != nil {
			d.Service.Satisfied = new(*ev.Satisfied)
			d.Service.Comment = ev.Note
		}
	}
	if ev.ToState == "" {
		return
	}
	c.State = CaseState(ev.ToState)
	if ev.Resolution != "" {
		c.Resolution = ev.Resolution
	}
	if c.State.Terminal() {
		c.ClosedAt = ev.At
		// A booking the case no longer carries is off, unless it already
		// ended on its own terms.
		if b := d.Booking; b != nil && b.State != BookingDeclined && b.State != BookingFulfilled {
			b.State = BookingCancelled
		}
	}
}

func (p *Problem) whistle(id string) *Whistle {
	if p == nil {
		return nil
	}
	for i := range p.Whistles {
		if p.Whistles[i].ID == id {
			return &p.Whistles[i]
		}
	}
	return nil
}

// recompute derives the case's escalation level and overdue flag.
func (c *Case) recompute() {
	c.Level, c.Overdue = 0, false
	for _, t := range c.Tasks {
		if !t.State.Open() {
			continue
		}
		c.Level = max(c.Level, t.Level)
		c.Overdue = c.Overdue || t.Overdue
	}
	if p := c.Details.Problem; p != nil && !c.State.Terminal() {
		for _, w := range p.Whistles {
			if w.Missed && len(w.unreported()) > 0 {
				c.Overdue = true
			}
		}
	}
}

// unreported lists the summoned units that have not reported, in the
// order they were summoned.
func (w Whistle) unreported() []string {
	var out []string
	for _, u := range w.Units {
		if _, ok := w.Reported[u]; !ok {
			out = append(out, u)
		}
	}
	return out
}

// clone copies the case deeply enough that applying events to the copy
// never reaches the original. The policy is shared: nothing changes it
// after Open.
func (c *Case) clone() *Case {
	cp := *c
	cp.Attachments = slices.Clone(c.Attachments)
	if c.Tasks != nil {
		cp.Tasks = make([]Task, len(c.Tasks))
		for i, t := range c.Tasks {
			cp.Tasks[i] = t.clone()
		}
	}
	cp.Details = c.Details.clone()
	return &cp
}

func (t Task) clone() Task {
	t.AcceptBy = t.AcceptBy.clone()
	t.ResolveBy = t.ResolveBy.clone()
	if t.Extension != nil {
		ext := *t.Extension
		t.Extension = &ext
	}
	return t
}

func (d Deadline) clone() Deadline {
	d.Steps = slices.Clone(d.Steps)
	return d
}

func (w Whistle) clone() Whistle {
	w.Units = slices.Clone(w.Units)
	w.Reported = maps.Clone(w.Reported)
	return w
}

func (d Details) clone() Details {
	if r := d.Regional; r != nil {
		d.Regional = &Regional{Reports: maps.Clone(r.Reports)}
	}
	if b := d.Booking; b != nil {
		cp := *b
		d.Booking = &cp
	}
	if con := d.Consultation; con != nil {
		cp := *con
		cp.Options = slices.Clone(con.Options)
		cp.Participants = slices.Clone(con.Participants)
		cp.Votes = maps.Clone(con.Votes)
		d.Consultation = &cp
	}
	if act := d.Activity; act != nil {
		cp := *act
		cp.SignUps = slices.Clone(act.SignUps)
		cp.CheckedIn = maps.Clone(act.CheckedIn)
		d.Activity = &cp
	}
	if m := d.Member; m != nil {
		cp := *m
		cp.Hours = slices.Clone(m.Hours)
		d.Member = &cp
	}
	if s := d.Service; s != nil {
		cp := *s
		if s.Satisfied != nil {
			cp.Satisfied = new(*s.Satisfied)
		}
		d.Service = &cp
	}
	if p := d.Problem; p != nil {
		cp := Problem{Whistles: slices.Clone(p.Whistles), Meetings: slices.Clone(p.Meetings)}
		for i := range cp.Whistles {
			cp.Whistles[i] = cp.Whistles[i].clone()
		}
		for i := range cp.Meetings {
			cp.Meetings[i].Attendees = slices.Clone(cp.Meetings[i].Attendees)
		}
		d.Problem = &cp
	}
	return d
}

// clone copies the policy's maps and ladder, so a case keeps the policy it
// was opened under whatever the caller does with its own.
func (p Policy) clone() Policy {
	if p.Deadlines != nil {
		dl := make(map[Kind]map[Priority]DeadlineRule, len(p.Deadlines))
		for k, byPr := range p.Deadlines {
			dl[k] = maps.Clone(byPr)
		}
		p.Deadlines = dl
	}
	p.Ladder = slices.Clone(p.Ladder)
	return p
}
