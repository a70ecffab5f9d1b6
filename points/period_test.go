package points_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/points"
)

func beijing(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, points.Zone())
}

func TestParsePeriod(t *testing.T) {
	for _, tc := range []struct {
		in       string
		kind     points.PeriodKind
		canon    string
		from, to time.Time
	}{
		{"2026-11", points.Month, "2026-11", beijing(2026, 11, 1, 0, 0), beijing(2026, 12, 1, 0, 0)},
		{"2026-12", points.Month, "2026-12", beijing(2026, 12, 1, 0, 0), beijing(2027, 1, 1, 0, 0)},
		{"2026-02", points.Month, "2026-02", beijing(2026, 2, 1, 0, 0), beijing(2026, 3, 1, 0, 0)},
		{"2026-Q4", points.Quarter, "2026-Q4", beijing(2026, 10, 1, 0, 0), beijing(2027, 1, 1, 0, 0)},
		{"2026-q2", points.Quarter, "2026-Q2", beijing(2026, 4, 1, 0, 0), beijing(2026, 7, 1, 0, 0)},
		{"2026", points.Year, "2026", beijing(2026, 1, 1, 0, 0), beijing(2027, 1, 1, 0, 0)},
	} {
		p, err := points.ParsePeriod(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.kind, p.Kind(), tc.in)
		require.Equal(t, tc.canon, p.String(), tc.in)
		from, to := p.Range()
		require.True(t, from.Equal(tc.from), "%s from %s", tc.in, from)
		require.True(t, to.Equal(tc.to), "%s to %s", tc.in, to)
	}
	// Beijing midnight is 16:00 UTC the day before.
	from, _ := points.MonthOf(2026, time.November).Range()
	require.Equal(t, time.Date(2026, 10, 31, 16, 0, 0, 0, time.UTC), from.UTC())

	for _, bad := range []string{"", "2026-13", "2026-00", "2026-1", "2026-Q5", "2026-Q0", "2026-Q", "26-11", "2026-11-01",
		"abcd", "1969", "2026-", "２０２６"} {
		_, err := points.ParsePeriod(bad)
		var de *qilian.Error
		require.ErrorAs(t, err, &de, "%q", bad)
		require.Contains(t, de.Fields, "period", "%q", bad)
	}
}

func TestPeriodNavigation(t *testing.T) {
	require.Equal(t, "2025-12", points.MonthOf(2026, time.January).Prev().String())
	require.Equal(t, "2027-01", points.MonthOf(2026, time.December).Next().String())
	require.Equal(t, "2025-Q4", points.QuarterOf(2026, 1).Prev().String())
	require.Equal(t, "2027-Q1", points.QuarterOf(2026, 4).Next().String())
	require.Equal(t, "2025", points.YearOf(2026).Prev().String())

	// 2026-09-30 16:30 UTC is already 1 October in Beijing.
	at := time.Date(2026, 9, 30, 16, 30, 0, 0, time.UTC)
	require.Equal(t, "2026-10", points.PeriodAt(points.Month, at).String())
	require.Equal(t, "2026-Q4", points.PeriodAt(points.Quarter, at).String())
	require.Equal(t, "2026", points.PeriodAt(points.Year, at).String())

	oct := points.MonthOf(2026, time.October)
	require.True(t, oct.Contains(at))
	require.False(t, oct.Contains(at.Add(-time.Hour)), "23:30 on 30 September in Beijing")
	require.False(t, oct.Contains(beijing(2026, 11, 1, 0, 0)), "the end is excluded")
	require.True(t, points.Period{}.Contains(at), "the zero period holds everything")
	require.True(t, points.Period{}.IsZero())
	require.Empty(t, points.Period{}.String())
}

func TestPeriodText(t *testing.T) {
	var v struct{ P points.Period }
	require.NoError(t, json.Unmarshal([]byte(`{"P":"2026-Q3"}`), &v))
	require.Equal(t, points.QuarterOf(2026, 3), v.P)
	b, err := json.Marshal(v)
	require.NoError(t, err)
	require.JSONEq(t, `{"P":"2026-Q3"}`, string(b))
	require.Error(t, json.Unmarshal([]byte(`{"P":"soon"}`), &v))
}
