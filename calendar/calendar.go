// Package calendar computes deadlines in working time on the Chinese official
// calendar, where the State Council moves rest days around public holidays
// every year (调休): a weekday can be a holiday and a Saturday or Sunday can be
// a make-up working day. Neither can be derived from rules, so each covered
// year comes from a data file transcribed from that year's notice, and any
// date outside the covered years is an error rather than a guess.
//
// Only working time is computed here. Deadlines that run round the clock, such
// as emergencies, count wall-clock time: callers use time.Time.Add and
// time.Time.Sub for those and need no calendar at all.
package calendar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	// Embedded so that Asia/Shanghai loads on machines and containers that
	// ship without a zoneinfo database.
	_ "time/tzdata"
)

// ErrOutOfRange is wrapped by every error caused by a date whose year has
// no official data and lies beyond the years a provisional calendar is
// computed for (see Provisional): centuries away from any real deadline.
var ErrOutOfRange = errors.New("calendar: date outside the covered years")

// ErrInvalid is wrapped by every error caused by bad calendar data or bad
// working hours, so that a loader can tell a broken file from an I/O failure.
var ErrInvalid = errors.New("calendar: invalid calendar data")

const dateLayout = "2006-01-02"

// Source identifies the official notice a year file was transcribed from, so
// that a reviewer can check every date against it.
type Source struct {
	Title  string   `json:"title"`
	Issuer string   `json:"issuer,omitempty"`
	Number string   `json:"number,omitempty"`
	Issued string   `json:"issued,omitempty"`
	URL    string   `json:"url,omitempty"`
	AlsoAt []string `json:"also_at,omitempty"`
}

// Day is one dated entry of a year file. Date is written YYYY-MM-DD so that
// the file reads like the notice and carries no time zone.
type Day struct {
	Date   string `json:"date"`
	Name   string `json:"name,omitempty"`
	NameEn string `json:"name_en,omitempty"`
}

// Year is the content of one year file. Holidays lists every rest day of each
// holiday block one by one, weekend days included, so that the file can be
// checked against the notice's day counts; Workdays lists the make-up working
// days, which always fall on a Saturday or Sunday.
type Year struct {
	Year     int    `json:"year"`
	Source   Source `json:"source"`
	Holidays []Day  `json:"holidays"`
	Workdays []Day  `json:"workdays"`

	// Origin says where the year came from, for people: "official
	// lunar-go v1.4.7", "official file configs/calendar/2026.json" or
	// "provisional". It is not part of a file.
	Origin string `json:"-"`
	// Provisional is set on a year computed from the rules.
	Provisional bool `json:"-"`
}

// Entry is one exception to the Monday–Friday week, for listing.
type Entry struct {
	Date string `json:"date"`
	// Kind is "holiday" or "workday" (a make-up working day).
	Kind   string `json:"kind"`
	Name   string `json:"name,omitempty"`
	NameEn string `json:"name_en,omitempty"`
}

// Entries lists the year's holidays and make-up working days by date.
func (y Year) Entries() []Entry {
	out := make([]Entry, 0, len(y.Holidays)+len(y.Workdays))
	for _, d := range y.Holidays {
		out = append(out, Entry{Date: d.Date, Kind: "holiday", Name: d.Name, NameEn: d.NameEn})
	}
	for _, d := range y.Workdays {
		out = append(out, Entry{Date: d.Date, Kind: "workday", Name: d.Name, NameEn: d.NameEn})
	}
	slices.SortStableFunc(out, func(a, b Entry) int { return strings.Compare(a.Date, b.Date) })
	return out
}

// Parse reads one year file. Unknown fields are refused because a misspelt
// key such as "workday" would otherwise drop every make-up day unnoticed.
func Parse(r io.Reader) (Year, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var y Year
	if err := dec.Decode(&y); err != nil {
		return Year{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Year{}, fmt.Errorf("%w: trailing data after the year object", ErrInvalid)
	}
	if _, err := y.index(); err != nil {
		return Year{}, err
	}
	return y, nil
}

// civil is a date without a zone; keying by it keeps lookups independent of
// the location a caller's time.Time happens to carry.
type civil struct {
	year  int
	month time.Month
	day   int
}

func civilOf(t time.Time) civil {
	y, m, d := t.Date()
	return civil{y, m, d}
}

// next normalises through UTC, which has no DST gaps that could skip a day.
func (c civil) next() civil {
	return civilOf(time.Date(c.year, c.month, c.day+1, 0, 0, 0, 0, time.UTC))
}

func (c civil) weekday() time.Weekday {
	return time.Date(c.year, c.month, c.day, 0, 0, 0, 0, time.UTC).Weekday()
}

func (c civil) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", c.year, c.month, c.day)
}

