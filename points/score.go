package points

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qilian/qilian"
)

// Event is a points event as the assessment scores it: the fact, whom it
// concerns, and the case it came from and where that case is.
type Event struct {
	ID           string // stable and unique: the read model's case:seq:ordinal
	Kind         qilian.PointsKind
	SubjectType  string // qilian.SubjectUnit, SubjectLocality or SubjectMember
	SubjectID    string
	Quantity     float64 // 1 for a count, hours for hours_confirmed
	At           time.Time
	CaseID       string
	CaseKind     qilian.Kind
	LocalityPath string // the case's
}

// Entry is an assessor's manual entry: points for a manual indicator, given
// to a unit or a locality, with the evidence that justifies them.
type Entry struct {
	ID          string
	IndicatorID string
	SubjectType string // qilian.SubjectUnit or SubjectLocality, as the indicator says
	SubjectID   string
	Points      float64 // negative for a deduction
	Evidence    []string
	Assessor    string // the user ID of who entered it
	At          time.Time
	Note        string
}

// Limits on a manual entry.
const (
	MaxEvidence     = 20   // items
	MaxEvidenceItem = 2000 // bytes: a URL or a short text
	MaxEntryNote    = 2000 // runes
)

// Validate checks what an entry needs whatever the indicator set; Set's
// CheckEntry adds what depends on the indicator.
func (e Entry) Validate() error {
	f := map[string]string{}
	if !validEntryID(e.ID) {
		f["id"] = "required: 1 to 64 letters, digits, '-', '_' or '.'"
	}
	if e.IndicatorID == "" {
		f["indicator_id"] = "required"
	}
	if e.SubjectType != qilian.SubjectUnit && e.SubjectType != qilian.SubjectLocality {
		f["subject_type"] = "must be unit or locality"
	}
	if strings.TrimSpace(e.SubjectID) == "" {
		f["subject_id"] = "required"
	}
	if math.IsNaN(e.Points) || math.IsInf(e.Points, 0) || e.Points == 0 {
		f["points"] = "required: a finite number, not zero"
	}
	switch {
	case len(e.Evidence) == 0:
		f["evidence"] = "required: at least one URL or text"
	case len(e.Evidence) > MaxEvidence:
		f["evidence"] = fmt.Sprintf("at most %d items", MaxEvidence)
	default:
		for i, ev := range e.Evidence {
			if strings.TrimSpace(ev) == "" || len(ev) > MaxEvidenceItem {
				f[fmt.Sprintf("evidence[%d]", i)] = fmt.Sprintf("required: 1 to %d bytes", MaxEvidenceItem)
			}
		}
	}
	if strings.TrimSpace(e.Assessor) == "" {
		f["assessor"] = "required"
	}
	if e.At.IsZero() {
		f["at"] = "required: when the assessed work happened, which decides its period"
	}
	if utf8.RuneCountInString(e.Note) > MaxEntryNote {
		f["note"] = fmt.Sprintf("at most %d characters", MaxEntryNote)
	}
	if len(f) > 0 {
		return qilian.Invalid(f)
	}
	return nil
}

func validEntryID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// CheckEntry validates e against the set: its indicator exists, is
// measured by hand, scores the entry's subject type, and the points are
// within the indicator's maximum either way. Whether the subject is of the
// indicator's level needs the tree; Score skips an entry that is not.
func (s *Set) CheckEntry(e Entry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	ind, ok := s.Indicator(e.IndicatorID)
	switch {
	case !ok:
		return qilian.Invalid(map[string]string{"indicator_id": "no such indicator"})
	case ind.Measure != MeasureManual:
		return qilian.Invalid(map[string]string{"indicator_id": "indicator " + ind.ID + " is scored from events, not by hand"})
	case ind.Subject != e.SubjectType:
		return qilian.Invalid(map[string]string{"subject_type": "indicator " + ind.ID + " scores a " + ind.Subject})
	case math.Abs(e.Points) > ind.Max:
		return qilian.Invalid(map[string]string{"points": fmt.Sprintf("at most %g either way: the indicator's maximum", ind.Max)})
	}
	return nil
}

// Tree is the locality tree and its units, as the scoring needs them:
// every locality and unit given is scored, and nothing else. Pass the
// whole tree, and narrow the result with Scorecard.Within: a unit
// indicator of the county level needs the county to be in the tree.
type Tree struct {
	Localities []qilian.Locality
	Units      []qilian.Unit
}

// Source says where a line's points come from.
type Source string

// Sources.
const (
	SourceEvent   Source = "event"   // a points event, by a rule
	SourceEntry   Source = "entry"   // an assessor's manual entry
	SourceCapped  Source = "capped"  // the adjustment down to the indicator's maximum
	SourceFloored Source = "floored" // the adjustment up to zero
)

