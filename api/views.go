package api

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/qilian/qilian"
)

// Response bodies. They are the API's contract, kept apart from the domain
// types so that neither can change the other by accident; the small
// functions below convert.

type kindName struct {
	ZH string `json:"zh" required:"true"`
	EN string `json:"en" required:"true"`
}

func nameOf(k qilian.Kind) kindName { return kindName{ZH: k.NameZH(), EN: k.NameEN()} }

type localityRef struct {
	ID   string `json:"id" required:"true"`
	Path string `json:"path" required:"true"`
}

type locationView struct {
	Lat     float64 `json:"lat"`
	Lng     float64 `json:"lng"`
	Address string  `json:"address,omitempty"`
}

type reporterView struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	// Masked says the name and phone are shown masked (李**, 138****0000):
	// POST /cases/{id}/reveal with a reason gives them in full.
	Masked bool `json:"masked,omitempty"`
}

type actorView struct {
	UserID     string      `json:"user_id" required:"true"`
	Role       qilian.Role `json:"role" required:"true"`
	LocalityID string      `json:"locality_id,omitempty"`
	UnitID     string      `json:"unit_id,omitempty"`
}

func viewActor(a qilian.Actor) actorView {
	return actorView{UserID: a.UserID, Role: a.Role, LocalityID: a.LocalityID, UnitID: a.UnitID}
}

type deadlineView struct {
	Due    time.Time    `json:"due" required:"true"`
	WarnAt time.Time    `json:"warn_at" required:"true"`
	Steps  []time.Time  `json:"steps" required:"true" doc:"when each rung of the escalation ladder fires after a breach"`
	Clock  qilian.Clock `json:"clock" required:"true"`
	// Provisional marks a deadline counted over a year without official
	// holiday data; the case counts it again once the year is arranged.
	Provisional bool `json:"provisional" required:"true" doc:"counted over a year without official holiday data (provisional rules, no make-up days); counted again once the year is official"`
}

func viewDeadline(d qilian.Deadline) *deadlineView {
	if d.Due.IsZero() {
		return nil
	}
	steps := d.Steps
	if steps == nil {
		steps = []time.Time{}
	}
	return &deadlineView{Due: d.Due, WarnAt: d.WarnAt, Steps: steps, Clock: d.Clock, Provisional: d.Provisional}
}

type extensionView struct {
	ID          string    `json:"id" required:"true"`
	RequestedBy string    `json:"requested_by" required:"true"`
	Reason      string    `json:"reason" required:"true"`
	Extra       string    `json:"extra" required:"true" doc:"the extra time asked for, as 2d or 4h"`
	RequestedAt time.Time `json:"requested_at" required:"true"`
}

type taskView struct {
	ID        string           `json:"id" required:"true"`
	UnitID    string           `json:"unit_id" required:"true"`
	Role      qilian.TaskRole  `json:"role" required:"true"`
	Required  bool             `json:"required" required:"true"`
	Duty      qilian.Duty      `json:"duty,omitempty" doc:"joint activities: what the unit brings, venue, staff or materials"`
	State     qilian.TaskState `json:"state" required:"true"`
	AcceptBy  *deadlineView    `json:"accept_by,omitempty"`
	ResolveBy *deadlineView    `json:"resolve_by,omitempty"`
	Level     int              `json:"level" required:"true" doc:"escalation rungs climbed on the current deadline"`
	// A regional coordination task's periodic progress report.
	Attachments   []string       `json:"attachments" required:"true" doc:"photos and documents of the unit's work, from its progress reports and result"`
	NextReportDue time.Time      `json:"next_report_due,omitzero" doc:"regional coordination: when the unit's next progress report is due"`
	ReportWarnAt  time.Time      `json:"report_warn_at,omitzero" doc:"when that report's warning goes out"`
	ReportMisses  int            `json:"report_misses,omitempty" doc:"progress reports missed in a row, each a rung up the ladder"`
	Overdue       bool           `json:"overdue" required:"true"`
	Result        string         `json:"result,omitempty"`
	Extension     *extensionView `json:"extension,omitempty" doc:"the pending extension request"`
	CreatedAt     time.Time      `json:"created_at" required:"true"`
	UpdatedAt     time.Time      `json:"updated_at" required:"true"`
	AcceptedAt    time.Time      `json:"accepted_at,omitzero"`
	ResolvedAt    time.Time      `json:"resolved_at,omitzero"`
	// AllowedActions are what the caller may do now on this task: its
	// own routes, a reminder or notice naming it, and the decision on
	// its pending extension.
	AllowedActions []qilian.ActionName `json:"allowed_actions" required:"true"`
}

