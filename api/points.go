package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/points"
)

// The assessment (积分制): the indicator set, scorecards and the three
// rates per period, their trend, manual entries with their evidence, and
// the case counts a supervisor drills down through. Every figure is
// computed from the read model when asked, so it always traces back to
// the points events and entries behind it.

// maxTrend is the most periods a trend reaches back.
const maxTrend = 24

type indicatorView struct {
	ID      string         `json:"id" required:"true"`
	Level   qilian.Level   `json:"level" required:"true"`
	Subject string         `json:"subject" required:"true" doc:"unit or locality: who is scored"`
	NameZH  string         `json:"name_zh" required:"true"`
	NameEN  string         `json:"name_en" required:"true"`
	Max     float64        `json:"max" required:"true" doc:"the most points in a period"`
	Grade   points.Grade   `json:"grade" required:"true" doc:"standard or demonstration"`
	Measure points.Measure `json:"measure" required:"true" doc:"auto (from points events) or manual (an assessor's entries)"`
}

type indicatorList struct {
	Items []indicatorView `json:"items" required:"true"`
}

type totalView struct {
	Points float64 `json:"points" required:"true"`
	Max    float64 `json:"max" required:"true"`
}

type rateView struct {
	Hits  int      `json:"hits" required:"true"`
	Total int      `json:"total" required:"true"`
	Value *float64 `json:"value" required:"true" doc:"hits/total from 0 to 1; null when total is 0"`
}

type ratesView struct {
	Response     rateView `json:"response" required:"true" doc:"响应率: tasks accepted in time"`
	Resolution   rateView `json:"resolution" required:"true" doc:"按时办结率: tasks resolved in time"`
	Satisfaction rateView `json:"satisfaction" required:"true" doc:"满意率: satisfied follow-up answers"`
}

type lineView struct {
	Source      points.Source     `json:"source" required:"true" doc:"event, entry, or capped/floored for the adjustment to the indicator's bounds"`
	Ref         string            `json:"ref,omitempty" doc:"the points event's or the manual entry's ID"`
	At          time.Time         `json:"at" required:"true"`
	Kind        qilian.PointsKind `json:"kind,omitempty"`
	CaseID      string            `json:"case_id,omitempty"`
	SubjectType string            `json:"subject_type,omitempty"`
	SubjectID   string            `json:"subject_id,omitempty"`
	Quantity    float64           `json:"quantity,omitempty"`
	Points      float64           `json:"points" required:"true"`
}

type indicatorScoreView struct {
	ID     string       `json:"id" required:"true"`
	NameZH string       `json:"name_zh" required:"true"`
	NameEN string       `json:"name_en" required:"true"`
	Grade  points.Grade `json:"grade" required:"true"`
	Max    float64      `json:"max" required:"true"`
	Raw    float64      `json:"raw" required:"true" doc:"the sum of the lines before the bounds"`
	Points float64      `json:"points" required:"true" doc:"raw held between 0 and max"`
	Lines  []lineView   `json:"lines" required:"true"`
}

type subjectView struct {
	Type          string               `json:"type" required:"true" doc:"unit or locality"`
	ID            string               `json:"id" required:"true"`
	Name          string               `json:"name" required:"true"`
	Level         qilian.Level         `json:"level,omitempty" doc:"the locality's, or that of the unit's locality"`
	Path          string               `json:"path" required:"true"`
	Total         totalView            `json:"total" required:"true"`
	Standard      totalView            `json:"standard" required:"true"`
	Demonstration totalView            `json:"demonstration" required:"true"`
	Rates         ratesView            `json:"rates" required:"true"`
	Indicators    []indicatorScoreView `json:"indicators" required:"true"`
}

type scoresView struct {
	Period   points.Period `json:"period" required:"true"`
	Subjects []subjectView `json:"subjects" required:"true"`
}

type trendItem struct {
	Period points.Period `json:"period" required:"true"`
	Total  totalView     `json:"total" required:"true"`
	Rates  ratesView     `json:"rates" required:"true"`
}

type trendView struct {
	Type  string      `json:"type" required:"true"`
	ID    string      `json:"id" required:"true"`
	Items []trendItem `json:"items" required:"true" doc:"oldest period first"`
}

type countsOf struct {
	Locality localityView             `json:"locality" required:"true"`
	Cases    int                      `json:"cases" required:"true"`
	Overdue  int                      `json:"overdue" required:"true"`
	ByState  map[qilian.CaseState]int `json:"by_state" required:"true"`
	ByKind   map[qilian.Kind]int      `json:"by_kind" required:"true"`
}