// SourceTerms name the sources of a scorecard's lines for people.
func SourceTerms() []qilian.Term {
	return []qilian.Term{
		{Code: string(SourceEvent), Label: qilian.Label{ZH: "自动", EN: "automatic"}},
		{Code: string(SourceEntry), Label: qilian.Label{ZH: "人工录入", EN: "manual entry"}},
		{Code: string(SourceCapped), Label: qilian.Label{ZH: "封顶调整", EN: "capped at max"}},
		{Code: string(SourceFloored), Label: qilian.Label{ZH: "保底调整", EN: "floored at 0"}},
	}
}

// Line is one contribution to an indicator's score. The lines of an
// indicator add up to its Points.
type Line struct {
	Source Source
	Ref    string // the points event's or the manual entry's ID; empty for an adjustment
	At     time.Time
	// What an event line scored: the kind, the case, whom the event named
	// (for a locality, a unit or member inside its subtree) and the
	// quantity the rule's points were multiplied by.
	Kind        qilian.PointsKind
	CaseID      string
	SubjectType string
	SubjectID   string
	Quantity    float64
	Points      float64 // before capping; for an adjustment, the adjustment
}

// IndicatorScore is one indicator's score for one subject in the period.
type IndicatorScore struct {
	ID     string // the indicator's
	Grade  Grade
	Max    float64
	Raw    float64 // the sum of the event and entry lines
	Points float64 // Raw held between 0 and Max
	Lines  []Line
}

// Total is points out of a maximum.
type Total struct {
	Points float64
	Max    float64
}

func (t Total) plus(points, most float64) Total {
	return Total{Points: round(t.Points + points), Max: round(t.Max + most)}
}

// Rate is hits out of a total; a total of zero has no value.
type Rate struct {
	Hits  int
	Total int
}

// Value is Hits/Total between 0 and 1, and false when there is nothing to
// measure.
func (r Rate) Value() (float64, bool) {
	if r.Total == 0 {
		return 0, false
	}
	return float64(r.Hits) / float64(r.Total), true
}

// Rates are the three hotline rates (三率), derived from the points events
// of units in the period, each event once:
//
//   - Response (响应率): tasks accepted in time out of the tasks that were
//     due to be accepted. Points events carry no task ID and task_overdue
//     does not say which deadline passed, so the events of one unit on one
//     case are taken together, in time order, and the first of
//     task_accepted_on_time and task_overdue decides: accepted on time is a
//     hit, overdue a miss. Later ones are ignored (an overdue after an
//     acceptance is the resolve-by deadline; a late acceptance emits
//     nothing). Limits: a task never accepted shows up only through its
//     task_overdue, which the engine emits when the deadline timer fires; a
//     unit given a second task on the same case in one period counts once;
//     a task accepted in an earlier period whose resolve-by passes in this
//     one counts as a miss here. Returns (task_returned) are a response
//     and count neither way.
//   - Resolution (按时办结率): task_resolved_on_time out of
//     task_resolved_on_time plus task_resolved_late. Every resolution
//     counts, so a task resolved again after a failed verification counts
//     twice. Limit: a task past its resolve-by but not yet resolved is not
//     in the rate until it is resolved.
//   - Satisfaction (满意率): satisfied out of satisfied plus unsatisfied,
//     the residents' follow-up answers. An answer concerns the lead unit,
//     or every unit that completed a task when the case had no lead, so in
//     a locality's rate such an answer counts once per unit.
//
// A unit's rates count the events that name it; a locality's, the events
// naming any unit on the cases in its subtree.
type Rates struct {
	Response     Rate
	Resolution   Rate
	Satisfaction Rate
}

// Subject is the scorecard of one unit or locality.
type Subject struct {
	Type  string // qilian.SubjectUnit or SubjectLocality
	ID    string
	Level qilian.Level // the locality's, or that of the unit's locality; "" if unknown
	Path  string       // the locality's path, or that of the unit's locality
	// Indicators are those of the set that apply to the subject, in file
	// order.
	Indicators    []IndicatorScore
	Total         Total
	Standard      Total
	Demonstration Total
	Rates         Rates
}

// Indicator returns the subject's score on the indicator with the ID.
func (s Subject) Indicator(id string) (IndicatorScore, bool) {
	i := slices.IndexFunc(s.Indicators, func(x IndicatorScore) bool { return x.ID == id })
	if i < 0 {
		return IndicatorScore{}, false
	}
	return s.Indicators[i], true
}

// Skip is a manual entry that counted nowhere, and why.
type Skip struct {
	Ref    string
	Reason string
}

// Scorecard is the assessment of a period: localities in path order, then
// units by ID.
type Scorecard struct {
	Period   Period
	Subjects []Subject
	Skipped  []Skip
}

