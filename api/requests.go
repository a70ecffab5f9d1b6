package api

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/files"
)

// Request bodies. Each is decoded strictly and converted by a small
// function that names every bad field; the domain checks the rest.

// CaseIn is the body that opens a case: POST /api/v1/cases decodes it,
// and a protocol served beside the case API (Protocol) builds it and
// hands it to its Opener, so a case is checked the same way whichever
// door it comes in by.
type CaseIn struct {
	Kind        qilian.Kind     `json:"kind" required:"true"`
	Category    string          `json:"category,omitempty" doc:"a category code of the kind, as the Open311 service list names them; the kind's own when absent"`
	Title       string          `json:"title" required:"true" doc:"at most 200 characters"`
	Description string          `json:"description,omitempty" doc:"at most 4000 characters"`
	Priority    qilian.Priority `json:"priority,omitempty" doc:"normal when absent"`
	LocalityID  string          `json:"locality_id,omitempty" doc:"where the case is; must lie inside the caller's locality. Either this or grid_id."`
	GridID      string          `json:"grid_id,omitempty" doc:"the grid the case is in; must lie inside the caller's locality"`
	Location    *LocationIn     `json:"location,omitempty"`
	Reporter    *ReporterIn     `json:"reporter,omitempty"`
	Attachments []string        `json:"attachments,omitempty" doc:"at most 10: the url of a file the caller sent to POST /api/v1/files, or an http or https URL"`
	Details     *DetailsIn      `json:"details,omitempty" doc:"the part for the case's kind only"`
}

// LocationIn is where the case is: a point, an address or both.
type LocationIn struct {
	Lat     float64 `json:"lat"`
	Lng     float64 `json:"lng"`
	Address string  `json:"address,omitempty"`
}

// ReporterIn is the resident who reported the case.
type ReporterIn struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// DetailsIn holds what only the engine may not invent: votes, sign-ups,
// hours and states are the engine's own and cannot be sent.
type DetailsIn struct {
	Regional     *struct{}       `json:"regional,omitempty"`
	Booking      *BookingIn      `json:"booking,omitempty"`
	Consultation *ConsultationIn `json:"consultation,omitempty"`
	Activity     *ActivityIn     `json:"activity,omitempty"`
	Member       *MemberIn       `json:"member,omitempty"`
	Service      *struct{}       `json:"service,omitempty"`
	Problem      *struct{}       `json:"problem,omitempty"`
}

// BookingIn is the details of a resource booking (resource_sharing).
type BookingIn struct {
	ResourceID  string `json:"resource_id" required:"true"`
	OwnerUnitID string `json:"owner_unit_id,omitempty" doc:"the resource's unit, from the registry; when given it must be that unit"`
	From        string `json:"from" required:"true" doc:"RFC 3339"`
	To          string `json:"to" required:"true" doc:"RFC 3339"`
	Purpose     string `json:"purpose,omitempty"`
}

// ConsultationIn is the details of a vote (joint_consultation).
type ConsultationIn struct {
	Question     string          `json:"question" required:"true"`
	Options      []string        `json:"options" required:"true"`
	Participants []string        `json:"participants" required:"true" doc:"user IDs"`
	Quorum       int             `json:"quorum" required:"true"`
	Rule         qilian.VoteRule `json:"rule" required:"true"`
	Deadline     string          `json:"deadline" required:"true" doc:"RFC 3339"`
}

// ActivityIn is the details of an activity (joint_activity).
type ActivityIn struct {
	Capacity int    `json:"capacity" required:"true"`
	StartsAt string `json:"starts_at" required:"true" doc:"RFC 3339"`
	EndsAt   string `json:"ends_at" required:"true" doc:"RFC 3339"`
	Venue    string `json:"venue,omitempty"`
}

// MemberIn is the details of a member's registration (member_management).
type MemberIn struct {
	Name       string `json:"name" required:"true" doc:"a member registering themselves (unit staff) may leave it out: their own name"`
	Phone      string `json:"phone,omitempty"`
	HomeUnitID string `json:"home_unit_id" required:"true" doc:"a member registering themselves: their own unit, which it defaults to"`
}

