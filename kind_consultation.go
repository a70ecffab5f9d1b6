package qilian

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// KindJointConsultation is a matter that needs agreement among the
// parties (事务联商). How the votes decide is in consultation.go.
const KindJointConsultation Kind = "joint_consultation"

// VoteRule is how a consultation decides.
type VoteRule string

// Vote rules.
const (
	RuleMajority  VoteRule = "majority"
	RuleTwoThirds VoteRule = "two_thirds"
	RuleUnanimity VoteRule = "unanimity"
)

// Consultation is a joint consultation case (事务联商): named participants
// vote on options before a deadline.
type Consultation struct {
	Question     string            `json:"question"`
	Options      []string          `json:"options"`
	Participants []string          `json:"participants"` // user IDs
	Quorum       int               `json:"quorum"`       // votes needed for a valid result
	Rule         VoteRule          `json:"rule"`
	Deadline     time.Time         `json:"deadline"`
	Votes        map[string]string `json:"votes,omitempty"`   // participant -> option
	Outcome      string            `json:"outcome,omitempty"` // winning option, "no_quorum" or "no_decision"
	DecidedAt    time.Time         `json:"decided_at,omitzero"`
	EndedEarly   bool              `json:"ended_early,omitempty"`
}

var consultationSpec = kindSpec{
	kind: KindJointConsultation, nameZH: "事务联商", nameEN: "Joint consultation",
	description: "需要各方表决达成一致的事项", keywords: []string{"协商", "表决", "议事"},
	subcategories: []Category{
		{Code: "joint_consultation.parking_plan", Name: "停车方案协商", NameEN: "Parking plan",
			Description: "小区停车位划分和停车管理方案", Keywords: []string{"停车", "车位", "方案"}},
		{Code: "joint_consultation.fee_change", Name: "收费调整协商", NameEN: "Fee change",
			Description: "物业费、停车费等收费标准调整", Keywords: []string{"收费", "物业费", "调价"}},
	},
	part: "consultation",
	has:  func(d Details) bool { return d.Consultation != nil },
	open: openConsultation,
	clone: func(d *Details) {
		if con := d.Consultation; con != nil {
			cp := *con
			cp.Options = slices.Clone(con.Options)
			cp.Participants = slices.Clone(con.Participants)
			cp.Votes = maps.Clone(con.Votes)
			d.Consultation = &cp
		}
	},
	fields: []Field{
		{Code: "question", Path: "details.consultation.question", Type: FieldText, Required: true,
			NameZH: "需要表决的事项", NameEN: "The matter to vote on", HintZH: "不超过 4000 字", HintEN: "at most 4000 characters"},
		{Code: "options", Path: "details.consultation.options", Type: FieldText, Required: true,
			NameZH: "表决选项", NameEN: "The options",
			HintZH: "每行一个选项，至少两个且互不相同", HintEN: "one option a line, at least two, all different"},
		{Code: "participants", Path: "details.consultation.participants", Type: FieldString, Required: true,
			NameZH: "参与表决的人", NameEN: "Who votes", HintZH: "用户编号，以英文逗号分隔", HintEN: "user IDs, separated by commas"},
		{Code: "quorum", Path: "details.consultation.quorum", Type: FieldNumber, Required: true,
			NameZH: "有效表决所需票数", NameEN: "Votes needed for a valid result",
			HintZH: "整数，1 到参与人数", HintEN: "a whole number, from 1 to the number of participants"},
		{Code: "rule", Path: "details.consultation.rule", Type: FieldChoice, Required: true,
			NameZH: "表决规则", NameEN: "How the vote decides", Choices: []Choice{
				{Key: string(RuleMajority), NameZH: "过半数", NameEN: "Majority"},
				{Key: string(RuleTwoThirds), NameZH: "三分之二", NameEN: "Two thirds"},
				{Key: string(RuleUnanimity), NameZH: "全体一致", NameEN: "Unanimity"},
			}},
		{Code: "deadline", Path: "details.consultation.deadline", Type: FieldTime, Required: true,
			NameZH: "表决截止时间", NameEN: "When voting closes", HintZH: "W3C 时间，须在将来", HintEN: "W3C time, in the future"},
	},
}

// openConsultation checks the question, options, participants and rule;
// a new consultation has no votes and no outcome.
func openConsultation(in Details, now time.Time, f map[string]string) Details {
	con := in.Consultation
	if con == nil {
		f["details.consultation"] = "required"
		return Details{}
	}
	if strings.TrimSpace(con.Question) == "" {
		f["details.consultation.question"] = "required"
	}
	if len(con.Options) < 2 || !distinct(con.Options) {
		f["details.consultation.options"] = "at least two distinct, non-empty options"
	}
	if len(con.Participants) < 1 || !distinct(con.Participants) {
		f["details.consultation.participants"] = "at least one participant, each named once"
	}
	if con.Quorum < 1 || con.Quorum > len(con.Participants) {
		f["details.consultation.quorum"] = "between 1 and the number of participants"
	}
	switch con.Rule {
	case RuleMajority, RuleTwoThirds, RuleUnanimity:
	default:
		f["details.consultation.rule"] = "must be majority, two_thirds or unanimity"
	}
	if !con.Deadline.After(now) {
		f["details.consultation.deadline"] = "must be in the future"
	}
	return Details{Consultation: &Consultation{
		Question: con.Question, Options: slices.Clone(con.Options), Participants: slices.Clone(con.Participants),
		Quorum: con.Quorum, Rule: con.Rule, Deadline: con.Deadline,
	}}
}
