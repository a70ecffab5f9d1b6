package qilian

import (
	"maps"
	"slices"
	"time"
)

// KindJointActivity is an activity organised together (活动联办).
const KindJointActivity Kind = "joint_activity"

// Activity is a joint activity case (活动联办).
type Activity struct {
	Capacity  int             `json:"capacity"`
	StartsAt  time.Time       `json:"starts_at"`
	EndsAt    time.Time       `json:"ends_at"`
	Venue     string          `json:"venue,omitempty"`
	SignUps   []Participant   `json:"sign_ups,omitempty"`
	CheckedIn map[string]bool `json:"checked_in,omitempty"` // participant ID -> checked in
	Summary   string          `json:"summary,omitempty"`
}

// Participant is a person signed up for an activity.
type Participant struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Phone    string    `json:"phone,omitempty"`
	UnitID   string    `json:"unit_id,omitempty"`
	SignedAt time.Time `json:"signed_at"`
	// CheckedInAt is when the organisers checked them in at the activity.
	CheckedInAt time.Time `json:"checked_in_at,omitzero"`
}

var activitySpec = kindSpec{
	kind: KindJointActivity, nameZH: "活动联办", nameEN: "Joint activity",
	description: "与驻区单位共同组织的活动", keywords: []string{"活动", "联办"},
	subcategories: []Category{
		{Code: "joint_activity.volunteer_day", Name: "志愿服务日", NameEN: "Volunteer day",
			Description: "志愿服务集中活动", Keywords: []string{"志愿", "服务日"}},
		{Code: "joint_activity.party_day", Name: "主题党日", NameEN: "Party day",
			Description: "联合开展的主题党日活动", Keywords: []string{"党日", "党建"}},
		{Code: "joint_activity.culture", Name: "文化活动", NameEN: "Cultural event",
			Description: "文艺演出、读书会等文化活动", Keywords: []string{"文化", "演出", "读书"}},
	},
	part: "activity",
	has:  func(d Details) bool { return d.Activity != nil },
	open: openActivity,
	clone: func(d *Details) {
		if act := d.Activity; act != nil {
			cp := *act
			cp.SignUps = slices.Clone(act.SignUps)
			cp.CheckedIn = maps.Clone(act.CheckedIn)
			d.Activity = &cp
		}
	},
	fields: []Field{
		{Code: "capacity", Path: "details.activity.capacity", Type: FieldNumber, Required: true,
			NameZH: "报名人数上限", NameEN: "How many may sign up", HintZH: "正整数", HintEN: "a whole number, at least 1"},
		{Code: "starts_at", Path: "details.activity.starts_at", Type: FieldTime, Required: true,
			NameZH: "活动开始时间", NameEN: "When the activity starts", HintZH: "W3C 时间", HintEN: "W3C time"},
		{Code: "ends_at", Path: "details.activity.ends_at", Type: FieldTime, Required: true,
			NameZH: "活动结束时间", NameEN: "When the activity ends", HintZH: "W3C 时间，晚于开始时间", HintEN: "W3C time, after the start"},
		{Code: "venue", Path: "details.activity.venue", Type: FieldString,
			NameZH: "活动地点", NameEN: "Where it takes place", HintZH: "不超过 200 字", HintEN: "at most 200 characters"},
	},
	// The summary action (decideSummary) moves it to verifying.
	verifiedOnSummary: true,
}

// openActivity checks the capacity and the times; a new activity has no
// sign-ups and no summary.
func openActivity(in Details, now time.Time, f map[string]string) Details {
	act := in.Activity
	if act == nil {
		f["details.activity"] = "required"
		return Details{}
	}
	if act.Capacity < 1 {
		f["details.activity.capacity"] = "at least 1"
	}
	if act.StartsAt.IsZero() {
		f["details.activity.starts_at"] = "required"
	}
	if !act.EndsAt.After(act.StartsAt) {
		f["details.activity.ends_at"] = "must be after starts_at"
	}
	return Details{Activity: &Activity{Capacity: act.Capacity, StartsAt: act.StartsAt, EndsAt: act.EndsAt, Venue: act.Venue}}
}