func viewTask(t qilian.Task, allowed []qilian.ActionName) taskView {
	if allowed == nil {
		allowed = []qilian.ActionName{}
	}
	v := taskView{AllowedActions: allowed,
		ID: t.ID, UnitID: t.UnitID, Role: t.Role, Required: t.Required, Duty: t.Duty, State: t.State,
		AcceptBy: viewDeadline(t.AcceptBy), ResolveBy: viewDeadline(t.ResolveBy),
		Level: t.Level, Overdue: t.Overdue, Result: t.Result,
		NextReportDue: t.NextReportDue, ReportWarnAt: t.ReportWarnAt, ReportMisses: t.ReportMisses,
		Attachments: append([]string{}, t.Attachments...),
		CreatedAt:   t.CreatedAt, UpdatedAt: t.UpdatedAt, AcceptedAt: t.AcceptedAt, ResolvedAt: t.ResolvedAt,
	}
	if x := t.Extension; x != nil {
		v.Extension = &extensionView{ID: x.ID, RequestedBy: x.RequestedBy, Reason: x.Reason, Extra: x.Extra.String(), RequestedAt: x.RequestedAt}
	}
	return v
}

// caseView is a case as one caller sees it, with the actions that caller
// may take now.
type caseView struct {
	ID          string            `json:"id" required:"true"`
	Kind        qilian.Kind       `json:"kind" required:"true"`
	KindName    kindName          `json:"kind_name" required:"true"`
	Category    string            `json:"category" required:"true" doc:"the category code the case was opened under, the kind's own when none was given"`
	State       qilian.CaseState  `json:"state" required:"true"`
	Resolution  qilian.Resolution `json:"resolution,omitempty"`
	Title       string            `json:"title" required:"true"`
	Description string            `json:"description"`
	Priority    qilian.Priority   `json:"priority" required:"true"`
	Locality    localityRef       `json:"locality" required:"true"`
	GridID      string            `json:"grid_id,omitempty"`
	Location    locationView      `json:"location" required:"true"`
	Reporter    reporterView      `json:"reporter" required:"true"`
	Attachments []string          `json:"attachments" required:"true"`
	OpenedBy    actorView         `json:"opened_by" required:"true"`
	OpenedAt    time.Time         `json:"opened_at" required:"true"`
	UpdatedAt   time.Time         `json:"updated_at" required:"true"`
	ClosedAt    time.Time         `json:"closed_at,omitzero"`
	Revision    int64             `json:"revision" required:"true" doc:"send it back as expected_revision to act only on what you saw"`
	Level       int               `json:"level" required:"true" doc:"the highest escalation rung any open task has reached"`
	Overdue     bool              `json:"overdue" required:"true"`
	Returns     int               `json:"returns" required:"true"`
	Tasks       []taskView        `json:"tasks" required:"true"`
	// Details are the kind-specific part, exactly as the engine keeps it.
	Details qilian.Details `json:"details" required:"true"`
	// AllowedActions are what the caller may do now on the case; a task
	// action is listed when it is allowed on at least one task, whose own
	// list says which.
	AllowedActions []qilian.ActionName `json:"allowed_actions" required:"true"`
	DuplicateOf    string              `json:"duplicate_of,omitempty" doc:"closed as a duplicate of this case, which the reporter follows"`
	// Duplicates and PossibleDuplicates are answered by one route each:
	// reading the case, and opening it.
	Duplicates         []string     `json:"duplicates,omitempty" doc:"GET: the cases closed as duplicates of this one; their reporters follow it"`
	PossibleDuplicates []nearbyView `json:"possible_duplicates,omitempty" doc:"POST: open cases of the same kind and category nearby, which this one may duplicate"`
}

