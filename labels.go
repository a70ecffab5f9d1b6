package qilian

import (
	"maps"
	"slices"
)

// What people read for the codes the API sends: every kind, state, role,
// action and reason has a label in Chinese and English here, or in the
// table that defines it (kinds in kind.go, actions in actions.go). The API
// serves them all (Vocabulary), so no screen keeps its own copy.

// Label is a code's name for people.
type Label struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

var caseStateLabels = map[CaseState]Label{
	CaseSubmitted: {"已提交", "submitted"}, CaseTriage: {"待研判", "triage"}, CaseDispatching: {"派单中", "dispatching"},
	CaseInProgress: {"办理中", "in progress"}, CaseVerifying: {"待核查", "verifying"}, CaseFollowUp: {"待回访", "follow-up"},
	CaseClosed: {"已办结", "closed"}, CaseCancelled: {"已撤销", "cancelled"},
}

var taskStateLabels = map[TaskState]Label{
	TaskOffered: {"待签收", "offered"}, TaskAccepted: {"已签收", "accepted"}, TaskInProgress: {"办理中", "in progress"},
	TaskOnHold: {"延期审批中", "on hold"}, TaskResolved: {"已办结", "resolved"}, TaskCompleted: {"已完成", "completed"},
	TaskReturned: {"已退单", "returned"}, TaskReassigned: {"已改派", "reassigned"}, TaskWithdrawn: {"已撤回", "withdrawn"},
}

var taskRoleLabels = map[TaskRole]Label{TaskLead: {"主办", "lead"}, TaskCo: {"协办", "co-unit"}}

var priorityLabels = map[Priority]Label{
	PriorityEmergency: {"紧急", "emergency"}, PriorityUrgent: {"加急", "urgent"},
	PriorityNormal: {"一般", "normal"}, PriorityLow: {"低", "low"},
}

var levelLabels = map[Level]Label{
	LevelCounty: {"区县", "county"}, LevelStreet: {"街道", "street"}, LevelCommunity: {"社区", "community"},
	LevelGrid: {"网格", "grid"}, LevelCompound: {"小区", "compound"}, LevelBuilding: {"楼宇", "building"},
	LevelBusinessDistrict: {"商圈", "business district"}, LevelSocialOrg: {"社会组织", "social organization"},
}

var roleLabels = map[Role]Label{
	RoleAdmin: {"管理员", "admin"}, RoleGridWorker: {"网格员", "grid worker"}, RoleAxis: {"党组织", "axis"},
	RoleUnitStaff: {"单位人员", "unit staff"}, RoleSupervisor: {"督查", "supervisor"},
	System.Role: {"系统", "system"},
}

var resolutionLabels = map[Resolution]Label{
	ResolutionResolved: {"已解决", "resolved"}, ResolutionInvalid: {"无效", "invalid"}, ResolutionDuplicate: {"重复", "duplicate"},
	ResolutionReferred: {"转办", "referred"}, ResolutionDeclined: {"未获同意", "declined"},
}

var unitTypeLabels = map[UnitType]Label{
	UnitAgency: {"机关", "agency"}, UnitSOE: {"国有企业", "state-owned enterprise"}, UnitCompany: {"非公企业", "private company"},
	UnitSchool: {"学校", "school"}, UnitHospital: {"医院", "hospital"}, UnitProperty: {"物业公司", "property management"},
	UnitSocialOrg: {"社会组织", "social organization"}, UnitInstitute: {"事业单位", "public institution"},
}

// voteRuleLabels say the rules as the consultation's form does.
var voteRuleLabels = map[VoteRule]Label{
	RuleMajority: {"过半数", "majority"}, RuleTwoThirds: {"三分之二", "two thirds"}, RuleUnanimity: {"全体一致", "unanimity"},
}

var bookingStateLabels = map[BookingState]Label{
	BookingRequested: {"已申请", "requested"}, BookingApproved: {"已同意", "approved"}, BookingDeclined: {"已拒绝", "declined"},
	BookingInUse: {"使用中", "in use"}, BookingReturned: {"已归还待确认", "handed back"}, BookingFulfilled: {"已完成", "fulfilled"},
	BookingCancelled: {"已撤销", "cancelled"},
}

// clockLabels say how a deadline counts time.
var clockLabels = map[Clock]Label{ClockWall: {"自然时间", "wall clock"}, ClockWorking: {"工作时间", "working time"}}

var dutyLabels = map[Duty]Label{
	DutyVenue: {"场地", "venue"}, DutyStaff: {"人员", "staff"}, DutyMaterials: {"物资", "materials"},
}

