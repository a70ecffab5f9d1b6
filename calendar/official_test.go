package calendar

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func official(t *testing.T, year int) Year {
	t.Helper()
	years, err := Official()
	require.NoError(t, err)
	for _, y := range years {
		if y.Year == year {
			return y
		}
	}
	t.Fatalf("lunar-go has no official data for %d", year)
	return Year{}
}

func dates(days []Day) []string {
	out := make([]string, 0, len(days))
	for _, d := range days {
		out = append(out, d.Date)
	}
	return out
}

func TestEveryOfficialYearIsValidAndContiguous(t *testing.T) {
	years, err := Official()
	require.NoError(t, err)
	require.NotEmpty(t, years)
	require.Equal(t, 2002, years[0].Year, "2001 holds only make-up days of New Year 2002")
	for i, y := range years {
		require.Equal(t, 2002+i, y.Year)
		require.Contains(t, y.Origin, "official lunar-go")
		require.False(t, y.Provisional)
		require.NotEmpty(t, y.Holidays)
	}
	require.GreaterOrEqual(t, years[len(years)-1].Year, 2027)
	_, err = Standard()
	require.NoError(t, err)
}

// The 2026 file was transcribed from the notice by hand; the library was
// not. Each is checked against the other, date by date, so a wrong entry in
// either shows.
func TestLibraryAndThe2026FileAgree(t *testing.T) {
	file, err := Parse(mustOpen(t, "../configs/calendar/2026.json"))
	require.NoError(t, err)
	lib := official(t, 2026)
	require.ElementsMatch(t, dates(file.Holidays), dates(lib.Holidays))
	require.ElementsMatch(t, dates(file.Workdays), dates(lib.Workdays))
	// The notice's blocks add up to 3+9+3+5+3+3+7 days and six make-up days.
	require.Len(t, lib.Holidays, 33)
	require.Len(t, lib.Workdays, 6)
	for _, d := range lib.Holidays {
		require.NotEmpty(t, d.NameEn, d.Name)
	}

	c, err := New(lib)
	require.NoError(t, err)
	require.Equal(t, 248, workingDays(t, c, 2026))
}

func Test2027IsTheOfficialArrangement(t *testing.T) {
	c, err := Standard()
	require.NoError(t, err)
	y, err := c.Year(2027)
	require.NoError(t, err)
	require.False(t, y.Provisional)
	require.Contains(t, y.Origin, "official lunar-go")
	for _, d := range []string{"2027-01-01", "2027-01-02", "2027-01-03", "2027-02-05", "2027-02-08", "2027-02-13", "2027-10-07"} {
		require.Contains(t, dates(y.Holidays), d)
	}
	require.ElementsMatch(t, []string{"2027-01-31", "2027-02-14", "2027-05-08", "2027-09-26", "2027-10-09"}, dates(y.Workdays))
	for _, tc := range []struct {
		day  string
		work bool
	}{
		{"2027-01-01", false}, {"2027-01-04", true}, {"2027-01-31", true}, // Sunday, made up
		{"2027-02-05", false}, {"2027-02-12", false}, {"2027-02-14", true},
		{"2027-02-15", true}, {"2027-09-26", true}, {"2027-10-09", true},
	} {
		got, err := c.IsWorkday(at(t, tc.day+" 10:00"))
		require.NoError(t, err)
		require.Equal(t, tc.work, got, tc.day)
	}
	require.False(t, c.Provisional(at(t, "2027-01-01 10:00"), at(t, "2027-12-31 10:00")))
}

func TestAFileWinsOverTheLibraryForItsYear(t *testing.T) {
	files, err := ReadDir(os.DirFS("../configs/calendar"), ".", "configs/calendar")
	require.NoError(t, err)
	mine := Year{Year: 2027, Holidays: []Day{{Date: "2027-01-04", Name: "本地假日"}}}
	c, err := Standard(files, []Year{mine})
	require.NoError(t, err)
	y26, err := c.Year(2026)
	require.NoError(t, err)
	require.Equal(t, "official file configs/calendar/2026.json", y26.Origin)
	y27, err := c.Year(2027)
	require.NoError(t, err)
	require.Equal(t, "official", y27.Origin)
	ok, err := c.IsWorkday(at(t, "2027-01-04 10:00"))
	require.NoError(t, err)
	require.False(t, ok, "the file's holiday")
	ok, err = c.IsWorkday(at(t, "2027-02-08 10:00"))
	require.NoError(t, err)
	require.True(t, ok, "the library's 2027 is replaced whole, not merged")
}

func TestProvisionalYearFollowsTheNationalRules(t *testing.T) {
	y, err := Provisional(2029)
	require.NoError(t, err)
	require.True(t, y.Provisional)
	require.Equal(t, OriginProvisional, y.Origin)
	require.Empty(t, y.Workdays, "no rule says where make-up days fall")
	require.Equal(t, []string{
		"2029-01-01",
		"2029-02-12", "2029-02-13", "2029-02-14", "2029-02-15", // lunar New Year's Eve and 1–3 of the first month
		"2029-04-04",               // Qingming
		"2029-05-01", "2029-05-02", // Labour Day
		"2029-06-16", // 5th of the 5th lunar month
		"2029-09-22", // 15th of the 8th
		"2029-10-01", "2029-10-02", "2029-10-03",
	}, dates(y.Holidays))

	c, err := Standard()
	require.NoError(t, err)
	for _, tc := range []struct {
		day  string
		work bool
	}{
		{"2029-02-13", false}, {"2029-02-16", true}, {"2029-02-17", false}, // a Saturday stays a rest day
		{"2029-10-04", true},
	} {
		got, err := c.IsWorkday(at(t, tc.day+" 10:00"))
		require.NoError(t, err)
		require.Equal(t, tc.work, got, tc.day)
	}
	require.True(t, c.Provisional(at(t, "2029-01-05 10:00"), at(t, "2029-01-05 11:00")))
}

func TestProvisionalMidAutumnWithinNationalDayIsOneRestDay(t *testing.T) {
	// In 2001 and 2020 the 15th of the 8th lunar month was 1 October.
	y, err := Provisional(2020)
	require.NoError(t, err)
	require.Len(t, y.Holidays, 12) // 1 + 4 + 1 + 2 + 1 + 3, Mid-Autumn within National Day
	var days []string
	for _, e := range y.Entries() {
		days = append(days, e.Date)
	}
	require.IsIncreasing(t, days)
}

func TestFifteenWorkingDaysAcrossThe2027SpringFestival(t *testing.T) {
	c, err := Standard()
	require.NoError(t, err)
	// From Monday 25 January 2027: the make-up Sunday 31 January counts,
	// 5–13 February rest, Sunday 14 February works.
	got, err := c.Add(at(t, "2027-01-25 08:30"), 15*c.PerDay())
	require.NoError(t, err)
	// Working days: 25–29 Jan (5), 31 Jan (6), 1–4 Feb (10), 14–18 Feb (15).
	require.Equal(t, "2027-02-18 17:30", show(c, got))
	require.Equal(t, time.Duration(15)*c.PerDay(), mustBetween(t, c, at(t, "2027-01-25 08:30"), got))
}

func mustBetween(t *testing.T, c *Calendar, from, to time.Time) time.Duration {
	t.Helper()
	d, err := c.Between(from, to)
	require.NoError(t, err)
	return d
}
