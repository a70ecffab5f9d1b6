package qilian

import "time"

// ActionName names a human action on a case or a task; the HTTP routes use
// the same names.
type ActionName string

// Case actions.
const (
	ActDispatch         ActionName = "dispatch"          // axis: offer tasks to a lead unit and co-units
	ActVerify           ActionName = "verify"            // axis: pass, or send back to work with a reason
	ActFollowUp         ActionName = "follow-up"         // grid worker or axis: the resident's answer
	ActReopen           ActionName = "reopen"            // axis: back to dispatching from follow-up
	ActCancel           ActionName = "cancel"            // axis: any open state
	ActClose            ActionName = "close"             // axis: at triage, as invalid, duplicate or referred
	ActWhistle          ActionName = "whistle"           // axis: summon units (吹哨)
	ActRemind           ActionName = "remind"            // supervisor or axis: 催办
	ActNotice           ActionName = "notice"            // supervisor: 通报
	ActMeeting          ActionName = "meeting"           // axis: record a joint meeting
	ActApproveExtension ActionName = "approve-extension" // axis
	ActRejectExtension  ActionName = "reject-extension"  // axis
)

// Task actions.
const (
	ActAccept           ActionName = "accept"            // unit staff
	ActReturn           ActionName = "return"            // unit staff, with a reason code
	ActProgress         ActionName = "progress"          // unit staff: a progress note
	ActResolve          ActionName = "resolve"           // unit staff: with a result
	ActRequestExtension ActionName = "request-extension" // unit staff
	ActReassign         ActionName = "reassign"          // axis: the task moves to another unit
	ActWithdraw         ActionName = "withdraw"          // axis: the task is dropped
	ActReport           ActionName = "report"            // unit staff: answer a whistle (报到)
)

// Kind-specific actions.
const (
	ActApproveBooking  ActionName = "approve-booking"  // owner unit staff
	ActDeclineBooking  ActionName = "decline-booking"  // owner unit staff
	ActHandBack        ActionName = "hand-back"        // the booking party: the resource is returned
	ActConfirmHandBack ActionName = "confirm-handback" // owner unit staff
	ActOpenVoting      ActionName = "open-voting"      // axis: the consultation takes votes from now
	ActVote            ActionName = "vote"             // a named participant
	ActSignUp          ActionName = "sign-up"          // anyone who can see the case
	ActCheckIn         ActionName = "check-in"         // axis or organising unit staff
	ActSummary         ActionName = "summary"          // axis: after the activity
	ActAssignPost      ActionName = "assign-post"      // community axis
	ActLogHours        ActionName = "log-hours"        // the member's home unit staff
	ActConfirmHours    ActionName = "confirm-hours"    // community axis
)

// ReturnReason is the required reason code of a return (退单).
type ReturnReason string

// Return reasons.
const (
	ReturnNotOurDuty       ReturnReason = "not_our_duty"      // 非本单位职责
	ReturnWrongLocation    ReturnReason = "wrong_location"    // 不在辖区
	ReturnInsufficientInfo ReturnReason = "insufficient_info" // 信息不全
	ReturnDuplicate        ReturnReason = "duplicate"         // 重复派单
	ReturnBeyondCapacity   ReturnReason = "beyond_capacity"   // 超出能力
	ReturnOther            ReturnReason = "other"             // 其他（须说明）
)

// Valid reports whether r is a known return reason.
func (r ReturnReason) Valid() bool {
	switch r {
	case ReturnNotOurDuty, ReturnWrongLocation, ReturnInsufficientInfo, ReturnDuplicate, ReturnBeyondCapacity, ReturnOther:
		return true
	}
	return false
}

// Assignment names a unit to receive a task at dispatch.
type Assignment struct {
	UnitID   string   `json:"unit_id"`
	Role     TaskRole `json:"role"`
	Required bool     `json:"required"`
	Duty     Duty     `json:"duty,omitempty"` // joint activities: what the unit brings
}

// Duty is what an organising unit brings to a joint activity.
type Duty string

// Organiser duties.
const (
	DutyVenue     Duty = "venue"     // 场地
	DutyStaff     Duty = "staff"     // 人员
	DutyMaterials Duty = "materials" // 物资
)

// Duties lists the organiser duties.
func Duties() []Duty { return []Duty{DutyVenue, DutyStaff, DutyMaterials} }

// Action is one human action, as it arrives at the case workflow. Only the
// fields its Name uses are set.
type Action struct {
	Name  ActionName `json:"name"`
	Actor Actor      `json:"actor"`
	// ExpectedRevision, when not zero, refuses the action if the case has
	// moved on since the caller looked (optimistic concurrency).
	ExpectedRevision int64 `json:"expected_revision,omitempty"`
	// RequestID, when set, names this request to the engine: the same
	// action sent again under the same ID takes effect once and answers
	// as the first did (a bulk request retried under its key).
	RequestID string `json:"request_id,omitempty"`

	TaskID      string       `json:"task_id,omitempty"`
	ExtensionID string       `json:"extension_id,omitempty"`
	Assignments []Assignment `json:"assignments,omitempty"`  // dispatch
	UnitID      string       `json:"unit_id,omitempty"`      // reassign target
	Reason      ReturnReason `json:"reason,omitempty"`       // return
	Note        string       `json:"note,omitempty"`         // free text: progress, reasons, minutes
	Result      string       `json:"result,omitempty"`       // resolve
	Pass        *bool        `json:"pass,omitempty"`         // verify
	NoFollowUp  string       `json:"no_follow_up,omitempty"` // verify: why the reporter is not called back
	Satisfied   *bool        `json:"satisfied,omitempty"`    // follow-up
	Resolution  Resolution   `json:"resolution,omitempty"`   // close
	DuplicateOf string       `json:"duplicate_of,omitempty"` // close as duplicate: the case that covers it
	Extra       Span         `json:"extra,omitempty"`        // request-extension
	Units       []string     `json:"units,omitempty"`        // whistle, meeting attendees
	Option      string       `json:"option,omitempty"`       // vote
	Participant *Participant `json:"participant,omitempty"`  // sign-up, check-in (ID)
	Post        string       `json:"post,omitempty"`         // assign-post
	Hours       *HoursLog    `json:"hours,omitempty"`        // log-hours; confirm-hours uses Hours.ID
	// Attachments are photos or documents any action may carry (the
	// work's, a verification's, a meeting's minutes); the action's event
	// keeps them.
	Attachments []string `json:"attachments,omitempty"`
}

