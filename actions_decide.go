package qilian

import (
	"slices"
	"strconv"
	"strings"
)

// The Decide functions of the action table that are short enough to live
// beside each other; the longer ones (dispatch, accept, verify, …) are
// methods in decide.go.

func (d *decision) decideReopen() error {
	a := d.a
	d.moveCase(CaseDispatching, Event{Note: a.Note})
	return nil
}

func (d *decision) decideCancel() error {
	a, c := d.a, d.c
	if strings.TrimSpace(a.Note) == "" {
		return Invalid(map[string]string{"note": "say why the case is cancelled"})
	}
	for i, t := range c.Tasks {
		if t.State.Open() {
			d.moveTask(i, TaskWithdrawn, Event{Reason: "case cancelled"})
		}
	}
	d.moveCase(CaseCancelled, Event{Note: a.Note})
	return nil
}

func (d *decision) decideClose() error {
	a, c := d.a, d.c
	f := map[string]string{}
	if c.Kind == KindMemberManagement && c.State == CaseInProgress {
		if a.Resolution != ResolutionResolved {
			f["resolution"] = "a registered member's case closes as resolved"
		}
		if strings.TrimSpace(a.Note) == "" {
			f["note"] = "required: why the registration ends"
		}
		if len(f) > 0 {
			return Invalid(f)
		}
		d.moveCase(CaseClosed, Event{Resolution: a.Resolution, Reason: string(a.Resolution), Note: a.Note})
		return nil
	}
	switch a.Resolution {
	case ResolutionInvalid, ResolutionReferred:
	case ResolutionDuplicate:
		switch {
		case a.DuplicateOf == "":
			f["duplicate_of"] = "required: the case this one duplicates"
		case a.DuplicateOf == c.ID:
			f["duplicate_of"] = "a case cannot duplicate itself"
		}
	default:
		f["resolution"] = "must be invalid, duplicate or referred"
	}
	if len(f) > 0 {
		return Invalid(f)
	}
	ev := Event{Resolution: a.Resolution, Reason: string(a.Resolution), Note: a.Note}
	if a.Resolution == ResolutionDuplicate {
		ev.Ref = a.DuplicateOf
	}
	d.moveCase(CaseClosed, ev)
	return nil
}

func (d *decision) decideRemindNotice() error {
	a := d.a
	if a.Name == ActNotice && strings.TrimSpace(a.Note) == "" {
		return Invalid(map[string]string{"note": "required: the text of the notice"})
	}
	d.emit(Event{TaskID: a.TaskID, Note: a.Note})
	return nil
}

func (d *decision) decideMeeting() error {
	a := d.a
	if strings.TrimSpace(a.Note) == "" {
		return Invalid(map[string]string{"note": "required: the minutes"})
	}
	m := &Meeting{At: d.now, Attendees: slices.Clone(a.Units), Minutes: a.Note}
	d.emit(Event{Meeting: m, Payload: map[string]any{"attendees": slices.Clone(a.Units)}})
	return nil
}

func (d *decision) decideApproveExtension() error {
	a := d.a
	if err := d.scheduler(); err != nil {
		return err
	}
	t := d.task()
	ext := *t.Extension
	nd, err := d.s.Extend(t.ResolveBy, ext.Extra)
	if err != nil {
		return err
	}
	d.decideOnExtension(Event{Ref: ext.ID, Deadline: &nd, Note: a.Note,
		Payload: map[string]any{"extra": ext.Extra.String(), "old_due": t.ResolveBy.Due, "new_due": nd.Due}})
	return nil
}

func (d *decision) decideRejectExtension() error {
	d.decideOnExtension(Event{Ref: d.task().Extension.ID, Note: d.a.Note})
	return nil
}

// decideOnExtension records the axis's answer on the task. The task keeps
// its state: a request never stopped its clock. Only a task put on hold
// by a request made before that rule goes back to work.
func (d *decision) decideOnExtension(ev Event) {
	if d.task().State == TaskOnHold {
		d.moveTask(d.ti, TaskInProgress, ev)
		return
	}
	ev.TaskID = d.task().ID
	d.emit(ev)
}

func (d *decision) decideRequestExtension() error {
	a := d.a
	f := map[string]string{}
	if a.Extra.IsZero() {
		f["extra"] = "required: how much more time"
	}
	if strings.TrimSpace(a.Note) == "" {
		f["note"] = "required: why more time is needed"
	}
	if len(f) > 0 {
		return Invalid(f)
	}
	t := d.task()
	ext := &Extension{ID: t.ID + "-x" + strconv.Itoa(t.Extensions+1), RequestedBy: a.Actor.UserID, Reason: a.Note, Extra: a.Extra, RequestedAt: d.now}
	// The request waits beside the task: its deadline's clock runs on
	// until the axis approves (hotline practice), so it is no state.
	d.emit(Event{TaskID: t.ID, Extension: ext, Ref: ext.ID, Note: a.Note, Payload: map[string]any{"extra": a.Extra.String()}})
	return nil
}

