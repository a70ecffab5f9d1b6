package qilian

import (
	"slices"
	"time"
)

// The Allows functions of the action table: the state part of the guard,
// one function an action (or a pair that shares its rule).

func allowDispatch(c *Case, a Action, t *Task, now time.Time) error {
	st := c.State
	d := c.Details
	if c.Kind.spec().taskless {
		return Errorf(ECONFLICT, "a %s case has no tasks to dispatch", c.Kind)
	}
	if c.Kind == KindJointConsultation {
		if d.Consultation == nil || d.Consultation.Outcome == "" {
			return Errorf(ECONFLICT, "the consultation has not been decided yet")
		}
		if st == CaseVerifying {
			return nil
		}
	}
	return inState(st, a.Name, CaseTriage, CaseDispatching, CaseInProgress)
}

func allowVerify(c *Case, a Action, t *Task, now time.Time) error {
	st := c.State
	return inState(st, a.Name, CaseVerifying)
}

func allowFollowUpReopen(c *Case, a Action, t *Task, now time.Time) error {
	st := c.State
	return inState(st, a.Name, CaseFollowUp)
}

func allowCancel(c *Case, a Action, t *Task, now time.Time) error {
	return nil
}

func allowClose(c *Case, a Action, t *Task, now time.Time) error {
	st := c.State
	// A member registration (报到) has no tasks to verify; it ends
	// when the member leaves the community, closed as resolved.
	if c.Kind == KindMemberManagement && st == CaseInProgress {
		return nil
	}
	return inState(st, a.Name, CaseTriage)
}

func allowWhistleMeeting(c *Case, a Action, t *Task, now time.Time) error {
	return ofKind(c, a.Name, KindProblemSolving)
}

func allowRemindNotice(c *Case, a Action, t *Task, now time.Time) error {
	if t != nil && !t.State.Open() {
		return Errorf(ECONFLICT, "task %s is %s", t.ID, t.State)
	}
	return nil
}

func allowApproveExtensionRejectExtension(c *Case, a Action, t *Task, now time.Time) error {
	// A request pending on a task that moved on (resolved, reassigned) is
	// moot; TaskOnHold is a request made before requests stopped holding.
	return taskIn(t, a.Name, TaskAccepted, TaskInProgress, TaskOnHold)
}

func allowAccept(c *Case, a Action, t *Task, now time.Time) error {
	return taskIn(t, a.Name, TaskOffered)
}

func allowReturn(c *Case, a Action, t *Task, now time.Time) error {
	if err := taskIn(t, a.Name, TaskOffered, TaskAccepted); err != nil {
		return err
	}
	if c.Returns >= c.Policy.MaxReturns {
		return Errorf(ECONFLICT, "return limit reached; the axis must assign")
	}
	return nil
}

func allowProgress(c *Case, a Action, t *Task, now time.Time) error {
	return taskIn(t, a.Name, TaskAccepted, TaskInProgress, TaskOnHold)
}

func allowResolve(c *Case, a Action, t *Task, now time.Time) error {
	return taskIn(t, a.Name, TaskAccepted, TaskInProgress)
}

func allowRequestExtension(c *Case, a Action, t *Task, now time.Time) error {
	if t.Extension != nil {
		return Errorf(ECONFLICT, "an extension request for task %s is already pending", t.ID)
	}
	return taskIn(t, a.Name, TaskAccepted, TaskInProgress)
}

func allowReassignWithdraw(c *Case, a Action, t *Task, now time.Time) error {
	if !t.State.Open() && !c.unsettled(c.taskIndex(t.ID)) {
		return Errorf(ECONFLICT, "task %s is %s", t.ID, t.State)
	}
	return nil
}

func allowReport(c *Case, a Action, t *Task, now time.Time) error {
	if a.Actor.Role == RoleAxis {
		// The axis reports on the whole of an area-wide piece of work.
		if err := ofKind(c, a.Name, KindRegionalCoordination); err != nil {
			return err
		}
		return inState(c.State, a.Name, CaseDispatching, CaseInProgress)
	}
	if err := ofKind(c, a.Name, KindProblemSolving); err != nil {
		return err
	}
	if len(c.pendingWhistles(a.Actor.UnitID)) == 0 {
		return Errorf(ECONFLICT, "no whistle awaits a report from unit %s", a.Actor.UnitID)
	}
	return nil
}

func allowApproveBookingDeclineBooking(c *Case, a Action, t *Task, now time.Time) error {
	d := c.Details
	if err := c.ownerActs(a); err != nil {
		return err
	}
	if d.Booking.State != BookingRequested {
		return Errorf(ECONFLICT, "the booking is %s", d.Booking.State)
	}
	return nil
}