type countsView struct {
	countsOf
	Children []countsOf `json:"children" required:"true" doc:"the locality's children, in path order"`
}

type entryIn struct {
	ID          string    `json:"id" required:"true" doc:"chosen by the assessor: posting the same entry again is harmless, another entry under the ID a 409"`
	IndicatorID string    `json:"indicator_id" required:"true"`
	SubjectType string    `json:"subject_type" required:"true" enum:"unit,locality"`
	SubjectID   string    `json:"subject_id" required:"true"`
	Points      float64   `json:"points" required:"true" doc:"negative for a deduction"`
	Evidence    []string  `json:"evidence" required:"true" doc:"URLs or short texts that justify the points"`
	Note        string    `json:"note"`
	At          time.Time `json:"at" required:"true" doc:"when the points count: it decides the period"`
}

type entryView struct {
	ID          string    `json:"id" required:"true"`
	IndicatorID string    `json:"indicator_id" required:"true"`
	SubjectType string    `json:"subject_type" required:"true"`
	SubjectID   string    `json:"subject_id" required:"true"`
	Points      float64   `json:"points" required:"true"`
	Evidence    []string  `json:"evidence" required:"true"`
	Assessor    string    `json:"assessor" required:"true"`
	At          time.Time `json:"at" required:"true"`
	Note        string    `json:"note,omitempty"`
}

type entryList struct {
	Items []entryView `json:"items" required:"true"`
}

func viewEntry(e points.Entry) entryView {
	ev := e.Evidence
	if ev == nil {
		ev = []string{}
	}
	return entryView{ID: e.ID, IndicatorID: e.IndicatorID, SubjectType: e.SubjectType, SubjectID: e.SubjectID,
		Points: e.Points, Evidence: ev, Assessor: e.Assessor, At: e.At, Note: e.Note}
}

func viewRate(r points.Rate) rateView {
	v := rateView{Hits: r.Hits, Total: r.Total}
	if x, ok := r.Value(); ok {
		v.Value = &x
	}
	return v
}

func viewRates(r points.Rates) ratesView {
	return ratesView{Response: viewRate(r.Response), Resolution: viewRate(r.Resolution), Satisfaction: viewRate(r.Satisfaction)}
}

func viewTotal(t points.Total) totalView { return totalView{Points: t.Points, Max: t.Max} }

// names are the display names of the localities and units a scorecard
// mentions.
type names struct {
	localities map[string]qilian.Locality
	units      map[string]qilian.Unit
}

func (h *handler) names(ctx context.Context) (names, error) {
	locs, err := h.Places.Localities(ctx, "")
	if err != nil {
		return names{}, err
	}
	units, err := h.Places.Units(ctx, "")
	if err != nil {
		return names{}, err
	}
	n := names{localities: map[string]qilian.Locality{}, units: map[string]qilian.Unit{}}
	for _, l := range locs {
		n.localities[l.ID] = l
	}
	for _, u := range units {
		n.units[u.ID] = u
	}
	return n, nil
}

func (n names) of(typ, id string) string {
	if typ == qilian.SubjectUnit {
		return n.units[id].Name
	}
	return n.localities[id].Name
}

func (h *handler) viewSubject(s points.Subject, n names) subjectView {
	v := subjectView{Type: s.Type, ID: s.ID, Name: n.of(s.Type, s.ID), Level: s.Level, Path: s.Path,
		Total: viewTotal(s.Total), Standard: viewTotal(s.Standard), Demonstration: viewTotal(s.Demonstration),
		Rates: viewRates(s.Rates), Indicators: []indicatorScoreView{}}
	for _, is := range s.Indicators {
		ind, _ := h.Indicators.Indicator(is.ID)
		iv := indicatorScoreView{ID: is.ID, NameZH: ind.Name, NameEN: ind.NameEN, Grade: is.Grade, Max: is.Max,
			Raw: is.Raw, Points: is.Points, Lines: []lineView{}}
		for _, l := range is.Lines {
			iv.Lines = append(iv.Lines, lineView{Source: l.Source, Ref: l.Ref, At: l.At, Kind: l.Kind, CaseID: l.CaseID,
				SubjectType: l.SubjectType, SubjectID: l.SubjectID, Quantity: l.Quantity, Points: l.Points})
		}
		v.Indicators = append(v.Indicators, iv)
	}
	return v
}

