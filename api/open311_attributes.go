package api

import "github.com/qilian/qilian"

// attribute is one Open311 attribute a service asks for: a field of the
// details its kind needs to open a case. Detail is the field's name in the
// case API's errors, so the domain's refusals can be named by attribute.
type attribute struct {
	Code                string
	Detail              string
	Datatype            string // string, number, datetime, text, singlevaluelist or multivaluelist
	Required            bool
	DatatypeDescription string
	Description         string
	Values              []valueOut
}

// kindAttributes are the attributes by kind, in the order a form asks
// them. Kinds whose cases need no details ask for none.
var kindAttributes = map[qilian.Kind][]attribute{
	qilian.KindResourceSharing: {
		{Code: "resource_id", Detail: "details.booking.resource_id", Datatype: "string", Required: true,
			DatatypeDescription: "资源编号", Description: "要借用的资源"},
		{Code: "owner_unit_id", Detail: "details.booking.owner_unit_id", Datatype: "string", Required: true,
			DatatypeDescription: "单位编号", Description: "资源所属的驻区单位"},
		{Code: "from", Detail: "details.booking.from", Datatype: "datetime", Required: true,
			DatatypeDescription: "W3C 时间，如 2026-12-01T09:00:00+08:00", Description: "开始使用时间"},
		{Code: "to", Detail: "details.booking.to", Datatype: "datetime", Required: true,
			DatatypeDescription: "W3C 时间，晚于开始时间", Description: "归还时间"},
		{Code: "purpose", Detail: "details.booking.purpose", Datatype: "text",
			DatatypeDescription: "不超过 4000 字", Description: "用途"},
	},
	qilian.KindJointConsultation: {
		{Code: "question", Detail: "details.consultation.question", Datatype: "text", Required: true,
			DatatypeDescription: "不超过 4000 字", Description: "需要表决的事项"},
		{Code: "options", Detail: "details.consultation.options", Datatype: "text", Required: true,
			DatatypeDescription: "每行一个选项，至少两个且互不相同", Description: "表决选项"},
		{Code: "participants", Detail: "details.consultation.participants", Datatype: "string", Required: true,
			DatatypeDescription: "用户编号，以英文逗号分隔", Description: "参与表决的人"},
		{Code: "quorum", Detail: "details.consultation.quorum", Datatype: "number", Required: true,
			DatatypeDescription: "整数，1 到参与人数", Description: "有效表决所需票数"},
		{Code: "rule", Detail: "details.consultation.rule", Datatype: "singlevaluelist", Required: true,
			Description: "表决规则", Values: []valueOut{
				{Key: string(qilian.RuleMajority), Name: "过半数"},
				{Key: string(qilian.RuleTwoThirds), Name: "三分之二"},
				{Key: string(qilian.RuleUnanimity), Name: "全体一致"},
			}},
		{Code: "deadline", Detail: "details.consultation.deadline", Datatype: "datetime", Required: true,
			DatatypeDescription: "W3C 时间，须在将来", Description: "表决截止时间"},
	},
	qilian.KindJointActivity: {
		{Code: "capacity", Detail: "details.activity.capacity", Datatype: "number", Required: true,
			DatatypeDescription: "正整数", Description: "报名人数上限"},
		{Code: "starts_at", Detail: "details.activity.starts_at", Datatype: "datetime", Required: true,
			DatatypeDescription: "W3C 时间", Description: "活动开始时间"},
		{Code: "ends_at", Detail: "details.activity.ends_at", Datatype: "datetime", Required: true,
			DatatypeDescription: "W3C 时间，晚于开始时间", Description: "活动结束时间"},
		{Code: "venue", Detail: "details.activity.venue", Datatype: "string",
			DatatypeDescription: "不超过 200 字", Description: "活动地点"},
	},
	qilian.KindMemberManagement: {
		{Code: "member_name", Detail: "details.member.name", Datatype: "string", Required: true,
			DatatypeDescription: "不超过 200 字", Description: "报到党员姓名"},
		{Code: "member_phone", Detail: "details.member.phone", Datatype: "string",
			DatatypeDescription: "电话号码", Description: "报到党员电话"},
		{Code: "home_unit_id", Detail: "details.member.home_unit_id", Datatype: "string", Required: true,
			DatatypeDescription: "单位编号", Description: "党员所在的工作单位"},
	},
}

// attributesOf lists the attributes of a kind's services.
func attributesOf(k qilian.Kind) []attribute { return kindAttributes[k] }

// knownAttribute reports whether any service has an attribute code.
func knownAttribute(code string) bool {
	for _, as := range kindAttributes {
		for _, a := range as {
			if a.Code == code {
				return true
			}
		}
	}
	return false
}
