package qilian

import "time"

// The read model's lists, as the API asks for them and storage answers:
// filters, pages and their lines. Every filter is bounded by a scope
// (a locality path) or a unit; storage refuses one without it.

// Page sizes of the list queries.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// MaxRequests bounds a RequestFilter query: Open311's cap on one answer.
const MaxRequests = 1000

// CaseFilter selects cases for the list screen. ScopePath is required: the
// caller's locality path, outside which nothing is returned.
type CaseFilter struct {
	ScopePath string
	// UnitID keeps the cases the unit is involved in (Case.Units): a
	// task in any state, its booked resource, its member, its summons.
	UnitID string
	Kind   Kind
	State  CaseState
	// LocalityID keeps the cases in that locality's subtree.
	LocalityID string
	// Overdue filters on the flag the case workflow keeps.
	Overdue *bool
	// Query is a case-insensitive substring of the title, description or
	// address.
	Query string
	// CreatedAfter (inclusive) and CreatedBefore (exclusive) bound when
	// the case was opened.
	CreatedAfter  time.Time
	CreatedBefore time.Time
	// Limit is the page size: DefaultPageSize when 0, at most MaxPageSize.
	Limit int
	// Cursor is CasePage.Next of the previous page.
	Cursor string
}

// CaseSummary is one line of the case list.
type CaseSummary struct {
	ID           string
	Kind         Kind
	State        CaseState
	Title        string
	Priority     Priority
	LocalityID   string
	LocalityPath string
	OpenedAt     time.Time
	UpdatedAt    time.Time
	Level        int
	Overdue      bool
	DueAt        time.Time // zero when no task is open
	Revision     int64
}

// CasePage is one page of cases, newest first; Next is empty on the last.
type CasePage struct {
	Cases []CaseSummary
	Next  string
}

// TaskFilter selects a unit's tasks.
type TaskFilter struct {
	UnitID  string // required
	State   TaskState
	Overdue *bool
	Limit   int
	Cursor  string
}

// TaskSummary is one line of a unit's inbox, with its case's title and kind.
type TaskSummary struct {
	ID        string
	CaseID    string
	CaseTitle string
	CaseKind  Kind
	CaseState CaseState
	UnitID    string
	Role      TaskRole
	Required  bool
	State     TaskState
	AcceptBy  time.Time
	ResolveBy time.Time
	Level     int
	Overdue   bool
	DueAt     time.Time // zero when the task is not open
	// Provisional: a deadline ahead of the open task was counted over a
	// year without official calendar data.
	Provisional  bool
	LocalityPath string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Revision     int64
}

// TaskPage is one page of tasks; Next is empty on the last.
type TaskPage struct {
	Tasks []TaskSummary
	Next  string
}

// OverdueItem is an open task past its deadline.
type OverdueItem struct {
	CaseID     string
	CaseTitle  string
	CaseKind   Kind
	LocalityID string
	TaskID     string
	UnitID     string
	Level      int
	DueAt      time.Time
	Lateness   time.Duration
}

// RequestFilter selects whole cases the way Open311 GeoReport v2 asks for
// service requests. ScopePath is required, as for CaseFilter.
type RequestFilter struct {
	ScopePath string
	// IDs, when given, select those cases and nothing else: every other
	// field but the scope is ignored, as the specification says.
	IDs []string
	// Categories keeps the cases of any of these category codes.
	Categories []string
	// Open keeps the open cases (true), the closed and cancelled ones
	// (false), or both (nil).
	Open *bool
	// From (inclusive) and To (exclusive) bound when the case was opened.
	From, To time.Time
	// Limit is at most MaxRequests; MaxRequests when 0.
	Limit int
}