type nearbyView struct {
	ID         string           `json:"id" required:"true"`
	Title      string           `json:"title" required:"true"`
	State      qilian.CaseState `json:"state" required:"true"`
	LocalityID string           `json:"locality_id" required:"true"`
	OpenedAt   time.Time        `json:"opened_at" required:"true"`
	DistanceM  float64          `json:"distance_m" required:"true" doc:"metres from the point asked about"`
}

type nearbyList struct {
	Cases []nearbyView `json:"cases" required:"true" doc:"nearest first"`
}

func viewNearby(ns []qilian.Nearby) []nearbyView {
	out := []nearbyView{}
	for _, n := range ns {
		out = append(out, nearbyView{ID: n.ID, Title: n.Title, State: n.State, LocalityID: n.LocalityID, OpenedAt: n.OpenedAt,
			DistanceM: math.Round(n.Distance*10) / 10})
	}
	return out
}

// viewCase is the case as a sees it: personal data masked unless a is
// one of those it is for (qilian.Case.SeesPersonalData).
func viewCase(c qilian.Case, a qilian.Actor, now time.Time) caseView {
	masked := !c.SeesPersonalData(a) && (c.Reporter != qilian.Reporter{} || c.Details.Member != nil)
	if masked {
		c = c.Masked()
	}
	v := caseView{
		ID: c.ID, Kind: c.Kind, KindName: nameOf(c.Kind), Category: c.CategoryCode(), State: c.State, Resolution: c.Resolution,
		Title: c.Title, Description: c.Description, Priority: c.Priority,
		Locality: localityRef{ID: c.LocalityID, Path: c.LocalityPath}, GridID: c.GridID,
		Location:    locationView{Lat: c.Location.Lat, Lng: c.Location.Lng, Address: c.Location.Address},
		Reporter:    reporterView{Name: c.Reporter.Name, Phone: c.Reporter.Phone, Masked: masked},
		Attachments: c.Attachments, OpenedBy: viewActor(c.OpenedBy), OpenedAt: c.OpenedAt,
		UpdatedAt: c.UpdatedAt, ClosedAt: c.ClosedAt, Revision: c.Revision, Level: c.Level,
		Overdue: c.Overdue, Returns: c.Returns, Tasks: []taskView{}, Details: c.Details,
		AllowedActions: c.Allowed(a, now), DuplicateOf: c.DuplicateOf,
	}
	if v.Attachments == nil {
		v.Attachments = []string{}
	}
	if v.AllowedActions == nil {
		v.AllowedActions = []qilian.ActionName{}
	}
	for _, t := range c.Tasks {
		v.Tasks = append(v.Tasks, viewTask(t, c.AllowedOn(t.ID, a, now)))
	}
	return v
}

type caseSummaryView struct {
	ID         string           `json:"id" required:"true"`
	Kind       qilian.Kind      `json:"kind" required:"true"`
	KindName   kindName         `json:"kind_name" required:"true"`
	State      qilian.CaseState `json:"state" required:"true"`
	Title      string           `json:"title" required:"true"`
	Priority   qilian.Priority  `json:"priority" required:"true"`
	LocalityID string           `json:"locality_id" required:"true"`
	OpenedAt   time.Time        `json:"opened_at" required:"true"`
	UpdatedAt  time.Time        `json:"updated_at" required:"true"`
	Level      int              `json:"level" required:"true"`
	Overdue    bool             `json:"overdue" required:"true"`
	DueAt      time.Time        `json:"due_at,omitzero" doc:"the earliest deadline among the open tasks"`
	Revision   int64            `json:"revision" required:"true"`
}

