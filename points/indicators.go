// Package points is the points assessment (积分制): the indicator set, the
// periods it is assessed over, and the scoring of points events and
// assessors' manual entries into scorecards for units and localities, with
// the three hotline rates (三率).
//
// It is pure computation over what the caller loads: it imports only the
// standard library and the domain, never the storage, so a period can be
// scored again from the stored events alone and give the same totals.
package points

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/qilian/qilian"
)

// Grade says which assessment an indicator belongs to: the standard one
// every locality is held to, or the demonstration one (示范型) for those
// that aim higher.
type Grade string

// Grades.
const (
	GradeStandard      Grade = "standard"      // 标准型
	GradeDemonstration Grade = "demonstration" // 示范型
)

// Measure says where an indicator's points come from.
type Measure string

// Measures.
const (
	MeasureAuto   Measure = "auto"   // points events, by the indicator's rules
	MeasureManual Measure = "manual" // an assessor's entries, with evidence
)

// levels are the seven levels of the report, in its order; every
// indicator belongs to one of them. Grids are not assessed.
var levels = []qilian.Level{
	qilian.LevelCounty, qilian.LevelStreet, qilian.LevelCommunity, qilian.LevelCompound,
	qilian.LevelBuilding, qilian.LevelBusinessDistrict, qilian.LevelSocialOrg,
}

// Levels returns the seven assessed levels, in the report's order.
func Levels() []qilian.Level { return slices.Clone(levels) }

// kinds are the points event kinds the engine emits (action.go). A rule
// naming anything else could never score, so the file is refused.
var kinds = []qilian.PointsKind{
	qilian.PointsResolvedOnTime, qilian.PointsResolvedLate, qilian.PointsAcceptedOnTime,
	qilian.PointsOverdue, qilian.PointsReturned, qilian.PointsSatisfied, qilian.PointsUnsatisfied,
	qilian.PointsBookingFulfilled, qilian.PointsActivityJoined, qilian.PointsHoursConfirmed,
}

// Rule gives points for every points event of a kind. Points are per unit
// of the event's quantity: per event for counts, per hour for
// hours_confirmed; negative for a deduction.
type Rule struct {
	Kind   qilian.PointsKind
	Points float64
	// Of keeps only events about that subject type (unit, locality or
	// member); empty keeps all. Only locality indicators may set it: a unit
	// indicator counts the unit's own events.
	Of string
	// CaseKinds keeps only events of cases of those kinds; empty keeps all.
	CaseKinds []qilian.Kind
}

// matches reports whether the rule scores e.
func (r Rule) matches(e Event) bool {
	return e.Kind == r.Kind && (r.Of == "" || r.Of == e.SubjectType) &&
		(len(r.CaseKinds) == 0 || slices.Contains(r.CaseKinds, e.CaseKind))
}

// overlaps reports whether some event could match both rules.
func (r Rule) overlaps(o Rule) bool {
	if r.Kind != o.Kind || (r.Of != "" && o.Of != "" && r.Of != o.Of) {
		return false
	}
	if len(r.CaseKinds) == 0 || len(o.CaseKinds) == 0 {
		return true
	}
	return slices.ContainsFunc(r.CaseKinds, func(k qilian.Kind) bool { return slices.Contains(o.CaseKinds, k) })
}

// Indicator is one line of the assessment. Subject says who is scored:
// each locality of Level (qilian.SubjectLocality), or each unit sitting in
// the subtree of a locality of Level (qilian.SubjectUnit), so a county
// indicator for units applies to every unit of the county and a building
// indicator to the units in buildings.
type Indicator struct {
	ID          string
	Level       qilian.Level
	Name        string // Chinese, shown first
	NameEN      string
	Description string
	Max         float64 // the most points a subject can score in a period
	Grade       Grade
	Measure     Measure
	Subject     string
	Rules       []Rule // auto only; at most one matches any event
}

// Set is a validated indicator set, in the order of its file.
type Set struct {
	list []Indicator
	byID map[string]int
}

