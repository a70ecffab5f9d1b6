package storage_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/configs"
	"github.com/qilian/qilian/points"
	"github.com/qilian/qilian/storage"
	"github.com/qilian/qilian/storage/storagetest"
)

// pointsTree writes a county with two streets; under s1 a community with a
// grid and a building. Units sit in the community, the building and s2.
func pointsTree(t *testing.T, db *storage.DB) points.Tree {
	t.Helper()
	ctx := context.Background()
	var tree points.Tree
	for _, l := range []qilian.Locality{
		{ID: "cty", Level: qilian.LevelCounty, Name: "南湖区"},
		{ID: "s1", ParentID: "cty", Level: qilian.LevelStreet, Name: "建设街道"},
		{ID: "s2", ParentID: "cty", Level: qilian.LevelStreet, Name: "新兴街道"},
		{ID: "c1", ParentID: "s1", Level: qilian.LevelCommunity, Name: "东栅社区"},
		{ID: "g1", ParentID: "c1", Level: qilian.LevelGrid, Name: "东栅社区第一网格"},
		{ID: "b1", ParentID: "s1", Level: qilian.LevelBuilding, Name: "国际商务大厦"},
	} {
		got, err := db.UpsertLocality(ctx, l)
		require.NoError(t, err, l.ID)
		tree.Localities = append(tree.Localities, got)
	}
	for _, u := range []qilian.Unit{
		{ID: "u1", Name: "明苑物业", Type: qilian.UnitProperty, LocalityID: "c1"},
		{ID: "u2", Name: "嘉兴银行", Type: qilian.UnitCompany, LocalityID: "b1"},
		{ID: "u3", Name: "供电分公司", Type: qilian.UnitSOE, LocalityID: "s2"},
	} {
		require.NoError(t, db.UpsertUnit(ctx, u), u.ID)
		tree.Units = append(tree.Units, u)
	}
	return tree
}

// pointsCase is a case of the kind in the path whose events carry the
// points given, one event each, in order from seq 2 (seq 1 opens it).
func pointsCase(id string, kind qilian.Kind, path string, pts ...qilian.PointsEvent) (qilian.Case, []qilian.Event) {
	c := newCase(id, path, t0)
	c.Kind = kind
	events := []qilian.Event{{Seq: 1, At: t0, Actor: c.OpenedBy, Type: "opened", ToState: "submitted"}}
	for i, p := range pts {
		events = append(events, qilian.Event{Seq: int64(i + 2), At: p.At, Actor: qilian.System, Type: qilian.EventType(p.Kind), Points: []qilian.PointsEvent{p}})
	}
	return c, events
}

func unitPts(kind qilian.PointsKind, unit string, at time.Time) qilian.PointsEvent {
	return qilian.PointsEvent{Kind: kind, SubjectType: qilian.SubjectUnit, SubjectID: unit, Quantity: 1, At: at}
}

// scoringEventsOf is what the assessment scores of a case's events, made in
// memory the way SyncCase stores them.
func scoringEventsOf(c qilian.Case, events []qilian.Event) []points.Event {
	var out []points.Event
	for _, e := range events {
		for i, p := range e.Points {
			out = append(out, points.Event{
				ID: storage.PointsID(c.ID, e.Seq, i), Kind: p.Kind, SubjectType: p.SubjectType, SubjectID: p.SubjectID,
				Quantity: p.Quantity, At: p.At, CaseID: c.ID, CaseKind: c.Kind, LocalityPath: c.LocalityPath,
			})
		}
	}
	return out
}

func manualEntry(id, indicator, typ, subject string, pts float64, at time.Time) points.Entry {
	return points.Entry{ID: id, IndicatorID: indicator, SubjectType: typ, SubjectID: subject, Points: pts,
		Evidence: []string{"https://example.org/" + id + ".pdf", "会议纪要第3页"}, Assessor: "assessor1", At: at, Note: "季度检查"}
}

// totals are the points of every subject and indicator, and each subject's
// total.
func totals(c points.Scorecard) map[string]float64 {
	out := map[string]float64{}
	for _, s := range c.Subjects {
		out[s.Type+" "+s.ID] = s.Total.Points
		for _, is := range s.Indicators {
			out[s.Type+" "+s.ID+" "+is.ID] = is.Points
		}
	}
	return out
}

