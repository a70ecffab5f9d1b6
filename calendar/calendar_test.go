package calendar

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"
)

const stamp = "2006-01-02 15:04"

var workDay = 7*time.Hour + 30*time.Minute

func load(t testing.TB) *Calendar {
	t.Helper()
	c, err := LoadFS(os.DirFS("../configs/calendar"), ".")
	require.NoError(t, err)
	return c
}

func at(t testing.TB, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	v, err := time.ParseInLocation(stamp, s, loc)
	require.NoError(t, err)
	return v
}

func show(c *Calendar, v time.Time) string {
	return v.In(c.Hours().Location).Format(stamp)
}

func TestRealFileCovers2026WithDefaultHours(t *testing.T) {
	c := load(t)
	require.Equal(t, []int{2026}, c.Years())
	h := c.Hours()
	require.Equal(t, "Asia/Shanghai", h.Location.String())
	require.Equal(t, workDay, h.PerDay())
}

func TestRealFileCitesTheNotice(t *testing.T) {
	f, err := os.Open("../configs/calendar/2026.json")
	require.NoError(t, err)
	defer f.Close()
	y, err := Parse(f)
	require.NoError(t, err)
	require.Equal(t, "国办发明电〔2025〕7号", y.Source.Number)
	require.Contains(t, y.Source.Title, "2026年部分节假日安排")
	// The notice's blocks add up to 3+9+3+5+3+3+7 days and six make-up days.
	require.Len(t, y.Holidays, 33)
	require.Len(t, y.Workdays, 6)
}