func (d *decision) decideWithdraw() error {
	a, c := d.a, d.c
	if strings.TrimSpace(a.Note) == "" {
		return Invalid(map[string]string{"note": "say why the task is withdrawn"})
	}
	wasLead := d.task().Role == TaskLead
	d.moveTask(d.ti, TaskWithdrawn, Event{Note: a.Note})
	switch {
	case wasLead && (c.State == CaseInProgress || c.State == CaseVerifying):
		d.moveCase(CaseDispatching, Event{Reason: "lead task withdrawn"})
	case c.State == CaseInProgress && !c.Kind.spec().verifiedOnSummary && c.workDone():
		d.moveCase(CaseVerifying, Event{Reason: "the remaining tasks are resolved"})
	}
	return nil
}

func (d *decision) decideReport() error {
	a, c := d.a, d.c
	if c.Details.Regional != nil {
		if strings.TrimSpace(a.Note) == "" {
			return Invalid(map[string]string{"note": "required: the progress report"})
		}
		d.emit(Event{Note: a.Note, Payload: map[string]any{"case_report": c.Details.Regional.CaseReports + 1}})
		return nil
	}
	for _, i := range c.pendingWhistles(a.Actor.UnitID) {
		w := c.Details.Problem.Whistles[i]
		d.emit(Event{Ref: w.ID, Note: a.Note, Payload: map[string]any{"unit_id": a.Actor.UnitID, "late": d.now.After(w.Due)}})
	}
	return nil
}

func (d *decision) decideApproveBooking() error {
	a, c := d.a, d.c
	b := c.Details.Booking
	// The workflow checks overlaps with other cases' bookings of the
	// resource before it applies this event; the payload says what to
	// check.
	d.moveCase(CaseInProgress, Event{Note: a.Note, Payload: map[string]any{
		"booking": string(BookingApproved), "resource_id": b.ResourceID, "owner_unit_id": b.OwnerUnitID, "from": b.From, "to": b.To,
	}})
	return nil
}

func (d *decision) decideDeclineBooking() error {
	a := d.a
	if strings.TrimSpace(a.Note) == "" {
		return Invalid(map[string]string{"note": "say why the booking is declined"})
	}
	d.moveCase(CaseClosed, Event{Resolution: ResolutionDeclined, Note: a.Note, Payload: map[string]any{"booking": string(BookingDeclined)}})
	return nil
}

func (d *decision) decideHandBack() error {
	a := d.a
	d.emit(Event{Note: a.Note, Payload: map[string]any{"booking": string(BookingReturned)}})
	return nil
}

func (d *decision) decideConfirmHandBack() error {
	a, c := d.a, d.c
	b := c.Details.Booking
	d.moveCase(CaseClosed, Event{Resolution: ResolutionResolved, Note: a.Note,
		Payload: map[string]any{"booking": string(BookingFulfilled), "resource_id": b.ResourceID},
		Points:  []PointsEvent{unitPoints(PointsBookingFulfilled, b.OwnerUnitID, d.now)}})
	return nil
}

func (d *decision) decideOpenVoting() error {
	d.moveCase(CaseInProgress, Event{Note: d.a.Note})
	return nil
}

func (d *decision) decideVote() error {
	a, c := d.a, d.c
	if !slices.Contains(c.Details.Consultation.Options, a.Option) {
		return Invalid(map[string]string{"option": "must be one of the consultation's options"})
	}
	d.emit(Event{Option: a.Option})
	if outcome, ok := c.Details.Consultation.early(); ok {
		d.decide(outcome)
	}
	return nil
}

func (d *decision) decideSummary() error {
	a := d.a
	if strings.TrimSpace(a.Note) == "" {
		return Invalid(map[string]string{"note": "required: the summary"})
	}
	d.moveCase(CaseVerifying, Event{Note: a.Note})
	return nil
}

func (d *decision) decideAssignPost() error {
	a, c := d.a, d.c
	if strings.TrimSpace(a.Post) == "" {
		return Invalid(map[string]string{"post": "required"})
	}
	ev := Event{Note: a.Post}
	if c.State != CaseInProgress {
		ev.FromState, ev.ToState = string(c.State), string(CaseInProgress)
	}
	d.emit(ev)
	return nil
}

func (d *decision) decideConfirmHours() error {
	a, c := d.a, d.c
	if a.Hours == nil || a.Hours.ID == "" {
		return Invalid(map[string]string{"hours.id": "required"})
	}
	m := c.Details.Member
	i := slices.IndexFunc(m.Hours, func(h HoursLog) bool { return h.ID == a.Hours.ID })
	if i < 0 {
		return Errorf(ENOTFOUND, "hours log %s not found", a.Hours.ID)
	}
	h := m.Hours[i]
	if h.Confirmed {
		return Errorf(ECONFLICT, "hours log %s is already confirmed", h.ID)
	}
	d.emit(Event{Ref: h.ID, Payload: map[string]any{"hours": h.Hours, "date": h.Date}, Points: []PointsEvent{
		{Kind: PointsHoursConfirmed, SubjectType: SubjectMember, SubjectID: c.ID, Quantity: h.Hours, At: d.now},
		{Kind: PointsHoursConfirmed, SubjectType: SubjectUnit, SubjectID: m.HomeUnitID, Quantity: h.Hours, At: d.now},
	}})
	return nil
}