func (c civil) before(o civil) bool {
	if c.year != o.year {
		return c.year < o.year
	}
	if c.month != o.month {
		return c.month < o.month
	}
	return c.day < o.day
}

// index validates the year and returns its exceptions to the Mon–Fri rule:
// true for a make-up working day, false for a holiday.
func (y Year) index() (map[civil]bool, error) {
	if y.Year < 1 || y.Year > 9999 {
		return nil, fmt.Errorf("%w: year %d", ErrInvalid, y.Year)
	}
	out := make(map[civil]bool, len(y.Holidays)+len(y.Workdays))
	add := func(d Day, working bool) error {
		t, err := time.Parse(dateLayout, d.Date)
		if err != nil {
			return fmt.Errorf("%w: %d: date %q: %w", ErrInvalid, y.Year, d.Date, err)
		}
		c := civilOf(t)
		if c.year != y.Year {
			return fmt.Errorf("%w: %s is listed in the file for %d", ErrInvalid, c, y.Year)
		}
		if prev, dup := out[c]; dup {
			if prev == working {
				return fmt.Errorf("%w: %s is listed twice", ErrInvalid, c)
			}
			return fmt.Errorf("%w: %s is listed both as holiday and as make-up working day", ErrInvalid, c)
		}
		if wd := c.weekday(); working && wd != time.Saturday && wd != time.Sunday {
			// A make-up day on a weekday changes nothing, so it can only be a
			// mistyped date whose real counterpart is now missing.
			return fmt.Errorf("%w: make-up working day %s is a %s", ErrInvalid, c, wd)
		}
		out[c] = working
		return nil
	}
	for _, d := range y.Holidays {
		if err := add(d, false); err != nil {
			return nil, err
		}
	}
	for _, d := range y.Workdays {
		if err := add(d, true); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Period is one span of a working day, as offsets from local midnight, so that
// it means the same wall-clock times on every day.
type Period struct {
	Start, End time.Duration
}

// Hours is the working schedule applied to every working day. A nil Location
// means Asia/Shanghai, the zone the official calendar is published for.
type Hours struct {
	Location *time.Location
	Periods  []Period
}

// DefaultHours is the usual government office schedule: 08:30–12:00 and
// 13:30–17:30, with the lunch break not counted.
func DefaultHours() Hours {
	return Hours{Periods: []Period{
		{Start: 8*time.Hour + 30*time.Minute, End: 12 * time.Hour},
		{Start: 13*time.Hour + 30*time.Minute, End: 17*time.Hour + 30*time.Minute},
	}}
}

// PerDay is the working time in one full working day, which lets callers
// express a deadline of n working days as n*PerDay().
func (h Hours) PerDay() time.Duration {
	var total time.Duration
	for _, p := range h.Periods {
		total += p.End - p.Start
	}
	return total
}

func (h Hours) validate() error {
	if len(h.Periods) == 0 {
		return fmt.Errorf("%w: no working periods", ErrInvalid)
	}
	var prevEnd time.Duration
	for i, p := range h.Periods {
		if p.Start < 0 || p.End > 24*time.Hour || p.Start >= p.End {
			return fmt.Errorf("%w: working period %v–%v", ErrInvalid, p.Start, p.End)
		}
		// The walk in Add relies on periods being in order and disjoint.
		if i > 0 && p.Start < prevEnd {
			return fmt.Errorf("%w: working periods overlap or are out of order at %v", ErrInvalid, p.Start)
		}
		prevEnd = p.End
	}
	return nil
}

var shanghai = sync.OnceValues(func() (*time.Location, error) {
	return time.LoadLocation("Asia/Shanghai")
})

// Calendar answers working-time questions over its official years and,
// past them, over provisional years computed when first asked for. It is
// safe for concurrent use; nothing a caller sees ever changes.
type Calendar struct {
	days    map[civil]bool
	years   map[int]Year // the official years, as given
	prov    *provisionalYears
	loc     *time.Location
	periods []Period
}

// provisionalYears caches the provisional years computed so far. Copies
// of a Calendar share it: a provisional year is the same for all of them.
type provisionalYears struct {
	mu    sync.Mutex
	years map[int]map[civil]bool
	errs  map[int]error
}

func (p *provisionalYears) days(y int) (map[civil]bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if d, ok := p.years[y]; ok {
		return d, p.errs[y]
	}
	yr, err := Provisional(y)
	var idx map[civil]bool
	if err == nil {
		idx, err = yr.index()
	}
	p.years[y], p.errs[y] = idx, err
	return idx, err
}

// New merges official years into one calendar with DefaultHours. It
// refuses a year given twice, since two files for one year would disagree
// silently; Overlay is how one source wins over another. With no years at
// all every year is provisional.
func New(years ...Year) (*Calendar, error) {
	c := &Calendar{
		days: map[civil]bool{}, years: map[int]Year{},
		prov: &provisionalYears{years: map[int]map[civil]bool{}, errs: map[int]error{}},
	}
	for _, y := range years {
		if _, dup := c.years[y.Year]; dup {
			return nil, fmt.Errorf("%w: year %d given twice", ErrInvalid, y.Year)
		}
		if y.Provisional {
			return nil, fmt.Errorf("%w: year %d is provisional, not official data", ErrInvalid, y.Year)
		}
		idx, err := y.index()
		if err != nil {
			return nil, err
		}
		if y.Origin == "" {
			y.Origin = "official"
		}
		c.years[y.Year] = y
		for d, w := range idx {
			c.days[d] = w
		}
	}
	return c.WithHours(DefaultHours())
}

// Overlay returns base with each year of over in place of base's year of
// the same number: a locality's own file wins over the library's data.
func Overlay(base []Year, over ...[]Year) []Year {
	byYear := map[int]Year{}
	for _, y := range base {
		byYear[y.Year] = y
	}
	for _, ys := range over {
		for _, y := range ys {
			byYear[y.Year] = y
		}
	}
	out := make([]Year, 0, len(byYear))
	for _, y := range byYear {
		out = append(out, y)
	}
	slices.SortFunc(out, func(a, b Year) int { return a.Year - b.Year })
	return out
}

// ReadDir reads every *.json file in dir, each as one official year whose
// Origin names the file under label (the directory as people know it). A
// file named after a year must contain that year, which catches a file
// copied for a new year but not edited. Two files of one year are refused.
func ReadDir(fsys fs.FS, dir, label string) ([]Year, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	var years []Year
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		name := path.Join(dir, e.Name())
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("calendar: %w", err)
		}
		y, err := Parse(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if n, err := strconv.Atoi(strings.TrimSuffix(e.Name(), ".json")); err == nil && n != y.Year {
			return nil, fmt.Errorf("%s: %w: file holds year %d", name, ErrInvalid, y.Year)
		}
		if prev, dup := seen[y.Year]; dup {
			return nil, fmt.Errorf("%s: %w: year %d given twice (also in %s)", name, ErrInvalid, y.Year, prev)
		}
		seen[y.Year] = name
		y.Origin = "official file " + path.Join(label, e.Name())
		years = append(years, y)
	}
	return years, nil
}

// LoadFS builds a calendar from the *.json files in dir alone (see
// ReadDir), refusing a directory with none.
func LoadFS(fsys fs.FS, dir string) (*Calendar, error) {
	years, err := ReadDir(fsys, dir, dir)
	if err != nil {
		return nil, err
	}
	if len(years) == 0 {
		return nil, fmt.Errorf("%w: no *.json files in %s", ErrInvalid, dir)
	}
	return New(years...)
}

// WithHours returns a copy of c using h, leaving c unchanged so that callers
// sharing c are not affected.
func (c *Calendar) WithHours(h Hours) (*Calendar, error) {
	if err := h.validate(); err != nil {
		return nil, err
	}
	loc := h.Location
	if loc == nil {
		var err error
		if loc, err = shanghai(); err != nil {
			return nil, fmt.Errorf("calendar: %w", err)
		}
	}
	cp := *c
	cp.loc = loc
	cp.periods = slices.Clone(h.Periods)
	return &cp, nil
}

// Hours reports the schedule in use, with the location resolved.
func (c *Calendar) Hours() Hours {
	return Hours{Location: c.loc, Periods: slices.Clone(c.periods)}
}

// Years lists the official years in ascending order.
func (c *Calendar) Years() []int {
	out := make([]int, 0, len(c.years))
	for y := range c.years {
		out = append(out, y)
	}
	slices.Sort(out)
	return out
}

// IsWorkday reports whether the calendar date of day, taken in the calendar's
// location, is a working day. The date is taken there because an instant
// late in the evening UTC is already the next day in Shanghai.
func (c *Calendar) IsWorkday(day time.Time) (bool, error) {
	return c.isWorkdate(civilOf(day.In(c.loc)))
}

func (c *Calendar) isWorkdate(d civil) (bool, error) {
	days := c.days
	if _, ok := c.years[d.year]; !ok {
		var err error
		if days, err = c.prov.days(d.year); err != nil {
			return false, err
		}
	}
	if w, ok := days[d]; ok {
		return w, nil
	}
	wd := d.weekday()
	return wd != time.Saturday && wd != time.Sunday, nil
}

// Year returns year y as the calendar counts it: official, with its
// origin, or provisional.
func (c *Calendar) Year(y int) (Year, error) {
	if yr, ok := c.years[y]; ok {
		return yr, nil
	}
	return Provisional(y)
}

// Provisional reports whether any day from from to to, both taken in the
// calendar's location, lies in a year without official data: whether a
// count over that stretch may move once the year is arranged.
func (c *Calendar) Provisional(from, to time.Time) bool {
	lo, hi := from.In(c.loc).Year(), to.In(c.loc).Year()
	if hi < lo {
		lo, hi = hi, lo
	}
	for y := lo; y <= hi; y++ {
		if _, ok := c.years[y]; !ok {
			return true
		}
	}
	return false
}

// bounds builds the period from wall-clock fields rather than adding to
// midnight, so that a zone with DST keeps 08:30 at 08:30.
func (c *Calendar) bounds(d civil, p Period) (time.Time, time.Time) {
	at := func(off time.Duration) time.Time {
		return time.Date(d.year, d.month, d.day, 0, 0, 0, int(off), c.loc)
	}
	return at(p.Start), at(p.End)
}

// Add returns the instant at which d of working time has elapsed after start.
// A start outside working hours counts from the next period's start, and a
// deadline that uses up a period exactly ends at that period's end rather
// than at the next one's start. The walk goes period by period, so its cost
// grows with the number of days crossed, not with d's resolution.
func (c *Calendar) Add(start time.Time, d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, fmt.Errorf("calendar: negative working duration %v", d)
	}
	t := start.In(c.loc)
	day := civilOf(t)
	if d == 0 {
		// Nothing elapses, but a start in an unknown year must still fail.
		if _, err := c.isWorkdate(day); err != nil {
			return time.Time{}, err
		}
		return start, nil
	}
	for ; ; day = day.next() {
		ok, err := c.isWorkdate(day)
		if err != nil {
			return time.Time{}, err
		}
		if !ok {
			continue
		}
		for _, p := range c.periods {
			ps, pe := c.bounds(day, p)
			if !t.Before(pe) {
				continue
			}
			if t.Before(ps) {
				t = ps
			}
			left := pe.Sub(t)
			if d <= left {
				return t.Add(d), nil
			}
			d -= left
			t = pe
		}
	}
}

// Between returns the working time elapsed from from to to, or 0 when to is
// not after from. Add(from, Between(from, to)) gives back to whenever to lies
// inside working hours, which is what lateness and "80% of the time" checks
// need.
func (c *Calendar) Between(from, to time.Time) (time.Duration, error) {
	if !to.After(from) {
		return 0, nil
	}
	from, to = from.In(c.loc), to.In(c.loc)
	last := civilOf(to)
	var total time.Duration
	for day := civilOf(from); !last.before(day); day = day.next() {
		ok, err := c.isWorkdate(day)
		if err != nil {
			return 0, err
		}
		if !ok {
			continue
		}
		for _, p := range c.periods {
			ps, pe := c.bounds(day, p)
			lo, hi := ps, pe
			if from.After(lo) {
				lo = from
			}
			if to.Before(hi) {
				hi = to
			}
			if hi.After(lo) {
				total += hi.Sub(lo)
			}
		}
	}
	return total, nil
}

// PerDay is the working time of one working day under the calendar's
// hours: what a deadline of "one working day" adds.
func (c *Calendar) PerDay() time.Duration { return c.Hours().PerDay() }