// Event is one entry of a case's audit trail: an accepted action or
// something the engine did by itself (a warning, an escalation step).
type Event struct {
	Seq       int64          `json:"seq"`
	At        time.Time      `json:"at"`
	Actor     Actor          `json:"actor"`
	Type      EventType      `json:"type"` // an ActionName, or an engine event such as "opened", "warning", "escalated"
	TaskID    string         `json:"task_id,omitempty"`
	FromState string         `json:"from_state,omitempty"`
	ToState   string         `json:"to_state,omitempty"`
	Reason    string         `json:"reason,omitempty"`
	Payload   map[string]any `json:"payload,omitempty"`
	Points    []PointsEvent  `json:"points,omitempty"`

	// What Apply reads besides the states. Each is set only by the events
	// named; Payload is for people and is never read back.
	Note          string       `json:"note,omitempty"`           // the action's free text: progress, result, reasons, minutes, summary, post, comment
	Ref           string       `json:"ref,omitempty"`            // the extension, whistle, hours log or participant concerned; close as duplicate: the original
	Task          *Task        `json:"task,omitempty"`           // dispatch, reassign: the task created
	Deadline      *Deadline    `json:"deadline,omitempty"`       // approve-extension: the new resolve-by
	NextReportDue time.Time    `json:"next_report_due,omitzero"` // accept, progress, report_missing of regional coordination tasks
	ReportWarnAt  time.Time    `json:"report_warn_at,omitzero"`  // with NextReportDue: when its warning goes out
	Extension     *Extension   `json:"extension,omitempty"`      // request-extension
	Resolution    Resolution   `json:"resolution,omitempty"`     // events that close the case
	Option        string       `json:"option,omitempty"`         // vote: the option chosen; decided: the outcome
	Satisfied     *bool        `json:"satisfied,omitempty"`      // follow-up
	Participant   *Participant `json:"participant,omitempty"`    // sign-up
	Hours         *HoursLog    `json:"hours,omitempty"`          // log-hours
	Attachments   []string     `json:"attachments,omitempty"`    // the action's first event: what the action carried
	Whistle       *Whistle     `json:"whistle,omitempty"`        // whistle
	Meeting       *Meeting     `json:"meeting,omitempty"`        // meeting
}

// PointsKind is what earned or cost points.
type PointsKind string

// Points event kinds, scored by the points assessment.
const (
	PointsResolvedOnTime   PointsKind = "task_resolved_on_time"
	PointsResolvedLate     PointsKind = "task_resolved_late"
	PointsAcceptedOnTime   PointsKind = "task_accepted_on_time"
	PointsOverdue          PointsKind = "task_overdue"
	PointsReturned         PointsKind = "task_returned"
	PointsSatisfied        PointsKind = "satisfied"
	PointsUnsatisfied      PointsKind = "unsatisfied"
	PointsBookingFulfilled PointsKind = "booking_fulfilled"
	PointsActivityJoined   PointsKind = "activity_joined"
	PointsHoursConfirmed   PointsKind = "hours_confirmed"
)

// PointsKinds lists every points kind.
func PointsKinds() []PointsKind {
	return []PointsKind{PointsResolvedOnTime, PointsResolvedLate, PointsAcceptedOnTime, PointsOverdue, PointsReturned,
		PointsSatisfied, PointsUnsatisfied, PointsBookingFulfilled, PointsActivityJoined, PointsHoursConfirmed}
}

// PointsEvent is a fact the points assessment scores; it names whom it
// concerns (a unit, a locality or a member) and a quantity (1 for a count,
// hours for service hours).
type PointsEvent struct {
	Kind        PointsKind `json:"kind"`
	SubjectType string     `json:"subject_type"` // "unit", "locality" or "member"
	SubjectID   string     `json:"subject_id"`
	Quantity    float64    `json:"quantity"`
	At          time.Time  `json:"at"`
}

// OpenRequest is what it takes to open a case.
type OpenRequest struct {
	ID   string `json:"id"`
	Kind Kind   `json:"kind"`
	// Category is a category code of Kind (see Categories), or empty.
	Category    string   `json:"category,omitempty"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Priority    Priority `json:"priority"`
	LocalityID  string   `json:"locality_id"`
	// LocalityPath and GridID are filled by the engine from the read model.
	LocalityPath string   `json:"locality_path"`
	GridID       string   `json:"grid_id,omitempty"`
	Location     Location `json:"location"`
	Reporter     Reporter `json:"reporter"`
	Attachments  []string `json:"attachments,omitempty"`
	Details      Details  `json:"details"`
}