// attachments checks what a body names among its attachments: at most
// maxAttachment, each an http or https URL, or the url of a file sent to
// POST /api/v1/files (whose sender checkAttachments checks).
func (f fieldCheck) attachments(list []string) {
	if len(list) > maxAttachment {
		f["attachments"] = fmt.Sprintf("at most %d", maxAttachment)
	}
	for i, a := range list {
		if _, kept := files.IDOf(a); kept {
			continue
		}
		u, err := url.Parse(a)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(a) > maxURL {
			f[attachmentField(i)] = fmt.Sprintf("an http or https URL of at most %d bytes, or the url of a file sent to /api/v1/files", maxURL)
		}
	}
}

// attachmentField names the i-th attachment in an error.
func attachmentField(i int) string { return fmt.Sprintf("attachments[%d]", i) }

// fieldCheck collects bad fields by name.
type fieldCheck map[string]string

func (f fieldCheck) maxLen(name, v string, max int) {
	if utf8.RuneCountInString(v) > max {
		f[name] = fmt.Sprintf("at most %d characters", max)
	}
}

func (f fieldCheck) time(name, v string) time.Time {
	if v == "" {
		f[name] = "required: an RFC 3339 time"
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		f[name] = "must be an RFC 3339 time such as 2026-01-02T15:04:05+08:00"
	}
	return t
}

func (f fieldCheck) err() error {
	if len(f) > 0 {
		return qilian.Invalid(f)
	}
	return nil
}

// openRequest converts the body's own fields; the locality and the ID are
// the handler's to fill.
func (in CaseIn) openRequest(f fieldCheck) qilian.OpenRequest {
	req := qilian.OpenRequest{
		Kind: in.Kind, Category: in.Category, Title: in.Title, Description: in.Description, Priority: in.Priority,
		Attachments: in.Attachments,
	}
	if req.Priority == "" {
		req.Priority = qilian.PriorityNormal
	}
	if l := in.Location; l != nil {
		if l.Lat < -90 || l.Lat > 90 {
			f["location.lat"] = "from -90 to 90"
		}
		if l.Lng < -180 || l.Lng > 180 {
			f["location.lng"] = "from -180 to 180"
		}
		f.maxLen("location.address", l.Address, maxShort)
		req.Location = qilian.Location{Lat: l.Lat, Lng: l.Lng, Address: l.Address}
	}
	if r := in.Reporter; r != nil {
		f.maxLen("reporter.name", r.Name, maxShort)
		if len(r.Phone) > maxPhone || strings.Trim(r.Phone, "0123456789+-() ") != "" {
			f["reporter.phone"] = fmt.Sprintf("digits, spaces and + - ( ), at most %d", maxPhone)
		}
		req.Reporter = qilian.Reporter{Name: r.Name, Phone: r.Phone}
	}
	f.attachments(in.Attachments)
	if d := in.Details; d != nil {
		req.Details = d.details(f)
	}
	return req
}

