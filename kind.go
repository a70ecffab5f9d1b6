package qilian

// Kind is one of the seven linkages (七联); every case has exactly one.
type Kind string

// The seven kinds, with the ids DOMAIN.md gives them.
const (
	KindRegionalCoordination Kind = "regional_coordination" // 区域联抓
	KindResourceSharing      Kind = "resource_sharing"      // 资源联用
	KindJointConsultation    Kind = "joint_consultation"    // 事务联商
	KindJointActivity        Kind = "joint_activity"        // 活动联办
	KindMemberManagement     Kind = "member_management"     // 党员联管
	KindServiceLinkage       Kind = "service_linkage"       // 服务联动
	KindProblemSolving       Kind = "problem_solving"       // 难题联破
)

// Kinds lists the seven kinds in the report's order.
func Kinds() []Kind {
	return []Kind{
		KindRegionalCoordination, KindResourceSharing, KindJointConsultation,
		KindJointActivity, KindMemberManagement, KindServiceLinkage, KindProblemSolving,
	}
}

var kindNames = map[Kind][2]string{
	KindRegionalCoordination: {"区域联抓", "Regional coordination"},
	KindResourceSharing:      {"资源联用", "Resource sharing"},
	KindJointConsultation:    {"事务联商", "Joint consultation"},
	KindJointActivity:        {"活动联办", "Joint activity"},
	KindMemberManagement:     {"党员联管", "Party member management"},
	KindServiceLinkage:       {"服务联动", "Service linkage"},
	KindProblemSolving:       {"难题联破", "Problem solving"},
}

// Valid reports whether k is one of the seven kinds.
func (k Kind) Valid() bool { _, ok := kindNames[k]; return ok }

// NameZH is the Chinese name shown to people.
func (k Kind) NameZH() string { return kindNames[k][0] }

// NameEN is the English name.
func (k Kind) NameEN() string { return kindNames[k][1] }

// Priority sets a case's default deadlines.
type Priority string

// Priorities, most pressing first. Hotline practice: dispatch within 1 h for
// emergencies, 2 h for urgent, a day otherwise.
const (
	PriorityEmergency Priority = "emergency"
	PriorityUrgent    Priority = "urgent"
	PriorityNormal    Priority = "normal"
	PriorityLow       Priority = "low"
)

// Priorities lists the priorities, most pressing first.
func Priorities() []Priority {
	return []Priority{PriorityEmergency, PriorityUrgent, PriorityNormal, PriorityLow}
}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool {
	switch p {
	case PriorityEmergency, PriorityUrgent, PriorityNormal, PriorityLow:
		return true
	}
	return false
}

// Clock says how a deadline counts time: emergencies run round the clock,
// everything else counts working time on the official calendar.
type Clock string

// Clocks.
const (
	ClockWall    Clock = "wall"
	ClockWorking Clock = "working"
)

// Valid reports whether c is a known clock.
func (c Clock) Valid() bool { return c == ClockWall || c == ClockWorking }