// visibleSubject reports whether the caller may see a subject's score: a
// unit's staff their own unit, everyone else what lies in their subtree.
func visibleSubject(a qilian.Actor, s points.Subject) bool {
	if a.Role == qilian.RoleUnitStaff {
		return s.Type == qilian.SubjectUnit && s.ID == a.UnitID
	}
	return qilian.Contains(a.LocalityPath, s.Path)
}

// subjectQuery reads the optional type and id filters of the score routes.
func subjectQuery(q *queryParams) (typ, id string) {
	typ = q.str("type", 16)
	if typ != "" && typ != qilian.SubjectUnit && typ != qilian.SubjectLocality {
		q.fields["type"] = "unit or locality"
	}
	return typ, q.str("id", 64)
}

func periodQuery(q *queryParams, now time.Time) points.Period {
	v := q.str("period", 16)
	if v == "" {
		return points.PeriodAt(points.Month, now)
	}
	p, err := points.ParsePeriod(v)
	if err != nil {
		q.fields["period"] = "YYYY, YYYY-MM or YYYY-Qn"
	}
	return p
}

// scorecards scores the periods and keeps, in each, what the caller may
// see of the type and ID asked for. Asking for one subject the caller may
// not see is a 404, as if it did not exist.
func (h *handler) scorecards(ctx context.Context, a qilian.Actor, periods []points.Period, typ, id string) ([][]points.Subject, error) {
	cards, err := h.Scores.Scorecards(ctx, h.Indicators, periods)
	if err != nil {
		return nil, err
	}
	out := make([][]points.Subject, len(cards))
	for i, card := range cards {
		for _, s := range card.Subjects {
			if visibleSubject(a, s) && (typ == "" || s.Type == typ) && (id == "" || s.ID == id) {
				out[i] = append(out[i], s)
			}
		}
		if id != "" && len(out[i]) == 0 {
			return nil, qilian.Errorf(qilian.ENOTFOUND, "no such subject")
		}
	}
	return out, nil
}

func (h *handler) listIndicators(c *gin.Context) {
	out := indicatorList{Items: []indicatorView{}}
	for _, ind := range h.Indicators.All() {
		out.Items = append(out.Items, indicatorView{ID: ind.ID, Level: ind.Level, Subject: ind.Subject,
			NameZH: ind.Name, NameEN: ind.NameEN, Max: ind.Max, Grade: ind.Grade, Measure: ind.Measure})
	}
	respond(c, http.StatusOK, out)
}

func (h *handler) scores(c *gin.Context) {
	if out, ok := h.scoresAsked(c); ok {
		respond(c, http.StatusOK, out)
	}
}

// scoresAsked answers the query of the scores and its CSV export: the
// scorecards of the period the caller may see, of the type and ID asked
// for. It has answered the error when it returns false.
func (h *handler) scoresAsked(c *gin.Context) (scoresView, bool) {
	q := newQuery(c, "period", "type", "id")
	p := periodQuery(q, h.Now())
	typ, id := subjectQuery(q)
	if err := q.err(); err != nil {
		h.fail(c, err)
		return scoresView{}, false
	}
	ctx := c.Request.Context()
	cards, err := h.scorecards(ctx, actorOf(c), []points.Period{p}, typ, id)
	if err != nil {
		h.fail(c, err)
		return scoresView{}, false
	}
	subjects := cards[0]
	n, err := h.names(ctx)
	if err != nil {
		h.fail(c, err)
		return scoresView{}, false
	}
	out := scoresView{Period: p, Subjects: []subjectView{}}
	for _, s := range subjects {
		out.Subjects = append(out.Subjects, h.viewSubject(s, n))
	}
	return out, true
}

func (h *handler) scoresTrend(c *gin.Context) {
	a := actorOf(c)
	q := newQuery(c, "period", "type", "id", "count")
	p := periodQuery(q, h.Now())
	typ, id := subjectQuery(q)
	if typ == "" {
		q.fields["type"] = "required: unit or locality"
	}
	if id == "" {
		q.fields["id"] = "required"
	}
	count := 6
	if v := c.Query("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxTrend {
			q.fields["count"] = "a whole number from 1 to 24"
		}
		count = n
	}
	if err := q.err(); err != nil {
		h.fail(c, err)
		return
	}
	periods := []points.Period{p}
	for len(periods) < count {
		periods = append(periods, periods[len(periods)-1].Prev())
	}
	slices.Reverse(periods)
	cards, err := h.scorecards(c.Request.Context(), a, periods, typ, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := trendView{Type: typ, ID: id, Items: []trendItem{}}
	for i, pp := range periods {
		s := cards[i][0]
		out.Items = append(out.Items, trendItem{Period: pp, Total: viewTotal(s.Total), Rates: viewRates(s.Rates)})
	}
	respond(c, http.StatusOK, out)
}