func TestPointsOfAPeriodRecomputeFromStoredEvents(t *testing.T) {
	set, err := configs.ParseIndicators(configs.ExampleIndicators())
	require.NoError(t, err)
	may := points.MonthOf(2026, time.May)
	from, to := may.Range()

	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		tree := pointsTree(t, db)
		var (
			inMemory []points.Event
			entries  []points.Entry
		)
		sync := func(c qilian.Case, events []qilian.Event) {
			mustSync(t, db, c, events...)
			inMemory = append(inMemory, scoringEventsOf(c, events)...)
		}

		// 25 service requests in c1's grid, each accepted and resolved in
		// time by u1 and answered satisfied: more than street s1's response
		// and resolution indicators can hold.
		for i := range 25 {
			at := hours(float64(i))
			sync(pointsCase(fmt.Sprintf("svc-%02d", i), qilian.KindServiceLinkage, "/cty/s1/c1/g1/",
				unitPts(qilian.PointsAcceptedOnTime, "u1", at.Add(time.Hour)),
				unitPts(qilian.PointsResolvedOnTime, "u1", at.Add(5*time.Hour)),
				unitPts(qilian.PointsSatisfied, "u1", at.Add(30*time.Hour))))
		}
		// A hard problem in s2 that u3 let run late: s2's resolution
		// indicator goes below zero.
		sync(pointsCase("hard-1", qilian.KindProblemSolving, "/cty/s2/",
			unitPts(qilian.PointsOverdue, "u3", hours(10)),
			unitPts(qilian.PointsOverdue, "u3", hours(40)),
			unitPts(qilian.PointsResolvedLate, "u3", hours(50)),
			unitPts(qilian.PointsUnsatisfied, "u3", hours(60))))
		// A Party member's confirmed hours, for the member and the home unit.
		member, memberEvents := pointsCase("member-1", qilian.KindMemberManagement, "/cty/s1/c1/")
		memberEvents = append(memberEvents, qilian.Event{Seq: 2, At: hours(20), Actor: qilian.System, Type: qilian.EventOf(qilian.ActConfirmHours),
			Points: []qilian.PointsEvent{
				{Kind: qilian.PointsHoursConfirmed, SubjectType: qilian.SubjectMember, SubjectID: member.ID, Quantity: 3.5, At: hours(20)},
				{Kind: qilian.PointsHoursConfirmed, SubjectType: qilian.SubjectUnit, SubjectID: "u2", Quantity: 3.5, At: hours(20)},
			}})
		sync(member, memberEvents)
		// An activity in the building, a shared hall, and a return.
		sync(pointsCase("act-1", qilian.KindJointActivity, "/cty/s1/b1/",
			unitPts(qilian.PointsActivityJoined, "u2", hours(30)),
			qilian.PointsEvent{Kind: qilian.PointsActivityJoined, SubjectType: qilian.SubjectLocality, SubjectID: "b1", Quantity: 1, At: hours(31)}))
		sync(pointsCase("hall-1", qilian.KindResourceSharing, "/cty/s1/c1/",
			unitPts(qilian.PointsBookingFulfilled, "u2", hours(70)),
			unitPts(qilian.PointsReturned, "u1", hours(71))))
		// Either side of the period's edges, in Beijing time: 30 April
		// 23:59:59 is out, 1 May 00:00 is in, 1 June 00:00 is out.
		sync(pointsCase("edges", qilian.KindServiceLinkage, "/cty/s1/c1/g1/",
			unitPts(qilian.PointsAcceptedOnTime, "u2", from.Add(-time.Second).UTC()),
			unitPts(qilian.PointsResolvedOnTime, "u2", from.UTC()),
			unitPts(qilian.PointsSatisfied, "u2", to.UTC())))

		for _, e := range []points.Entry{
			manualEntry("m-brand", "street_brand", qilian.SubjectLocality, "s1", 12, hours(100).UTC()),
			manualEntry("m-system", "county_system", qilian.SubjectLocality, "cty", 15, hours(101).UTC()),
			manualEntry("m-deduct", "county_system", qilian.SubjectLocality, "cty", -3, hours(102).UTC()),
			manualEntry("m-retired", "old_indicator", qilian.SubjectLocality, "s1", 5, hours(103).UTC()),
			manualEntry("m-june", "street_brand", qilian.SubjectLocality, "s2", 5, to.UTC()),
		} {
			require.NoError(t, db.AddManualEntry(ctx, e), e.ID)
			entries = append(entries, e)
		}

		want := points.Score(set, tree, inMemory, entries, may)

		// Read back what is stored, and score that alone.
		rows, err := db.PointsEvents(ctx, from, to)
		require.NoError(t, err)
		stored := storage.ScoringEvents(rows)
		inPeriod := 0
		for _, e := range inMemory {
			if may.Contains(e.At) {
				inPeriod++
			}
		}
		require.Len(t, stored, inPeriod)
		storedEntries, err := db.ManualEntries(ctx, from, to)
		require.NoError(t, err)
		require.Equal(t, entries[:4], storedEntries, "entries round-trip whole, June's is not in May")
		locs, err := db.Localities(ctx, "")
		require.NoError(t, err)
		units, err := db.Units(ctx, "")
		require.NoError(t, err)
		got := points.Score(set, points.Tree{Localities: locs, Units: units}, stored, storedEntries, may)

		require.Equal(t, totals(want), totals(got), "the stored events alone give the same totals")
		require.Equal(t, want, got, "and the same lines, each traced to its source")
		card, err := db.Scorecard(ctx, set, may)
		require.NoError(t, err)
		require.Equal(t, want, card)
		// Several periods read at once score each as on its own: June's
		// entry counts in June, not in May.
		june := may.Next()
		juneCard, err := db.Scorecard(ctx, set, june)
		require.NoError(t, err)
		cards, err := db.Scorecards(ctx, set, []points.Period{may, june})
		require.NoError(t, err)
		require.Equal(t, []points.Scorecard{want, juneCard}, cards)

		// The totals are not trivially equal: caps, floors, entries and
		// skips all happened.
		tot := totals(got)
		require.Equal(t, 20.0, tot["locality s1 street_response"], "25 acceptances, capped at 20")
		require.Equal(t, 25.0, tot["locality s1 street_resolution"], "25 × 2 + 2 (the edge case), capped at 25")
		require.Equal(t, 0.0, tot["locality s2 street_resolution"], "−2 −2 +0.5, floored")
		require.Equal(t, 12.0, tot["locality s1 street_brand"])
		require.Equal(t, 12.0, tot["locality cty county_system"], "15 − 3")
		require.Equal(t, 1.75, tot["locality c1 community_member_hours"], "3.5 h × 0.5, the member's only")
		require.Equal(t, 2.0, tot["locality b1 building_activities"], "a unit's and a resident's check-in")
		require.Equal(t, 2.0, tot["unit u2 building_resources"])
		require.Equal(t, 20.0+25+20+0+12, tot["locality s1"], "street s1: response, resolution, whistle (none), satisfaction (capped), brand")
		s1, _ := got.Subject(qilian.SubjectLocality, "s1")
		resp, _ := s1.Indicator("street_response")
		require.Equal(t, 24.0, resp.Raw, "25 acceptances, one return")
		require.Equal(t, points.SourceCapped, resp.Lines[len(resp.Lines)-1].Source)
		require.Equal(t, []points.Skip{{Ref: "m-retired", Reason: "no indicator old_indicator in the set"}}, got.Skipped)

		u1, _ := got.Subject(qilian.SubjectUnit, "u1")
		require.Equal(t, points.Rates{
			Response:     points.Rate{Hits: 25, Total: 25},
			Resolution:   points.Rate{Hits: 25, Total: 25},
			Satisfaction: points.Rate{Hits: 25, Total: 25},
		}, u1.Rates)
		u3, _ := got.Subject(qilian.SubjectUnit, "u3")
		require.Equal(t, points.Rates{
			Response:     points.Rate{Hits: 0, Total: 1},
			Resolution:   points.Rate{Hits: 0, Total: 1},
			Satisfaction: points.Rate{Hits: 0, Total: 1},
		}, u3.Rates)

		_, err = db.Scorecard(ctx, set, points.Period{})
		requireInvalid(t, err, "period")
	})
}

