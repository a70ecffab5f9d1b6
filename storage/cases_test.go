package storage_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/storage"
	"github.com/qilian/qilian/storage/storagetest"
)

var t0 = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

func hours(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }

// newCase is a case in progress at the locality with path, opened at the
// time given, at revision 1, without tasks.
func newCase(id, path string, opened time.Time) qilian.Case {
	return qilian.Case{
		ID: id, Kind: qilian.KindServiceLinkage, Title: "case " + id, Priority: qilian.PriorityNormal,
		LocalityID: lastSegment(path), LocalityPath: path,
		OpenedBy: qilian.Actor{UserID: "grid1", Role: qilian.RoleGridWorker},
		OpenedAt: opened, UpdatedAt: opened, State: qilian.CaseInProgress, Revision: 1,
	}
}

func lastSegment(path string) string {
	p := path[:len(path)-1]
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

// task is a task of unit in state, offered at t0, with its accept-by and
// resolve-by deadlines.
func task(id, unit string, state qilian.TaskState, acceptBy, resolveBy time.Time) qilian.Task {
	return qilian.Task{
		ID: id, UnitID: unit, Role: qilian.TaskLead, Required: true, State: state,
		AcceptBy:  qilian.Deadline{Due: acceptBy, Clock: qilian.ClockWorking},
		ResolveBy: qilian.Deadline{Due: resolveBy, Clock: qilian.ClockWorking},
		CreatedAt: t0, UpdatedAt: t0,
	}
}

func mustSync(t *testing.T, db *storage.DB, c qilian.Case, events ...qilian.Event) {
	t.Helper()
	require.NoError(t, db.SyncCase(context.Background(), c, events))
}

func caseIDs(p qilian.CasePage) []string {
	out := []string{}
	for _, c := range p.Cases {
		out = append(out, c.ID)
	}
	return out
}

func taskIDs(p qilian.TaskPage) []string {
	out := []string{}
	for _, t := range p.Tasks {
		out = append(out, t.ID)
	}
	return out
}

func requireInvalid(t *testing.T, err error, field string, msg ...any) {
	t.Helper()
	var de *qilian.Error
	require.ErrorAs(t, err, &de, msg...)
	require.Equal(t, qilian.EINVALID, de.Code, msg...)
	require.Contains(t, de.Fields, field, msg...)
}

func TestSyncCaseRoundTrips(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		satisfied := true
		c := newCase("2026-000001", "/county/s1/c_1/g1/", t0)
		c.Title = "东栅小区路灯不亮"
		c.Description = "三号楼前两盏路灯连续一周不亮，居民夜间出行不便。"
		c.Priority = qilian.PriorityUrgent
		c.GridID = "g1"
		c.Location = qilian.Location{Lat: 30.7522, Lng: 120.7555, Address: "南湖区东栅街道12号"}
		c.Reporter = qilian.Reporter{Name: "李阿姨", Phone: "13800000000"}
		c.Attachments = []string{"photo-1.jpg"}
		c.Revision = 4
		c.Seq = 3
		c.UpdatedAt = hours(1)
		c.Level = 1
		c.Returns = 1
		c.Policy = qilian.Policy{
			Deadlines: map[qilian.Kind]map[qilian.Priority]qilian.DeadlineRule{
				"": {qilian.PriorityUrgent: {Accept: qilian.Span{Time: 2 * time.Hour}, Resolve: qilian.Span{Days: 1}, Clock: qilian.ClockWorking}},
			},
			WarnAt: 0.8, MaxReturns: 2,
		}
		c.Details = qilian.Details{Service: &qilian.Service{Satisfied: &satisfied, Comment: "很满意"}}
		c.Tasks = []qilian.Task{
			task("t-returned", "u0", qilian.TaskReturned, hours(2), hours(24)),
			task("t-lead", "u1", qilian.TaskAccepted, hours(2), hours(20)),
			task("t-co", "u2", qilian.TaskOffered, hours(3), hours(30)),
		}
		events := []qilian.Event{
			{Seq: 1, At: t0, Actor: c.OpenedBy, Type: "opened", ToState: "submitted"},
			{Seq: 2, At: hours(0.5), Actor: qilian.Actor{UserID: "axis1", Role: qilian.RoleAxis, LocalityID: "s1", LocalityPath: "/county/s1/"},
				Type: qilian.EventOf(qilian.ActDispatch), FromState: "triage", ToState: "in_progress", Note: "请尽快处理",
				Task:    &c.Tasks[2],
				Payload: map[string]any{"units": []any{"u0", "u2"}, "count": float64(2)}},
			{Seq: 3, At: hours(1), Actor: qilian.Actor{UserID: "staff0", Role: qilian.RoleUnitStaff, UnitID: "u0"},
				Type: qilian.EventOf(qilian.ActReturn), TaskID: "t-returned", FromState: "offered", ToState: "returned", Reason: "非本单位职责",
				Points: []qilian.PointsEvent{
					{Kind: qilian.PointsReturned, SubjectType: "unit", SubjectID: "u0", Quantity: 1, At: hours(1)},
					{Kind: qilian.PointsReturned, SubjectType: "locality", SubjectID: "c_1", Quantity: 0.5, At: hours(1)},
				}},
		}
		mustSync(t, db, c, events...)

		got, err := db.CaseSnapshot(ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, c, got, "the snapshot is the whole aggregate")

		evs, err := db.Events(ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, events, evs, "events round-trip whole: actors, payloads, points and the fields Apply reads")

		page, err := db.ListCases(ctx, qilian.CaseFilter{ScopePath: "/county/s1/"})
		require.NoError(t, err)
		require.Len(t, page.Cases, 1)
		require.Equal(t, qilian.CaseSummary{
			ID: c.ID, Kind: qilian.KindServiceLinkage, State: qilian.CaseInProgress, Title: "东栅小区路灯不亮",
			Priority: qilian.PriorityUrgent, LocalityID: "g1", LocalityPath: "/county/s1/c_1/g1/",
			OpenedAt: t0, UpdatedAt: hours(1), Level: 1, DueAt: hours(3), Revision: 4,
		}, page.Cases[0], "due_at: the co task's accept-by (3h) is before the lead's resolve-by (20h); the returned task no longer counts")
		require.Empty(t, page.Next)

		tasks, err := db.ListTasks(ctx, qilian.TaskFilter{UnitID: "u1"})
		require.NoError(t, err)
		require.Equal(t, []qilian.TaskSummary{{
			ID: "t-lead", CaseID: c.ID, CaseTitle: "东栅小区路灯不亮", CaseKind: qilian.KindServiceLinkage, CaseState: qilian.CaseInProgress,
			UnitID: "u1", Role: qilian.TaskLead, Required: true, State: qilian.TaskAccepted, AcceptBy: hours(2), ResolveBy: hours(20),
			DueAt: hours(20), LocalityPath: "/county/s1/c_1/g1/", CreatedAt: t0, UpdatedAt: t0, Revision: 4,
		}}, tasks.Tasks)

		returned, err := db.ListTasks(ctx, qilian.TaskFilter{UnitID: "u0"})
		require.NoError(t, err)
		require.Len(t, returned.Tasks, 1)
		require.True(t, returned.Tasks[0].DueAt.IsZero(), "a task that is no longer open has no deadline")

		points, err := db.PointsEvents(ctx, t0, hours(2))
		require.NoError(t, err)
		require.Len(t, points, 2)
		require.Equal(t, storage.PointsRow{
			ID: c.ID + ":3:1", CaseID: c.ID, Seq: 3, CaseKind: qilian.KindServiceLinkage, LocalityPath: "/county/s1/c_1/g1/",
			PointsEvent: qilian.PointsEvent{Kind: qilian.PointsReturned, SubjectType: "locality", SubjectID: "c_1", Quantity: 0.5, At: hours(1)},
		}, points[1])
		none, err := db.PointsEvents(ctx, hours(1).Add(time.Second), hours(2))
		require.NoError(t, err)
		require.Empty(t, none, "the window is half-open and excludes earlier points")

		_, err = db.CaseSnapshot(ctx, "nope")
		require.ErrorIs(t, err, qilian.ErrNotFound)
		require.ErrorIs(t, db.SyncCase(ctx, qilian.Case{}, nil), qilian.ErrInvalid)
	})
}