func TestIsWorkday(t *testing.T) {
	c := load(t)
	for _, tc := range []struct {
		name string
		day  string
		want bool
	}{
		{"New Year's Day on a Thursday is a holiday", "2026-01-01 12:00", false},
		{"Friday 2 Jan is part of the New Year block", "2026-01-02 12:00", false},
		{"Sunday 4 Jan is a make-up working day", "2026-01-04 12:00", true},
		{"Monday 5 Jan is an ordinary working day", "2026-01-05 12:00", true},
		{"Friday 13 Feb is an ordinary working day", "2026-02-13 12:00", true},
		{"Saturday 14 Feb is a make-up working day", "2026-02-14 12:00", true},
		{"Sunday 15 Feb opens the Spring Festival block", "2026-02-15 12:00", false},
		{"Monday 23 Feb closes the Spring Festival block", "2026-02-23 12:00", false},
		{"Tuesday 24 Feb is the first day back", "2026-02-24 12:00", true},
		{"Saturday 28 Feb is a make-up working day", "2026-02-28 12:00", true},
		{"an ordinary Saturday is a rest day", "2026-03-07 12:00", false},
		{"an ordinary Sunday is a rest day", "2026-03-08 12:00", false},
		{"Qingming Monday 6 Apr is a holiday", "2026-04-06 12:00", false},
		{"Labour Day Tuesday 5 May is a holiday", "2026-05-05 12:00", false},
		{"Saturday 9 May is a make-up working day", "2026-05-09 12:00", true},
		{"Dragon Boat Friday 19 Jun is a holiday", "2026-06-19 12:00", false},
		{"Sunday 20 Sep is a make-up working day", "2026-09-20 12:00", true},
		{"Mid-Autumn Friday 25 Sep is a holiday", "2026-09-25 12:00", false},
		{"National Day Wednesday 7 Oct is a holiday", "2026-10-07 12:00", false},
		{"Thursday 8 Oct is the first day back", "2026-10-08 12:00", true},
		{"Saturday 10 Oct is a make-up working day", "2026-10-10 12:00", true},
		{"Thursday 31 Dec is an ordinary working day", "2026-12-31 12:00", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.IsWorkday(at(t, tc.day))
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestIsWorkdayTakesTheDateInShanghai(t *testing.T) {
	c := load(t)
	// 17:00 UTC on Saturday 3 Jan is already 01:00 on the make-up Sunday.
	got, err := c.IsWorkday(time.Date(2026, 1, 3, 17, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.True(t, got)
}

func Test2026Has248WorkingDays(t *testing.T) {
	// 261 weekdays, less the 19 holidays falling on weekdays, plus 6 make-up days.
	require.Equal(t, 248, workingDays(t, load(t), 2026))
}

// workingDays counts the working days of year on c.
func workingDays(t *testing.T, c *Calendar, year int) int {
	t.Helper()
	n := 0
	for d := time.Date(year, 1, 1, 12, 0, 0, 0, c.Hours().Location); d.Year() == year; d = d.AddDate(0, 0, 1) {
		ok, err := c.IsWorkday(d)
		require.NoError(t, err)
		if ok {
			n++
		}
	}
	return n
}

func TestAdd(t *testing.T) {
	c := load(t)
	for _, tc := range []struct {
		name  string
		start string
		d     time.Duration
		want  string
	}{
		{"one working day from the last day before Spring Festival (make-up Saturday 14 Feb) lands on Tuesday 24 Feb", "2026-02-14 10:00", workDay, "2026-02-24 10:00"},
		{"one working day from Friday 13 Feb lands on the make-up Saturday 14 Feb, which comes first", "2026-02-13 10:00", workDay, "2026-02-14 10:00"},
		{"a deadline started inside the Spring Festival block counts from Tuesday 24 Feb", "2026-02-17 09:00", time.Hour, "2026-02-24 09:30"},
		{"one working day from Friday 27 Feb lands on the make-up Saturday 28 Feb", "2026-02-27 10:00", workDay, "2026-02-28 10:00"},
		{"one working day from the make-up Saturday 28 Feb skips Sunday to Monday 2 Mar", "2026-02-28 10:00", workDay, "2026-03-02 10:00"},
		{"a deadline started on New Year's Day counts from the make-up Sunday 4 Jan", "2026-01-01 09:00", workDay, "2026-01-04 17:30"},
		{"one working day from the make-up Sunday 4 Jan lands on Monday 5 Jan", "2026-01-04 10:00", workDay, "2026-01-05 10:00"},
		{"one hour from Friday 17:00 ends Monday 09:00", "2026-03-06 17:00", time.Hour, "2026-03-09 09:00"},
		{"one working day from Friday 17:00 ends Monday 17:00", "2026-03-06 17:00", workDay, "2026-03-09 17:00"},
		{"one hour from Friday 17:00 before the make-up Sunday 20 Sep ends on that Sunday", "2026-09-18 17:00", time.Hour, "2026-09-20 09:00"},
		{"lunch break is skipped", "2026-03-09 11:30", time.Hour, "2026-03-09 14:00"},
		{"a start in the lunch break counts from 13:30", "2026-03-09 12:15", time.Hour, "2026-03-09 14:30"},
		{"a start before office hours counts from 08:30", "2026-03-09 07:00", time.Hour, "2026-03-09 09:30"},
		{"a start after office hours counts from next morning", "2026-03-09 19:00", time.Hour, "2026-03-10 09:30"},
		{"a start on an ordinary Saturday counts from Monday", "2026-03-07 10:00", time.Hour, "2026-03-09 09:30"},
		{"a deadline that fills the morning ends at noon, not at 13:30", "2026-03-09 09:00", 3 * time.Hour, "2026-03-09 12:00"},
		{"a deadline that fills the day ends at 17:30, not next morning", "2026-03-09 08:30", workDay, "2026-03-09 17:30"},
		{"one working day before Qingming lands on Tuesday 7 Apr", "2026-04-03 16:00", workDay, "2026-04-07 16:00"},
		{"one working day before Labour Day lands on Wednesday 6 May", "2026-04-30 10:00", workDay, "2026-05-06 10:00"},
		{"15 working days across Mid-Autumn, National Day and the make-up Saturday 10 Oct", "2026-09-21 08:30", 15 * workDay, "2026-10-16 17:30"},
		{"zero duration returns the start even on a rest day", "2026-03-07 10:00", 0, "2026-03-07 10:00"},
		{"30 minutes from 17:00 on 31 Dec ends within the year", "2026-12-31 17:00", 30 * time.Minute, "2026-12-31 17:30"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Add(at(t, tc.start), tc.d)
			require.NoError(t, err)
			require.Equal(t, tc.want, show(c, got))
		})
	}
}

func TestAddAcceptsAStartInAnyZone(t *testing.T) {
	c := load(t)
	// 01:00 UTC is 09:00 in Shanghai.
	got, err := c.Add(time.Date(2026, 3, 9, 1, 0, 0, 0, time.UTC), time.Hour)
	require.NoError(t, err)
	require.True(t, got.Equal(at(t, "2026-03-09 10:00")), show(c, got))
}

func TestAddRefusesNegativeDuration(t *testing.T) {
	_, err := load(t).Add(at(t, "2026-03-09 10:00"), -time.Minute)
	require.Error(t, err)
}

func TestBetween(t *testing.T) {
	c := load(t)
	for _, tc := range []struct {
		name     string
		from, to string
		want     time.Duration
	}{
		{"within one period", "2026-03-09 09:00", "2026-03-09 10:00", time.Hour},
		{"lunch break is not counted", "2026-03-09 11:30", "2026-03-09 14:00", time.Hour},
		{"evening and weekend are not counted", "2026-03-06 17:00", "2026-03-09 09:00", time.Hour},
		{"the Spring Festival block is not counted", "2026-02-14 10:00", "2026-02-24 10:00", workDay},
		{"a whole ordinary weekend is zero", "2026-03-07 00:00", "2026-03-08 23:59", 0},
		{"the make-up Sunday 4 Jan counts in full", "2026-01-04 00:00", "2026-01-04 23:59", workDay},
		{"to before from is zero", "2026-03-09 10:00", "2026-03-09 09:00", 0},
		{"equal instants are zero", "2026-03-09 10:00", "2026-03-09 10:00", 0},
		{"the whole of 2026 is 248 working days", "2026-01-01 00:00", "2026-12-31 23:59", 248 * workDay},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Between(at(t, tc.from), at(t, tc.to))
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestBetweenIsTheInverseOfAdd(t *testing.T) {
	c := load(t)
	for _, tc := range []struct {
		name  string
		start string
		d     time.Duration
	}{
		{"across the Spring Festival block", "2026-02-12 15:45", 3 * workDay},
		{"across New Year and its make-up Sunday", "2026-01-01 00:00", 2*workDay + 17*time.Minute},
		{"from a Friday evening", "2026-03-06 17:00", 90 * time.Minute},
		{"across lunch", "2026-03-09 11:59", 2 * time.Minute},
		{"15 working days across National Day", "2026-09-18 10:20", 15 * workDay},
		{"80% of a 5-working-day deadline", "2026-04-30 14:00", 5 * workDay * 8 / 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			end, err := c.Add(at(t, tc.start), tc.d)
			require.NoError(t, err)
			got, err := c.Between(at(t, tc.start), end)
			require.NoError(t, err)
			require.Equal(t, tc.d, got)
			back, err := c.Add(at(t, tc.start), got)
			require.NoError(t, err)
			require.True(t, back.Equal(end))
		})
	}
}

func TestYearsWithoutDataAreProvisionalNotRefused(t *testing.T) {
	c := load(t) // the 2026 file alone: 2025 and 2027 have no data here
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"IsWorkday on a 2027 date", func() error { _, err := c.IsWorkday(at(t, "2027-01-04 10:00")); return err }},
		{"IsWorkday on a 2025 date", func() error { _, err := c.IsWorkday(at(t, "2025-12-31 10:00")); return err }},
		{"Add that walks past 31 Dec 2026", func() error { _, err := c.Add(at(t, "2026-12-31 10:00"), workDay); return err }},
		{"Add of zero starting in 2027", func() error { _, err := c.Add(at(t, "2027-01-04 10:00"), 0); return err }},
		{"Between ending in 2027", func() error {
			_, err := c.Between(at(t, "2026-12-31 10:00"), at(t, "2027-01-04 10:00"))
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { require.NoError(t, tc.run()) })
	}
	// 1 January is a holiday by rule; Monday 4 January a working day.
	got, err := c.Add(at(t, "2026-12-31 10:00"), workDay)
	require.NoError(t, err)
	require.Equal(t, "2027-01-04 10:00", show(c, got))
	require.True(t, c.Provisional(at(t, "2026-12-31 10:00"), got))
	require.False(t, c.Provisional(at(t, "2026-12-01 10:00"), at(t, "2026-12-31 17:00")))
	// 17:00 UTC on 31 December 2026 is already 2027 in Shanghai.
	require.True(t, c.Provisional(time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC)))
}

func TestOutOfRangeOnlyPastTheProvisionalYears(t *testing.T) {
	c := load(t)
	_, err := c.IsWorkday(at(t, "2026-06-01 10:00").AddDate(300, 0, 0))
	require.ErrorIs(t, err, ErrOutOfRange)
	_, err = c.IsWorkday(at(t, "2026-06-01 10:00").AddDate(-200, 0, 0))
	require.ErrorIs(t, err, ErrOutOfRange)
}

// fake2027 is made-up test data, not the real 2027 arrangement.
var fake2027 = Year{Year: 2027, Holidays: []Day{{Date: "2027-01-01"}}}

func TestAddCrossesIntoANextYearThatIsLoaded(t *testing.T) {
	y2026, err := Parse(mustOpen(t, "../configs/calendar/2026.json"))
	require.NoError(t, err)
	c, err := New(y2026, fake2027)
	require.NoError(t, err)
	require.Equal(t, []int{2026, 2027}, c.Years())
	got, err := c.Add(at(t, "2026-12-31 10:00"), workDay)
	require.NoError(t, err)
	require.Equal(t, "2027-01-04 10:00", show(c, got))
}

func mustOpen(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(name)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, file, msg string
	}{
		{"malformed JSON", `{"year": 2026, "holidays": [`, "unexpected EOF"},
		{"not an object", `[]`, "cannot unmarshal"},
		{"misspelt key", `{"year": 2026, "workday": []}`, "unknown field"},
		{"trailing data", `{"year": 2026} {"year": 2027}`, "trailing data"},
		{"year missing", `{"holidays": []}`, "year 0"},
		{"date not YYYY-MM-DD", `{"year": 2026, "holidays": [{"date": "2026-1-1"}]}`, `"2026-1-1"`},
		{"impossible date", `{"year": 2026, "holidays": [{"date": "2026-02-30"}]}`, `"2026-02-30"`},
		{"duplicate holiday", `{"year": 2026, "holidays": [{"date": "2026-01-01"}, {"date": "2026-01-01"}]}`, "2026-01-01 is listed twice"},
		{"duplicate make-up day", `{"year": 2026, "workdays": [{"date": "2026-01-04"}, {"date": "2026-01-04"}]}`, "2026-01-04 is listed twice"},
		{"date of another year", `{"year": 2026, "holidays": [{"date": "2027-01-01"}]}`, "2027-01-01 is listed in the file for 2026"},
		{"date both holiday and make-up day", `{"year": 2026, "holidays": [{"date": "2026-01-04"}], "workdays": [{"date": "2026-01-04"}]}`, "both as holiday and as make-up working day"},
		{"make-up day on a weekday", `{"year": 2026, "workdays": [{"date": "2026-01-05"}]}`, "is a Monday"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.file))
			require.ErrorIs(t, err, ErrInvalid)
			require.ErrorContains(t, err, tc.msg)
		})
	}
}

