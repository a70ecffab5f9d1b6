package qilian

import "time"

// The action table: one entry per action, in the order allowed_actions
// lists them. Everything the engine knows about an action is here or
// named here — who may take it, what it acts on, when the case allows it,
// and what it does — so that a new action is one entry (plus its
// functions, its API body and its label), and what Allowed offers is, by
// construction, what Decide's guard lets through: both run the same
// Allows.

// Target is what an action acts on, and so what its route names.
type Target int

// Targets.
const (
	OnCase       Target = iota
	OnTask              // names a task in Action.TaskID
	OnExtension         // names a pending extension in Action.ExtensionID
	OnCaseOrTask        // the case, or one of its open tasks (reminders, notices)
)

// actionSpec is one action.
type actionSpec struct {
	Name ActionName
	// Roles may ever take the action (EFORBIDDEN for the others).
	Roles []Role
	On    Target
	// Label is the action's name on a button and in a case's timeline.
	Label Label
	// Summary says what the action does, for the API's documentation.
	Summary string
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
	{Name: ActDispatch, Roles: []Role{RoleAxis}, On: OnCase,
		Label: Label{"派单", "Dispatch"}, Summary: "Offer tasks to a lead unit and co-units (派单)",
		Allows: allowDispatch, Decide: (*decision).dispatch},
	{Name: ActVerify, Roles: []Role{RoleAxis}, On: OnCase,
		Label: Label{"核查", "Verify"}, Summary: "Pass the units' work, or send it back with a reason",
		Allows: allowVerify, Decide: (*decision).verify},
	{Name: ActFollowUp, Roles: []Role{RoleAxis, RoleGridWorker}, On: OnCase,
		Label: Label{"回访", "Follow-up"}, Summary: "Record the resident's answer (回访); not satisfied reopens the case",
		Allows: allowFollowUpReopen, Decide: (*decision).followUp},
	{Name: ActReopen, Roles: []Role{RoleAxis}, On: OnCase,
		Label: Label{"重新派单", "Reopen"}, Summary: "Send a case in follow-up back to dispatching",
		Allows: allowFollowUpReopen, Decide: (*decision).decideReopen},
	{Name: ActCancel, Roles: []Role{RoleAxis}, On: OnCase,
		Label: Label{"撤销", "Cancel"}, Summary: "Cancel an open case; note says why",
		Allows: allowCancel, Decide: (*decision).decideCancel},
	{Name: ActClose, Roles: []Role{RoleAxis}, On: OnCase,
		Label: Label{"关闭", "Close"}, Summary: "Close a case at triage as invalid, duplicate or referred",
		Allows: allowClose, Decide: (*decision).decideClose},
	{Name: ActWhistle, Roles: []Role{RoleAxis}, On: OnCase,
		Label: Label{"吹哨", "Whistle"}, Summary: "Summon units to report (吹哨)",
		Allows: allowWhistleMeeting, Decide: (*decision).whistle},
	{Name: ActRemind, Roles: []Role{RoleAxis, RoleSupervisor}, On: OnCaseOrTask,
		Label: Label{"催办", "Remind"}, Summary: "Send a reminder (催办) about the case or one task",
		Allows: allowRemindNotice, Decide: (*decision).decideRemindNotice},
	{Name: ActNotice, Roles: []Role{RoleSupervisor}, On: OnCaseOrTask,
		Label: Label{"通报", "Notice"}, Summary: "Issue a notice (通报) about the case or one task; note is its text",
		Allows: allowRemindNotice, Decide: (*decision).decideRemindNotice},
	{Name: ActMeeting, Roles: []Role{RoleAxis}, On: OnCase,
		Label: Label{"联席会议", "Meeting"}, Summary: "Record a joint meeting; note holds the minutes",
		Allows: allowWhistleMeeting, Decide: (*decision).decideMeeting},
	{Name: ActApproveExtension, Roles: []Role{RoleAxis}, On: OnExtension,
		Label: Label{"批准延期", "Approve extension"}, Summary: "Approve an extension request: the deadline moves",
		Allows: allowApproveExtensionRejectExtension, Decide: (*decision).decideApproveExtension},
	{Name: ActRejectExtension, Roles: []Role{RoleAxis}, On: OnExtension,
		Label: Label{"驳回延期", "Reject extension"}, Summary: "Reject an extension request",
		Allows: allowApproveExtensionRejectExtension, Decide: (*decision).decideRejectExtension},
	{Name: ActAccept, Roles: []Role{RoleUnitStaff}, On: OnTask,
		Label: Label{"签收", "Accept"}, Summary: "Accept the task",
		Allows: allowAccept, Decide: (*decision).accept},
	{Name: ActReturn, Roles: []Role{RoleUnitStaff}, On: OnTask,
		Label: Label{"退单", "Return"}, Summary: "Return the task (退单) with a reason code",
		Allows: allowReturn, Decide: (*decision).ret},
	{Name: ActProgress, Roles: []Role{RoleUnitStaff}, On: OnTask,
		Label: Label{"进展", "Progress"}, Summary: "Report progress; note is required",
		Allows: allowProgress, Decide: (*decision).progress},
	{Name: ActResolve, Roles: []Role{RoleUnitStaff}, On: OnTask,
		Label: Label{"办结", "Resolve"}, Summary: "Resolve the task with a result",
		Allows: allowResolve, Decide: (*decision).resolve},
	{Name: ActRequestExtension, Roles: []Role{RoleUnitStaff}, On: OnTask,
		Label: Label{"申请延期", "Request extension"}, Summary: "Ask for more time; note says why",
		Allows: allowRequestExtension, Decide: (*decision).decideRequestExtension},
	{Name: ActReassign, Roles: []Role{RoleAxis}, On: OnTask,
		Label: Label{"改派", "Reassign"}, Summary: "Move the task to another unit",
		Allows: allowReassignWithdraw, Decide: (*decision).reassign},
	{Name: ActWithdraw, Roles: []Role{RoleAxis}, On: OnTask,
		Label: Label{"撤回任务", "Withdraw"}, Summary: "Drop the task; note says why",
		Allows: allowReassignWithdraw, Decide: (*decision).decideWithdraw},
	{Name: ActReport, Roles: []Role{RoleUnitStaff, RoleAxis}, On: OnCase,
		Label: Label{"报到", "Report"}, Summary: "Unit staff: answer a whistle for the caller's unit (报到); the axis: a case-level progress report on a regional coordination, note is the report",
		Allows: allowReport, Decide: (*decision).decideReport},
	{Name: ActApproveBooking, Roles: []Role{RoleUnitStaff}, On: OnCase,
		Label: Label{"同意预约", "Approve booking"}, Summary: "Approve the booking of the caller's unit's resource",
		Allows: allowApproveBookingDeclineBooking, Decide: (*decision).decideApproveBooking},
	{Name: ActDeclineBooking, Roles: []Role{RoleUnitStaff}, On: OnCase,
		Label: Label{"拒绝预约", "Decline booking"}, Summary: "Decline the booking; note says why",
		Allows: allowApproveBookingDeclineBooking, Decide: (*decision).decideDeclineBooking},
	{Name: ActHandBack, Roles: []Role{RoleAxis, RoleGridWorker, RoleUnitStaff}, On: OnCase,
		Label: Label{"归还", "Hand back"}, Summary: "Hand the booked resource back",
		Allows: allowHandBack, Decide: (*decision).decideHandBack},
	{Name: ActConfirmHandBack, Roles: []Role{RoleUnitStaff}, On: OnCase,
		Label: Label{"确认归还", "Confirm hand-back"}, Summary: "Confirm the resource came back",
		Allows: allowConfirmHandBack, Decide: (*decision).decideConfirmHandBack},
	{Name: ActOpenVoting, Roles: []Role{RoleAxis}, On: OnCase,
		Label: Label{"开始表决", "Open voting"}, Summary: "Open a consultation for voting once its question, options and participants are settled",
		Allows: allowOpenVoting, Decide: (*decision).decideOpenVoting},
	{Name: ActVote, Roles: []Role{RoleAxis, RoleGridWorker, RoleUnitStaff, RoleSupervisor}, On: OnCase,
		Label: Label{"投票", "Vote"}, Summary: "Vote in a consultation the caller is a participant of",
		Allows: allowVote, Decide: (*decision).decideVote},
	{Name: ActSignUp, Roles: []Role{RoleAxis, RoleGridWorker, RoleUnitStaff}, On: OnCase,
		Label: Label{"报名", "Sign up"}, Summary: "Sign a participant up for an activity",
		Allows: allowSignUp, Decide: (*decision).signUp},
	{Name: ActCheckIn, Roles: []Role{RoleAxis, RoleUnitStaff}, On: OnCase,
		Label: Label{"签到", "Check in"}, Summary: "Check a signed-up participant in",
		Allows: allowCheckIn, Decide: (*decision).checkIn},
	{Name: ActSummary, Roles: []Role{RoleAxis}, On: OnCase,
		Label: Label{"活动总结", "Summary"}, Summary: "Record the activity's summary; note is the summary",
		Allows: allowSummary, Decide: (*decision).decideSummary},
	{Name: ActAssignPost, Roles: []Role{RoleAxis}, On: OnCase,
		Label: Label{"设岗", "Assign post"}, Summary: "Assign the registered Party member a service post",
		Allows: allowAssignPost, Decide: (*decision).decideAssignPost},
	{Name: ActLogHours, Roles: []Role{RoleUnitStaff}, On: OnCase,
		Label: Label{"登记时长", "Log hours"}, Summary: "Log the member's service hours (home unit)",
		Allows: allowLogHours, Decide: (*decision).logHours},
	{Name: ActConfirmHours, Roles: []Role{RoleAxis}, On: OnCase,
		Label: Label{"确认时长", "Confirm hours"}, Summary: "Confirm logged service hours",
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
func (n ActionName) OnTask() bool { return n.Target() == OnTask }

// Target is what the action acts on; OnCase for an unknown name.
func (n ActionName) Target() Target {
	if s, ok := actionIndex[n]; ok {
		return s.On
	}
	return OnCase
}

// Label is the action's name for people; the name itself when unknown.
func (n ActionName) Label() Label {
	if s, ok := actionIndex[n]; ok {
		return s.Label
	}
	return Label{string(n), string(n)}
}

// Summary says what the action does.
func (n ActionName) Summary() string {
	if s, ok := actionIndex[n]; ok {
		return s.Summary
	}
	return ""
}
