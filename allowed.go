package qilian

import (
	"slices"
	"strings"
	"time"
)

// actionRoles says which roles may ever take each action. The system actor
// takes none: what the engine does by itself comes from Tick. Admins manage
// localities, units and users, never cases.
var actionRoles = map[ActionName][]Role{
	ActDispatch:         {RoleAxis},
	ActVerify:           {RoleAxis},
	ActFollowUp:         {RoleAxis, RoleGridWorker},
	ActReopen:           {RoleAxis},
	ActCancel:           {RoleAxis},
	ActClose:            {RoleAxis},
	ActWhistle:          {RoleAxis},
	ActRemind:           {RoleAxis, RoleSupervisor},
	ActNotice:           {RoleSupervisor},
	ActMeeting:          {RoleAxis},
	ActApproveExtension: {RoleAxis},
	ActRejectExtension:  {RoleAxis},

	ActAccept:           {RoleUnitStaff},
	ActReturn:           {RoleUnitStaff},
	ActProgress:         {RoleUnitStaff},
	ActResolve:          {RoleUnitStaff},
	ActRequestExtension: {RoleUnitStaff},
	ActReassign:         {RoleAxis},
	ActWithdraw:         {RoleAxis},
	ActReport:           {RoleUnitStaff},

	ActApproveBooking:  {RoleUnitStaff},
	ActDeclineBooking:  {RoleUnitStaff},
	ActHandBack:        {RoleAxis, RoleGridWorker, RoleUnitStaff},
	ActConfirmHandBack: {RoleUnitStaff},
	ActVote:            {RoleAxis, RoleGridWorker, RoleUnitStaff, RoleSupervisor},
	ActSignUp:          {RoleAxis, RoleGridWorker, RoleUnitStaff},
	ActCheckIn:         {RoleAxis, RoleUnitStaff},
	ActSummary:         {RoleAxis},
	ActAssignPost:      {RoleAxis},
	ActLogHours:        {RoleUnitStaff},
	ActConfirmHours:    {RoleAxis},
}

// actionOrder is the order Allowed lists actions in: the declaration order
// of the action names.
var actionOrder = []ActionName{
	ActDispatch, ActVerify, ActFollowUp, ActReopen, ActCancel, ActClose, ActWhistle,
	ActRemind, ActNotice, ActMeeting, ActApproveExtension, ActRejectExtension,
	ActAccept, ActReturn, ActProgress, ActResolve, ActRequestExtension, ActReassign,
	ActWithdraw, ActReport,
	ActApproveBooking, ActDeclineBooking, ActHandBack, ActConfirmHandBack, ActVote,
	ActSignUp, ActCheckIn, ActSummary, ActAssignPost, ActLogHours, ActConfirmHours,
}

// taskActions name the task they act on in Action.TaskID.
var taskActions = map[ActionName]bool{
	ActAccept: true, ActReturn: true, ActProgress: true, ActResolve: true,
	ActRequestExtension: true, ActReassign: true, ActWithdraw: true,
}

// Allowed lists the actions actor may take on the case now, in a fixed
// order: those whose role, scope and state checks in Decide pass. Inputs
// and time windows (sign-up before the start, check-in around the
// activity, voting before the deadline) are left to Decide, which has the
// time; a task action is listed when it is allowed on at least one task.
func (c *Case) Allowed(actor Actor) []ActionName {
	if c.State.Terminal() {
		return nil
	}
	var out []ActionName
	for _, name := range actionOrder {
		a := Action{Name: name, Actor: actor}
		switch {
		case taskActions[name]:
			for _, t := range c.Tasks {
				a.TaskID = t.ID
				if _, err := c.guard(a, time.Time{}); err == nil {
					out = append(out, name)
					break
				}
			}
		case name == ActApproveExtension || name == ActRejectExtension:
			for _, t := range c.Tasks {
				if t.Extension == nil {
					continue
				}
				a.ExtensionID = t.Extension.ID
				if _, err := c.guard(a, time.Time{}); err == nil {
					out = append(out, name)
					break
				}
			}
		default:
			if _, err := c.guard(a, time.Time{}); err == nil {
				out = append(out, name)
			}
		}
	}
	return out
}

// relation is how an actor stands to a case; an actor may hold several.
type relation uint8