// All returns the indicators in file order.
func (s *Set) All() []Indicator { return slices.Clone(s.list) }

// Len is the number of indicators.
func (s *Set) Len() int { return len(s.list) }

// Indicator returns the indicator with the ID.
func (s *Set) Indicator(id string) (Indicator, bool) {
	i, ok := s.byID[id]
	if !ok {
		return Indicator{}, false
	}
	return s.list[i], true
}

// Level returns the indicators of a level, in file order.
func (s *Set) Level(l qilian.Level) []Indicator {
	var out []Indicator
	for _, ind := range s.list {
		if ind.Level == l {
			out = append(out, ind)
		}
	}
	return out
}

// The file, as written. Pointers tell a missing number from a zero.
type fileRule struct {
	Kind      string   `json:"kind"`
	Points    *float64 `json:"points"`
	Of        string   `json:"of"`
	CaseKinds []string `json:"case_kinds"`
}

type fileIndicator struct {
	ID          string     `json:"id"`
	Level       string     `json:"level"`
	Name        string     `json:"name"`
	NameEN      string     `json:"name_en"`
	Description string     `json:"description"`
	Max         *float64   `json:"max"`
	Grade       string     `json:"grade"`
	Measure     string     `json:"measure"`
	Subject     string     `json:"subject"`
	Rules       []fileRule `json:"rules"`
}

type file struct {
	Indicators []json.RawMessage `json:"indicators"`
}

// Parse reads an indicator file in its JSON form (configs turns the YAML
// file into it) and validates it. Unknown keys are refused; the error is a
// qilian EINVALID error whose fields name every offence, such as
// "indicators[3].grade". How many indicators a level has and what they add
// up to are the city's choice, not rules checked here.
func Parse(b []byte) (*Set, error) {
	fields := map[string]string{}
	var f file
	if err := strictDecode(b, &f); err != nil {
		fields["file"] = decodeProblem(err)
		return nil, invalid(fields)
	}
	list := make([]Indicator, 0, len(f.Indicators))
	for i, raw := range f.Indicators {
		at := "indicators[" + strconv.Itoa(i) + "]"
		var fi fileIndicator
		if err := strictDecode(raw, &fi); err != nil {
			fields[at] = decodeProblem(err)
			continue
		}
		list = append(list, fi.indicator())
	}
	if len(fields) > 0 {
		return nil, invalid(fields)
	}
	return New(list)
}

func (fi fileIndicator) indicator() Indicator {
	ind := Indicator{
		ID: fi.ID, Level: qilian.Level(fi.Level), Name: fi.Name, NameEN: fi.NameEN, Description: fi.Description,
		Grade: Grade(fi.Grade), Measure: Measure(fi.Measure), Subject: fi.Subject,
	}
	if fi.Max != nil {
		ind.Max = *fi.Max
	}
	for _, fr := range fi.Rules {
		r := Rule{Kind: qilian.PointsKind(fr.Kind), Of: fr.Of}
		if fr.Points != nil {
			r.Points = *fr.Points
		}
		for _, k := range fr.CaseKinds {
			r.CaseKinds = append(r.CaseKinds, qilian.Kind(k))
		}
		ind.Rules = append(ind.Rules, r)
	}
	return ind
}

// New validates indicators and makes a set of them.
func New(list []Indicator) (*Set, error) {
	fields := map[string]string{}
	if len(list) == 0 {
		fields["indicators"] = "at least one indicator is required"
	}
	s := &Set{byID: map[string]int{}}
	for i, ind := range list {
		at := "indicators[" + strconv.Itoa(i) + "]"
		ind.check(at, fields)
		if j, dup := s.byID[ind.ID]; dup && ind.ID != "" {
			fields[at+".id"] = fmt.Sprintf("%q is also the id of indicators[%d]", ind.ID, j)
		}
		s.byID[ind.ID] = i
		ind.Rules = slices.Clone(ind.Rules)
		s.list = append(s.list, ind)
	}
	if len(fields) > 0 {
		return nil, invalid(fields)
	}
	return s, nil
}