func TestSyncCaseNeverMovesBackwards(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		rev := func(n int64, state qilian.TaskState) qilian.Case {
			c := newCase("c1", "/county/s1/", t0)
			c.Revision, c.Seq = n, n
			c.Title = fmt.Sprintf("revision %d", n)
			c.UpdatedAt = hours(float64(n))
			c.Tasks = []qilian.Task{task("c1-t1", "u1", state, hours(1), hours(10))}
			return c
		}
		event := func(seq int64) qilian.Event {
			return qilian.Event{Seq: seq, At: hours(float64(seq)), Actor: qilian.System, Type: qilian.EventType(fmt.Sprintf("step-%d", seq)),
				Points: []qilian.PointsEvent{{Kind: qilian.PointsAcceptedOnTime, SubjectType: "unit", SubjectID: "u1", Quantity: 1, At: hours(float64(seq))}}}
		}
		mustSync(t, db, rev(3, qilian.TaskInProgress), event(3))
		mustSync(t, db, rev(2, qilian.TaskAccepted), event(2))

		got, err := db.CaseSnapshot(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, int64(3), got.Revision)
		require.Equal(t, "revision 3", got.Title)
		page, err := db.ListCases(ctx, qilian.CaseFilter{ScopePath: "/county/"})
		require.NoError(t, err)
		require.Equal(t, "revision 3", page.Cases[0].Title)
		require.Equal(t, int64(3), page.Cases[0].Revision)
		tasks, err := db.ListTasks(ctx, qilian.TaskFilter{UnitID: "u1"})
		require.NoError(t, err)
		require.Equal(t, qilian.TaskInProgress, tasks.Tasks[0].State, "the task row keeps revision 3 too")
		require.Equal(t, int64(3), tasks.Tasks[0].Revision)

		evs, err := db.Events(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, []qilian.Event{event(2), event(3)}, evs, "the late sync still adds its event, in seq order")
		points, err := db.PointsEvents(ctx, t0, hours(24))
		require.NoError(t, err)
		require.Len(t, points, 2)

		mustSync(t, db, rev(4, qilian.TaskResolved), event(4))
		got, err = db.CaseSnapshot(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, int64(4), got.Revision, "a newer revision does overwrite")
	})
}

func TestSyncCaseReplayWritesOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c := newCase("c1", "/county/s1/", t0)
		c.Tasks = []qilian.Task{task("c1-t1", "u1", qilian.TaskResolved, hours(1), hours(10))}
		e := qilian.Event{Seq: 1, At: hours(2), Actor: qilian.Actor{UserID: "staff", Role: qilian.RoleUnitStaff, UnitID: "u1"},
			Type: qilian.EventOf(qilian.ActResolve), TaskID: "c1-t1", Points: []qilian.PointsEvent{
				{Kind: qilian.PointsResolvedOnTime, SubjectType: "unit", SubjectID: "u1", Quantity: 1, At: hours(2)},
			}}
		mustSync(t, db, c, e)
		mustSync(t, db, c, e)

		evs, err := db.Events(ctx, "c1")
		require.NoError(t, err)
		require.Len(t, evs, 1)
		points, err := db.PointsEvents(ctx, t0, hours(24))
		require.NoError(t, err)
		require.Len(t, points, 1, "a retried sync never scores twice")
		tasks, err := db.ListTasks(ctx, qilian.TaskFilter{UnitID: "u1"})
		require.NoError(t, err)
		require.Len(t, tasks.Tasks, 1)

		// A long history goes in several statements; replaying it is still
		// a no-op.
		long := newCase("c2", "/county/s1/", t0)
		var history []qilian.Event
		for i := range 1200 {
			history = append(history, qilian.Event{Seq: int64(i + 1), At: t0, Actor: qilian.System, Type: "warning",
				Points: []qilian.PointsEvent{{Kind: qilian.PointsOverdue, SubjectType: "unit", SubjectID: "u1", Quantity: 1, At: hours(100)}}})
		}
		mustSync(t, db, long, history...)
		mustSync(t, db, long, history...)
		evs, err = db.Events(ctx, "c2")
		require.NoError(t, err)
		require.Len(t, evs, 1200)
		points, err = db.PointsEvents(ctx, hours(100), hours(101))
		require.NoError(t, err)
		require.Len(t, points, 1200)
	})
}

func TestSyncCaseConcurrentRevisions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		const n = 20
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for _, i := range rand.Perm(n) {
			r := int64(i + 1)
			c := newCase("c1", "/county/s1/", t0)
			c.Revision, c.Seq = r, r
			c.Title = fmt.Sprintf("revision %d", r)
			c.Tasks = []qilian.Task{
				task("c1-t1", "u1", qilian.TaskAccepted, hours(1), hours(float64(r))),
				task("c1-t2", "u2", qilian.TaskAccepted, hours(1), hours(float64(r))),
			}
			e := qilian.Event{Seq: r, At: hours(float64(r)), Actor: qilian.System, Type: "step",
				Points: []qilian.PointsEvent{{Kind: qilian.PointsOverdue, SubjectType: "unit", SubjectID: "u1", Quantity: 1, At: hours(float64(r))}}}
			wg.Go(func() { errs <- db.SyncCase(ctx, c, []qilian.Event{e}) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		got, err := db.CaseSnapshot(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, int64(n), got.Revision)
		require.Equal(t, "revision 20", got.Title)
		evs, err := db.Events(ctx, "c1")
		require.NoError(t, err)
		require.Len(t, evs, n)
		for i, e := range evs {
			require.Equal(t, int64(i+1), e.Seq)
		}
		points, err := db.PointsEvents(ctx, t0, hours(48))
		require.NoError(t, err)
		require.Len(t, points, n)
		tasks, err := db.ListTasks(ctx, qilian.TaskFilter{UnitID: "u2"})
		require.NoError(t, err)
		require.Equal(t, int64(n), tasks.Tasks[0].Revision)
		require.Equal(t, hours(n), tasks.Tasks[0].DueAt)
	})
}

// seedCases writes a small street: s1 with community c_1 (grid g1) and
// community cX1, whose ID matches "c_1" as a LIKE pattern; s2 with c2.
func seedCases(t *testing.T, db *storage.DB) {
	overdue := func(c qilian.Case) qilian.Case { c.Overdue = true; return c }
	// The tree the cases sit in: the locality filter reads its paths.
	for _, l := range []qilian.Locality{
		{ID: "county", Level: qilian.LevelCounty},
		{ID: "s1", ParentID: "county", Level: qilian.LevelStreet},
		{ID: "c_1", ParentID: "s1", Level: qilian.LevelCommunity},
		{ID: "g1", ParentID: "c_1", Level: qilian.LevelGrid},
		{ID: "cX1", ParentID: "s1", Level: qilian.LevelCommunity},
		{ID: "s2", ParentID: "county", Level: qilian.LevelStreet},
		{ID: "c2", ParentID: "s2", Level: qilian.LevelCommunity},
	} {
		l.Name = l.ID
		_, err := db.UpsertLocality(context.Background(), l)
		require.NoError(t, err)
	}

	a1 := newCase("a1", "/county/s1/c_1/g1/", hours(1))
	a1.Title, a1.Location.Address = "小区路灯不亮", "东栅街道12号"
	a1.Tasks = []qilian.Task{task("a1-t1", "u1", qilian.TaskInProgress, hours(2), hours(5))}
	mustSync(t, db, overdue(a1))

	a2 := newCase("a2", "/county/s1/c_1/", hours(2))
	a2.Kind, a2.State = qilian.KindProblemSolving, qilian.CaseDispatching
	a2.Title, a2.Description = "老旧小区改造", "加装电梯，100% 住户同意"
	a2.Tasks = []qilian.Task{task("a2-t1", "u2", qilian.TaskOffered, hours(4), hours(40))}
	mustSync(t, db, a2)

	a3 := newCase("a3", "/county/s1/cX1/", hours(3))
	a3.Kind, a3.State, a3.Resolution = qilian.KindJointActivity, qilian.CaseClosed, qilian.ResolutionResolved
	a3.Title, a3.ClosedAt = "Volunteer Day 志愿者日", hours(9)
	a3.Tasks = []qilian.Task{task("a3-t1", "u1", qilian.TaskCompleted, hours(4), hours(8))}
	mustSync(t, db, a3)

	a4 := newCase("a4", "/county/s1/", hours(4))
	a4.State, a4.Title = qilian.CaseTriage, "噪音扰民"
	mustSync(t, db, a4)

	b1 := newCase("b1", "/county/s2/c2/", hours(5))
	b1.Title = "小区路灯不亮"
	b1.Tasks = []qilian.Task{task("b1-t1", "u1", qilian.TaskAccepted, hours(6), hours(7))}
	mustSync(t, db, overdue(b1))
}