type caseList struct {
	Cases      []caseSummaryView `json:"cases" required:"true"`
	NextCursor string            `json:"next_cursor,omitempty" doc:"pass as cursor for the next page; absent on the last"`
}

func viewCasePage(p qilian.CasePage) caseList {
	out := caseList{Cases: []caseSummaryView{}, NextCursor: p.Next}
	for _, s := range p.Cases {
		out.Cases = append(out.Cases, caseSummaryView{
			ID: s.ID, Kind: s.Kind, KindName: nameOf(s.Kind), State: s.State, Title: s.Title,
			Priority: s.Priority, LocalityID: s.LocalityID, OpenedAt: s.OpenedAt, UpdatedAt: s.UpdatedAt,
			Level: s.Level, Overdue: s.Overdue, DueAt: s.DueAt, Revision: s.Revision,
		})
	}
	return out
}

type pointsView struct {
	Kind        qilian.PointsKind `json:"kind" required:"true"`
	SubjectType string            `json:"subject_type" required:"true"`
	SubjectID   string            `json:"subject_id" required:"true"`
	Quantity    float64           `json:"quantity" required:"true"`
}

// eventView is one entry of the audit trail.
type eventView struct {
	Seq       int64            `json:"seq" required:"true"`
	At        time.Time        `json:"at" required:"true"`
	Actor     actorView        `json:"actor" required:"true"`
	Type      qilian.EventType `json:"type" required:"true" doc:"an action name, or an engine event: opened, warning, overdue, escalated, whistle_missed, report_missing, decided"`
	TaskID    string           `json:"task_id,omitempty"`
	FromState string           `json:"from_state,omitempty"`
	ToState   string           `json:"to_state,omitempty"`
	Reason    string           `json:"reason,omitempty"`
	Note      string           `json:"note,omitempty"`
	Ref       string           `json:"ref,omitempty" doc:"the extension, whistle, hours log or participant concerned"`
	Payload   map[string]any   `json:"payload,omitempty"`
	Points    []pointsView     `json:"points,omitempty"`
	// Attachments are what the action carried, on its first event.
	Attachments []string `json:"attachments,omitempty" doc:"the photos and documents the action carried (on its first event): urls to GET, readable by whoever sees the case"`
}

type eventList struct {
	Events []eventView `json:"events" required:"true"`
	// Timeline is the events as people read them: one line per thing that
	// happened, the case's and the tasks' moves of one action together.
	Timeline []timelineLine `json:"timeline" required:"true"`
}

// timelineLine is one line of a case's timeline: the events one action or
// one engine step recorded, with who, when and why.
type timelineLine struct {
	Seq       int64            `json:"seq" required:"true" doc:"the first event's"`
	At        time.Time        `json:"at" required:"true"`
	Actor     actorView        `json:"actor" required:"true"`
	Type      qilian.EventType `json:"type" required:"true"`
	FromState string           `json:"from_state,omitempty" doc:"the case's state before, when it moved"`
	ToState   string           `json:"to_state,omitempty"`
	Tasks     []taskMoveView   `json:"tasks,omitempty" doc:"the tasks the line concerns, with their moves"`
	Reason    string           `json:"reason,omitempty"`
	Note      string           `json:"note,omitempty"`
	Ref       string           `json:"ref,omitempty"`
	Payload   map[string]any   `json:"payload,omitempty"`
	Points    []pointsView     `json:"points,omitempty"`
	// Attachments are what the line's action carried.
	Attachments []string `json:"attachments,omitempty"`
}

type taskMoveView struct {
	TaskID    string `json:"task_id" required:"true"`
	FromState string `json:"from_state,omitempty"`
	ToState   string `json:"to_state,omitempty"`
}