func (d DetailsIn) details(f fieldCheck) qilian.Details {
	var out qilian.Details
	if d.Regional != nil {
		out.Regional = &qilian.Regional{}
	}
	if d.Service != nil {
		out.Service = &qilian.Service{}
	}
	if d.Problem != nil {
		out.Problem = &qilian.Problem{}
	}
	if b := d.Booking; b != nil {
		f.maxLen("details.booking.purpose", b.Purpose, maxNote)
		out.Booking = &qilian.Booking{
			ResourceID: b.ResourceID, OwnerUnitID: b.OwnerUnitID, Purpose: b.Purpose,
			From: f.time("details.booking.from", b.From), To: f.time("details.booking.to", b.To),
		}
	}
	if c := d.Consultation; c != nil {
		f.maxLen("details.consultation.question", c.Question, maxNote)
		for i, o := range c.Options {
			f.maxLen(fmt.Sprintf("details.consultation.options[%d]", i), o, maxShort)
		}
		out.Consultation = &qilian.Consultation{
			Question: c.Question, Options: c.Options, Participants: c.Participants, Quorum: c.Quorum,
			Rule: c.Rule, Deadline: f.time("details.consultation.deadline", c.Deadline),
		}
	}
	if a := d.Activity; a != nil {
		f.maxLen("details.activity.venue", a.Venue, maxShort)
		out.Activity = &qilian.Activity{
			Capacity: a.Capacity, Venue: a.Venue,
			StartsAt: f.time("details.activity.starts_at", a.StartsAt), EndsAt: f.time("details.activity.ends_at", a.EndsAt),
		}
	}
	if m := d.Member; m != nil {
		f.maxLen("details.member.name", m.Name, maxShort)
		f.maxLen("details.member.phone", m.Phone, maxPhone)
		out.Member = &qilian.Member{Name: m.Name, Phone: m.Phone, HomeUnitID: m.HomeUnitID}
	}
	return out
}

// Action bodies. Each converts to the qilian.Action fields its action
// reads; the route fills in the name, the actor and the task or extension.

// actionBody is a decoded action request.
type actionBody interface {
	action(f fieldCheck) qilian.Action
}

// common is what every action may carry.
type common struct {
	Note             string   `json:"note,omitempty" doc:"free text: a progress note, a reason, minutes, a summary"`
	ExpectedRevision int64    `json:"expected_revision,omitempty" doc:"refuse with 409 if the case is no longer at this revision"`
	Attachments      []string `json:"attachments,omitempty" doc:"at most 10 photos or documents: urls of files the caller sent to POST /api/v1/files, or http or https URLs; kept on the action's event (progress and resolve: also the task's, as photos of the work), and readable by whoever sees the case"`
}

func (b common) base(f fieldCheck) qilian.Action {
	f.maxLen("note", b.Note, maxNote)
	if b.ExpectedRevision < 0 {
		f["expected_revision"] = "must not be negative"
	}
	f.attachments(b.Attachments)
	return qilian.Action{Note: b.Note, ExpectedRevision: b.ExpectedRevision, Attachments: b.Attachments}
}

type noteBody struct{ common }

func (b *noteBody) action(f fieldCheck) qilian.Action { return b.base(f) }

type assignmentIn struct {
	UnitID   string          `json:"unit_id" required:"true"`
	Role     qilian.TaskRole `json:"role" required:"true"`
	Required bool            `json:"required,omitempty" doc:"co-units only: the case waits for this task; a lead is always required"`
	Duty     qilian.Duty     `json:"duty,omitempty" doc:"joint activities only: what the unit brings (场地, 人员, 物资)"`
}

type dispatchBody struct {
	common
	Assignments []assignmentIn `json:"assignments" required:"true"`
}

func (b *dispatchBody) action(f fieldCheck) qilian.Action {
	a := b.base(f)
	for _, as := range b.Assignments {
		a.Assignments = append(a.Assignments, qilian.Assignment{UnitID: as.UnitID, Role: as.Role, Required: as.Required, Duty: as.Duty})
	}
	return a
}

type verifyBody struct {
	common
	Pass       *bool  `json:"pass" required:"true" doc:"false sends the work back; then note says why"`
	NoFollowUp string `json:"no_follow_up" doc:"a case with a reporter goes to the follow-up (回访) once verified; this says why it closes without (not for service linkage, always followed up)"`
}

func (b *verifyBody) action(f fieldCheck) qilian.Action {
	a := b.base(f)
	a.Pass = b.Pass
	a.NoFollowUp = b.NoFollowUp
	return a
}

type followUpBody struct {
	common
	Satisfied *bool `json:"satisfied" required:"true" doc:"the resident's answer; false reopens the case"`
}

func (b *followUpBody) action(f fieldCheck) qilian.Action {
	a := b.base(f)
	a.Satisfied = b.Satisfied
	return a
}