func TestListCasesFilters(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		seedCases(t, db)
		yes, no := true, false
		for _, tc := range []struct {
			name string
			f    qilian.CaseFilter
			want []string
		}{
			{"street scope, newest first", qilian.CaseFilter{ScopePath: "/county/s1/"}, []string{"a4", "a3", "a2", "a1"}},
			{"county sees all", qilian.CaseFilter{ScopePath: "/county/"}, []string{"b1", "a4", "a3", "a2", "a1"}},
			{"other street", qilian.CaseFilter{ScopePath: "/county/s2/"}, []string{"b1"}},
			{"community scope with a LIKE wildcard in its ID", qilian.CaseFilter{ScopePath: "/county/s1/c_1/"}, []string{"a2", "a1"}},
			{"kind", qilian.CaseFilter{ScopePath: "/county/s1/", Kind: qilian.KindServiceLinkage}, []string{"a4", "a1"}},
			{"state", qilian.CaseFilter{ScopePath: "/county/s1/", State: qilian.CaseClosed}, []string{"a3"}},
			{"locality subtree", qilian.CaseFilter{ScopePath: "/county/s1/", LocalityID: "c_1"}, []string{"a2", "a1"}},
			{"locality leaf", qilian.CaseFilter{ScopePath: "/county/", LocalityID: "g1"}, []string{"a1"}},
			{"locality outside the scope", qilian.CaseFilter{ScopePath: "/county/s1/", LocalityID: "c2"}, []string{}},
			{"unit, any task state, inside the scope only", qilian.CaseFilter{ScopePath: "/county/s1/", UnitID: "u1"}, []string{"a3", "a1"}},
			{"unit across the county", qilian.CaseFilter{ScopePath: "/county/", UnitID: "u1"}, []string{"b1", "a3", "a1"}},
			{"overdue", qilian.CaseFilter{ScopePath: "/county/s1/", Overdue: &yes}, []string{"a1"}},
			{"not overdue", qilian.CaseFilter{ScopePath: "/county/s1/", Overdue: &no}, []string{"a4", "a3", "a2"}},
			{"q in Chinese, title", qilian.CaseFilter{ScopePath: "/county/s1/", Query: "路灯"}, []string{"a1"}},
			{"q in Chinese, address", qilian.CaseFilter{ScopePath: "/county/s1/", Query: "12号"}, []string{"a1"}},
			{"q in Chinese, description", qilian.CaseFilter{ScopePath: "/county/s1/", Query: "电梯"}, []string{"a2"}},
			{"q ignores case", qilian.CaseFilter{ScopePath: "/county/s1/", Query: "VOLUNTEER"}, []string{"a3"}},
			{"q with a percent sign matches it literally", qilian.CaseFilter{ScopePath: "/county/s1/", Query: "0%"}, []string{"a2"}},
			{"q that is only a percent sign", qilian.CaseFilter{ScopePath: "/county/s1/", Query: "%"}, []string{"a2"}},
			{"q with an underscore matches it literally", qilian.CaseFilter{ScopePath: "/county/s1/", Query: "_"}, []string{}},
			{"created after (inclusive)", qilian.CaseFilter{ScopePath: "/county/s1/", CreatedAfter: hours(2)}, []string{"a4", "a3", "a2"}},
			{"created before (exclusive)", qilian.CaseFilter{ScopePath: "/county/s1/", CreatedBefore: hours(3)}, []string{"a2", "a1"}},
			{"created between", qilian.CaseFilter{ScopePath: "/county/s1/", CreatedAfter: hours(2), CreatedBefore: hours(4)}, []string{"a3", "a2"}},
			{"filters combine", qilian.CaseFilter{ScopePath: "/county/", UnitID: "u1", Overdue: &yes, Query: "路灯"}, []string{"b1", "a1"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				page, err := db.ListCases(ctx, tc.f)
				require.NoError(t, err)
				require.Equal(t, tc.want, caseIDs(page))
				require.Empty(t, page.Next)
			})
		}

		_, err := db.ListCases(ctx, qilian.CaseFilter{})
		requireInvalid(t, err, "scope")
		_, err = db.ListCases(ctx, qilian.CaseFilter{ScopePath: "/county/s"})
		requireInvalid(t, err, "scope", "a bare prefix would reach into every street starting with s")
		_, err = db.ListCases(ctx, qilian.CaseFilter{ScopePath: "/county/", Kind: "bakery", State: "lost"})
		requireInvalid(t, err, "kind")
		requireInvalid(t, err, "state")
	})
}

