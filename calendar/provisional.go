package calendar

import (
	"fmt"

	lunar "github.com/6tail/lunar-go/calendar"
)

// The years a provisional calendar can be computed for. The bounds are
// far beyond any deadline; past them the lunar dates would still come,
// but nobody can have meant such a year.
const (
	firstProvisional = 1901
	lastProvisional  = 2199
)

// OriginProvisional is the Origin of a year computed from the rules.
const OriginProvisional = "provisional"

// Provisional computes year y from the national rules (全国年节及纪念日放
// 假办法, as revised in 2024) for a year the State Council has not yet
// arranged: New Year's Day; the Spring Festival, lunar New Year's Eve and
// the first three days of the first lunar month; Qingming, the solar term's
// day; Labour Day, 1 and 2 May; the Dragon Boat Festival, 5th of the 5th
// lunar month; the Mid-Autumn Festival, 15th of the 8th; National Day, 1 to
// 3 October. The yearly notice also moves rest days next to weekends and
// adds make-up working days; no rule says how, so a provisional year has
// neither, and every deadline counted on it says so.
func Provisional(y int) (Year, error) {
	if y < firstProvisional || y > lastProvisional {
		return Year{}, fmt.Errorf("%w: %d: no official data, and provisional years run from %d to %d",
			ErrOutOfRange, y, firstProvisional, lastProvisional)
	}
	yr := Year{Year: y, Origin: OriginProvisional, Provisional: true, Source: Source{
		Title: fmt.Sprintf("%d年（暂定：按《全国年节及纪念日放假办法》推算，无调休）", y),
	}}
	seen := map[string]bool{}
	add := func(s *lunar.Solar, name string) {
		d := s.ToYmd()
		if seen[d] {
			// Mid-Autumn can fall within National Day; the day is one rest day.
			return
		}
		seen[d] = true
		yr.Holidays = append(yr.Holidays, Day{Date: d, Name: name, NameEn: englishNames[name]})
	}
	add(lunar.NewSolarFromYmd(y, 1, 1), "元旦节")
	newYear := lunar.NewLunarFromYmd(y, 1, 1).GetSolar()
	add(newYear.NextDay(-1), "春节")
	for i := range 3 {
		add(newYear.NextDay(i), "春节")
	}
	add(lunar.NewSolarFromYmd(y, 4, 1).GetLunar().GetJieQiTable()["清明"], "清明节")
	add(lunar.NewSolarFromYmd(y, 5, 1), "劳动节")
	add(lunar.NewSolarFromYmd(y, 5, 2), "劳动节")
	add(lunar.NewLunarFromYmd(y, 5, 5).GetSolar(), "端午节")
	add(lunar.NewLunarFromYmd(y, 8, 15).GetSolar(), "中秋节")
	for d := 1; d <= 3; d++ {
		add(lunar.NewSolarFromYmd(y, 10, d), "国庆节")
	}
	if _, err := yr.index(); err != nil {
		return Year{}, err
	}
	return yr, nil
}
