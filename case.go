package qilian

// The case aggregate below is also the durable state of a case workflow
// (its continue-as-new input and its update results). Its JSON names are
// therefore pinned with tags, a deliberate exception to "domain types carry
// no tags": renaming a Go field must never break a running case. Fields are
// only ever added.

import (
	"strings"
	"time"
)

// CaseState is where a case stands in its lifecycle.
type CaseState string

// Case states. Escalation level and "paused" are attributes, not states.
const (
	CaseSubmitted   CaseState = "submitted"
	CaseTriage      CaseState = "triage"
	CaseDispatching CaseState = "dispatching"
	CaseInProgress  CaseState = "in_progress"
	CaseVerifying   CaseState = "verifying"
	CaseFollowUp    CaseState = "follow_up"
	CaseClosed      CaseState = "closed"
	CaseCancelled   CaseState = "cancelled"
)

// CaseStates lists the case states in lifecycle order.
func CaseStates() []CaseState {
	return []CaseState{CaseSubmitted, CaseTriage, CaseDispatching, CaseInProgress, CaseVerifying, CaseFollowUp, CaseClosed, CaseCancelled}
}

// Valid reports whether s is a known case state.
func (s CaseState) Valid() bool {
	for _, x := range CaseStates() {
		if s == x {
			return true
		}
	}
	return false
}

// Terminal reports whether no action can move the case any more.
func (s CaseState) Terminal() bool { return s == CaseClosed || s == CaseCancelled }

// Resolution says how a closed case ended.
type Resolution string

// Resolutions of closed cases.
const (
	ResolutionResolved  Resolution = "resolved"  // worked, verified, followed up
	ResolutionInvalid   Resolution = "invalid"   // closed at triage: not a case
	ResolutionDuplicate Resolution = "duplicate" // closed at triage: another case covers it
	ResolutionReferred  Resolution = "referred"  // handed to a channel outside Qilian
	ResolutionDeclined  Resolution = "declined"  // resource sharing: the owner unit declined the booking
)

// TaskState is where one unit's task stands.
type TaskState string

// Task states.
const (
	TaskOffered    TaskState = "offered"
	TaskAccepted   TaskState = "accepted"
	TaskInProgress TaskState = "in_progress"
	TaskOnHold     TaskState = "on_hold" // an extension was pending, in cases from before requests stopped holding the clock
	TaskResolved   TaskState = "resolved"
	TaskCompleted  TaskState = "completed"
	TaskReturned   TaskState = "returned"
	TaskReassigned TaskState = "reassigned"
	TaskWithdrawn  TaskState = "withdrawn"
)

// TaskStates lists the task states.
func TaskStates() []TaskState {
	return []TaskState{TaskOffered, TaskAccepted, TaskInProgress, TaskOnHold, TaskResolved, TaskCompleted, TaskReturned, TaskReassigned, TaskWithdrawn}
}

// Valid reports whether s is a known task state.
func (s TaskState) Valid() bool {
	for _, x := range TaskStates() {
		if s == x {
			return true
		}
	}
	return false
}

// Open reports whether the task still expects work from its unit.
func (s TaskState) Open() bool {
	switch s {
	case TaskOffered, TaskAccepted, TaskInProgress, TaskOnHold:
		return true
	}
	return false
}

// working reports whether the task's unit has accepted it and not yet
// finished: the only time an extension request makes sense.
func (t *Task) working() bool {
	return t.State == TaskAccepted || t.State == TaskInProgress || t.State == TaskOnHold
}

// TaskRole is a unit's part in a case: the lead (主办) or a co-unit (协办).
type TaskRole string

// Task roles.
const (
	TaskLead TaskRole = "lead"
	TaskCo   TaskRole = "co"
)

// Location is where a case happens.
type Location struct {
	Lat     float64 `json:"lat,omitempty"`
	Lng     float64 `json:"lng,omitempty"`
	Address string  `json:"address,omitempty"`
}

// Reporter is the resident who raised the case, if any.
type Reporter struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Given reports whether someone reported the case: a resident to call
// back once it is done.
func (r Reporter) Given() bool {
	return strings.TrimSpace(r.Name) != "" || r.Phone != "" || r.Email != ""
}

// Actor is who performs an action, as the engine sees them: their role and
// place, resolved from their token by the caller.
type Actor struct {
	UserID       string `json:"user_id"`
	Role         Role   `json:"role"`
	LocalityID   string `json:"locality_id,omitempty"`
	LocalityPath string `json:"locality_path,omitempty"`
	UnitID       string `json:"unit_id,omitempty"`
}

// System is the actor for what the engine does by itself (timers).
var System = Actor{UserID: "system", Role: "system"}

// Deadline is one clocked deadline with its warning and escalation times,
// all computed once (on the calendar in force then) and kept, so replays
// and later calendar edits never move them. The one exception is a
// provisional deadline, counted over a year the State Council had not yet
// arranged: once the year is official, the case re-times it (Retime), from
// the From and Span it keeps for that.
type Deadline struct {
	Due    time.Time   `json:"due"`
	WarnAt time.Time   `json:"warn_at"`
	Steps  []time.Time `json:"steps,omitempty"` // when each ladder rung fires
	Clock  Clock       `json:"clock"`
	// Provisional is set when a day of a year without official data lies
	// between From and the last rung of a working-time deadline.
	Provisional bool `json:"provisional,omitempty"`
	// From and Span are what a working-time deadline was counted from and
	// how much: Due is Span of working time after From.
	From time.Time `json:"from,omitzero"`
	Span Span      `json:"span,omitzero"`
}

