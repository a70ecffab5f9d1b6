package qilian

import (
	"maps"
	"slices"
	"time"
)

// KindProblemSolving is a hard problem no single unit can solve (难题联破).
const KindProblemSolving Kind = "problem_solving"

// Problem is a problem solving case (难题联破): whistles and meetings.
type Problem struct {
	Whistles []Whistle `json:"whistles,omitempty"`
	Meetings []Meeting `json:"meetings,omitempty"`
}

// Whistle is a 吹哨: summoned units must report (报到) before Due.
type Whistle struct {
	ID       string               `json:"id"`
	BlownBy  string               `json:"blown_by"`
	BlownAt  time.Time            `json:"blown_at"`
	Due      time.Time            `json:"due"`
	Units    []string             `json:"units"`
	Reported map[string]time.Time `json:"reported,omitempty"`
	Missed   bool                 `json:"missed,omitempty"` // Due passed with units unreported
}

// Meeting is the record of a joint meeting.
type Meeting struct {
	At        time.Time `json:"at"`
	Attendees []string  `json:"attendees"`
	Minutes   string    `json:"minutes"`
}

var problemSpec = kindSpec{
	kind: KindProblemSolving, nameZH: "难题联破", nameEN: "Problem solving",
	description: "单个单位无法解决的难题", keywords: []string{"难题", "吹哨"},
	subcategories: []Category{
		{Code: "problem_solving.old_compound", Name: "老旧小区改造", NameEN: "Old compound renovation",
			Description: "老旧小区加装电梯、管网改造等", Keywords: []string{"老旧小区", "改造", "电梯"}},
		{Code: "problem_solving.illegal_building", Name: "违章搭建", NameEN: "Illegal building",
			Description: "违法建筑和私搭乱建", Keywords: []string{"违建", "违章", "搭建"}},
		{Code: "problem_solving.parking", Name: "停车难", NameEN: "Parking shortage",
			Description: "停车难、乱停车", Keywords: []string{"停车", "乱停"}},
	},
	part: "problem",
	has:  func(d Details) bool { return d.Problem != nil },
	open: func(Details, time.Time, map[string]string) Details {
		return Details{Problem: &Problem{}}
	},
	clone: func(d *Details) {
		if p := d.Problem; p != nil {
			cp := Problem{Whistles: slices.Clone(p.Whistles), Meetings: slices.Clone(p.Meetings)}
			for i := range cp.Whistles {
				cp.Whistles[i] = cp.Whistles[i].clone()
			}
			for i := range cp.Meetings {
				cp.Meetings[i].Attendees = slices.Clone(cp.Meetings[i].Attendees)
			}
			d.Problem = &cp
		}
	},
	// A lead unit (主办) with co-units (协办).
	lead: true,
}

func (w Whistle) clone() Whistle {
	w.Units = slices.Clone(w.Units)
	w.Reported = maps.Clone(w.Reported)
	return w
}
