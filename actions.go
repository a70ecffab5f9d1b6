package qilian

import "time"

// The action table: one entry per action, in the order allowed_actions
// lists them. Everything the engine knows about an action is here or
// named here — who may take it, what it acts on, when the case allows it,
// and what it does — so that a new action is one entry (plus its
// functions, its API body and its label), and what Allowed offers is, by
// construction, what Decide's guard lets through: both run the same
// Allows.

// target is what an action acts on.
type target int

const (
	onCase       target = iota
	onTask              // names a task in Action.TaskID
	onExtension         // names a pending extension in Action.ExtensionID
	onCaseOrTask        // the case, or one of its open tasks (reminders, notices)
)

// actionSpec is one action.
type actionSpec struct {
	Name ActionName
	// Roles may ever take the action (EFORBIDDEN for the others).
	Roles []Role
	On    target
	// Allows is the state part of the guard (ECONFLICT when it refuses):
	// the case's kind and state, the task's state, the actor's part in
	// the case, and time windows. t is the named task, or nil. It reads no
	// input of the action but the actor.
	Allows func(c *Case, a Action, t *Task, now time.Time) error
	// Decide emits the action's events on the scratch case, after
	// checking its inputs (EINVALID).
	Decide func(d *decision) error
}

var actionTable = []actionSpec{
	{Name: ActDispatch, Roles: []Role{RoleAxis}, On: onCase,
		Allows: allowDispatch, Decide: (*decision).dispatch},
	{Name: ActVerify, Roles: []Role{RoleAxis}, On: onCase,
		Allows: allowVerify, Decide: (*decision).verify},
	{Name: ActFollowUp, Roles: []Role{RoleAxis, RoleGridWorker}, On: onCase,
		Allows: allowFollowUpReopen, Decide: (*decision).followUp},
	{Name: ActReopen, Roles: []Role{RoleAxis}, On: onCase,
		Allows: allowFollowUpReopen, Decide: (*decision).decideReopen},
	{Name: ActCancel, Roles: []Role{RoleAxis}, On: onCase,
		Allows: allowCancel, Decide: (*decision).decideCancel},
	{Name: ActClose, Roles: []Role{RoleAxis}, On: onCase,
		Allows: allowClose, Decide: (*decision).decideClose},
	{Name: ActWhistle, Roles: []Role{RoleAxis}, On: onCase,
		Allows: allowWhistleMeeting, Decide: (*decision).whistle},
	{Name: ActRemind, Roles: []Role{RoleAxis, RoleSupervisor}, On: onCaseOrTask,
		Allows: allowRemindNotice, Decide: (*decision).decideRemindNotice},
	{Name: ActNotice, Roles: []Role{RoleSupervisor}, On: onCaseOrTask,
		Allows: allowRemindNotice, Decide: (*decision).decideRemindNotice},
	{Name: ActMeeting, Roles: []Role{RoleAxis}, On: onCase,
		Allows: allowWhistleMeeting, Decide: (*decision).decideMeeting},
	{Name: ActApproveExtension, Roles: []Role{RoleAxis}, On: onExtension,
		Allows: allowApproveExtensionRejectExtension, Decide: (*decision).decideApproveExtension},
	{Name: ActRejectExtension, Roles: []Role{RoleAxis}, On: onExtension,
		Allows: allowApproveExtensionRejectExtension, Decide: (*decision).decideRejectExtension},
	{Name: ActAccept, Roles: []Role{RoleUnitStaff}, On: onTask,
		Allows: allowAccept, Decide: (*decision).accept},
	{Name: ActReturn, Roles: []Role{RoleUnitStaff}, On: onTask,
		Allows: allowReturn, Decide: (*decision).ret},
	{Name: ActProgress, Roles: []Role{RoleUnitStaff}, On: onTask,
		Allows: allowProgress, Decide: (*decision).progress},
	{Name: ActResolve, Roles: []Role{RoleUnitStaff}, On: onTask,
		Allows: allowResolve, Decide: (*decision).resolve},
	{Name: ActRequestExtension, Roles: []Role{RoleUnitStaff}, On: onTask,
		Allows: allowRequestExtension, Decide: (*decision).decideRequestExtension},
	{Name: ActReassign, Roles: []Role{RoleAxis}, On: onTask,
		Allows: allowReassignWithdraw, Decide: (*decision).reassign},
	{Name: ActWithdraw, Roles: []Role{RoleAxis}, On: onTask,
		Allows: allowReassignWithdraw, Decide: (*decision).decideWithdraw},
	{Name: ActReport, Roles: []Role{RoleUnitStaff}, On: onCase,
		Allows: allowReport, Decide: (*decision).decideReport},
	{Name: ActApproveBooking, Roles: []Role{RoleUnitStaff}, On: onCase,
		Allows: allowApproveBookingDeclineBooking, Decide: (*decision).decideApproveBooking},
	{Name: ActDeclineBooking, Roles: []Role{RoleUnitStaff}, On: onCase,
		Allows: allowApproveBookingDeclineBooking, Decide: (*decision).decideDeclineBooking},
	{Name: ActHandBack, Roles: []Role{RoleAxis, RoleGridWorker, RoleUnitStaff}, On: onCase,
		Allows: allowHandBack, Decide: (*decision).decideHandBack},
	{Name: ActConfirmHandBack, Roles: []Role{RoleUnitStaff}, On: onCase,
		Allows: allowConfirmHandBack, Decide: (*decision).decideConfirmHandBack},
	{Name: ActVote, Roles: []Role{RoleAxis, RoleGridWorker, RoleUnitStaff, RoleSupervisor}, On: onCase,
		Allows: allowVote, Decide: (*decision).decideVote},
	{Name: ActSignUp, Roles: []Role{RoleAxis, RoleGridWorker, RoleUnitStaff}, On: onCase,
		Allows: allowSignUp, Decide: (*decision).signUp},
	{Name: ActCheckIn, Roles: []Role{RoleAxis, RoleUnitStaff}, On: onCase,
		Allows: allowCheckIn, Decide: (*decision).checkIn},
	{Name: ActSummary, Roles: []Role{RoleAxis}, On: onCase,
		Allows: allowSummary, Decide: (*decision).decideSummary},
	{Name: ActAssignPost, Roles: []Role{RoleAxis}, On: onCase,
		Allows: allowAssignPost, Decide: (*decision).decideAssignPost},
	{Name: ActLogHours, Roles: []Role{RoleUnitStaff}, On: onCase,
		Allows: allowLogHours, Decide: (*decision).logHours},
	{Name: ActConfirmHours, Roles: []Role{RoleAxis}, On: onCase,
		Allows: allowConfirmHours, Decide: (*decision).decideConfirmHours},
}

// actionIndex finds an action's entry by name.
var actionIndex = func() map[ActionName]*actionSpec {
	m := make(map[ActionName]*actionSpec, len(actionTable))
	for i := range actionTable {
		m[actionTable[i].Name] = &actionTable[i]
	}
	return m
}()

// Actions lists every action name, in the table's order.
func Actions() []ActionName {
	out := make([]ActionName, len(actionTable))
	for i, s := range actionTable {
		out[i] = s.Name
	}
	return out
}

// ActionRoles lists the roles that may ever take the action.
func ActionRoles(n ActionName) []Role {
	if s, ok := actionIndex[n]; ok {
		return append([]Role(nil), s.Roles...)
	}
	return nil
}

// OnTask reports whether the action names a task.
func (n ActionName) OnTask() bool {
	s, ok := actionIndex[n]
	return ok && s.On == onTask
}