// Equal reports whether d and o fall at the same instants on the same
// clock, with the same provisional mark.
func (d Deadline) Equal(o Deadline) bool {
	if !d.Due.Equal(o.Due) || !d.WarnAt.Equal(o.WarnAt) || d.Clock != o.Clock ||
		d.Provisional != o.Provisional || len(d.Steps) != len(o.Steps) {
		return false
	}
	for i := range d.Steps {
		if !d.Steps[i].Equal(o.Steps[i]) {
			return false
		}
	}
	return true
}

// Task is one unit's share of a case.
type Task struct {
	ID         string    `json:"id"`
	UnitID     string    `json:"unit_id"`
	Role       TaskRole  `json:"role"`
	Required   bool      `json:"required"`
	Duty       Duty      `json:"duty,omitempty"` // joint activities: venue, staff or materials
	State      TaskState `json:"state"`
	AcceptBy   Deadline  `json:"accept_by"`
	ResolveBy  Deadline  `json:"resolve_by"`
	Warned     bool      `json:"warned,omitempty"`
	Level      int       `json:"level"` // escalation rungs climbed on the current deadline
	Overdue    bool      `json:"overdue"`
	Result     string    `json:"result,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	AcceptedAt time.Time `json:"accepted_at,omitzero"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
	// Extension is the pending extension request, if any.
	Extension *Extension `json:"extension,omitempty"`
	// NextReportDue is when a regional coordination task owes its next
	// progress report.
	NextReportDue time.Time `json:"next_report_due,omitzero"`
	// ReportEvery is the wall-clock length of the current reporting
	// interval, as the scheduler computed it at the last report; Tick
	// repeats it when a report is missing, so Tick needs no calendar.
	ReportEvery time.Duration `json:"report_every,omitempty"`
	// Extensions counts the extension requests made, numbering them.
	Extensions int `json:"extensions,omitempty"`
	// Attachments are the photos and documents of the unit's work, as its
	// progress reports and its result brought them, in order.
	Attachments []string `json:"attachments,omitempty"`
	// The progress report's warning, and the reports missed in a row, by
	// which a task climbs the ladder as for a deadline (rules 1).
	ReportWarnAt time.Time `json:"report_warn_at,omitzero"`
	ReportWarned bool      `json:"report_warned,omitempty"`
	ReportMisses int       `json:"report_misses,omitempty"`
	// ReportMissedAt is when the first report of the misses in a row was
	// found missing: how late the unit's reporting is.
	ReportMissedAt time.Time `json:"report_missed_at,omitzero"`
}

// CurrentRules is the generation of rules a case opened now lives by.
// 1: a regional coordination task's progress report is warned before it
// is due, and each report missed climbs the escalation ladder and costs
// the unit as an overdue deadline does.
const CurrentRules = 1

// Extension is a unit's request for more time.
type Extension struct {
	ID          string    `json:"id"`
	RequestedBy string    `json:"requested_by"`
	Reason      string    `json:"reason"`
	Extra       Span      `json:"extra"`
	RequestedAt time.Time `json:"requested_at"`
}

// Case is the aggregate: everything the engine knows about one case. The
// case workflow owns it; the read model is a projection of it.
type Case struct {
	ID   string `json:"id"`
	Kind Kind   `json:"kind"`
	// Category is the code of the subcategory the case was opened under
	// (see Category); empty for a case opened under its kind alone.
	Category     string   `json:"category,omitempty"`
	Title        string   `json:"title"`
	Description  string   `json:"description,omitempty"`
	Priority     Priority `json:"priority"`
	LocalityID   string   `json:"locality_id"`
	LocalityPath string   `json:"locality_path"`
	GridID       string   `json:"grid_id,omitempty"`
	Location     Location `json:"location"`
	// Rules is the generation of rules the case lives by, fixed when it
	// opens (CurrentRules): a case keeps the rules it was opened under, so
	// a running case's timers never change under it. 0 is a case opened
	// before rules were numbered.
	Rules int `json:"rules,omitempty"`
	// DuplicateOf is the case this one was closed as a duplicate of: the
	// reporter follows that one.
	DuplicateOf string    `json:"duplicate_of,omitempty"`
	Reporter    Reporter  `json:"reporter"`
	Attachments []string  `json:"attachments,omitempty"`
	OpenedBy    Actor     `json:"opened_by"`
	OpenedAt    time.Time `json:"opened_at"`

	State      CaseState  `json:"state"`
	Resolution Resolution `json:"resolution,omitempty"`
	// Revision counts accepted changes; read-model writes carry it and
	// never move a row backwards.
	Revision  int64     `json:"revision"`
	UpdatedAt time.Time `json:"updated_at"`
	ClosedAt  time.Time `json:"closed_at,omitzero"`
	// Returns counts returns (退单) across all tasks of the case.
	Returns int `json:"returns"`
	// Level is the highest escalation rung any open task has reached.
	Level   int  `json:"level"`
	Overdue bool `json:"overdue"`

	Tasks []Task `json:"tasks,omitempty"`
	// Policy is the configuration the case was opened under.
	Policy Policy `json:"policy"`
	// Seq numbers events; the audit trail is ordered by it.
	Seq int64 `json:"seq"`

	Details Details `json:"details"`
}

// Details holds what is special to each kind; only the part for the
// case's kind is set.
type Details struct {
	Regional     *Regional     `json:"regional,omitempty"`
	Booking      *Booking      `json:"booking,omitempty"`
	Consultation *Consultation `json:"consultation,omitempty"`
	Activity     *Activity     `json:"activity,omitempty"`
	Member       *Member       `json:"member,omitempty"`
	Service      *Service      `json:"service,omitempty"`
	Problem      *Problem      `json:"problem,omitempty"`
}