type closeBody struct {
	common
	Resolution  qilian.Resolution `json:"resolution" required:"true" doc:"at triage: invalid, duplicate (duplicate_of names the other case) or referred; a member registration in progress: resolved"`
	DuplicateOf string            `json:"duplicate_of,omitempty" doc:"with resolution duplicate: the case that covers this one (its original, if it is a duplicate itself)"`
}

func (b *closeBody) action(f fieldCheck) qilian.Action {
	a := b.base(f)
	a.Resolution = b.Resolution
	a.DuplicateOf = b.DuplicateOf
	return a
}

type unitsBody struct {
	common
	Units []string `json:"units" required:"true" doc:"unit IDs: those summoned, or the meeting's attendees"`
}

func (b *unitsBody) action(f fieldCheck) qilian.Action {
	a := b.base(f)
	a.Units = b.Units
	return a
}

type remindBody struct {
	common
	TaskID string `json:"task_id,omitempty" doc:"the task concerned; the whole case when absent"`
}

func (b *remindBody) action(f fieldCheck) qilian.Action {
	a := b.base(f)
	a.TaskID = b.TaskID
	return a
}

type voteBody struct {
	common
	Option string `json:"option" required:"true" choices:"consultation.options"`
}

func (b *voteBody) action(f fieldCheck) qilian.Action {
	a := b.base(f)
	f.maxLen("option", b.Option, maxShort)
	a.Option = b.Option
	return a
}

type participantIn struct {
	ID     string `json:"id" required:"true"`
	Name   string `json:"name,omitempty" doc:"required to sign up"`
	Phone  string `json:"phone,omitempty"`
	UnitID string `json:"unit_id,omitempty"`
}

type participantBody struct {
	common
	Participant *participantIn `json:"participant" required:"true"`
}

func (b *participantBody) action(f fieldCheck) qilian.Action {
	a := b.base(f)
	if p := b.Participant; p != nil {
		f.maxLen("participant.name", p.Name, maxShort)
		f.maxLen("participant.phone", p.Phone, maxPhone)
		a.Participant = &qilian.Participant{ID: p.ID, Name: p.Name, Phone: p.Phone, UnitID: p.UnitID}
	}
	return a
}

// checkInBody names one who signed up; nothing else about them changes.
type checkInBody struct {
	common
	Participant *struct {
		ID string `json:"id" required:"true" choices:"activity.sign_ups"`
	} `json:"participant" required:"true"`
}

func (b *checkInBody) action(f fieldCheck) qilian.Action {
	a := b.base(f)
	if p := b.Participant; p != nil {
		a.Participant = &qilian.Participant{ID: p.ID}
	}
	return a
}

type postBody struct {
	common
	Post string `json:"post" required:"true" doc:"the service post assigned"`
}

func (b *postBody) action(f fieldCheck) qilian.Action {
	a := b.base(f)
	f.maxLen("post", b.Post, maxShort)
	a.Post = b.Post
	return a
}

type hoursIn struct {
	Date  string  `json:"date,omitempty" doc:"the day served, YYYY-MM-DD"`
	Hours float64 `json:"hours,omitempty" doc:"more than 0, at most 24"`
	Note  string  `json:"note,omitempty"`
}

// logHoursBody is a member's hours of service, to be confirmed.
type logHoursBody struct {
	common
	Hours *hoursIn `json:"hours" required:"true"`
}

func (b *logHoursBody) action(f fieldCheck) qilian.Action {
	a := b.base(f)
	if h := b.Hours; h != nil {
		f.maxLen("hours.note", h.Note, maxNote)
		a.Hours = &qilian.HoursLog{Date: h.Date, Hours: h.Hours, Note: h.Note}
	}
	return a
}

// confirmHoursBody names the hours log the community confirms.
type confirmHoursBody struct {
	common
	Hours *struct {
		ID string `json:"id" required:"true" doc:"the hours log to confirm" choices:"member.hours"`
	} `json:"hours" required:"true"`
}

