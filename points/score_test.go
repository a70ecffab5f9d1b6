package points_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/points"
)

// The tree: a county with two streets; under s1 a community (with a grid
// that is not scored) and a building. Unit u1 sits in the community, u2 in
// the building, u3 in street s2.
var tree = points.Tree{
	Localities: []qilian.Locality{
		{ID: "s2", ParentID: "cty", Level: qilian.LevelStreet, Path: "/cty/s2/"},
		{ID: "cty", Level: qilian.LevelCounty, Path: "/cty/"},
		{ID: "s1", ParentID: "cty", Level: qilian.LevelStreet, Path: "/cty/s1/"},
		{ID: "c1", ParentID: "s1", Level: qilian.LevelCommunity, Path: "/cty/s1/c1/"},
		{ID: "b1", ParentID: "s1", Level: qilian.LevelBuilding, Path: "/cty/s1/b1/"},
	},
	Units: []qilian.Unit{
		{ID: "u3", LocalityID: "s2"},
		{ID: "u1", LocalityID: "c1"},
		{ID: "u2", LocalityID: "b1"},
	},
}

const (
	gridPath     = "/cty/s1/c1/g1/"
	buildingPath = "/cty/s1/b1/"
	s2Path       = "/cty/s2/"
)

func testSet(t *testing.T) *points.Set {
	t.Helper()
	set, err := points.New([]points.Indicator{
		{ID: "st_resolve", Level: qilian.LevelStreet, Name: "按时办结", NameEN: "Resolved on time", Max: 5,
			Grade: points.GradeStandard, Subject: qilian.SubjectLocality, Measure: points.MeasureAuto,
			Rules: []points.Rule{{Kind: qilian.PointsResolvedOnTime, Points: 2}, {Kind: qilian.PointsOverdue, Points: -1}}},
		{ID: "st_brand", Level: qilian.LevelStreet, Name: "一街一品", NameEN: "Brand", Max: 10,
			Grade: points.GradeDemonstration, Subject: qilian.SubjectLocality, Measure: points.MeasureManual},
		{ID: "cm_hours", Level: qilian.LevelCommunity, Name: "党员服务", NameEN: "Member hours", Max: 20,
			Grade: points.GradeStandard, Subject: qilian.SubjectLocality, Measure: points.MeasureAuto,
			Rules: []points.Rule{{Kind: qilian.PointsHoursConfirmed, Points: 0.5, Of: qilian.SubjectMember}}},
		{ID: "cty_units", Level: qilian.LevelCounty, Name: "驻区单位响应", NameEN: "Units respond", Max: 3,
			Grade: points.GradeStandard, Subject: qilian.SubjectUnit, Measure: points.MeasureAuto,
			Rules: []points.Rule{{Kind: qilian.PointsAcceptedOnTime, Points: 1}, {Kind: qilian.PointsReturned, Points: -1}}},
		{ID: "bld_units", Level: qilian.LevelBuilding, Name: "楼宇企业", NameEN: "Companies", Max: 10,
			Grade: points.GradeStandard, Subject: qilian.SubjectUnit, Measure: points.MeasureAuto,
			Rules: []points.Rule{{Kind: qilian.PointsResolvedOnTime, Points: 1, CaseKinds: []qilian.Kind{qilian.KindServiceLinkage}}}},
		{ID: "unit_manual", Level: qilian.LevelCounty, Name: "单位评议", NameEN: "Unit review", Max: 5,
			Grade: points.GradeStandard, Subject: qilian.SubjectUnit, Measure: points.MeasureManual},
	})
	require.NoError(t, err)
	return set
}

var (
	may   = points.MonthOf(2026, time.May)
	mayAt = func(day, hour int) time.Time { return time.Date(2026, 5, day, hour, 0, 0, 0, points.Zone()) }
)

// ev is a unit's points event on a service case in the path.
func ev(id string, kind qilian.PointsKind, unit, path string, at time.Time) points.Event {
	return points.Event{ID: id, Kind: kind, SubjectType: qilian.SubjectUnit, SubjectID: unit, Quantity: 1, At: at,
		CaseID: "case-" + id, CaseKind: qilian.KindServiceLinkage, LocalityPath: path}
}

func onCase(e points.Event, caseID string) points.Event { e.CaseID = caseID; return e }

func entry(id, indicator, typ, subject string, pts float64, at time.Time) points.Entry {
	return points.Entry{ID: id, IndicatorID: indicator, SubjectType: typ, SubjectID: subject, Points: pts,
		Evidence: []string{"https://example.org/" + id + ".jpg"}, Assessor: "assessor1", At: at}
}