func TestNewErrors(t *testing.T) {
	t.Run("duplicate year", func(t *testing.T) {
		_, err := New(fake2027, Year{Year: 2027})
		require.ErrorIs(t, err, ErrInvalid)
		require.ErrorContains(t, err, "year 2027 given twice")
	})
	t.Run("a provisional year given as official", func(t *testing.T) {
		y, err := Provisional(2029)
		require.NoError(t, err)
		_, err = New(y)
		require.ErrorIs(t, err, ErrInvalid)
	})
	t.Run("date listed both ways in a year built in code", func(t *testing.T) {
		_, err := New(Year{Year: 2027, Holidays: []Day{{Date: "2027-01-02"}}, Workdays: []Day{{Date: "2027-01-02"}}})
		require.ErrorContains(t, err, "both as holiday and as make-up working day")
	})
	t.Run("date of another year in a year built in code", func(t *testing.T) {
		_, err := New(Year{Year: 2027, Holidays: []Day{{Date: "2026-01-01"}}})
		require.ErrorContains(t, err, "listed in the file for 2027")
	})
}

func TestLoadFS(t *testing.T) {
	const y26 = `{"year": 2026}`
	const y27 = `{"year": 2027}`
	t.Run("loads every json file and ignores the rest", func(t *testing.T) {
		c, err := LoadFS(fstest.MapFS{
			"cal/2026.json":  {Data: []byte(y26)},
			"cal/2027.json":  {Data: []byte(y27)},
			"cal/README.md":  {Data: []byte("not json")},
			"cal/old/x.json": {Data: []byte("not looked at")},
		}, "cal")
		require.NoError(t, err)
		require.Equal(t, []int{2026, 2027}, c.Years())
	})
	t.Run("empty directory", func(t *testing.T) {
		_, err := LoadFS(fstest.MapFS{"cal/README.md": {Data: []byte("x")}}, "cal")
		require.ErrorIs(t, err, ErrInvalid)
	})
	t.Run("missing directory", func(t *testing.T) {
		_, err := LoadFS(fstest.MapFS{}, "cal")
		require.Error(t, err)
	})
	t.Run("file named after another year", func(t *testing.T) {
		_, err := LoadFS(fstest.MapFS{"cal/2027.json": {Data: []byte(y26)}}, "cal")
		require.ErrorIs(t, err, ErrInvalid)
		require.ErrorContains(t, err, "cal/2027.json")
	})
	t.Run("two files for one year", func(t *testing.T) {
		_, err := LoadFS(fstest.MapFS{
			"cal/2026.json":      {Data: []byte(y26)},
			"cal/2026-copy.json": {Data: []byte(y26)},
		}, "cal")
		require.ErrorContains(t, err, "given twice")
	})
	t.Run("malformed file is named in the error", func(t *testing.T) {
		_, err := LoadFS(fstest.MapFS{"cal/2026.json": {Data: []byte("{")}}, "cal")
		require.ErrorIs(t, err, ErrInvalid)
		require.ErrorContains(t, err, "cal/2026.json")
	})
}