// timeline merges the events of one step: consecutive events of the same
// type, time and actor are what one action or one engine step recorded
// (an accept moves the task and, for the lead, the case).
func timeline(evs []eventView) []timelineLine {
	out := []timelineLine{}
	for _, e := range evs {
		n := len(out)
		if n == 0 || out[n-1].Type != e.Type || !out[n-1].At.Equal(e.At) || out[n-1].Actor != e.Actor {
			out = append(out, timelineLine{Seq: e.Seq, At: e.At, Actor: e.Actor, Type: e.Type})
			n++
		}
		l := &out[n-1]
		if e.TaskID != "" {
			l.Tasks = append(l.Tasks, taskMoveView{TaskID: e.TaskID, FromState: e.FromState, ToState: e.ToState})
		} else if e.ToState != "" {
			l.FromState, l.ToState = e.FromState, e.ToState
		}
		l.Reason = cmp.Or(l.Reason, e.Reason)
		l.Note = cmp.Or(l.Note, e.Note)
		l.Ref = cmp.Or(l.Ref, e.Ref)
		if l.Payload == nil {
			l.Payload = e.Payload
		}
		l.Points = append(l.Points, e.Points...)
		l.Attachments = append(l.Attachments, e.Attachments...)
	}
	return out
}

func viewEvents(evs []qilian.Event) eventList {
	out := eventList{Events: []eventView{}}
	for _, e := range evs {
		v := eventView{
			Seq: e.Seq, At: e.At, Actor: viewActor(e.Actor), Type: e.Type, TaskID: e.TaskID,
			FromState: e.FromState, ToState: e.ToState, Reason: e.Reason, Note: e.Note, Ref: e.Ref, Payload: e.Payload,
			Attachments: e.Attachments,
		}
		for _, p := range e.Points {
			v.Points = append(v.Points, pointsView{Kind: p.Kind, SubjectType: p.SubjectType, SubjectID: p.SubjectID, Quantity: p.Quantity})
		}
		out.Events = append(out.Events, v)
	}
	out.Timeline = timeline(out.Events)
	return out
}

type taskSummaryView struct {
	ID        string           `json:"id" required:"true"`
	CaseID    string           `json:"case_id" required:"true"`
	CaseTitle string           `json:"case_title" required:"true"`
	CaseKind  qilian.Kind      `json:"case_kind" required:"true"`
	CaseState qilian.CaseState `json:"case_state" required:"true"`
	UnitID    string           `json:"unit_id" required:"true"`
	Role      qilian.TaskRole  `json:"role" required:"true"`
	Required  bool             `json:"required" required:"true"`
	State     qilian.TaskState `json:"state" required:"true"`
	AcceptBy  time.Time        `json:"accept_by,omitzero"`
	ResolveBy time.Time        `json:"resolve_by,omitzero"`
	Level     int              `json:"level" required:"true"`
	Overdue   bool             `json:"overdue" required:"true"`
	DueAt     time.Time        `json:"due_at,omitzero" doc:"the deadline the task works against now; absent once it is no longer open"`
	// Provisional marks a deadline counted over a year without official
	// calendar data; it is counted again once the year is arranged.
	Provisional bool      `json:"provisional" required:"true" doc:"a deadline ahead was counted over a year without official holiday data"`
	CreatedAt   time.Time `json:"created_at" required:"true"`
	UpdatedAt   time.Time `json:"updated_at" required:"true"`
}

type taskList struct {
	Tasks      []taskSummaryView `json:"tasks" required:"true"`
	NextCursor string            `json:"next_cursor,omitempty"`
}

func viewTaskPage(p qilian.TaskPage) taskList {
	out := taskList{Tasks: []taskSummaryView{}, NextCursor: p.Next}
	for _, t := range p.Tasks {
		out.Tasks = append(out.Tasks, taskSummaryView{
			ID: t.ID, CaseID: t.CaseID, CaseTitle: t.CaseTitle, CaseKind: t.CaseKind, CaseState: t.CaseState,
			UnitID: t.UnitID, Role: t.Role, Required: t.Required, State: t.State, AcceptBy: t.AcceptBy,
			ResolveBy: t.ResolveBy, Level: t.Level, Overdue: t.Overdue, DueAt: t.DueAt,
			Provisional: t.Provisional, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
		})
	}
	return out
}