// Subject returns the scorecard of one unit or locality.
func (c Scorecard) Subject(typ, id string) (Subject, bool) {
	i := slices.IndexFunc(c.Subjects, func(s Subject) bool { return s.Type == typ && s.ID == id })
	if i < 0 {
		return Subject{}, false
	}
	return c.Subjects[i], true
}

// Within keeps the subjects inside the subtree at path.
func (c Scorecard) Within(path string) Scorecard {
	out := Scorecard{Period: c.Period, Skipped: c.Skipped}
	for _, s := range c.Subjects {
		if qilian.Contains(path, s.Path) {
			out.Subjects = append(out.Subjects, s)
		}
	}
	return out
}

// subject is a Subject being scored.
type subject struct {
	*Subject
	inds        []Indicator // beside Subject.Indicators
	byIndicator map[string]int
	responded   map[string]bool // case and unit whose response is decided
}

func (s *subject) line(indicatorID string, l Line) {
	if i, ok := s.byIndicator[indicatorID]; ok {
		s.Indicators[i].Lines = append(s.Indicators[i].Lines, l)
	}
}

// rate counts a unit's event in the subject's rates.
func (s *subject) rate(e Event) {
	r := &s.Rates
	switch e.Kind {
	case qilian.PointsAcceptedOnTime, qilian.PointsOverdue:
		key := e.CaseID + "\x00" + e.SubjectID
		if s.responded[key] {
			return
		}
		s.responded[key] = true
		r.Response.Total++
		if e.Kind == qilian.PointsAcceptedOnTime {
			r.Response.Hits++
		}
	case qilian.PointsResolvedOnTime:
		r.Resolution.Hits++
		r.Resolution.Total++
	case qilian.PointsResolvedLate:
		r.Resolution.Total++
	case qilian.PointsSatisfied:
		r.Satisfaction.Hits++
		r.Satisfaction.Total++
	case qilian.PointsUnsatisfied:
		r.Satisfaction.Total++
	}
}

// Score assesses the period: for every locality and unit of the tree, the
// points of each indicator that applies to it, and its rates. Events and
// entries outside the period are left out, so the caller may pass more.
//
// An auto locality indicator counts the events of the cases in the
// locality's subtree that its rules match; an auto unit indicator, the
// events naming the unit. Each matching event gives a line of rule points
// times quantity; each manual entry for the subject, a line of its
// points. The sum is held between 0 and the indicator's maximum, and an
// explicit adjustment line records the difference, so the lines always add
// up to the points. Sums are rounded to a millionth, so the order in which
// events arrive never shows. Entries that count nowhere (no such
// indicator, not a manual one, a subject not in the tree or not of the
// indicator's level) are listed in Skipped. The set must not be nil.
func Score(set *Set, tree Tree, events []Event, entries []Entry, p Period) Scorecard {
	card := Scorecard{Period: p}
	locs := make(map[string]qilian.Locality, len(tree.Localities))
	for _, l := range tree.Localities {
		locs[l.ID] = l
	}
	var order []*subject // localities by path, then units by ID
	bySubject := map[string]*subject{}
	key := func(typ, id string) string { return typ + "\x00" + id }
	add := func(s Subject, applies func(Indicator) bool) {
		if bySubject[key(s.Type, s.ID)] != nil {
			return // listed twice
		}
		sub := &subject{Subject: &s, byIndicator: map[string]int{}, responded: map[string]bool{}}
		for _, ind := range set.list {
			if ind.Subject == s.Type && applies(ind) {
				sub.byIndicator[ind.ID] = len(s.Indicators)
				sub.inds = append(sub.inds, ind)
				s.Indicators = append(s.Indicators, IndicatorScore{ID: ind.ID, Grade: ind.Grade, Max: ind.Max})
			}
		}
		bySubject[key(s.Type, s.ID)] = sub
		order = append(order, sub)
	}
	for _, l := range sortedBy(tree.Localities, func(l qilian.Locality) string { return l.Path }) {
		add(Subject{Type: qilian.SubjectLocality, ID: l.ID, Level: l.Level, Path: l.Path},
			func(ind Indicator) bool { return ind.Level == l.Level })
	}
	for _, u := range sortedBy(tree.Units, func(u qilian.Unit) string { return u.ID }) {
		home := locs[u.LocalityID]
		above := map[qilian.Level]bool{}
		for _, l := range ancestors(locs, home.Path) {
			above[l.Level] = true
		}
		add(Subject{Type: qilian.SubjectUnit, ID: u.ID, Level: home.Level, Path: home.Path},
			func(ind Indicator) bool { return above[ind.Level] })
	}

	for _, e := range sortedFunc(filter(events, func(e Event) bool { return p.Contains(e.At) }), eventOrder) {
		line := Line{Source: SourceEvent, Ref: e.ID, At: e.At, Kind: e.Kind, CaseID: e.CaseID,
			SubjectType: e.SubjectType, SubjectID: e.SubjectID, Quantity: e.Quantity}
		if e.SubjectType == qilian.SubjectUnit {
			if u, ok := bySubject[key(qilian.SubjectUnit, e.SubjectID)]; ok {
				u.score(e, line)
				u.rate(e)
			}
		}
		for _, l := range ancestors(locs, e.LocalityPath) {
			loc := bySubject[key(qilian.SubjectLocality, l.ID)]
			loc.score(e, line)
			if e.SubjectType == qilian.SubjectUnit {
				loc.rate(e)
			}
		}
	}

	for _, e := range sortedFunc(filter(entries, func(e Entry) bool { return p.Contains(e.At) }), entryOrder) {
		ind, ok := set.Indicator(e.IndicatorID)
		sub := bySubject[key(e.SubjectType, e.SubjectID)]
		reason := ""
		switch {
		case !ok:
			reason = "no indicator " + e.IndicatorID + " in the set"
		case ind.Measure != MeasureManual:
			reason = "indicator " + ind.ID + " is scored from events"
		case ind.Subject != e.SubjectType:
			reason = "indicator " + ind.ID + " scores a " + ind.Subject
		case sub == nil:
			reason = e.SubjectType + " " + e.SubjectID + " is not in the tree"
		default:
			if _, applies := sub.byIndicator[ind.ID]; !applies {
				reason = "indicator " + ind.ID + " is for the " + string(ind.Level) + " level"
			}
		}
		if reason != "" {
			card.Skipped = append(card.Skipped, Skip{Ref: e.ID, Reason: reason})
			continue
		}
		sub.line(ind.ID, Line{Source: SourceEntry, Ref: e.ID, At: e.At, SubjectType: e.SubjectType, SubjectID: e.SubjectID, Points: e.Points})
	}

	for _, sub := range order {
		card.Subjects = append(card.Subjects, sub.finish())
	}
	return card
}