const (
	// inCharge: the role's current place covers the case. Axis, grid
	// workers and supervisors by their subtree; unit staff when their
	// unit has a task on the case (in any state), owns the booked
	// resource, is the member's home unit or was summoned by a whistle.
	inCharge relation = 1 << iota
	// participant: named in the consultation, to vote.
	participant
	// opener: opened the case, and is still the same role in the same
	// place. A user moved elsewhere leaves the cases of the old place
	// behind.
	opener
)

// relationTo says how a stands to the case.
func (c *Case) relationTo(a Actor) relation {
	var r relation
	switch a.Role {
	case RoleAxis, RoleGridWorker, RoleSupervisor:
		if Contains(a.LocalityPath, c.LocalityPath) {
			r |= inCharge
		}
	case RoleUnitStaff:
		if a.UnitID != "" && c.involves(a.UnitID) {
			r |= inCharge
		}
	}
	if con := c.Details.Consultation; con != nil && a.UserID != "" && slices.Contains(con.Participants, a.UserID) {
		r |= participant
	}
	o := c.OpenedBy
	if a.UserID != "" && a.UserID == o.UserID && a.Role == o.Role && a.UnitID == o.UnitID && a.LocalityID == o.LocalityID {
		r |= opener
	}
	return r
}

// bystanderMay is what a relation other than being in charge lets an
// actor do, besides reading: a participant votes; the opener answers the
// follow-up (回访) and, as the booking party, hands the resource back.
// Everything else needs the role and the place (inCharge): being named
// is not being in charge.
// (A list, not a map: workflow code must not range over a map.)
var bystanderMay = []struct {
	rel   relation
	names []ActionName
}{
	{participant, []ActionName{ActVote}},
	{opener, []ActionName{ActFollowUp, ActHandBack}},
}

// mayAs reports whether relation r lets its holder take the action.
func (r relation) mayAs(n ActionName) bool {
	if r&inCharge != 0 {
		return true
	}
	for _, b := range bystanderMay {
		if r&b.rel != 0 && slices.Contains(b.names, n) {
			return true
		}
	}
	return false
}

// visible reports whether the case exists as far as actor is concerned:
// any relation to it lets them read it. Outside it, Decide answers "not
// found", never "forbidden": a case out of scope must look like one that
// does not exist.
func (c *Case) visible(a Actor) bool { return c.relationTo(a) != 0 }

// involves reports whether unit takes part in the case.
func (c *Case) involves(unit string) bool {
	if c.hasTaskOf(unit) {
		return true
	}
	d := c.Details
	if d.Booking != nil && d.Booking.OwnerUnitID == unit {
		return true
	}
	if d.Member != nil && d.Member.HomeUnitID == unit {
		return true
	}
	if d.Problem != nil {
		for _, w := range d.Problem.Whistles {
			if slices.Contains(w.Units, unit) {
				return true
			}
		}
	}
	return false
}

func (c *Case) hasTaskOf(unit string) bool {
	for _, t := range c.Tasks {
		if t.UnitID == unit {
			return true
		}
	}
	return false
}

func (c *Case) taskIndex(id string) int {
	for i, t := range c.Tasks {
		if t.ID == id {
			return i
		}
	}
	return -1
}