func TestListCasesPagination(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		var want []string
		// Three cases share each opening time, so the ID breaks the ties.
		type key struct {
			at time.Time
			id string
		}
		var keys []key
		for i := range 23 {
			c := newCase(fmt.Sprintf("p%02d", i), "/county/s1/", hours(float64(i/3)))
			mustSync(t, db, c)
			keys = append(keys, key{c.OpenedAt, c.ID})
		}
		mustSync(t, db, newCase("other", "/county/s2/", hours(3)))
		sort.Slice(keys, func(i, j int) bool {
			if !keys[i].at.Equal(keys[j].at) {
				return keys[i].at.After(keys[j].at)
			}
			return keys[i].id > keys[j].id
		})
		for _, k := range keys {
			want = append(want, k.id)
		}

		var got []string
		cursor, pages := "", 0
		for {
			page, err := db.ListCases(ctx, qilian.CaseFilter{ScopePath: "/county/s1/", Limit: 5, Cursor: cursor})
			require.NoError(t, err)
			require.LessOrEqual(t, len(page.Cases), 5)
			got = append(got, caseIDs(page)...)
			pages++
			if page.Next == "" {
				break
			}
			cursor = page.Next
			require.Less(t, pages, 10, "pagination must end")
		}
		require.Equal(t, want, got, "every case exactly once, in order")
		require.Equal(t, 5, pages)

		all, err := db.ListCases(ctx, qilian.CaseFilter{ScopePath: "/county/s1/"})
		require.NoError(t, err)
		require.Equal(t, want, caseIDs(all), "the default page holds 50")
		require.Empty(t, all.Next)

		for _, bad := range []string{"!!!", base64.RawURLEncoding.EncodeToString([]byte("not json")), base64.RawURLEncoding.EncodeToString([]byte(`{"id":"p01"}`))} {
			_, err := db.ListCases(ctx, qilian.CaseFilter{ScopePath: "/county/s1/", Cursor: bad})
			requireInvalid(t, err, "cursor")
		}
	})
}

func TestListTasksInbox(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		add := func(caseID string, kind qilian.Kind, tasks ...qilian.Task) {
			c := newCase(caseID, "/county/s1/", t0)
			c.Kind, c.Title, c.Tasks = kind, "案件 "+caseID, tasks
			mustSync(t, db, c)
		}
		overdue := task("k2-t1", "u9", qilian.TaskAccepted, hours(5), hours(1))
		overdue.Overdue, overdue.Level = true, 2
		add("k1", qilian.KindJointActivity,
			task("k1-t1", "u9", qilian.TaskOffered, hours(2), hours(20)),
			task("k1-t2", "u8", qilian.TaskOffered, hours(0.5), hours(20)))
		add("k2", qilian.KindServiceLinkage, overdue)
		add("k3", qilian.KindServiceLinkage, task("k3-t1", "u9", qilian.TaskCompleted, hours(0.1), hours(0.2)))
		add("k4", qilian.KindProblemSolving, task("k4-t1", "u9", qilian.TaskReturned, hours(0.1), hours(0.2)))
		add("k5", qilian.KindServiceLinkage, task("k5-t1", "u9", qilian.TaskInProgress, hours(0.1), hours(2)))

		want := []string{"k2-t1", "k1-t1", "k5-t1", "k3-t1", "k4-t1"}
		all, err := db.ListTasks(ctx, qilian.TaskFilter{UnitID: "u9"})
		require.NoError(t, err)
		require.Equal(t, want, taskIDs(all), "soonest deadline first, ties by ID, closed tasks last")
		require.Equal(t, "案件 k1", all.Tasks[1].CaseTitle)
		require.Equal(t, qilian.KindJointActivity, all.Tasks[1].CaseKind)

		var got []string
		cursor := ""
		for range 10 {
			page, err := db.ListTasks(ctx, qilian.TaskFilter{UnitID: "u9", Limit: 2, Cursor: cursor})
			require.NoError(t, err)
			got = append(got, taskIDs(page)...)
			if cursor = page.Next; cursor == "" {
				break
			}
		}
		require.Equal(t, want, got, "pages cross from dated to undated tasks without loss")

		offered, err := db.ListTasks(ctx, qilian.TaskFilter{UnitID: "u9", State: qilian.TaskOffered})
		require.NoError(t, err)
		require.Equal(t, []string{"k1-t1"}, taskIDs(offered))
		yes := true
		late, err := db.ListTasks(ctx, qilian.TaskFilter{UnitID: "u9", Overdue: &yes})
		require.NoError(t, err)
		require.Equal(t, []string{"k2-t1"}, taskIDs(late))
		require.Equal(t, 2, late.Tasks[0].Level)

		_, err = db.ListTasks(ctx, qilian.TaskFilter{})
		requireInvalid(t, err, "unit_id")
		_, err = db.ListTasks(ctx, qilian.TaskFilter{UnitID: "u9", Cursor: "%%"})
		requireInvalid(t, err, "cursor")
	})
}