func (h *handler) counts(c *gin.Context) {
	a := actorOf(c)
	q := newQuery(c, "locality")
	id := q.str("locality", 64)
	if err := q.err(); err != nil {
		h.fail(c, err)
		return
	}
	if id == "" {
		id = a.LocalityID
	}
	ctx := c.Request.Context()
	loc, err := h.Places.Locality(ctx, id)
	if err == nil && !qilian.Contains(a.LocalityPath, loc.Path) {
		err = qilian.Errorf(qilian.ENOTFOUND, "no such locality")
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	top, err := h.countsOf(ctx, loc)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := countsView{countsOf: top, Children: []countsOf{}}
	subtree, err := h.Places.Localities(ctx, loc.Path)
	if err != nil {
		h.fail(c, err)
		return
	}
	for _, child := range subtree {
		if child.ParentID != loc.ID {
			continue
		}
		cc, err := h.countsOf(ctx, child)
		if err != nil {
			h.fail(c, err)
			return
		}
		out.Children = append(out.Children, cc)
	}
	respond(c, http.StatusOK, out)
}

func (h *handler) countsOf(ctx context.Context, l qilian.Locality) (countsOf, error) {
	byState, byKind, err := h.Cases.CaseCounts(ctx, l.Path)
	if err != nil {
		return countsOf{}, err
	}
	overdue, err := h.Cases.OverdueCases(ctx, l.Path)
	if err != nil {
		return countsOf{}, err
	}
	n := 0
	for _, k := range byState {
		n += k
	}
	return countsOf{Locality: viewLocality(l), Cases: n, Overdue: overdue, ByState: byState, ByKind: byKind}, nil
}

func (h *handler) addEntry(c *gin.Context) {
	a := actorOf(c)
	var in entryIn
	if !h.bind(c, &in, false) {
		return
	}
	e := points.Entry{ID: in.ID, IndicatorID: in.IndicatorID, SubjectType: in.SubjectType, SubjectID: in.SubjectID,
		Points: in.Points, Evidence: in.Evidence, Assessor: a.UserID, At: in.At.UTC(), Note: in.Note}
	// at is required rather than defaulted to now: a retry must be the
	// same entry, and the time decides the period the points count in.
	if err := h.Indicators.CheckEntry(e); err != nil {
		h.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if err := h.subjectInScope(ctx, a, e.SubjectType, e.SubjectID); err != nil {
		h.fail(c, err)
		return
	}
	if err := h.Scores.AddManualEntry(ctx, e); err != nil {
		h.fail(c, err)
		return
	}
	respond(c, http.StatusCreated, viewEntry(e))
}

// subjectInScope answers 404 for a unit or locality outside the caller's
// subtree, as if it did not exist.
func (h *handler) subjectInScope(ctx context.Context, a qilian.Actor, typ, id string) error {
	localityID := id
	if typ == qilian.SubjectUnit {
		u, err := h.Places.Unit(ctx, id)
		if err != nil {
			return err
		}
		localityID = u.LocalityID
	}
	l, err := h.Places.Locality(ctx, localityID)
	if err != nil {
		return err
	}
	if !qilian.Contains(a.LocalityPath, l.Path) {
		return qilian.Errorf(qilian.ENOTFOUND, "no such %s", typ)
	}
	return nil
}

func (h *handler) listEntries(c *gin.Context) {
	a := actorOf(c)
	q := newQuery(c, "period")
	p := periodQuery(q, h.Now())
	if err := q.err(); err != nil {
		h.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	from, to := p.Range()
	entries, err := h.Scores.ManualEntries(ctx, from, to)
	if err != nil {
		h.fail(c, err)
		return
	}
	n, err := h.names(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := entryList{Items: []entryView{}}
	for _, e := range entries {
		path := n.localities[e.SubjectID].Path
		if e.SubjectType == qilian.SubjectUnit {
			path = n.localities[n.units[e.SubjectID].LocalityID].Path
		}
		if path != "" && qilian.Contains(a.LocalityPath, path) {
			out.Items = append(out.Items, viewEntry(e))
		}
	}
	respond(c, http.StatusOK, out)
}