// guard runs the checks of Decide that do not read the action's inputs,
// in Decide's order: the role may ever take the action (EFORBIDDEN), the
// actor can see the case (ENOTFOUND), their relation to it allows the
// action (EFORBIDDEN: see bystanderMay), their place covers the task
// (ENOTFOUND), the case and the
// task are in a state that allows it (ECONFLICT). It returns the index of
// the task the action names, or -1. A zero now skips time windows, which
// is what Allowed wants.
func (c *Case) guard(a Action, now time.Time) (int, error) {
	if c.State.Terminal() {
		return -1, Errorf(ECONFLICT, "the case is %s", c.State)
	}
	roles, known := actionRoles[a.Name]
	if !known {
		return -1, Invalid(map[string]string{"name": "unknown action"})
	}
	if !slices.Contains(roles, a.Actor.Role) {
		return -1, Errorf(EFORBIDDEN, "role %q may not %s", a.Actor.Role, a.Name)
	}
	rel := c.relationTo(a.Actor)
	if rel == 0 {
		return -1, Errorf(ENOTFOUND, "case %s not found", c.ID)
	}
	if !rel.mayAs(a.Name) {
		return -1, Errorf(EFORBIDDEN, "%s may read case %s but not %s: that needs the role in the case's place", a.Actor.UserID, c.ID, a.Name)
	}
	ti := -1
	switch {
	case taskActions[a.Name] || (a.TaskID != "" && (a.Name == ActRemind || a.Name == ActNotice)):
		if a.TaskID == "" {
			return -1, Invalid(map[string]string{"task_id": "required"})
		}
		ti = c.taskIndex(a.TaskID)
		if ti < 0 || (a.Actor.Role == RoleUnitStaff && c.Tasks[ti].UnitID != a.Actor.UnitID) {
			return -1, Errorf(ENOTFOUND, "task %s not found", a.TaskID)
		}
	case a.Name == ActApproveExtension || a.Name == ActRejectExtension:
		if a.ExtensionID == "" {
			return -1, Invalid(map[string]string{"extension_id": "required"})
		}
		for i, t := range c.Tasks {
			if t.Extension != nil && t.Extension.ID == a.ExtensionID {
				ti = i
			}
		}
		if ti < 0 {
			// Extension IDs are the task ID plus "-x" and a number, so a
			// decided request can be told from one that never existed.
			if i := strings.LastIndex(a.ExtensionID, "-x"); i > 0 && c.taskIndex(a.ExtensionID[:i]) >= 0 {
				return -1, Errorf(ECONFLICT, "extension %s is no longer pending", a.ExtensionID)
			}
			return -1, Errorf(ENOTFOUND, "extension %s not found", a.ExtensionID)
		}
	}
	return ti, c.stateAllows(a, ti, now)
}