func TestManualEntriesAreIdempotent(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := manualEntry("m-1", "street_brand", qilian.SubjectLocality, "s1", 8, t0)
		require.NoError(t, db.AddManualEntry(ctx, e))
		require.NoError(t, db.AddManualEntry(ctx, e), "the same entry again is accepted")

		changed := e
		changed.Points = 9
		err := db.AddManualEntry(ctx, changed)
		require.ErrorIs(t, err, qilian.ErrConflict, "another entry under a taken ID")

		got, err := db.ManualEntries(ctx, t0, t0.Add(time.Second))
		require.NoError(t, err)
		require.Equal(t, []points.Entry{e}, got, "stored once, as first written")

		none, err := db.ManualEntries(ctx, t0.Add(time.Second), t0.Add(time.Hour))
		require.NoError(t, err)
		require.Empty(t, none, "the window is half-open")

		bad := e
		bad.ID, bad.Evidence = "m-2", nil
		requireInvalid(t, db.AddManualEntry(ctx, bad), "evidence")
	})
}

func TestManualEntriesUseTheirIndex(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Open(t, "postgres")
	g := db.Gorm().WithContext(ctx)
	require.NoError(t, g.Exec(`INSERT INTO manual_entries (id, indicator_id, subject_type, subject_id, points, evidence, assessor, at, created_at)
		SELECT 'm' || n, 'street_brand', 'locality', 's' || (n % 20), 1, '["x"]', 'assessor1',
			TIMESTAMP '2024-01-01' + n * INTERVAL '1 hour', TIMESTAMP '2024-01-01'
		FROM generate_series(1, 20000) AS n`).Error)
	require.NoError(t, g.Exec("ANALYZE").Error)

	var captured struct {
		sql  string
		vars []any
	}
	require.NoError(t, db.Gorm().Callback().Query().After("gorm:query").Register("test:capture-entries", func(tx *gorm.DB) {
		captured.sql, captured.vars = tx.Statement.SQL.String(), append([]any(nil), tx.Statement.Vars...)
	}))
	got, err := db.ManualEntries(ctx, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Len(t, got, 31*24)

	sqlDB, err := db.Gorm().DB()
	require.NoError(t, err)
	rows, err := sqlDB.QueryContext(ctx, "EXPLAIN "+captured.sql, captured.vars...)
	require.NoError(t, err)
	defer func() { _ = rows.Close() }()
	var plan []string
	for rows.Next() {
		var line string
		require.NoError(t, rows.Scan(&line))
		plan = append(plan, line)
	}
	require.NoError(t, rows.Err())
	require.Contains(t, strings.Join(plan, "\n"), "manual_entries_at", "a period's entries come from the time index:\n%s", strings.Join(plan, "\n"))
}