func subject(t *testing.T, c points.Scorecard, typ, id string) points.Subject {
	t.Helper()
	s, ok := c.Subject(typ, id)
	require.True(t, ok, "%s %s", typ, id)
	return s
}

func indicator(t *testing.T, s points.Subject, id string) points.IndicatorScore {
	t.Helper()
	is, ok := s.Indicator(id)
	require.True(t, ok, "%s %s has indicator %s", s.Type, s.ID, id)
	return is
}

func refs(is points.IndicatorScore) []string {
	var out []string
	for _, l := range is.Lines {
		out = append(out, string(l.Source)+":"+l.Ref)
	}
	return out
}

// requireTraceable checks that every indicator's lines add up to its
// points, every line but an adjustment names its source, and the points
// stay within the maximum.
func requireTraceable(t *testing.T, c points.Scorecard) {
	t.Helper()
	for _, s := range c.Subjects {
		total := 0.0
		for _, is := range s.Indicators {
			sum := 0.0
			for _, l := range is.Lines {
				sum += l.Points
				if l.Source == points.SourceEvent || l.Source == points.SourceEntry {
					require.NotEmpty(t, l.Ref)
				}
			}
			require.InDelta(t, is.Points, sum, 1e-9, "%s %s %s: lines add up to the points", s.Type, s.ID, is.ID)
			require.GreaterOrEqual(t, is.Points, 0.0)
			require.LessOrEqual(t, is.Points, is.Max)
			total += is.Points
		}
		require.InDelta(t, s.Total.Points, total, 1e-9)
		require.InDelta(t, s.Total.Points, s.Standard.Points+s.Demonstration.Points, 1e-9)
	}
}

func TestScoreCapsWithAnAdjustmentLine(t *testing.T) {
	set := testSet(t)
	var events []points.Event
	for i := range 4 {
		events = append(events, ev(fmt.Sprintf("r%d", i), qilian.PointsResolvedOnTime, "u1", gridPath, mayAt(4+i, 10)))
	}
	events = append(events, ev("late", qilian.PointsOverdue, "u1", gridPath, mayAt(9, 10)))
	c := points.Score(set, tree, events, nil, may)
	requireTraceable(t, c)

	is := indicator(t, subject(t, c, qilian.SubjectLocality, "s1"), "st_resolve")
	require.Equal(t, 7.0, is.Raw, "4 × 2 − 1")
	require.Equal(t, 5.0, is.Points, "capped at the maximum")
	require.Equal(t, []string{"event:r0", "event:r1", "event:r2", "event:r3", "event:late", "capped:"}, refs(is))
	require.Equal(t, -2.0, is.Lines[5].Points, "the adjustment line says how much the cap took")
	require.Equal(t, points.Line{Source: points.SourceEvent, Ref: "r0", At: mayAt(4, 10), Kind: qilian.PointsResolvedOnTime,
		CaseID: "case-r0", SubjectType: qilian.SubjectUnit, SubjectID: "u1", Quantity: 1, Points: 2}, is.Lines[0])

	// Below zero the score is floored, again with a line.
	c = points.Score(set, tree, []points.Event{
		ev("o1", qilian.PointsOverdue, "u3", s2Path, mayAt(5, 9)),
		ev("o2", qilian.PointsOverdue, "u3", s2Path, mayAt(6, 9)),
	}, nil, may)
	requireTraceable(t, c)
	is = indicator(t, subject(t, c, qilian.SubjectLocality, "s2"), "st_resolve")
	require.Equal(t, -2.0, is.Raw)
	require.Equal(t, 0.0, is.Points)
	require.Equal(t, []string{"event:o1", "event:o2", "floored:"}, refs(is))
	require.Equal(t, 2.0, is.Lines[2].Points)
}

