package qilian

import (
	"slices"
	"strings"
	"time"
)

// KindMemberManagement is a Party member who works in a unit registering
// (报到) with the community where they live (党员联管).
const KindMemberManagement Kind = "member_management"

// Member is a member management case (党员联管): one Party member
// registered (报到) with the community where they live.
type Member struct {
	Name       string `json:"name"`
	Phone      string `json:"phone,omitempty"`
	HomeUnitID string `json:"home_unit_id"`
	// UserID is the member's own account, when they registered themselves
	// (as staff of their home unit).
	UserID string     `json:"user_id,omitempty"`
	Post   string     `json:"post,omitempty"` // service post assigned by the community
	Hours  []HoursLog `json:"hours,omitempty"`
	// The hours logged so far, confirmed by the community and waiting.
	ConfirmedHours float64 `json:"confirmed_hours,omitempty"`
	PendingHours   float64 `json:"pending_hours,omitempty"`
}

// HoursLog is service time a member logged.
type HoursLog struct {
	ID          string    `json:"id"`
	Date        string    `json:"date"` // YYYY-MM-DD, the day served
	Hours       float64   `json:"hours"`
	Note        string    `json:"note,omitempty"`
	LoggedAt    time.Time `json:"logged_at"`
	Confirmed   bool      `json:"confirmed"`
	ConfirmedBy string    `json:"confirmed_by,omitempty"`
}

var memberSpec = kindSpec{
	kind: KindMemberManagement, nameZH: "党员联管", nameEN: "Party member management",
	description: "在职党员到居住地社区报到", keywords: []string{"党员", "报到"},
	subcategories: []Category{
		{Code: "member_management.registration", Name: "在职党员报到", NameEN: "Member registration",
			Description: "在职党员向居住地社区报到并认领服务岗位", Keywords: []string{"党员", "报到", "服务岗"}},
	},
	part: "member",
	has:  func(d Details) bool { return d.Member != nil },
	open: openMember,
	clone: func(d *Details) {
		if m := d.Member; m != nil {
			cp := *m
			cp.Hours = slices.Clone(m.Hours)
			d.Member = &cp
		}
	},
	fields: []Field{
		{Code: "member_name", Path: "details.member.name", Type: FieldString, Required: true,
			NameZH: "报到党员姓名", NameEN: "The member's name", HintZH: "不超过 200 字", HintEN: "at most 200 characters"},
		{Code: "member_phone", Path: "details.member.phone", Type: FieldString,
			NameZH: "报到党员电话", NameEN: "The member's phone", HintZH: "电话号码", HintEN: "a phone number"},
		{Code: "home_unit_id", Path: "details.member.home_unit_id", Type: FieldString, Required: true,
			NameZH: "党员所在的工作单位", NameEN: "The unit the member works in", HintZH: "单位编号", HintEN: "a unit ID"},
	},
	// The community assigns a post and confirms hours; no unit has a task.
	taskless: true,
}

// openMember checks who registers; a new registration has no post and no
// hours.
func openMember(in Details, now time.Time, f map[string]string) Details {
	m := in.Member
	if m == nil {
		f["details.member"] = "required"
		return Details{}
	}
	if strings.TrimSpace(m.Name) == "" {
		f["details.member.name"] = "required"
	}
	if m.HomeUnitID == "" {
		f["details.member.home_unit_id"] = "required"
	}
	return Details{Member: &Member{Name: m.Name, Phone: m.Phone, HomeUnitID: m.HomeUnitID, UserID: m.UserID}}
}

// total counts the member's hours, confirmed and waiting.
func (m *Member) total() {
	m.ConfirmedHours, m.PendingHours = 0, 0
	for _, h := range m.Hours {
		if h.Confirmed {
			m.ConfirmedHours += h.Hours
		} else {
			m.PendingHours += h.Hours
		}
	}
}
