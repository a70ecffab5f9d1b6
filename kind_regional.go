package qilian

import (
	"maps"
	"time"
)

// KindRegionalCoordination is area-wide work the axis hands to several
// units at once (区域联抓).
const KindRegionalCoordination Kind = "regional_coordination"

// Regional is a regional coordination case (区域联抓): many parallel unit
// tasks, each reporting progress periodically.
type Regional struct {
	// Reports counts progress reports per task ID.
	Reports map[string]int `json:"reports,omitempty"`
	// The axis's case-level progress reports: how many, the last and when.
	CaseReports  int       `json:"case_reports,omitempty"`
	LastReport   string    `json:"last_report,omitempty"`
	LastReportAt time.Time `json:"last_report_at,omitzero"`
}

var regionalSpec = kindSpec{
	kind: KindRegionalCoordination, nameZH: "区域联抓", nameEN: "Regional coordination",
	description: "需要多个驻区单位同时参与的区域性工作", keywords: []string{"区域", "联抓", "统筹"},
	subcategories: []Category{
		{Code: "regional_coordination.flood_check", Name: "防汛检查", NameEN: "Flood season check",
			Description: "汛期积水点、排水设施和危旧房屋排查", Keywords: []string{"防汛", "积水", "排水", "台风"}},
		{Code: "regional_coordination.clean_up", Name: "环境整治", NameEN: "Street clean-up",
			Description: "街巷环境卫生集中整治", Keywords: []string{"环境", "卫生", "垃圾", "整治"}},
		{Code: "regional_coordination.safety_check", Name: "安全隐患排查", NameEN: "Safety inspection",
			Description: "消防、燃气、电动车充电等安全隐患排查", Keywords: []string{"安全", "消防", "燃气", "电动车"}},
	},
	part: "regional",
	has:  func(d Details) bool { return d.Regional != nil },
	open: func(Details, time.Time, map[string]string) Details {
		return Details{Regional: &Regional{}}
	},
	clone: func(d *Details) {
		if r := d.Regional; r != nil {
			cp := *r
			cp.Reports = maps.Clone(r.Reports)
			d.Regional = &cp
		}
	},
	reports: true,
}