func allowHandBack(c *Case, a Action, t *Task, now time.Time) error {
	d := c.Details
	if err := ofKind(c, a.Name, KindResourceSharing); err != nil {
		return err
	}
	if a.Actor.Role != RoleAxis && a.Actor.UserID != c.OpenedBy.UserID {
		return Errorf(ECONFLICT, "only the booking party or the axis hands the resource back")
	}
	if s := d.Booking.State; s != BookingApproved && s != BookingInUse {
		return Errorf(ECONFLICT, "the booking is %s", s)
	}
	if !now.IsZero() && now.Before(d.Booking.From) {
		return Errorf(ECONFLICT, "the booked window begins at %s: nothing to hand back before", d.Booking.From.Format(time.RFC3339))
	}
	return nil
}

func allowConfirmHandBack(c *Case, a Action, t *Task, now time.Time) error {
	d := c.Details
	if err := c.ownerActs(a); err != nil {
		return err
	}
	if d.Booking.State != BookingReturned {
		return Errorf(ECONFLICT, "the booking is %s, not handed back", d.Booking.State)
	}
	return nil
}

func allowOpenVoting(c *Case, a Action, t *Task, now time.Time) error {
	if err := ofKind(c, a.Name, KindJointConsultation); err != nil {
		return err
	}
	if !now.IsZero() && !now.Before(c.Details.Consultation.Deadline) {
		return Errorf(ECONFLICT, "the voting deadline has passed")
	}
	return inState(c.State, a.Name, CaseTriage)
}

func allowVote(c *Case, a Action, t *Task, now time.Time) error {
	d := c.Details
	if err := ofKind(c, a.Name, KindJointConsultation); err != nil {
		return err
	}
	con := d.Consultation
	switch {
	case c.State == CaseTriage:
		return Errorf(ECONFLICT, "the consultation is not open for voting yet")
	case !slices.Contains(con.Participants, a.Actor.UserID):
		return Errorf(ECONFLICT, "%s is not a participant of this consultation", a.Actor.UserID)
	case con.Outcome != "":
		return Errorf(ECONFLICT, "the consultation has been decided: %s", con.Outcome)
	case !now.IsZero() && !now.Before(con.Deadline):
		return Errorf(ECONFLICT, "voting closed at %s", con.Deadline.Format(time.RFC3339))
	}
	if _, voted := con.Votes[a.Actor.UserID]; voted {
		return Errorf(ECONFLICT, "%s has already voted", a.Actor.UserID)
	}
	return nil
}

func allowSignUp(c *Case, a Action, t *Task, now time.Time) error {
	st := c.State
	d := c.Details
	if err := c.organiserActs(a); err != nil {
		return err
	}
	act := d.Activity
	switch {
	case st != CaseTriage && st != CaseDispatching && st != CaseInProgress:
		return Errorf(ECONFLICT, "sign-up is closed: the case is %s", st)
	case !now.IsZero() && !now.Before(act.StartsAt):
		return Errorf(ECONFLICT, "sign-up closed when the activity started")
	case len(act.SignUps) >= act.Capacity:
		return Errorf(ECONFLICT, "activity is full")
	}
	return nil
}

func allowCheckIn(c *Case, a Action, t *Task, now time.Time) error {
	d := c.Details
	if err := c.organiserActs(a); err != nil {
		return err
	}
	act := d.Activity
	if !now.IsZero() && (now.Before(act.StartsAt.Add(-time.Hour)) || now.After(act.EndsAt)) {
		return Errorf(ECONFLICT, "check-in opens an hour before the start and closes at the end")
	}
	for _, p := range act.SignUps {
		if !act.CheckedIn[p.ID] {
			return nil
		}
	}
	return Errorf(ECONFLICT, "nobody signed up is left to check in")
}

func allowSummary(c *Case, a Action, t *Task, now time.Time) error {
	st := c.State
	d := c.Details
	if err := ofKind(c, a.Name, KindJointActivity); err != nil {
		return err
	}
	if !now.IsZero() && now.Before(d.Activity.StartsAt) {
		return Errorf(ECONFLICT, "the activity has not started yet")
	}
	return inState(st, a.Name, CaseTriage, CaseDispatching, CaseInProgress)
}

func allowAssignPost(c *Case, a Action, t *Task, now time.Time) error {
	st := c.State
	if err := ofKind(c, a.Name, KindMemberManagement); err != nil {
		return err
	}
	return inState(st, a.Name, CaseTriage, CaseInProgress)
}

func allowLogHours(c *Case, a Action, t *Task, now time.Time) error {
	st := c.State
	d := c.Details
	if err := ofKind(c, a.Name, KindMemberManagement); err != nil {
		return err
	}
	if a.Actor.UnitID != d.Member.HomeUnitID {
		return Errorf(ECONFLICT, "only the member's home unit logs service hours")
	}
	if st != CaseInProgress {
		return Errorf(ECONFLICT, "no service post has been assigned yet")
	}
	return nil
}

func allowConfirmHours(c *Case, a Action, t *Task, now time.Time) error {
	d := c.Details
	if err := ofKind(c, a.Name, KindMemberManagement); err != nil {
		return err
	}
	for _, h := range d.Member.Hours {
		if !h.Confirmed {
			return nil
		}
	}
	return Errorf(ECONFLICT, "no service hours wait for confirmation")
}