// score adds a line to each auto indicator of the subject whose rules
// match e (validation leaves at most one matching rule per indicator).
func (s *subject) score(e Event, l Line) {
	for i, ind := range s.inds {
		if ind.Measure != MeasureAuto {
			continue
		}
		for _, r := range ind.Rules {
			if r.matches(e) {
				l.Points = r.Points * e.Quantity
				s.Indicators[i].Lines = append(s.Indicators[i].Lines, l)
				break
			}
		}
	}
}

// finish caps each indicator, with its adjustment line, and adds up.
func (s *subject) finish() Subject {
	out := *s.Subject
	for i := range out.Indicators {
		is := &out.Indicators[i]
		raw := 0.0
		for _, l := range is.Lines {
			raw += l.Points
		}
		is.Raw = round(raw)
		is.Points = is.Raw
		switch {
		case is.Raw > is.Max:
			is.Points = is.Max
			is.Lines = append(is.Lines, Line{Source: SourceCapped, Points: round(is.Max - is.Raw)})
		case is.Raw < 0:
			is.Points = 0
			is.Lines = append(is.Lines, Line{Source: SourceFloored, Points: -is.Raw})
		}
		out.Total = out.Total.plus(is.Points, is.Max)
		if is.Grade == GradeDemonstration {
			out.Demonstration = out.Demonstration.plus(is.Points, is.Max)
		} else {
			out.Standard = out.Standard.plus(is.Points, is.Max)
		}
	}
	return out
}

// ancestors are the localities of the tree on path, from the root down,
// each checked to hold path in its subtree.
func ancestors(locs map[string]qilian.Locality, path string) []qilian.Locality {
	var out []qilian.Locality
	for _, id := range strings.Split(strings.Trim(path, qilian.PathSep), qilian.PathSep) {
		if l, ok := locs[id]; ok && qilian.Contains(l.Path, path) {
			out = append(out, l)
		}
	}
	return out
}

func round(x float64) float64 { return math.Round(x*1e6) / 1e6 }

func eventOrder(a, b Event) int {
	return cmp.Or(a.At.Compare(b.At), strings.Compare(a.ID, b.ID))
}

func entryOrder(a, b Entry) int {
	return cmp.Or(a.At.Compare(b.At), strings.Compare(a.ID, b.ID))
}

func filter[T any](xs []T, keep func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

// sortedBy returns a sorted copy.
func sortedBy[T any, K cmp.Ordered](xs []T, key func(T) K) []T {
	out := slices.Clone(xs)
	slices.SortStableFunc(out, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
	return out
}

// sortedFunc returns a copy sorted by the comparison.
func sortedFunc[T any](xs []T, order func(a, b T) int) []T {
	out := slices.Clone(xs)
	slices.SortStableFunc(out, order)
	return out
}