type overdueView struct {
	CaseID         string      `json:"case_id" required:"true"`
	CaseTitle      string      `json:"case_title" required:"true"`
	CaseKind       qilian.Kind `json:"case_kind" required:"true"`
	LocalityID     string      `json:"locality_id" required:"true"`
	TaskID         string      `json:"task_id" required:"true"`
	UnitID         string      `json:"unit_id" required:"true" doc:"the responsible unit"`
	Level          int         `json:"level" required:"true" doc:"escalation rungs climbed"`
	DueAt          time.Time   `json:"due_at" required:"true"`
	LatenessSecond int64       `json:"lateness_seconds" required:"true"`
}

type overdueList struct {
	Overdue []overdueView `json:"overdue" required:"true"`
}

func viewOverdue(items []qilian.OverdueItem) overdueList {
	out := overdueList{Overdue: []overdueView{}}
	for _, o := range items {
		out.Overdue = append(out.Overdue, overdueView{
			CaseID: o.CaseID, CaseTitle: o.CaseTitle, CaseKind: o.CaseKind, LocalityID: o.LocalityID,
			TaskID: o.TaskID, UnitID: o.UnitID, Level: o.Level, DueAt: o.DueAt,
			LatenessSecond: int64(o.Lateness / time.Second),
		})
	}
	return out
}

type localityView struct {
	ID       string       `json:"id" required:"true"`
	ParentID string       `json:"parent_id,omitempty"`
	Level    qilian.Level `json:"level" required:"true"`
	Name     string       `json:"name" required:"true"`
	NameEN   string       `json:"name_en,omitempty"`
	Path     string       `json:"path" required:"true"`
}

func viewLocality(l qilian.Locality) localityView {
	return localityView{ID: l.ID, ParentID: l.ParentID, Level: l.Level, Name: l.Name, NameEN: l.NameEN, Path: l.Path}
}

// Outlines are GeoJSON (RFC 7946): positions are [lng, lat], and a ring
// is closed, its last position its first, running counterclockwise.

// areaCollection is the outlines of a place, as a GeoJSON
// FeatureCollection.
type areaCollection struct {
	Type     string        `json:"type" required:"true" enum:"FeatureCollection"`
	Features []areaFeature `json:"features" required:"true"`
}

// areaFeature is one locality's outline, as a GeoJSON Feature.
type areaFeature struct {
	Type       string         `json:"type" required:"true" enum:"Feature"`
	Geometry   polygon        `json:"geometry" required:"true"`
	Properties areaProperties `json:"properties" required:"true"`
}

// polygon is a GeoJSON Polygon of one ring.
type polygon struct {
	Type        string         `json:"type" required:"true" enum:"Polygon"`
	Coordinates [][][2]float64 `json:"coordinates" required:"true" doc:"one ring of [lng, lat] positions, closed (the last is the first) and counterclockwise"`
}

type areaProperties struct {
	ID       string       `json:"id" required:"true"`
	Name     string       `json:"name" required:"true"`
	NameEN   string       `json:"name_en,omitempty"`
	Level    qilian.Level `json:"level" required:"true"`
	ParentID string       `json:"parent_id,omitempty"`
}

func viewArea(l qilian.Locality, a qilian.Area) areaFeature {
	ring := make([][2]float64, 0, len(a)+1)
	for _, p := range a {
		ring = append(ring, [2]float64{p.Lng, p.Lat})
	}
	if !a.CounterClockwise() {
		slices.Reverse(ring)
	}
	ring = append(ring, ring[0])
	return areaFeature{
		Type:       "Feature",
		Geometry:   polygon{Type: "Polygon", Coordinates: [][][2]float64{ring}},
		Properties: areaProperties{ID: l.ID, Name: l.Name, NameEN: l.NameEN, Level: l.Level, ParentID: l.ParentID},
	}
}