func (b *confirmHoursBody) action(f fieldCheck) qilian.Action {
	a := b.base(f)
	if h := b.Hours; h != nil {
		a.Hours = &qilian.HoursLog{ID: h.ID}
	}
	return a
}

type returnBody struct {
	common
	Reason qilian.ReturnReason `json:"reason" required:"true" doc:"other needs a note"`
}

func (b *returnBody) action(f fieldCheck) qilian.Action {
	a := b.base(f)
	a.Reason = b.Reason
	return a
}

type resolveBody struct {
	common
	Result string `json:"result" required:"true" doc:"what was done; attachments: photos of the work done"`
}

func (b *resolveBody) action(f fieldCheck) qilian.Action {
	a := b.base(f)
	f.maxLen("result", b.Result, maxNote)
	a.Result = b.Result
	return a
}

type extensionBody struct {
	common
	Extra string `json:"extra" required:"true" doc:"how much more time: 2d (working days), 4h, 1d4h"`
}

func (b *extensionBody) action(f fieldCheck) qilian.Action {
	a := b.base(f)
	sp, err := qilian.ParseSpan(b.Extra)
	if err != nil || sp.IsZero() {
		f["extra"] = "required: a duration such as 2d, 4h or 1d4h"
	}
	a.Extra = sp
	return a
}

type reassignBody struct {
	common
	UnitID string `json:"unit_id" required:"true" doc:"the unit taking the task over"`
}

func (b *reassignBody) action(f fieldCheck) qilian.Action {
	a := b.base(f)
	a.UnitID = b.UnitID
	return a
}

// Administration bodies.

type localityIn struct {
	ID       string       `json:"id" required:"true"`
	ParentID string       `json:"parent_id,omitempty" doc:"required but for the caller's own root"`
	Level    qilian.Level `json:"level" required:"true"`
	Name     string       `json:"name" required:"true"`
	NameEN   string       `json:"name_en,omitempty"`
}

type unitIn struct {
	ID         string          `json:"id" required:"true"`
	Name       string          `json:"name" required:"true"`
	NameEN     string          `json:"name_en,omitempty"`
	Type       qilian.UnitType `json:"type" required:"true"`
	LocalityID string          `json:"locality_id" required:"true"`
}

type userIn struct {
	ID         string      `json:"id" required:"true"`
	Name       string      `json:"name" required:"true"`
	Role       qilian.Role `json:"role" required:"true"`
	LocalityID string      `json:"locality_id,omitempty" doc:"every role but unit_staff"`
	UnitID     string      `json:"unit_id,omitempty" doc:"unit_staff only"`
	TokenLabel string      `json:"token_label,omitempty" doc:"a note on the token issued to a new user"`
	Username   string      `json:"username,omitempty" doc:"what the user signs in with: 2 to 64 of a-z 0-9 . _ - @; kept when absent"`
	Password   string      `json:"password,omitempty" doc:"a one-time password, changed at the first sign-in"`
}

// areaIn is a locality's outline in GeoJSON: a Feature with a Polygon
// geometry, or the Polygon alone. Both are one type, as a union of the two
// would be no JSON schema a form can read: type says which, and the other
// one's fields must be absent.
type areaIn struct {
	Type        string         `json:"type" required:"true" enum:"Feature,Polygon"`
	Geometry    *geometryIn    `json:"geometry,omitempty" doc:"a Feature's: a Polygon"`
	Properties  map[string]any `json:"properties,omitempty" doc:"a Feature's; not kept: the outline is shown with the locality's own"`
	ID          any            `json:"id,omitempty" doc:"a Feature's; not kept"`
	BBox        []float64      `json:"bbox,omitempty" doc:"not kept: the box is computed"`
	Coordinates [][][]float64  `json:"coordinates,omitempty" doc:"a Polygon's: one ring of [lng, lat] positions, closed or not; holes are refused"`
}

