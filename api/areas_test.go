package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/demo"
)

// featureOut is a GeoJSON Feature as the area routes answer it.
type featureOut struct {
	Type     string `json:"type"`
	Geometry struct {
		Type        string         `json:"type"`
		Coordinates [][][2]float64 `json:"coordinates"`
	} `json:"geometry"`
	Properties struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		NameEN   string `json:"name_en"`
		Level    string `json:"level"`
		ParentID string `json:"parent_id"`
	} `json:"properties"`
}

type featuresOut struct {
	Type     string       `json:"type"`
	Features []featureOut `json:"features"`
}

// ring is an area as GeoJSON writes it: [lng, lat], closed.
func ring(a qilian.Area) [][2]float64 {
	var out [][2]float64
	for _, p := range a {
		out = append(out, [2]float64{p.Lng, p.Lat})
	}
	return append(out, out[0])
}

// testAreas draws the map: the outlines of the caller's place come out as
// GeoJSON, and an admin replaces one inside their subtree with a Polygon,
// while a bad one is refused, its field named, and loses nothing. It adds
// places and users, so it runs after the tests that count them.
func testAreas(t *testing.T, a *apiEnv) {
	outlines := func(token string) map[string]featureOut {
		var fc featuresOut
		a.callToken(t, token, http.MethodGet, "/api/v1/areas", nil).ok(t, http.StatusOK, &fc)
		require.Equal(t, "FeatureCollection", fc.Type)
		out := map[string]featureOut{}
		for _, f := range fc.Features {
			require.Equal(t, "Feature", f.Type)
			require.Equal(t, "Polygon", f.Geometry.Type)
			require.Len(t, f.Geometry.Coordinates, 1, "one ring")
			r := f.Geometry.Coordinates[0]
			require.Equal(t, r[0], r[len(r)-1], "the ring is closed")
			out[f.Properties.ID] = f
		}
		return out
	}
	ids := func(fs map[string]featureOut) []string {
		var out []string
		for id := range fs {
			out = append(out, id)
		}
		return out
	}

	t.Run("200 the demo's outlines, [lng, lat]", func(t *testing.T) {
		all := outlines(a.key(t, "demo-admin"))
		for id, area := range demo.Areas {
			f, ok := all[id]
			require.True(t, ok, "%s has its outline", id)
			require.Equal(t, ring(area), f.Geometry.Coordinates[0], id)
			require.Equal(t, "grid", f.Properties.Level)
		}
		g := all["dongzha-g1"].Properties
		require.Equal(t, "东栅社区第一网格", g.Name)
		require.Equal(t, "Dongzha grid 1", g.NameEN)
		require.Equal(t, "dongzha", g.ParentID)
		// 120.76°E is the longitude, first; 30.75°N the latitude.
		require.Equal(t, [2]float64{120.760, 30.750}, all["dongzha-g1"].Geometry.Coordinates[0][0])
	})
	t.Run("200 inside the caller's place only", func(t *testing.T) {
		require.ElementsMatch(t, []string{"dongzha-g1"}, ids(outlines(a.key(t, "demo-grid"))))
		street := ids(outlines(a.key(t, "demo-axis")))
		require.Subset(t, street, []string{"dongzha-g1", "dongzha-g2", "wenhua-g1"})
		require.NotContains(t, street, "jiahe-g1")
		// Unit staff: their unit's locality and below it; the power
		// company is stationed in Jianshe street.
		require.ElementsMatch(t, street, ids(outlines(a.key(t, "demo-unit-power"))))
		require.Empty(t, outlines(a.key(t, "demo-unit")), "the Mingyuan compound has no outline")
	})

	// A grid of its own, far from the demo's, in Xinxing street.
	a.call(t, "demo-admin", http.MethodPost, "/api/v1/localities", map[string]any{
		"id": "areas-g1", "parent_id": "qinyuan", "level": "grid", "name": "地图测试网格", "name_en": "Map test grid"}).ok(t, http.StatusCreated, nil)
	token := func(user, role, locality string) string {
		var created struct {
			Token struct {
				Token string `json:"token"`
			} `json:"token"`
		}
		a.call(t, "demo-admin", http.MethodPost, "/api/v1/users", map[string]any{
			"id": user, "name": user, "role": role, "locality_id": locality}).ok(t, http.StatusCreated, &created)
		return created.Token.Token
	}
	admin := token("areas-admin-xinxing", "admin", "xinxing")
	elsewhere := token("areas-admin-jianshe", "admin", "jianshe")
	worker := token("areas-grid", "grid_worker", "areas-g1")
	put := func(token, id string, body any) reply {
		return a.callToken(t, token, http.MethodPut, "/api/v1/localities/"+id+"/area", body)
	}
	outline := [][]float64{{120.90, 30.90}, {120.91, 30.90}, {120.91, 30.91}, {120.90, 30.91}, {120.90, 30.90}}
	feature := func(r [][]float64) map[string]any {
		return map[string]any{"type": "Feature", "properties": map[string]any{"name": "ignored"},
			"geometry": map[string]any{"type": "Polygon", "coordinates": [][][]float64{r}}}
	}
	want := [][2]float64{{120.90, 30.90}, {120.91, 30.90}, {120.91, 30.91}, {120.90, 30.91}, {120.90, 30.90}}

	t.Run("200 an admin sets an outline in their subtree", func(t *testing.T) {
		var f featureOut
		put(admin, "areas-g1", feature(outline)).ok(t, http.StatusOK, &f)
		require.Equal(t, "Feature", f.Type)
		require.Equal(t, [][][2]float64{want}, f.Geometry.Coordinates)
		require.Equal(t, "地图测试网格", f.Properties.Name, "the locality's own properties, not the body's")
		require.Equal(t, "qinyuan", f.Properties.ParentID)

		mine := outlines(worker)
		require.Equal(t, []string{"areas-g1"}, ids(mine), "the grid worker inside sees it")
		require.Equal(t, f, mine["areas-g1"], "as PUT answered it")
		require.Contains(t, outlines(a.key(t, "demo-axis-xinxing")), "areas-g1")
		require.NotContains(t, outlines(a.key(t, "demo-grid-jiahe")), "areas-g1", "a grid worker of another grid does not")
		require.NotContains(t, outlines(a.key(t, "demo-axis")), "areas-g1", "nor the axis of another street")
		require.NotContains(t, outlines(elsewhere), "areas-g1")

		// Its point now lands in it.
		g, err := a.env.DB.GridAt(context.Background(), "/nanhu/", qilian.Point{Lat: 30.905, Lng: 120.905})
		require.NoError(t, err)
		require.Equal(t, "areas-g1", g.ID)
	})
	t.Run("200 a bare Polygon, unclosed and clockwise, comes out closed and counterclockwise", func(t *testing.T) {
		cw := [][]float64{{120.90, 30.90}, {120.90, 30.91}, {120.91, 30.91}, {120.91, 30.90}}
		var f featureOut
		put(admin, "areas-g1", map[string]any{"type": "Polygon", "coordinates": [][][]float64{cw}}).ok(t, http.StatusOK, &f)
		require.Equal(t, [][2]float64{{120.91, 30.90}, {120.91, 30.91}, {120.90, 30.91}, {120.90, 30.90}, {120.91, 30.90}}, f.Geometry.Coordinates[0])
		put(admin, "areas-g1", feature(outline)).ok(t, http.StatusOK, nil)
	})
	t.Run("404 outside the admin's subtree or unknown", func(t *testing.T) {
		put(elsewhere, "areas-g1", feature(outline)).fails(t, http.StatusNotFound, "not_found")
		put(admin, "dongzha-g1", feature(outline)).fails(t, http.StatusNotFound, "not_found")
		put(admin, "nowhere", feature(outline)).fails(t, http.StatusNotFound, "not_found")
		require.Equal(t, ring(demo.Areas["dongzha-g1"]), outlines(a.key(t, "demo-grid"))["dongzha-g1"].Geometry.Coordinates[0])
	})
	t.Run("403 not an admin", func(t *testing.T) {
		put(worker, "areas-g1", feature(outline)).fails(t, http.StatusForbidden, "forbidden")
	})
	for _, tc := range []struct {
		name  string
		body  any
		field string
		says  string
	}{
		{"400 a ring that crosses itself", feature([][]float64{{120.90, 30.90}, {120.91, 30.91}, {120.91, 30.90}, {120.90, 30.91}}),
			"geometry.coordinates", "crosses itself"},
		{"400 an unclosed ring of two positions", feature([][]float64{{120.90, 30.90}, {120.91, 30.91}}),
			"geometry.coordinates", "at least three corners"},
		{"400 a closed ring of two positions", feature([][]float64{{120.90, 30.90}, {120.91, 30.91}, {120.90, 30.90}}),
			"geometry.coordinates", "at least three corners"},
		{"400 a MultiPolygon", map[string]any{"type": "Feature", "geometry": map[string]any{"type": "MultiPolygon",
			"coordinates": [][][][]float64{{outline}}}}, "geometry.type", "MultiPolygon"},
		{"400 a bare MultiPolygon", map[string]any{"type": "MultiPolygon", "coordinates": [][][][]float64{{outline}}},
			"type", "MultiPolygon"},
		{"400 no ring", map[string]any{"type": "Feature", "geometry": map[string]any{"type": "Polygon", "coordinates": []any{}}},
			"geometry.coordinates", "required"},
		{"400 a latitude out of range", feature([][]float64{{120.90, 30.90}, {120.91, 30.90}, {120.91, 91}}),
			"geometry.coordinates[0][2]", "latitude from -90 to 90"},
		{"400 a longitude out of range", feature([][]float64{{120.90, 30.90}, {181, 30.90}, {120.91, 30.91}}),
			"geometry.coordinates[0][1]", "longitude from -180 to 180"},
		{"400 [lat, lng] the wrong way round, out of range", map[string]any{"type": "Polygon",
			"coordinates": [][][]float64{{{30.90, 120.90}, {30.90, 120.91}, {30.91, 120.91}}}}, "coordinates[0][0]", "[lng, lat]"},
		{"400 a position of one number", feature([][]float64{{120.90}, {120.91, 30.90}, {120.91, 30.91}}),
			"geometry.coordinates[0][0]", "[lng, lat]"},
		{"400 no geometry", map[string]any{"type": "Feature"}, "geometry", "required"},
		{"400 a Point", map[string]any{"type": "Point", "coordinates": []float64{120.9, 30.9}}, "type", "Point"},
		{"400 a FeatureCollection", map[string]any{"type": "FeatureCollection", "features": []any{feature(outline)}},
			"type", "FeatureCollection"},
		{"400 a Polygon with properties", map[string]any{"type": "Polygon", "properties": map[string]any{},
			"coordinates": [][][]float64{outline}}, "properties", "only a Feature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := put(admin, "areas-g1", tc.body).fails(t, http.StatusBadRequest, "invalid")
			require.Contains(t, e.Fields, tc.field, "%+v", e)
			require.Contains(t, e.Fields[tc.field], tc.says)
			require.Equal(t, [][][2]float64{want}, outlines(worker)["areas-g1"].Geometry.Coordinates, "the old outline stays")
		})
	}
	t.Run("400 a hole in the outline", func(t *testing.T) {
		hole := [][]float64{{120.902, 30.902}, {120.903, 30.902}, {120.903, 30.903}, {120.902, 30.902}}
		body := map[string]any{"type": "Polygon", "coordinates": [][][]float64{outline, hole}}
		e := put(admin, "areas-g1", body).fails(t, http.StatusBadRequest, "invalid")
		require.Contains(t, e.Fields["coordinates"], "no holes")
		require.Equal(t, [][][2]float64{want}, outlines(worker)["areas-g1"].Geometry.Coordinates)
	})
}