func (ind Indicator) check(at string, fields map[string]string) {
	if !validID(ind.ID) {
		fields[at+".id"] = "required: 1 to 64 lowercase letters, digits, '_' or '-'"
	}
	if !slices.Contains(levels, ind.Level) {
		fields[at+".level"] = "must be one of " + joinLevels()
	}
	if strings.TrimSpace(ind.Name) == "" {
		fields[at+".name"] = "required: the Chinese name"
	}
	if strings.TrimSpace(ind.NameEN) == "" {
		fields[at+".name_en"] = "required: the English name"
	}
	if !(ind.Max > 0) {
		fields[at+".max"] = "must be more than 0"
	}
	if ind.Grade != GradeStandard && ind.Grade != GradeDemonstration {
		fields[at+".grade"] = "must be standard or demonstration"
	}
	if ind.Subject != qilian.SubjectUnit && ind.Subject != qilian.SubjectLocality {
		fields[at+".subject"] = "must be unit or locality"
	}
	switch ind.Measure {
	case MeasureManual:
		if len(ind.Rules) > 0 {
			fields[at+".rules"] = "only auto indicators have rules"
		}
	case MeasureAuto:
		if len(ind.Rules) == 0 {
			fields[at+".rules"] = "required: at least one rule"
		}
		for j, r := range ind.Rules {
			ind.checkRule(at+".rules["+strconv.Itoa(j)+"]", j, r, fields)
		}
	default:
		fields[at+".measure"] = "must be auto or manual"
	}
}

func (ind Indicator) checkRule(at string, j int, r Rule, fields map[string]string) {
	if !slices.Contains(kinds, r.Kind) {
		fields[at+".kind"] = "unknown points event kind " + strconv.Quote(string(r.Kind))
	}
	if r.Points == 0 {
		fields[at+".points"] = "required: not zero (negative for a deduction)"
	}
	switch {
	case r.Of == "":
		// Confirmed hours are recorded twice, for the member and for the
		// member's unit (decide.go); a subtree would count them twice.
		if r.Kind == qilian.PointsHoursConfirmed && ind.Subject == qilian.SubjectLocality {
			fields[at+".of"] = "required for hours_confirmed: they are recorded for the member and for the member's unit; say which (member or unit)"
		}
	case ind.Subject != qilian.SubjectLocality:
		fields[at+".of"] = "only locality indicators filter by subject: a unit indicator counts the unit's own events"
	case r.Of != qilian.SubjectUnit && r.Of != qilian.SubjectLocality && r.Of != qilian.SubjectMember:
		fields[at+".of"] = "must be unit, locality or member"
	}
	for k, ck := range r.CaseKinds {
		if !ck.Valid() {
			fields[at+".case_kinds["+strconv.Itoa(k)+"]"] = "unknown case kind " + strconv.Quote(string(ck))
		}
	}
	for k := range j {
		if ind.Rules[k].overlaps(r) {
			fields[at] = fmt.Sprintf("overlaps rules[%d]: an event would score twice", k)
			break
		}
	}
}

// validID allows what the API and the database can carry unescaped.
func validID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

func joinLevels() string {
	s := make([]string, len(levels))
	for i, l := range levels {
		s[i] = string(l)
	}
	return strings.Join(s, ", ")
}

// strictDecode decodes one JSON value, refusing unknown keys and trailing
// data.
func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("unexpected data after the indicator set")
	}
	return nil
}

// decodeProblem says what is wrong in words that name the key.
func decodeProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Sprintf("%s: want %s, got %s", te.Field, te.Type, te.Value)
		}
		return fmt.Sprintf("want %s, got %s", te.Type, te.Value)
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	return strings.Replace(msg, "unknown field", "unknown key", 1)
}

// invalid is an EINVALID error whose message lists the fields, so that a
// start-up failure reads well in a log and an API caller still gets them
// one by one.
func invalid(fields map[string]string) error {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + fields[k]
	}
	e := qilian.Invalid(fields)
	e.Message = strings.Join(parts, "; ")
	return e
}
