package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/api"
)

// TestMapSettingsAsConfigured serves the map the pages draw on, to every
// role: no tiles and no center unless configured, so a page draws the
// outlines on a blank map and fits them.
func TestMapSettingsAsConfigured(t *testing.T) {
	people := tokenPeople{byToken: map[string]qilian.Actor{
		"grid-token":  {UserID: "grid-1", Role: qilian.RoleGridWorker, LocalityID: "g1", LocalityPath: "/c/s1/g1/"},
		"admin-token": {UserID: "admin-1", Role: qilian.RoleAdmin, LocalityID: "c", LocalityPath: "/c/"},
	}}
	get := func(s api.Server, token string) string {
		w := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/api/v1/map", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		api.New(s).ServeHTTP(w, req)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		return w.Body.String()
	}
	require.JSONEq(t, `{"tiles": "", "attribution": "", "max_zoom": 18, "center": null, "zoom": 0}`, get(api.Server{People: people}, "grid-token"))

	osm := api.Server{People: people, Map: api.MapSettings{
		Tiles: "https://tile.openstreetmap.org/{z}/{x}/{y}.png", Attribution: "&copy; OpenStreetMap contributors", MaxZoom: 19,
		Center: &qilian.Point{Lat: 30.75, Lng: 120.76}, Zoom: 15,
	}}
	want := `{"tiles": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "&copy; OpenStreetMap contributors",
		"max_zoom": 19, "center": [30.75, 120.76], "zoom": 15}`
	raw := get(osm, "grid-token")
	require.JSONEq(t, want, raw, "[lat, lng]")
	require.Contains(t, raw, `"&copy; OpenStreetMap contributors"`, "HTML as written, not \\u0026-escaped")
	require.JSONEq(t, want, get(osm, "admin-token"), "admins draw outlines too")

	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]map[string]any `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	w := httptest.NewRecorder()
	api.New(api.Server{}).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &doc))
	center := doc.Components.Schemas["MapView"].Properties["center"]
	require.Equal(t, true, center["nullable"], "the document says center may be null")
	require.Equal(t, "array", center["type"])
}