func TestOverdue(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := hours(3)
		c1 := newCase("o1", "/county/s1/c_1/", t0)
		c1.Title = "井盖缺失"
		c1.Tasks = []qilian.Task{
			task("o1-late2h", "u1", qilian.TaskInProgress, hours(0.1), hours(1)),
			task("o1-late1h", "u2", qilian.TaskOnHold, hours(0.1), hours(2)),
			task("o1-offered", "u3", qilian.TaskOffered, hours(0.5), hours(10)), // counts against accept-by
			task("o1-future", "u4", qilian.TaskAccepted, hours(0.1), hours(4)),
			task("o1-done", "u5", qilian.TaskCompleted, hours(0.1), hours(0.2)),
		}
		c1.Tasks[0].Level = 1
		mustSync(t, db, c1)
		c2 := newCase("o2", "/county/s2/", t0)
		c2.Tasks = []qilian.Task{task("o2-late3h", "u1", qilian.TaskAccepted, hours(0.1), t0)}
		mustSync(t, db, c2)
		// A regional task that missed its progress report two hours ago,
		// its resolve-by far off, is on the board from the missed report.
		rc := newCase("o4", "/county/s1/", t0)
		rc.Kind, rc.Rules = qilian.KindRegionalCoordination, 1
		rt := task("o4-report", "u6", qilian.TaskInProgress, hours(0.1), hours(100))
		rt.ReportMisses, rt.ReportMissedAt, rt.NextReportDue = 1, hours(1), hours(41)
		rc.Tasks = []qilian.Task{rt}
		mustSync(t, db, rc)
		cancelled := newCase("o3", "/county/s1/", t0)
		cancelled.State = qilian.CaseCancelled
		cancelled.Tasks = []qilian.Task{task("o3-left-open", "u1", qilian.TaskAccepted, hours(0.1), t0)}
		mustSync(t, db, cancelled)

		items, err := db.Overdue(ctx, "/county/s1/", now, 0)
		require.NoError(t, err)
		var got []string
		for _, it := range items {
			got = append(got, it.TaskID)
		}
		require.Equal(t, []string{"o1-offered", "o1-late2h", "o4-report", "o1-late1h"}, got, "most late first, only open tasks of open cases, only the scope")
		require.Equal(t, 1, items[2].Level, "a missed report is a rung up")
		require.Equal(t, qilian.OverdueItem{
			CaseID: "o1", CaseTitle: "井盖缺失", CaseKind: qilian.KindServiceLinkage, LocalityID: "c_1",
			TaskID: "o1-late2h", UnitID: "u1", Level: 1, DueAt: hours(1), Lateness: 2 * time.Hour,
		}, items[1])

		county, err := db.Overdue(ctx, "/county/", now, 2)
		require.NoError(t, err)
		require.Len(t, county, 2, "the limit holds")
		require.Equal(t, "o2-late3h", county[0].TaskID)

		_, err = db.Overdue(ctx, "", now, 0)
		requireInvalid(t, err, "scope")
		_, err = db.Overdue(ctx, "/county/s1", now, 0)
		requireInvalid(t, err, "scope")
	})
}

func TestCaseCounts(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		seedCases(t, db)
		// Neighbours of the scope in byte order, none of them inside it.
		for i, path := range []string{"/county/s10/", "/county/s1-x/", "/county/S1/", "/county/s1"} {
			mustSync(t, db, newCase(fmt.Sprintf("n%d", i), path, hours(1)))
		}
		states, kinds, err := db.CaseCounts(ctx, "/county/s1/")
		require.NoError(t, err)
		require.Equal(t, map[qilian.CaseState]int{
			qilian.CaseInProgress: 1, qilian.CaseDispatching: 1, qilian.CaseClosed: 1, qilian.CaseTriage: 1,
		}, states)
		require.Equal(t, map[qilian.Kind]int{
			qilian.KindServiceLinkage: 2, qilian.KindProblemSolving: 1, qilian.KindJointActivity: 1,
		}, kinds)
		_, kinds, err = db.CaseCounts(ctx, "/county/")
		require.NoError(t, err)
		require.Equal(t, 7, kinds[qilian.KindServiceLinkage])
		states, _, err = db.CaseCounts(ctx, "/elsewhere/")
		require.NoError(t, err)
		require.Empty(t, states)

		for scope, want := range map[string]int{"/county/": 2, "/county/s1/": 1, "/county/s1/c_1/g1/": 1, "/county/s1/cX1/": 0, "/elsewhere/": 0} {
			n, err := db.OverdueCases(ctx, scope)
			require.NoError(t, err)
			require.Equal(t, want, n, scope)
		}
		_, err = db.OverdueCases(ctx, "")
		require.Error(t, err)
	})
}

func TestClaimIdempotencyKey(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		id, err := db.ClaimIdempotencyKey(ctx, "grid1", "k1", "hash-a", "case-1")
		require.NoError(t, err)
		require.Equal(t, "case-1", id)
		id, err = db.ClaimIdempotencyKey(ctx, "grid1", "k1", "hash-a", "case-2")
		require.NoError(t, err)
		require.Equal(t, "case-1", id, "a retry with the same body gets the first case")
		_, err = db.ClaimIdempotencyKey(ctx, "grid1", "k1", "hash-b", "case-3")
		require.ErrorIs(t, err, qilian.ErrConflict)
		require.Equal(t, "idempotency key reused with a different body", qilian.ErrorMessage(err))
		id, err = db.ClaimIdempotencyKey(ctx, "grid2", "k1", "hash-b", "case-4")
		require.NoError(t, err)
		require.Equal(t, "case-4", id, "keys belong to their user")
		_, err = db.ClaimIdempotencyKey(ctx, "grid1", "", "hash-a", "case-5")
		requireInvalid(t, err, "idempotency_key")

		const n = 20
		results := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				results[i], errs[i] = db.ClaimIdempotencyKey(ctx, "grid1", "race", "hash-r", fmt.Sprintf("race-%d", i))
			})
		}
		wg.Wait()
		for i := range n {
			require.NoError(t, errs[i])
			require.Equal(t, results[0], results[i], "every caller sees the winner's case")
		}
		var rows int64
		require.NoError(t, db.Gorm().WithContext(ctx).Table("idempotency_keys").Where("user_id = ? AND key = ?", "grid1", "race").Count(&rows).Error)
		require.Equal(t, int64(1), rows)
	})
}