func TestScoreRollsUpTheSubtree(t *testing.T) {
	set := testSet(t)
	events := []points.Event{
		ev("grid", qilian.PointsResolvedOnTime, "u1", gridPath, mayAt(4, 10)),          // c1's grid: counts for s1
		ev("bld", qilian.PointsResolvedOnTime, "u2", buildingPath, mayAt(4, 11)),       // the building: counts for s1
		ev("other", qilian.PointsResolvedOnTime, "u3", s2Path, mayAt(4, 12)),           // the other street
		ev("outside", qilian.PointsResolvedOnTime, "u1", "/elsewhere/", mayAt(4, 13)),  // not in the tree
		ev("stray", qilian.PointsResolvedOnTime, "u1", "/elsewhere/s1/", mayAt(4, 14)), // an s1 that is not ours
		ev("april", qilian.PointsResolvedOnTime, "u1", gridPath, mayAt(1, 0).Add(-1)),  // before the period
	}
	c := points.Score(set, tree, events, nil, may)
	requireTraceable(t, c)

	require.Equal(t, []string{"event:grid", "event:bld"}, refs(indicator(t, subject(t, c, qilian.SubjectLocality, "s1"), "st_resolve")))
	require.Equal(t, []string{"event:other"}, refs(indicator(t, subject(t, c, qilian.SubjectLocality, "s2"), "st_resolve")))

	// Indicators apply by level: the county has none of its own here, the
	// community only the community one, the building none.
	require.Empty(t, subject(t, c, qilian.SubjectLocality, "cty").Indicators)
	require.Equal(t, []string{"cm_hours"}, ids(subject(t, c, qilian.SubjectLocality, "c1")))
	require.Empty(t, subject(t, c, qilian.SubjectLocality, "b1").Indicators)
	// A unit's indicators are those of every level above where it sits.
	require.Equal(t, []string{"cty_units", "bld_units", "unit_manual"}, ids(subject(t, c, qilian.SubjectUnit, "u2")))
	require.Equal(t, []string{"cty_units", "unit_manual"}, ids(subject(t, c, qilian.SubjectUnit, "u1")))
	require.Equal(t, []string{"event:bld"}, refs(indicator(t, subject(t, c, qilian.SubjectUnit, "u2"), "bld_units")))

	// Order: localities by path, then units by ID.
	var order []string
	for _, s := range c.Subjects {
		order = append(order, s.ID)
	}
	require.Equal(t, []string{"cty", "s1", "b1", "c1", "s2", "u1", "u2", "u3"}, order)

	within := c.Within("/cty/s1/")
	order = order[:0]
	for _, s := range within.Subjects {
		order = append(order, s.ID)
	}
	require.Equal(t, []string{"s1", "b1", "c1", "u1", "u2"}, order)
}

func ids(s points.Subject) []string {
	var out []string
	for _, is := range s.Indicators {
		out = append(out, is.ID)
	}
	return out
}

func TestScoreRulesFilterBySubjectAndCaseKind(t *testing.T) {
	set := testSet(t)
	hoursMember := points.Event{ID: "h:0", Kind: qilian.PointsHoursConfirmed, SubjectType: qilian.SubjectMember, SubjectID: "m-case",
		Quantity: 3.5, At: mayAt(6, 15), CaseID: "m-case", CaseKind: qilian.KindMemberManagement, LocalityPath: gridPath}
	hoursUnit := hoursMember
	hoursUnit.ID, hoursUnit.SubjectType, hoursUnit.SubjectID = "h:1", qilian.SubjectUnit, "u1"
	problem := ev("ps", qilian.PointsResolvedOnTime, "u2", buildingPath, mayAt(7, 9))
	problem.CaseKind = qilian.KindProblemSolving
	c := points.Score(set, tree, []points.Event{hoursMember, hoursUnit, problem}, nil, may)
	requireTraceable(t, c)

	hours := indicator(t, subject(t, c, qilian.SubjectLocality, "c1"), "cm_hours")
	require.Equal(t, []string{"event:h:0"}, refs(hours), "the member's hours once, not again through the unit")
	require.Equal(t, 1.75, hours.Points, "0.5 a hour × 3.5 hours")
	require.Empty(t, indicator(t, subject(t, c, qilian.SubjectUnit, "u2"), "bld_units").Lines, "only service cases count")
	require.Equal(t, []string{"event:ps"}, refs(indicator(t, subject(t, c, qilian.SubjectLocality, "s1"), "st_resolve")))
}

