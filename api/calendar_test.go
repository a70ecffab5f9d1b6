package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

type calendarYear struct {
	Year        int    `json:"year"`
	Source      string `json:"source"`
	Provisional bool   `json:"provisional"`
	Days        []struct {
		Date, Kind, Name string
	} `json:"days"`
}

func (y calendarYear) kindOf(date string) string {
	for _, d := range y.Days {
		if d.Date == date {
			return d.Kind
		}
	}
	return ""
}

func testCalendar(t *testing.T, a *apiEnv) {
	t.Run("200 an official year", func(t *testing.T) {
		var y calendarYear
		a.call(t, "demo-supervisor", http.MethodGet, "/api/v1/calendar/2027", nil).ok(t, http.StatusOK, &y)
		require.Equal(t, 2027, y.Year)
		require.Contains(t, y.Source, "official lunar-go")
		require.False(t, y.Provisional)
		require.Equal(t, "holiday", y.kindOf("2027-02-08"))
		require.Equal(t, "workday", y.kindOf("2027-01-31"))
	})
	t.Run("200 a provisional year, for the admin too", func(t *testing.T) {
		var y calendarYear
		a.call(t, "demo-admin", http.MethodGet, "/api/v1/calendar/2029", nil).ok(t, http.StatusOK, &y)
		require.Equal(t, "provisional", y.Source)
		require.True(t, y.Provisional)
		require.Equal(t, "holiday", y.kindOf("2029-02-13"))
	})
	t.Run("200 the shipped file names itself", func(t *testing.T) {
		var y calendarYear
		a.call(t, "demo-supervisor", http.MethodGet, "/api/v1/calendar/2026", nil).ok(t, http.StatusOK, &y)
		require.Equal(t, "official file configs/calendar/2026.json", y.Source)
	})
	t.Run("400 not a year", func(t *testing.T) {
		e := a.call(t, "demo-supervisor", http.MethodGet, "/api/v1/calendar/next", nil).fails(t, http.StatusBadRequest, "invalid")
		require.Contains(t, e.Fields, "year")
	})
	t.Run("404 beyond any calendar", func(t *testing.T) {
		a.call(t, "demo-supervisor", http.MethodGet, "/api/v1/calendar/2400", nil).fails(t, http.StatusNotFound, "not_found")
	})
	t.Run("403 for other roles", func(t *testing.T) {
		for _, u := range []string{"demo-grid", "demo-axis", "demo-unit"} {
			a.call(t, u, http.MethodGet, "/api/v1/calendar/2027", nil).fails(t, http.StatusForbidden, "forbidden")
		}
	})
}