func TestWithHours(t *testing.T) {
	c := load(t)
	t.Run("a single 09:00–18:00 period", func(t *testing.T) {
		c9, err := c.WithHours(Hours{Periods: []Period{{9 * time.Hour, 18 * time.Hour}}})
		require.NoError(t, err)
		got, err := c9.Add(at(t, "2026-03-06 17:00"), 2*time.Hour)
		require.NoError(t, err)
		require.Equal(t, "2026-03-09 10:00", show(c9, got))
		// The original calendar keeps its own hours.
		require.Equal(t, workDay, c.Hours().PerDay())
	})
	t.Run("another location", func(t *testing.T) {
		cu, err := c.WithHours(Hours{Location: time.UTC, Periods: DefaultHours().Periods})
		require.NoError(t, err)
		got, err := cu.Add(time.Date(2026, 3, 9, 8, 0, 0, 0, time.UTC), time.Hour)
		require.NoError(t, err)
		require.True(t, got.Equal(time.Date(2026, 3, 9, 9, 30, 0, 0, time.UTC)))
	})
	for _, tc := range []struct {
		name    string
		periods []Period
	}{
		{"no periods", nil},
		{"end before start", []Period{{12 * time.Hour, 9 * time.Hour}}},
		{"past midnight", []Period{{20 * time.Hour, 25 * time.Hour}}},
		{"overlapping", []Period{{9 * time.Hour, 12 * time.Hour}, {11 * time.Hour, 17 * time.Hour}}},
		{"out of order", []Period{{13 * time.Hour, 17 * time.Hour}, {9 * time.Hour, 12 * time.Hour}}},
	} {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			_, err := c.WithHours(Hours{Periods: tc.periods})
			require.ErrorIs(t, err, ErrInvalid)
		})
	}
}

func BenchmarkAdd15WorkingDays(b *testing.B) {
	c := load(b)
	start := at(b, "2026-09-21 08:30")
	for b.Loop() {
		if _, err := c.Add(start, 15*workDay); err != nil {
			b.Fatal(err)
		}
	}
}