// TestQueryPlansUseIndexes checks on PostgreSQL that the list screen, the
// overdue screen and the unit inbox are served by the indexes made for
// them. It needs thousands of rows: on a few hundred the planner rightly
// prefers a sequential scan, which would make the test prove nothing.
func TestQueryPlansUseIndexes(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Open(t, "postgres")
	g := db.Gorm().WithContext(ctx)
	// 20,000 cases over 20 streets and 40 communities, one task each; one
	// case in ten is still open, with a deadline a day after opening.
	require.NoError(t, g.Exec(`INSERT INTO cases (id, kind, state, title, priority, locality_id, locality_path,
		opened_by, opened_at, updated_at, overdue, due_at, revision, snapshot)
		SELECT 'g' || n, 'service_linkage', CASE WHEN n % 10 = 0 THEN 'in_progress' ELSE 'closed' END,
			'case ' || n, 'normal', 'c' || (n % 40), '/county/s' || (n % 20) || '/c' || (n % 40) || '/', 'grid1',
			TIMESTAMP '2026-01-01' + n * INTERVAL '10 minutes', TIMESTAMP '2026-01-01' + n * INTERVAL '10 minutes',
			FALSE, NULL, 1, '{}'
		FROM generate_series(1, 20000) AS n`).Error)
	require.NoError(t, g.Exec(`INSERT INTO tasks (id, case_id, unit_id, role, required, state, level, overdue, due_at,
		locality_path, created_at, updated_at, revision)
		SELECT id || '-t1', id, 'u' || (substr(id, 2)::int % 50), 'lead', TRUE,
			CASE WHEN state = 'closed' THEN 'completed' ELSE 'accepted' END, 0, FALSE,
			CASE WHEN state = 'closed' THEN NULL ELSE opened_at + INTERVAL '1 day' END,
			locality_path, opened_at, opened_at, 1
		FROM cases`).Error)
	require.NoError(t, g.Exec("ANALYZE").Error)

	var queries []struct {
		sql  string
		vars []any
	}
	require.NoError(t, db.Gorm().Callback().Query().After("gorm:query").Register("test:capture", func(tx *gorm.DB) {
		queries = append(queries, struct {
			sql  string
			vars []any
		}{tx.Statement.SQL.String(), append([]any(nil), tx.Statement.Vars...)})
	}))
	explain := func(run func() error) string {
		t.Helper()
		queries = queries[:0]
		require.NoError(t, run())
		require.Len(t, queries, 1)
		sqlDB, err := db.Gorm().DB()
		require.NoError(t, err)
		rows, err := sqlDB.QueryContext(ctx, "EXPLAIN "+queries[0].sql, queries[0].vars...)
		require.NoError(t, err)
		defer func() { _ = rows.Close() }()
		var plan []string
		for rows.Next() {
			var line string
			require.NoError(t, rows.Scan(&line))
			plan = append(plan, line)
		}
		require.NoError(t, rows.Err())
		return strings.Join(plan, "\n")
	}

	plan := explain(func() error {
		_, err := db.ListCases(ctx, qilian.CaseFilter{ScopePath: "/county/s1/"})
		return err
	})
	require.Contains(t, plan, "cases_opened", "the list walks opened_at backwards instead of sorting:\n%s", plan)
	require.NotContains(t, plan, "Sort", plan)

	plan = explain(func() error {
		_, err := db.Overdue(ctx, "/county/s1/", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), 50)
		return err
	})
	require.Contains(t, plan, "tasks_open_due", "the overdue screen reads the open-deadline index:\n%s", plan)

	plan = explain(func() error {
		_, _, err := db.CaseCounts(ctx, "/county/s1/")
		return err
	})
	require.Contains(t, plan, "case_counts", "the counts read the counts table, not the cases:\n%s", plan)

	plan = explain(func() error {
		_, err := db.ListTasks(ctx, qilian.TaskFilter{UnitID: "u3", State: qilian.TaskAccepted})
		return err
	})
	require.Contains(t, plan, "tasks_inbox", "the inbox reads the unit's index:\n%s", plan)
}