func TestScoreManualEntries(t *testing.T) {
	set := testSet(t)
	entries := []points.Entry{
		entry("e2", "st_brand", qilian.SubjectLocality, "s1", 4, mayAt(20, 9)),
		entry("e1", "st_brand", qilian.SubjectLocality, "s1", 8, mayAt(10, 9)),
		entry("e3", "unit_manual", qilian.SubjectUnit, "u1", -2, mayAt(10, 9)),
		entry("e4", "unit_manual", qilian.SubjectUnit, "u1", 3, mayAt(11, 9)),
		entry("gone", "retired", qilian.SubjectLocality, "s1", 1, mayAt(10, 9)),
		entry("auto", "st_resolve", qilian.SubjectLocality, "s1", 1, mayAt(10, 9)),
		entry("level", "st_brand", qilian.SubjectLocality, "c1", 1, mayAt(10, 9)),
		entry("stranger", "st_brand", qilian.SubjectLocality, "s9", 1, mayAt(10, 9)),
		entry("kind", "st_brand", qilian.SubjectUnit, "u1", 1, mayAt(10, 9)),
		entry("june", "st_brand", qilian.SubjectLocality, "s1", 1, time.Date(2026, 6, 1, 0, 0, 0, 0, points.Zone())),
	}
	c := points.Score(set, tree, nil, entries, may)
	requireTraceable(t, c)

	s1 := subject(t, c, qilian.SubjectLocality, "s1")
	brand := indicator(t, s1, "st_brand")
	require.Equal(t, []string{"entry:e1", "entry:e2", "capped:"}, refs(brand), "in time order")
	require.Equal(t, 12.0, brand.Raw)
	require.Equal(t, 10.0, brand.Points)
	require.Equal(t, points.Total{Points: 10, Max: 15}, s1.Total)
	require.Equal(t, points.Total{Points: 0, Max: 5}, s1.Standard)
	require.Equal(t, points.Total{Points: 10, Max: 10}, s1.Demonstration)

	u1 := indicator(t, subject(t, c, qilian.SubjectUnit, "u1"), "unit_manual")
	require.Equal(t, 1.0, u1.Points, "a deduction and an award")

	require.Equal(t, []points.Skip{
		{Ref: "auto", Reason: "indicator st_resolve is scored from events"},
		{Ref: "gone", Reason: "no indicator retired in the set"},
		{Ref: "kind", Reason: "indicator st_brand scores a locality"},
		{Ref: "level", Reason: "indicator st_brand is for the street level"},
		{Ref: "stranger", Reason: "locality s9 is not in the tree"},
	}, c.Skipped, "entries that count nowhere are listed, not lost; June's is not in May at all")
}

func TestScoreDoesNotDependOnOrder(t *testing.T) {
	set := testSet(t)
	var events []points.Event
	kinds := []qilian.PointsKind{qilian.PointsResolvedOnTime, qilian.PointsOverdue, qilian.PointsAcceptedOnTime,
		qilian.PointsReturned, qilian.PointsSatisfied, qilian.PointsUnsatisfied, qilian.PointsResolvedLate}
	paths := []string{gridPath, buildingPath, s2Path}
	units := []string{"u1", "u2", "u3"}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		e := ev(fmt.Sprintf("e%03d", i), kinds[r.IntN(len(kinds))], units[r.IntN(3)], paths[r.IntN(3)], mayAt(1+r.IntN(28), r.IntN(24)))
		events = append(events, onCase(e, fmt.Sprintf("c%d", r.IntN(20))))
	}
	want := points.Score(set, tree, events, nil, may)
	requireTraceable(t, want)
	r.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
	require.Equal(t, want, points.Score(set, tree, events, nil, may))

	twice := points.Tree{Localities: append(tree.Localities, tree.Localities...), Units: append(tree.Units, tree.Units...)}
	require.Equal(t, want, points.Score(set, twice, events, nil, may), "a subject listed twice is scored once")
}

