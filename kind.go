package qilian

import "time"

// A kind is one file, kind_<name>.go, holding everything that is the
// kind's own: its constant, its detail struct (the kind's part of Details)
// and its states, and its kindSpec: names, categories, the check of its
// details on Open, their deep copy, the form fields a client sends to open
// a case, and the traits of its flow that the generic code asks about.
// The generic code (Kinds, Valid, the names, Categories, Open, clone,
// ofKind, Fields) reads kindTable below and never switches on a kind.
//
// To add a kind:
//  1. Write kind_<name>.go after the others: the constant, the detail
//     struct, and a kindSpec value with its open, has and clone functions.
//  2. Add the spec to kindTable below, where it belongs in the report's
//     order (Kinds and the category catalogue follow that order).
//  3. Add the kind's part to Details in case.go: a Go struct has its fields
//     in one place, and the part's JSON name there must be the spec's part.
//  4. What stays outside the domain (its names reach the screens from the
//     spec, through the API's labels): how the case API binds the part's fields
//     (api/requests.go, DetailsIn) and how an Open311 post turns its
//     attributes into the part (api/open311/open311.go, postIn.caseIn
//     and detailsPart; the attributes themselves follow from the spec's
//     fields); deadlines other than the defaults and any indicators that
//     count only its cases in configs/qilian.yaml and
//     configs/indicators.yaml.
//  5. Its own actions, as README says for an action: the action table in
//     actions.go, the guards and decisions in actions_guards.go,
//     actions_decide.go or decide.go, and how Apply records their events
//     in apply.go. The behaviour every kind shares (dispatch, verify,
//     follow-up) asks the spec's flow traits instead. Some rules of shared
//     actions still name a kind where the action lives: dispatch after a
//     consultation's outcome and closing a registered member's case
//     (actions_guards.go, actions_decide.go), and who is involved in a
//     case (allowed.go: the booked resource's owner, the member's home
//     unit, summoned units, consultation participants).
//  6. If the part holds personal data or meets other cases: what is
//     masked (privacy in storage and api, api/views.go) and what the read
//     model checks across cases (bookings in workflows and storage).
//  7. Tests: its life in decide_test.go, and one recorded history of it in
//     workflows/testdata (workflows/engine_test.go records one per kind)
//     for the replay test.
//
// TestEveryKindHasItsSpec checks that a kind has names, categories and a
// part, and that each required field is one Open reports when it is
// missing.

// Kind is one of the seven linkages (七联); every case has exactly one.
type Kind string

// kindSpec is what makes a kind a kind. Each kind_<name>.go holds one.
type kindSpec struct {
	kind           Kind
	nameZH, nameEN string

	// description and keywords (Chinese) belong to the kind's own
	// category, coded by the kind's ID and named as the kind, for cases
	// that fit none of its subcategories.
	description string
	keywords    []string
	// subcategories are coded "<kind>.<name>"; Categories fills in their
	// Kind from the spec.
	subcategories []Category

	// part is the name of the kind's part of Details: its JSON name, and
	// "details.<part>" prefixes the fields Open reports about it.
	part string
	// has reports whether d holds the kind's part.
	has func(d Details) bool
	// open checks the kind's part of in, naming each problem in f, and
	// returns the details a new case of the kind starts with: its part,
	// with only what a client may set.
	open func(in Details, now time.Time, f map[string]string) Details
	// clone replaces the kind's part of d, when set, with a deep copy.
	clone func(d *Details)
	// fields are what a client sends to open a case, in the order a form
	// asks them; a kind whose part needs nothing from the client has none.
	fields []Field

	// The traits of the kind's flow that the steps every kind shares
	// (dispatch, accept, resolve, verify) ask about.

	// lead: a lead unit (主办) is required, the classic one-unit-leads
	// flows. Otherwise the tasks may all be co-units.
	lead bool
	// reports: accepted tasks owe a progress report every
	// Policy.ProgressEvery.
	reports bool
	// followUp: a verified case always goes to the resident's follow-up
	// (回访), even when no reporter's phone was recorded.
	followUp bool
	// verifiedOnSummary: resolving the tasks does not move the case to
	// verifying; the kind's own action does (an activity's summary).
	verifiedOnSummary bool
	// taskless: a case of the kind has no tasks to dispatch.
	taskless bool
}

// kindTable is every kind, in the report's order.
var kindTable = []*kindSpec{
	&regionalSpec, &resourceSpec, &consultationSpec, &activitySpec,
	&memberSpec, &serviceSpec, &problemSpec,
}

// kindIndex finds a kind's spec.
var kindIndex = indexKinds(kindTable)

func indexKinds(table []*kindSpec) map[Kind]*kindSpec {
	m := make(map[Kind]*kindSpec, len(table))
	for _, s := range table {
		m[s.kind] = s
	}
	return m
}

// noKind is the spec of what is not a kind: no names, no part, no traits.
var noKind kindSpec

// spec is the kind's entry in kindTable, or noKind.
func (k Kind) spec() *kindSpec {
	if s, ok := kindIndex[k]; ok {
		return s
	}
	return &noKind
}

// Kinds lists the seven kinds in the report's order.
func Kinds() []Kind {
	out := make([]Kind, len(kindTable))
	for i, s := range kindTable {
		out[i] = s.kind
	}
	return out
}

// Valid reports whether k is one of the seven kinds.
func (k Kind) Valid() bool { _, ok := kindIndex[k]; return ok }

// NameZH is the Chinese name shown to people.
func (k Kind) NameZH() string { return k.spec().nameZH }

// NameEN is the English name.
func (k Kind) NameEN() string { return k.spec().nameEN }

// Priority sets a case's default deadlines.
type Priority string

// Priorities, most pressing first. Hotline practice: dispatch within 1 h for
// emergencies, 2 h for urgent, a day otherwise.
const (
	PriorityEmergency Priority = "emergency"
	PriorityUrgent    Priority = "urgent"
	PriorityNormal    Priority = "normal"
	PriorityLow       Priority = "low"
)

// Priorities lists the priorities, most pressing first.
func Priorities() []Priority {
	return []Priority{PriorityEmergency, PriorityUrgent, PriorityNormal, PriorityLow}
}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool {
	switch p {
	case PriorityEmergency, PriorityUrgent, PriorityNormal, PriorityLow:
		return true
	}
	return false
}

// Clock says how a deadline counts time: emergencies run round the clock,
// everything else counts working time on the official calendar.
type Clock string

// Clocks.
const (
	ClockWall    Clock = "wall"
	ClockWorking Clock = "working"
)

// Valid reports whether c is a known clock.
func (c Clock) Valid() bool { return c == ClockWall || c == ClockWorking }