// TestCaseCountsFollowEveryWrite checks that the counts table the triggers
// keep agrees with counting the cases themselves after inserts, newer
// revisions that move a case's state, kind, place or lateness, stale
// revisions that change nothing, and concurrent syncs.
func TestCaseCountsFollowEveryWrite(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		direct := func(scope string) (map[string]int, int) {
			var rows []struct {
				State, Kind string
				Overdue     bool
			}
			require.NoError(t, db.Gorm().Table("cases").Select("state, kind, overdue").
				Where("locality_path LIKE ?", scope+"%").Find(&rows).Error)
			out, late := map[string]int{}, 0
			for _, r := range rows {
				out["state:"+r.State]++
				out["kind:"+r.Kind]++
				if r.Overdue {
					late++
				}
			}
			return out, late
		}
		check := func() {
			t.Helper()
			for _, scope := range []string{"/county/", "/county/s1/", "/county/s1/c1/", "/county/s2/"} {
				states, kinds, err := db.CaseCounts(ctx, scope)
				require.NoError(t, err)
				got := map[string]int{}
				for s, n := range states {
					got["state:"+string(s)] = n
				}
				for k, n := range kinds {
					got["kind:"+string(k)] = n
				}
				want, wantLate := direct(scope)
				require.Equal(t, want, got, scope)
				late, err := db.OverdueCases(ctx, scope)
				require.NoError(t, err)
				require.Equal(t, wantLate, late, scope)
			}
		}

		a := newCase("a", "/county/s1/c1/", hours(1))
		b := newCase("b", "/county/s1/", hours(2))
		mustSync(t, db, a)
		mustSync(t, db, b)
		check()

		a2 := a
		a2.Revision, a2.State, a2.Overdue = 2, qilian.CaseDispatching, true
		mustSync(t, db, a2)
		check()
		mustSync(t, db, a) // stale: revision 1 changes nothing
		check()

		b2 := b
		b2.Revision, b2.Kind, b2.LocalityPath, b2.LocalityID = 2, qilian.KindProblemSolving, "/county/s2/", "s2"
		mustSync(t, db, b2)
		check()

		// Concurrent syncs of many revisions of many cases end where the
		// highest revision of each left it.
		var wg sync.WaitGroup
		for i := range 8 {
			c := newCase(fmt.Sprintf("x%d", i), "/county/s1/c1/", hours(3))
			for rev := int64(1); rev <= 6; rev++ {
				wg.Go(func() {
					r := c
					r.Revision = rev
					r.State = []qilian.CaseState{qilian.CaseTriage, qilian.CaseDispatching, qilian.CaseInProgress}[rev%3]
					r.Overdue = rev%2 == 0
					if rev > 3 {
						r.LocalityPath = "/county/s2/"
					}
					for {
						err := db.SyncCase(ctx, r, nil)
						if qilian.ErrorCode(err) != qilian.EUNAVAILABLE { // a deadlock victim retries, as the activity would
							assert.NoError(t, err)
							return
						}
					}
				})
			}
		}
		wg.Wait()
		check()
		states, _, err := db.CaseCounts(ctx, "/county/s2/")
		require.NoError(t, err)
		require.Equal(t, 8, states[qilian.CaseTriage], "revision 6 of each: triage, in s2")
	})
}

// TestCaseCountsMigrationFillsFromStoredCases takes the schema back to
// before the counts table, changes cases while there are no triggers, and
// migrates up again: the table starts from the cases as they are.
func TestCaseCountsMigrationFillsFromStoredCases(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		seedCases(t, db)
		require.NoError(t, db.MigrateTo(ctx, 6))
		moved := newCase("a4", "/county/s2/c2/", hours(4))
		moved.Revision, moved.State = 9, qilian.CaseClosed
		mustSync(t, db, moved)
		mustSync(t, db, newCase("late", "/county/s1/", hours(8)))
		require.NoError(t, db.MigrateTo(ctx, 7))

		states, kinds, err := db.CaseCounts(ctx, "/county/s1/")
		require.NoError(t, err)
		require.Equal(t, map[qilian.CaseState]int{
			qilian.CaseInProgress: 2, qilian.CaseDispatching: 1, qilian.CaseClosed: 1,
		}, states)
		require.Equal(t, map[qilian.Kind]int{ // a1 and "late"; a2; a3 (a4 moved out)
			qilian.KindServiceLinkage: 2, qilian.KindProblemSolving: 1, qilian.KindJointActivity: 1,
		}, kinds)
		states, _, err = db.CaseCounts(ctx, "/county/s2/")
		require.NoError(t, err)
		require.Equal(t, map[qilian.CaseState]int{qilian.CaseInProgress: 1, qilian.CaseClosed: 1}, states)
		late, err := db.OverdueCases(ctx, "/county/")
		require.NoError(t, err)
		require.Equal(t, 2, late)
	})
}

func TestProvisionalCasesAreTheOpenOnesWithAProvisionalDeadlineAhead(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		seedTree(t, db)
		provisional := func(tk qilian.Task, accept, resolve bool) qilian.Task {
			tk.AcceptBy.Provisional, tk.ResolveBy.Provisional = accept, resolve
			return tk
		}
		sync := func(id string, state qilian.CaseState, tasks ...qilian.Task) {
			c := newCase(id, "/county/s1/c_1/g1/", t0)
			c.State, c.Tasks = state, tasks
			mustSync(t, db, c)
		}
		sync("P1", qilian.CaseInProgress, provisional(task("P1-t1", "u1", qilian.TaskAccepted, hours(1), hours(80)), false, true))
		sync("P2", qilian.CaseDispatching, provisional(task("P2-t1", "u1", qilian.TaskOffered, hours(1), hours(80)), true, false))
		// An accepted task's accept-by is history, not ahead of it.
		sync("P3", qilian.CaseInProgress, provisional(task("P3-t1", "u1", qilian.TaskAccepted, hours(1), hours(80)), true, false))
		sync("P4", qilian.CaseInProgress, provisional(task("P4-t1", "u1", qilian.TaskResolved, hours(1), hours(80)), false, true))
		sync("P5", qilian.CaseCancelled, provisional(task("P5-t1", "u1", qilian.TaskOffered, hours(1), hours(80)), true, true))
		sync("P6", qilian.CaseInProgress, task("P6-t1", "u1", qilian.TaskAccepted, hours(1), hours(80)))

		ids, err := db.ProvisionalCases(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"P1", "P2"}, ids)

		// Re-timed: the mark goes with the next sync.
		c := newCase("P1", "/county/s1/c_1/g1/", t0)
		c.Revision = 2
		c.Tasks = []qilian.Task{task("P1-t1", "u1", qilian.TaskAccepted, hours(1), hours(90))}
		mustSync(t, db, c)
		ids, err = db.ProvisionalCases(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"P2"}, ids)
	})
}