func TestRates(t *testing.T) {
	set := testSet(t)
	events := []points.Event{
		// Case A: u1 accepts in time, then misses the resolve-by deadline and
		// resolves late: responded in time.
		onCase(ev("a1", qilian.PointsAcceptedOnTime, "u1", gridPath, mayAt(4, 9)), "A"),
		onCase(ev("a2", qilian.PointsOverdue, "u1", gridPath, mayAt(8, 9)), "A"),
		onCase(ev("a3", qilian.PointsResolvedLate, "u1", gridPath, mayAt(9, 9)), "A"),
		onCase(ev("a4", qilian.PointsSatisfied, "u1", gridPath, mayAt(10, 9)), "A"),
		// Case B: u1 misses the accept-by deadline (a late acceptance emits
		// nothing), then resolves in time: a miss.
		onCase(ev("b1", qilian.PointsOverdue, "u1", gridPath, mayAt(5, 9)), "B"),
		onCase(ev("b2", qilian.PointsResolvedOnTime, "u1", gridPath, mayAt(6, 9)), "B"),
		onCase(ev("b3", qilian.PointsUnsatisfied, "u1", gridPath, mayAt(7, 9)), "B"),
		// Case C: u2 in the building accepts and resolves in time; u1 returns
		// its task on the same case, which is no response either way.
		onCase(ev("c1", qilian.PointsAcceptedOnTime, "u2", buildingPath, mayAt(4, 9)), "C"),
		onCase(ev("c2", qilian.PointsResolvedOnTime, "u2", buildingPath, mayAt(5, 9)), "C"),
		onCase(ev("c3", qilian.PointsSatisfied, "u2", buildingPath, mayAt(6, 9)), "C"),
		onCase(ev("c4", qilian.PointsReturned, "u1", buildingPath, mayAt(4, 10)), "C"),
	}
	c := points.Score(set, tree, events, nil, may)

	require.Equal(t, points.Rates{
		Response:     points.Rate{Hits: 1, Total: 2},
		Resolution:   points.Rate{Hits: 1, Total: 2},
		Satisfaction: points.Rate{Hits: 1, Total: 2},
	}, subject(t, c, qilian.SubjectUnit, "u1").Rates)
	require.Equal(t, points.Rates{
		Response:     points.Rate{Hits: 1, Total: 1},
		Resolution:   points.Rate{Hits: 1, Total: 1},
		Satisfaction: points.Rate{Hits: 1, Total: 1},
	}, subject(t, c, qilian.SubjectUnit, "u2").Rates)

	// The street and the county see every unit's events in their subtree;
	// the community only its own cases.
	both := points.Rates{
		Response:     points.Rate{Hits: 2, Total: 3},
		Resolution:   points.Rate{Hits: 2, Total: 3},
		Satisfaction: points.Rate{Hits: 2, Total: 3},
	}
	require.Equal(t, both, subject(t, c, qilian.SubjectLocality, "s1").Rates)
	require.Equal(t, both, subject(t, c, qilian.SubjectLocality, "cty").Rates)
	require.Equal(t, subject(t, c, qilian.SubjectUnit, "u1").Rates, subject(t, c, qilian.SubjectLocality, "c1").Rates)

	v, ok := both.Response.Value()
	require.True(t, ok)
	require.InDelta(t, 2.0/3, v, 1e-12)
	_, ok = subject(t, c, qilian.SubjectLocality, "s2").Rates.Satisfaction.Value()
	require.False(t, ok, "nothing to measure is no value, not 0%")
}

func TestEntryChecks(t *testing.T) {
	set := testSet(t)
	ok := entry("e1", "st_brand", qilian.SubjectLocality, "s1", 5, mayAt(10, 9))
	require.NoError(t, set.CheckEntry(ok))
	for name, tc := range map[string]struct {
		edit  func(*points.Entry)
		field string
	}{
		"noID":          {func(e *points.Entry) { e.ID = "" }, "id"},
		"badID":         {func(e *points.Entry) { e.ID = "a b" }, "id"},
		"noEvidence":    {func(e *points.Entry) { e.Evidence = nil }, "evidence"},
		"blankEvidence": {func(e *points.Entry) { e.Evidence = []string{"x", " "} }, "evidence[1]"},
		"noAssessor":    {func(e *points.Entry) { e.Assessor = "" }, "assessor"},
		"noTime":        {func(e *points.Entry) { e.At = time.Time{} }, "at"},
		"zeroPoints":    {func(e *points.Entry) { e.Points = 0 }, "points"},
		"badSubject":    {func(e *points.Entry) { e.SubjectType = "member" }, "subject_type"},
		"noSubjectID":   {func(e *points.Entry) { e.SubjectID = "" }, "subject_id"},
		"unknown":       {func(e *points.Entry) { e.IndicatorID = "nope" }, "indicator_id"},
		"auto":          {func(e *points.Entry) { e.IndicatorID = "st_resolve" }, "indicator_id"},
		"wrongSubject":  {func(e *points.Entry) { e.SubjectType = qilian.SubjectUnit }, "subject_type"},
		"overMax":       {func(e *points.Entry) { e.Points = 11 }, "points"},
		"underMax":      {func(e *points.Entry) { e.Points = -11 }, "points"},
	} {
		t.Run(name, func(t *testing.T) {
			e := ok
			e.Evidence = append([]string(nil), ok.Evidence...)
			tc.edit(&e)
			var de *qilian.Error
			require.ErrorAs(t, set.CheckEntry(e), &de)
			require.Equal(t, qilian.EINVALID, de.Code)
			require.Contains(t, de.Fields, tc.field)
		})
	}
}