// stateAllows is the ECONFLICT part of guard.
func (c *Case) stateAllows(a Action, ti int, now time.Time) error {
	var t *Task
	if ti >= 0 {
		t = &c.Tasks[ti]
	}
	st := c.State
	d := c.Details
	switch a.Name {
	case ActDispatch:
		if c.Kind == KindResourceSharing || c.Kind == KindMemberManagement {
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
	case ActVerify:
		return inState(st, a.Name, CaseVerifying)
	case ActFollowUp, ActReopen:
		return inState(st, a.Name, CaseFollowUp)
	case ActCancel:
		return nil
	case ActClose:
		// A member registration (报到) has no tasks to verify; it ends
		// when the member leaves the community, closed as resolved.
		if c.Kind == KindMemberManagement && st == CaseInProgress {
			return nil
		}
		return inState(st, a.Name, CaseTriage)
	case ActWhistle, ActMeeting:
		return ofKind(c, a.Name, KindProblemSolving)
	case ActRemind, ActNotice:
		if t != nil && !t.State.Open() {
			return Errorf(ECONFLICT, "task %s is %s", t.ID, t.State)
		}
		return nil
	case ActApproveExtension, ActRejectExtension:
		return taskIn(t, a.Name, TaskOnHold)
	case ActAccept:
		return taskIn(t, a.Name, TaskOffered)
	case ActReturn:
		if err := taskIn(t, a.Name, TaskOffered, TaskAccepted); err != nil {
			return err
		}
		if c.Returns >= c.Policy.MaxReturns {
			return Errorf(ECONFLICT, "return limit reached; the axis must assign")
		}
		return nil
	case ActProgress:
		return taskIn(t, a.Name, TaskAccepted, TaskInProgress, TaskOnHold)
	case ActResolve:
		return taskIn(t, a.Name, TaskAccepted, TaskInProgress)
	case ActRequestExtension:
		if t.State == TaskOnHold {
			return Errorf(ECONFLICT, "an extension request for task %s is already pending", t.ID)
		}
		return taskIn(t, a.Name, TaskAccepted, TaskInProgress)
	case ActReassign, ActWithdraw:
		if !t.State.Open() {
			return Errorf(ECONFLICT, "task %s is %s", t.ID, t.State)
		}
		return nil
	case ActReport:
		if err := ofKind(c, a.Name, KindProblemSolving); err != nil {
			return err
		}
		if len(c.pendingWhistles(a.Actor.UnitID)) == 0 {
			return Errorf(ECONFLICT, "no whistle awaits a report from unit %s", a.Actor.UnitID)
		}
		return nil
	case ActApproveBooking, ActDeclineBooking:
		if err := c.ownerActs(a); err != nil {
			return err
		}
		if d.Booking.State != BookingRequested {
			return Errorf(ECONFLICT, "the booking is %s", d.Booking.State)
		}
		return nil
	case ActHandBack:
		if err := ofKind(c, a.Name, KindResourceSharing); err != nil {
			return err
		}
		if a.Actor.Role != RoleAxis && a.Actor.UserID != c.OpenedBy.UserID {
			return Errorf(ECONFLICT, "only the booking party or the axis hands the resource back")
		}
		if s := d.Booking.State; s != BookingApproved && s != BookingInUse {
			return Errorf(ECONFLICT, "the booking is %s", s)
		}
		return nil
	case ActConfirmHandBack:
		if err := c.ownerActs(a); err != nil {
			return err
		}
		if d.Booking.State != BookingReturned {
			return Errorf(ECONFLICT, "the booking is %s, not handed back", d.Booking.State)
		}
		return nil
	case ActVote:
		if err := ofKind(c, a.Name, KindJointConsultation); err != nil {
			return err
		}
		con := d.Consultation
		switch {
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
	case ActSignUp:
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
	case ActCheckIn:
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
	case ActSummary:
		if err := ofKind(c, a.Name, KindJointActivity); err != nil {
			return err
		}
		if !now.IsZero() && now.Before(d.Activity.StartsAt) {
			return Errorf(ECONFLICT, "the activity has not started yet")
		}
		return inState(st, a.Name, CaseTriage, CaseDispatching, CaseInProgress)
	case ActAssignPost:
		if err := ofKind(c, a.Name, KindMemberManagement); err != nil {
			return err
		}
		return inState(st, a.Name, CaseTriage, CaseInProgress)
	case ActLogHours:
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
	case ActConfirmHours:
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
	return nil
}

func inState(st CaseState, name ActionName, allowed ...CaseState) error {
	if slices.Contains(allowed, st) {
		return nil
	}
	return Errorf(ECONFLICT, "cannot %s a case that is %s", name, st)
}

func taskIn(t *Task, name ActionName, allowed ...TaskState) error {
	if slices.Contains(allowed, t.State) {
		return nil
	}
	return Errorf(ECONFLICT, "cannot %s task %s: it is %s", name, t.ID, t.State)
}

// ofKind also guards the kind's details, which Open guarantees but a
// hand-built case may lack.
func ofKind(c *Case, name ActionName, k Kind) error {
	d := c.Details
	ok := c.Kind == k
	switch k {
	case KindResourceSharing:
		ok = ok && d.Booking != nil
	case KindJointConsultation:
		ok = ok && d.Consultation != nil
	case KindJointActivity:
		ok = ok && d.Activity != nil
	case KindMemberManagement:
		ok = ok && d.Member != nil
	case KindProblemSolving:
		ok = ok && d.Problem != nil
	}
	if !ok {
		return Errorf(ECONFLICT, "%s is only for %s cases", name, k)
	}
	return nil
}

// ownerActs checks that the booking's owner unit is the one acting.
func (c *Case) ownerActs(a Action) error {
	if err := ofKind(c, a.Name, KindResourceSharing); err != nil {
		return err
	}
	if a.Actor.UnitID != c.Details.Booking.OwnerUnitID {
		return Errorf(ECONFLICT, "only the owner unit of the resource may %s", a.Name)
	}
	return nil
}

// organiserActs checks that unit staff acting on an activity belong to a
// unit with a task on it.
func (c *Case) organiserActs(a Action) error {
	if err := ofKind(c, a.Name, KindJointActivity); err != nil {
		return err
	}
	if a.Actor.Role == RoleUnitStaff && !c.hasTaskOf(a.Actor.UnitID) {
		return Errorf(ECONFLICT, "only units organising the activity may %s", a.Name)
	}
	return nil
}

// pendingWhistles returns the indexes of the whistles that summoned unit
// and have no report from it yet.
func (c *Case) pendingWhistles(unit string) []int {
	if c.Details.Problem == nil || unit == "" {
		return nil
	}
	var out []int
	for i, w := range c.Details.Problem.Whistles {
		if _, done := w.Reported[unit]; slices.Contains(w.Units, unit) && !done {
			out = append(out, i)
		}
	}
	return out
}