// geometryIn is a Feature's geometry.
type geometryIn struct {
	Type        string        `json:"type" required:"true" enum:"Polygon"`
	BBox        []float64     `json:"bbox,omitempty" doc:"not kept: the box is computed"`
	Coordinates [][][]float64 `json:"coordinates" required:"true" doc:"one ring of [lng, lat] positions, closed or not; holes are refused"`
}

// area converts the outline, naming the field of every problem.
func (in areaIn) area(f fieldCheck) qilian.Area {
	coords, at := in.Coordinates, "coordinates"
	switch in.Type {
	case "Feature":
		if in.Coordinates != nil {
			f["coordinates"] = "a Feature's coordinates are in its geometry"
		}
		g := in.Geometry
		if g == nil {
			f["geometry"] = "required: a Polygon"
			return nil
		}
		if g.Type != "Polygon" {
			f["geometry.type"] = geometryProblem(g.Type, "Polygon")
			return nil
		}
		coords, at = g.Coordinates, "geometry.coordinates"
	case "Polygon":
		for name, set := range map[string]bool{"geometry": in.Geometry != nil, "properties": in.Properties != nil, "id": in.ID != nil} {
			if set {
				f[name] = "only a Feature has a " + name + "; a Polygon has coordinates"
			}
		}
	default:
		f["type"] = geometryProblem(in.Type, "Feature or Polygon")
		return nil
	}
	switch len(coords) {
	case 0:
		f[at] = "required: one ring of [lng, lat] positions"
		return nil
	case 1:
	default:
		f[at] = "one ring only: an outline has no holes"
		return nil
	}
	ring := coords[0]
	a := make(qilian.Area, 0, len(ring))
	for i, pos := range ring {
		name := fmt.Sprintf("%s[0][%d]", at, i)
		if len(pos) != 2 && len(pos) != 3 {
			f[name] = "a position is [lng, lat] (an altitude after them is not kept)"
			continue
		}
		p := qilian.Point{Lat: pos[1], Lng: pos[0]}
		if !p.Valid() {
			f[name] = fmt.Sprintf("[lng, lat]: longitude from -180 to 180, latitude from -90 to 90; got [%v, %v]", pos[0], pos[1])
			continue
		}
		a = append(a, p)
	}
	if len(f) > 0 {
		return nil
	}
	if len(a) > 1 && a[0] == a[len(a)-1] {
		a = a[:len(a)-1] // closed, as GeoJSON writes it
	}
	if problem := a.Problem(); problem != "" {
		f[at] = problem
	}
	return a
}

// geometryProblem says why a GeoJSON type t is not taken where want is.
func geometryProblem(t, want string) string {
	switch t {
	case "":
		return "required: " + want
	case "MultiPolygon":
		return "a MultiPolygon is refused: a locality has one outline, sent as a Polygon"
	case "Feature", "Polygon", "Point", "MultiPoint", "LineString", "MultiLineString", "GeometryCollection", "FeatureCollection":
		return "a " + t + " is not taken here: send a Polygon, or a Feature of one"
	}
	return "must be " + want + ", got " + strconv.Quote(t)
}

// otherGeometry is the error for a body that did not decode as an areaIn
// because it is another GeoJSON object (a MultiPolygon's coordinates nest
// deeper than a Polygon's, a FeatureCollection has features), saying
// which; nil when it is not one.
func otherGeometry(raw []byte) error {
	var probe struct {
		Type     string `json:"type"`
		Geometry *struct {
			Type string `json:"type"`
		} `json:"geometry"`
	}
	if json.Unmarshal(raw, &probe) != nil {
		return nil
	}
	f := fieldCheck{}
	switch {
	case probe.Type == "Feature" && probe.Geometry != nil && probe.Geometry.Type != "Polygon":
		f["geometry.type"] = geometryProblem(probe.Geometry.Type, "Polygon")
	case probe.Type != "Feature" && probe.Type != "Polygon" && probe.Type != "":
		f["type"] = geometryProblem(probe.Type, "Feature or Polygon")
	}
	return f.err()
}

type tokenIn struct {
	Label string `json:"label,omitempty" doc:"a note on the token, such as the device"`
}