// mapView is the map the pages draw the outlines on.
type mapView struct {
	Tiles       string      `json:"tiles" required:"true" doc:"a Leaflet tile URL template with {z}, {x}, {y} and perhaps {s}; empty: no tile layer, the outlines on a blank map"`
	Attribution string      `json:"attribution" required:"true" doc:"the tiles' attribution, as HTML"`
	MaxZoom     int         `json:"max_zoom" required:"true"`
	Center      *[2]float64 `json:"center" required:"true" nullable:"true" doc:"[lat, lng] where a map opens; null: fit the outlines"`
	Zoom        int         `json:"zoom" required:"true" doc:"the zoom with center; 0 without"`
}

func viewMap(m MapSettings) mapView {
	v := mapView{Tiles: m.Tiles, Attribution: m.Attribution, MaxZoom: m.MaxZoom}
	if m.Center != nil {
		v.Center, v.Zoom = &[2]float64{m.Center.Lat, m.Center.Lng}, m.Zoom
	}
	return v
}

type localityList struct {
	Localities []localityView `json:"localities" required:"true"`
}

type unitView struct {
	ID         string          `json:"id" required:"true"`
	Name       string          `json:"name" required:"true"`
	NameEN     string          `json:"name_en,omitempty"`
	Type       qilian.UnitType `json:"type" required:"true"`
	LocalityID string          `json:"locality_id" required:"true"`
}

func viewUnit(u qilian.Unit) unitView {
	return unitView{ID: u.ID, Name: u.Name, NameEN: u.NameEN, Type: u.Type, LocalityID: u.LocalityID}
}

type unitList struct {
	Units []unitView `json:"units" required:"true"`
}

type userView struct {
	ID         string      `json:"id" required:"true"`
	Name       string      `json:"name" required:"true"`
	Role       qilian.Role `json:"role" required:"true"`
	LocalityID string      `json:"locality_id,omitempty"`
	UnitID     string      `json:"unit_id,omitempty"`
	Username   string      `json:"username,omitempty" doc:"what the user signs in with"`
}

func viewUser(u qilian.User) userView {
	return userView{ID: u.ID, Name: u.Name, Role: u.Role, LocalityID: u.LocalityID, UnitID: u.UnitID, Username: u.Username}
}

type userList struct {
	Users []userView `json:"users" required:"true"`
}

// tokenView carries the plain token once, when it is issued; it is never
// stored and cannot be shown again.
type tokenView struct {
	ID        string    `json:"id" required:"true"`
	UserID    string    `json:"user_id" required:"true"`
	Label     string    `json:"label,omitempty"`
	Token     string    `json:"token" required:"true" doc:"the bearer token; shown this once only"`
	CreatedAt time.Time `json:"created_at" required:"true"`
}

type userCreated struct {
	User  userView   `json:"user" required:"true"`
	Token *tokenView `json:"token,omitempty" doc:"issued when the user is new"`
}

type meView struct {
	User         userView `json:"user" required:"true"`
	LocalityPath string   `json:"locality_path,omitempty"`
	CSRFToken    string   `json:"csrf_token,omitempty" doc:"when signed in with the session cookie: the token its writes carry"`
	// MustChangePassword is set for a session whose password an admin set.
	MustChangePassword bool `json:"must_change_password,omitempty"`
}

// auditView is one line of the access audit.
type auditView struct {
	At       time.Time `json:"at" required:"true"`
	Kind     string    `json:"kind" required:"true" doc:"sign_in, sign_in_failed, sign_in_locked, sign_in_throttled, locked, unlocked, sign_out, password_set, password_changed, sessions_revoked, reveal"`
	UserID   string    `json:"user_id,omitempty" doc:"who acted, when known"`
	Username string    `json:"username,omitempty"`
	Subject  string    `json:"subject,omitempty" doc:"the user or case acted on"`
	Address  string    `json:"address,omitempty"`
	Detail   string    `json:"detail,omitempty" doc:"for a reveal, the reason given"`
}

type auditList struct {
	Entries []auditView `json:"entries" required:"true"`
}