var returnReasonLabels = map[ReturnReason]Label{
	ReturnNotOurDuty: {"非本单位职责", "not our duty"}, ReturnWrongLocation: {"不在辖区", "wrong location"},
	ReturnInsufficientInfo: {"信息不全", "insufficient information"}, ReturnDuplicate: {"重复派单", "duplicate"},
	ReturnBeyondCapacity: {"超出能力", "beyond capacity"}, ReturnOther: {"其他", "other"},
}

var escalationLabels = map[EscalationAction]Label{
	EscalateRemind: {"催办", "reminder"}, EscalateNotice: {"通报", "notice"},
	EscalateWhistle: {"吹哨（街道）", "whistle to the street"}, EscalateCounty: {"上报区级", "to the county"},
}

// deadlineLabels name a task's two deadlines, as events refer to them.
var deadlineLabels = map[string]Label{"accept_by": {"签收时限", "accept-by deadline"}, "resolve_by": {"办结时限", "resolve-by deadline"}}

var pointsKindLabels = map[PointsKind]Label{
	PointsResolvedOnTime: {"按时办结", "resolved on time"}, PointsResolvedLate: {"超时办结", "resolved late"},
	PointsAcceptedOnTime: {"按时签收", "accepted on time"}, PointsOverdue: {"超期", "overdue"}, PointsReturned: {"退单", "returned"},
	PointsSatisfied: {"群众满意", "resident satisfied"}, PointsUnsatisfied: {"群众不满意", "resident not satisfied"},
	PointsBookingFulfilled: {"资源共享完成", "booking fulfilled"}, PointsActivityJoined: {"参加活动", "joined an activity"},
	PointsHoursConfirmed: {"服务时长确认", "service hours confirmed"},
}

// engineEventLabels name the events the engine records by itself; an
// action's event has the action's label.
var engineEventLabels = map[EventType]Label{
	EventOpened: {"登记", "opened"}, EventWarning: {"临期预警", "warning"}, EventOverdue: {"超期", "overdue"},
	EventEscalated: {"升级督办", "escalated"}, EventWhistleMissed: {"未按时报到", "whistle missed"},
	EventReportMissing: {"未按期报告", "report missing"}, EventDecided: {"表决结果", "decided"},
	EventRetimed: {"期限重算", "deadline recounted"},
}

// Term is one code of a family with its label.
type Term struct {
	Code string `json:"code"`
	Label
}

// Vocabulary is every family of codes with its terms, keyed by the
// family's name in the API ("kind", "case_state", "action", "event", …):
// in the domain's order where it has one (kinds, states, priorities,
// roles, actions), by code otherwise.
func Vocabulary() map[string][]Term {
	v := map[string][]Term{
		"kind":          nil,
		"case_state":    ordered(CaseStates(), caseStateLabels),
		"task_state":    ordered(TaskStates(), taskStateLabels),
		"task_role":     ordered([]TaskRole{TaskLead, TaskCo}, taskRoleLabels),
		"priority":      ordered(Priorities(), priorityLabels),
		"role":          ordered(append(Roles(), System.Role), roleLabels),
		"level":         byCode(levelLabels),
		"return_reason": byCode(returnReasonLabels),
		"duty":          byCode(dutyLabels),
		"resolution":    byCode(resolutionLabels),
		"unit_type":     byCode(unitTypeLabels),
		"vote_rule":     byCode(voteRuleLabels),
		"booking_state": byCode(bookingStateLabels),
		"clock":         byCode(clockLabels),
		"escalation":    byCode(escalationLabels),
		"deadline":      byCode(deadlineLabels),
		"points_kind":   byCode(pointsKindLabels),
		"event":         ordered(engineEvents, engineEventLabels),
	}
	for _, k := range Kinds() {
		v["kind"] = append(v["kind"], Term{string(k), Label{k.NameZH(), k.NameEN()}})
	}
	for _, s := range actionTable {
		v["action"] = append(v["action"], Term{string(s.Name), s.Label})
		v["event"] = append(v["event"], Term{string(EventOf(s.Name)), s.Label})
	}
	return v
}

// ordered is the terms of codes, in their order; a code without a label
// shows as itself (the labels test refuses one).
func ordered[K ~string](codes []K, labels map[K]Label) []Term {
	out := make([]Term, len(codes))
	for i, c := range codes {
		l, ok := labels[c]
		if !ok {
			l = Label{string(c), string(c)}
		}
		out[i] = Term{string(c), l}
	}
	return out
}

// byCode is every labelled code, in the order of the codes.
func byCode[K ~string](labels map[K]Label) []Term {
	codes := slices.Sorted(maps.Keys(labels))
	return ordered(codes, labels)
}
