package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/storage"
	"github.com/qilian/qilian/storage/storagetest"
)

func square(s, w, n, e float64) qilian.Area {
	return qilian.Area{{Lat: s, Lng: w}, {Lat: s, Lng: e}, {Lat: n, Lng: e}, {Lat: n, Lng: w}}
}

func TestGridAt(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		seedTree(t, db)
		for _, l := range []qilian.Locality{
			{ID: "g2", ParentID: "c_1", Level: qilian.LevelGrid, Name: "二号网格"},
			{ID: "g3", ParentID: "c2", Level: qilian.LevelGrid, Name: "西一网格"},
		} {
			_, err := db.UpsertLocality(ctx, l)
			require.NoError(t, err)
		}
		require.NoError(t, db.SetArea(ctx, "g1", square(30.750, 120.760, 30.755, 120.765)))
		require.NoError(t, db.SetArea(ctx, "g2", square(30.750, 120.765, 30.755, 120.770)))
		// A triangle whose bounding box holds points it does not.
		require.NoError(t, db.SetArea(ctx, "g3", qilian.Area{{Lat: 30.70, Lng: 120.70}, {Lat: 30.70, Lng: 120.72}, {Lat: 30.72, Lng: 120.70}}))

		at := func(scope string, lat, lng float64) string {
			g, err := db.GridAt(ctx, scope, qilian.Point{Lat: lat, Lng: lng})
			if err != nil {
				require.ErrorIs(t, err, qilian.ErrNotFound)
				return ""
			}
			return g.ID
		}
		require.Equal(t, "g1", at("/county/", 30.752, 120.762))
		require.Equal(t, "g2", at("/county/", 30.752, 120.768))
		require.Equal(t, "g1", at("/county/", 30.752, 120.765), "a shared edge goes to the grid first by path")
		require.Equal(t, "g3", at("/county/", 30.705, 120.705))
		require.Equal(t, "", at("/county/", 30.718, 120.718), "inside the box, outside the triangle")
		require.Equal(t, "", at("/county/", 31.0, 121.0))
		require.Equal(t, "", at("/county/s2/", 30.752, 120.762), "outside the scope")
		require.Equal(t, "g3", at("/county/s2/", 30.705, 120.705))

		// Replacing an area moves the grid.
		require.NoError(t, db.SetArea(ctx, "g3", square(31.0, 121.0, 31.1, 121.1)))
		require.Equal(t, "g3", at("/county/", 31.05, 121.05))
		require.Equal(t, "", at("/county/", 30.705, 120.705))
		a, err := db.Area(ctx, "g3")
		require.NoError(t, err)
		require.Equal(t, square(31.0, 121.0, 31.1, 121.1), a)

		require.ErrorIs(t, db.SetArea(ctx, "g1", qilian.Area{{Lat: 1, Lng: 1}, {Lat: 2, Lng: 2}}), qilian.ErrInvalid)
		require.ErrorIs(t, db.SetArea(ctx, "nowhere", square(0, 0, 1, 1)), qilian.ErrNotFound)
	})
}

func TestAreasOfASubtree(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		seedTree(t, db)
		_, err := db.UpsertLocality(ctx, qilian.Locality{ID: "g3", ParentID: "c2", Level: qilian.LevelGrid, Name: "西一网格", NameEN: "West 1"})
		require.NoError(t, err)
		triangle := qilian.Area{{Lat: 30.70, Lng: 120.70}, {Lat: 30.70, Lng: 120.72}, {Lat: 30.72, Lng: 120.70}}
		require.NoError(t, db.SetArea(ctx, "g1", square(30.750, 120.760, 30.755, 120.765)))
		require.NoError(t, db.SetArea(ctx, "g3", triangle))
		require.NoError(t, db.SetArea(ctx, "c2", square(30.69, 120.69, 30.73, 120.73)))

		outlined := func(scope string) []string {
			os, err := db.Areas(ctx, scope)
			require.NoError(t, err)
			var out []string
			for _, o := range os {
				out = append(out, o.Locality.ID)
			}
			return out
		}
		require.Equal(t, []string{"g1", "c2", "g3"}, outlined("/county/"), "parents first; localities without an outline left out")
		require.Equal(t, []string{"g1"}, outlined("/county/s1/"))
		require.Equal(t, []string{"c2", "g3"}, outlined("/county/s2/c2/"))
		require.Empty(t, outlined("/county/s1/c_1/g2/"))

		os, err := db.Areas(ctx, "/county/s2/c2/g3/")
		require.NoError(t, err)
		require.Equal(t, []qilian.Outline{{
			Locality: qilian.Locality{ID: "g3", ParentID: "c2", Level: qilian.LevelGrid, Name: "西一网格", NameEN: "West 1", Path: "/county/s2/c2/g3/"},
			Area:     triangle,
		}}, os, "the locality and its corners, in order")

		_, err = db.Areas(ctx, "county")
		require.ErrorIs(t, err, qilian.ErrInvalid)
	})
}

