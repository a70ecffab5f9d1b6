package calendar

import (
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// lunarGo is the module that carries the State Council's arrangements.
const lunarGo = "github.com/6tail/lunar-go"

// englishNames gives the English names of the holidays lunar-go names.
var englishNames = map[string]string{
	"元旦节":   "New Year's Day",
	"春节":    "Spring Festival",
	"清明节":   "Qingming Festival",
	"劳动节":   "Labour Day",
	"端午节":   "Dragon Boat Festival",
	"中秋节":   "Mid-Autumn Festival",
	"国庆节":   "National Day",
	"国庆中秋":  "National Day and Mid-Autumn Festival",
	"抗战胜利日": "Victory Day",
}

// LunarGoVersion is the version of lunar-go this binary was built with, as
// the build records it; a test binary records no dependencies, and then the
// version is unknown.
var LunarGoVersion = sync.OnceValue(func() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == lunarGo {
				if d.Replace != nil {
					d = d.Replace
				}
				return d.Version
			}
		}
	}
	return "(version unknown)"
})

// Official returns every year for which lunar-go carries the official
// arrangement, each with its holidays and make-up working days, oldest
// first. A year counts when some entry belongs to one of its holidays:
// the library's data opens with the last days of 2001, make-up days of
// New Year 2002, which do not make 2001 a covered year.
var Official = sync.OnceValues(func() ([]Year, error) {
	origin := "official lunar-go " + LunarGoVersion()
	var out []Year
	// The data starts in 2001; it ends at the first year with nothing.
	for y := 2001; ; y++ {
		l := HolidayUtil.GetHolidaysByYear(y)
		if l.Len() == 0 && y > 2001 {
			break
		}
		yr := Year{Year: y, Origin: origin, Source: Source{
			Title:  fmt.Sprintf("%d年部分节假日安排（lunar-go HolidayUtil）", y),
			Issuer: "国务院办公厅",
			URL:    "https://" + lunarGo,
		}}
		covered := false
		for e := l.Front(); e != nil; e = e.Next() {
			h := e.Value.(*HolidayUtil.Holiday)
			d := Day{Date: h.GetDay(), Name: h.GetName(), NameEn: englishNames[h.GetName()]}
			if h.IsWork() {
				if wd := weekdayOf(h.GetDay()); wd != time.Saturday && wd != time.Sunday {
					// A few old entries (2012-05-02) mark an ordinary
					// weekday as working: true, and harmless to drop.
					continue
				}
				yr.Workdays = append(yr.Workdays, d)
			} else {
				yr.Holidays = append(yr.Holidays, d)
			}
			if strings.HasPrefix(h.GetTarget(), fmt.Sprintf("%04d-", y)) {
				covered = true
			}
		}
		if !covered {
			continue
		}
		if _, err := yr.index(); err != nil {
			return nil, fmt.Errorf("lunar-go %s: %w", LunarGoVersion(), err)
		}
		out = append(out, yr)
	}
	return out, nil
})

// Standard is the calendar Qilian counts on: lunar-go's official years,
// each replaced by a file's year where a file gives one (later lists win),
// and provisional years past them.
func Standard(files ...[]Year) (*Calendar, error) {
	official, err := Official()
	if err != nil {
		return nil, err
	}
	return New(Overlay(official, files...)...)
}

func weekdayOf(date string) time.Weekday {
	t, err := time.Parse(dateLayout, date)
	if err != nil {
		return time.Monday // index refuses the date with its reason
	}
	return t.Weekday()
}
