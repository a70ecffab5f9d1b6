package points

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	// Embedded so that Asia/Shanghai loads on machines and containers that
	// ship without a zoneinfo database.
	_ "time/tzdata"

	"github.com/qilian/qilian"
)

// Zone is where periods begin and end: a month is a Beijing month.
func Zone() *time.Location { return zone }

var zone = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		// China has kept UTC+8 without daylight saving since 1991.
		return time.FixedZone("CST", 8*60*60)
	}
	return loc
}()

// PeriodKind is the length of an assessment period.
type PeriodKind string

// Period kinds.
const (
	Month   PeriodKind = "month"
	Quarter PeriodKind = "quarter"
	Year    PeriodKind = "year"
)

// Period is a calendar month, quarter or year in Zone; it is written
// "2026-11", "2026-Q4" or "2026". The zero Period is no period at all:
// Score given one filters nothing by time.
type Period struct {
	kind PeriodKind
	year int
	n    int // month 1-12, quarter 1-4, 0 for a year
}

// Oldest and newest years a period may name.
const (
	minYear = 1970
	maxYear = 9999
)

// MonthOf is the month m of year y.
func MonthOf(y int, m time.Month) Period { return Period{kind: Month, year: y, n: int(m)} }

// QuarterOf is the quarter q (1 to 4) of year y.
func QuarterOf(y, q int) Period { return Period{kind: Quarter, year: y, n: q} }

// YearOf is the year y.
func YearOf(y int) Period { return Period{kind: Year, year: y} }

// PeriodAt is the period of the kind that holds t.
func PeriodAt(k PeriodKind, t time.Time) Period {
	t = t.In(zone)
	switch k {
	case Month:
		return MonthOf(t.Year(), t.Month())
	case Quarter:
		return QuarterOf(t.Year(), (int(t.Month())-1)/3+1)
	default:
		return YearOf(t.Year())
	}
}

// ParsePeriod reads "2026-11", "2026-Q4" (or "2026-q4") or "2026".
func ParsePeriod(s string) (Period, error) {
	bad := qilian.Invalid(map[string]string{"period": fmt.Sprintf("want YYYY, YYYY-MM or YYYY-Qn, got %q", s)})
	y, rest, hasRest := strings.Cut(s, "-")
	if len(y) != 4 {
		return Period{}, bad
	}
	year, err := strconv.Atoi(y)
	if err != nil || year < minYear || year > maxYear {
		return Period{}, bad
	}
	if !hasRest {
		return YearOf(year), nil
	}
	if len(rest) == 2 && (rest[0] == 'Q' || rest[0] == 'q') {
		q, err := strconv.Atoi(rest[1:])
		if err != nil || q < 1 || q > 4 {
			return Period{}, bad
		}
		return QuarterOf(year, q), nil
	}
	m, err := strconv.Atoi(rest)
	if len(rest) != 2 || err != nil || m < 1 || m > 12 {
		return Period{}, bad
	}
	return MonthOf(year, time.Month(m)), nil
}

// IsZero reports whether p is the zero Period.
func (p Period) IsZero() bool { return p.kind == "" }

// Kind is month, quarter or year.
func (p Period) Kind() PeriodKind { return p.kind }

// String is the form ParsePeriod reads; "" for the zero Period.
func (p Period) String() string {
	switch p.kind {
	case Month:
		return fmt.Sprintf("%04d-%02d", p.year, p.n)
	case Quarter:
		return fmt.Sprintf("%04d-Q%d", p.year, p.n)
	case Year:
		return fmt.Sprintf("%04d", p.year)
	}
	return ""
}

// Range is the half-open interval [from, to) the period covers, in Zone;
// zero times for the zero Period.
func (p Period) Range() (from, to time.Time) {
	switch p.kind {
	case Month:
		from = time.Date(p.year, time.Month(p.n), 1, 0, 0, 0, 0, zone)
		return from, from.AddDate(0, 1, 0)
	case Quarter:
		from = time.Date(p.year, time.Month(3*(p.n-1)+1), 1, 0, 0, 0, 0, zone)
		return from, from.AddDate(0, 3, 0)
	case Year:
		from = time.Date(p.year, time.January, 1, 0, 0, 0, 0, zone)
		return from, from.AddDate(1, 0, 0)
	}
	return time.Time{}, time.Time{}
}

// Contains reports whether t falls in the period; everything does in the
// zero Period.
func (p Period) Contains(t time.Time) bool {
	if p.IsZero() {
		return true
	}
	from, to := p.Range()
	return !t.Before(from) && t.Before(to)
}

// Prev is the period of the same kind just before p, for trends.
func (p Period) Prev() Period { return p.shift(-1) }

// Next is the period of the same kind just after p.
func (p Period) Next() Period { return p.shift(1) }

func (p Period) shift(d int) Period {
	per := map[PeriodKind]int{Month: 12, Quarter: 4}[p.kind]
	if per == 0 {
		if p.kind == Year {
			p.year += d
		}
		return p
	}
	i := p.year*per + p.n - 1 + d
	p.year, p.n = i/per, i%per+1
	return p
}

// MarshalText writes the form ParsePeriod reads.
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads what ParsePeriod reads.
func (p *Period) UnmarshalText(b []byte) error {
	v, err := ParsePeriod(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}