func TestSetAreaRefusesAnOutlineThatCrossesItself(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		seedTree(t, db)
		before := square(30.750, 120.760, 30.755, 120.765)
		require.NoError(t, db.SetArea(ctx, "g1", before))
		bowTie := qilian.Area{{Lat: 0, Lng: 0}, {Lat: 1, Lng: 1}, {Lat: 1, Lng: 0}, {Lat: 0, Lng: 2}}
		err := db.SetArea(ctx, "g1", bowTie)
		var e *qilian.Error
		require.ErrorAs(t, err, &e)
		require.Contains(t, e.Fields["area"], "crosses itself")
		a, err := db.Area(ctx, "g1")
		require.NoError(t, err)
		require.Equal(t, before, a, "the old outline stays")
	})
}

func TestRequests(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
		repair := newCase("A", "/county/s1/c_1/g1/", t0)
		repair.Category = "service_linkage.repair"
		plain := newCase("B", "/county/s1/c_1/g1/", t0.Add(time.Hour))
		closed := newCase("C", "/county/s1/", t0.Add(2*time.Hour))
		closed.State, closed.Resolution = qilian.CaseClosed, qilian.ResolutionInvalid
		elsewhere := newCase("D", "/county/s2/", t0.Add(3*time.Hour))
		for _, c := range []qilian.Case{repair, plain, closed, elsewhere} {
			require.NoError(t, db.SyncCase(ctx, c, nil))
		}
		list := func(f qilian.RequestFilter) []string {
			if f.ScopePath == "" {
				f.ScopePath = "/county/s1/"
			}
			cs, err := db.Requests(ctx, f)
			require.NoError(t, err)
			var out []string
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		yes, no := true, false
		require.Equal(t, []string{"C", "B", "A"}, list(qilian.RequestFilter{}), "newest first, within the scope")
		require.Equal(t, []string{"A"}, list(qilian.RequestFilter{Categories: []string{"service_linkage.repair"}}))
		require.Equal(t, []string{"C", "B"}, list(qilian.RequestFilter{Categories: []string{"service_linkage"}}), "a case without a category has its kind's")
		require.Equal(t, []string{"B", "A"}, list(qilian.RequestFilter{Open: &yes}))
		require.Equal(t, []string{"C"}, list(qilian.RequestFilter{Open: &no}))
		require.Equal(t, []string{"B"}, list(qilian.RequestFilter{From: t0.Add(time.Minute), To: t0.Add(2 * time.Hour)}))
		require.Equal(t, []string{"C", "A"}, list(qilian.RequestFilter{IDs: []string{"A", "C", "D"}, Open: &yes}), "IDs override the other filters, not the scope")
		require.Equal(t, []string{"C"}, list(qilian.RequestFilter{Limit: 1}))

		cs, err := db.Requests(ctx, qilian.RequestFilter{ScopePath: "/county/", IDs: []string{"A"}})
		require.NoError(t, err)
		require.Equal(t, "service_linkage.repair", cs[0].Category, "the whole case comes back")

		_, err = db.Requests(ctx, qilian.RequestFilter{})
		require.ErrorIs(t, err, qilian.ErrInvalid)
		_, err = db.Requests(ctx, qilian.RequestFilter{ScopePath: "/county/", Limit: qilian.MaxRequests + 1})
		require.ErrorIs(t, err, qilian.ErrInvalid)
	})
}

// TestRequestsAnswerAtMostOneThousand is Open311's cap: 1,001 cases in
// scope, 1,000 answered, the newest.
func TestRequestsAnswerAtMostOneThousand(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
		for i := range qilian.MaxRequests + 1 {
			c := newCase(fmt.Sprintf("R%04d", i), "/county/s1/", t0.Add(time.Duration(i)*time.Minute))
			require.NoError(t, db.SyncCase(ctx, c, nil))
		}
		cs, err := db.Requests(ctx, qilian.RequestFilter{ScopePath: "/county/"})
		require.NoError(t, err)
		require.Len(t, cs, qilian.MaxRequests)
		require.Equal(t, "R1000", cs[0].ID)
		require.Equal(t, "R0001", cs[len(cs)-1].ID)
	})
}
