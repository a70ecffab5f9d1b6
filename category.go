package qilian

import "strings"

// Category is a subcategory of a kind: what a resident picks from a list
// ("a repair", "illegal building") before anyone decides which units act.
// Open311 calls categories services; their codes are the service codes.
//
// Every kind is a category of its own, coded by the kind's ID, for cases
// that fit none of its subcategories; a subcategory is coded
// "<kind>.<name>". A case keeps the code it was opened with, so lists can
// report and filter by it; a case opened without one has its kind's code.
type Category struct {
	Code        string
	Kind        Kind
	Name        string // Chinese, shown first
	NameEN      string
	Description string   // Chinese
	Keywords    []string // Chinese, for search boxes
}

// categories is the fixed catalogue, in the report's order of the kinds.
// It is code, not configuration: every code is a durable contract with the
// clients that post it and with the cases that keep it.
var categories = []Category{
	{Code: "regional_coordination", Kind: KindRegionalCoordination, Name: "区域联抓", NameEN: "Regional coordination",
		Description: "需要多个驻区单位同时参与的区域性工作", Keywords: []string{"区域", "联抓", "统筹"}},
	{Code: "regional_coordination.flood_check", Kind: KindRegionalCoordination, Name: "防汛检查", NameEN: "Flood season check",
		Description: "汛期积水点、排水设施和危旧房屋排查", Keywords: []string{"防汛", "积水", "排水", "台风"}},
	{Code: "regional_coordination.clean_up", Kind: KindRegionalCoordination, Name: "环境整治", NameEN: "Street clean-up",
		Description: "街巷环境卫生集中整治", Keywords: []string{"环境", "卫生", "垃圾", "整治"}},
	{Code: "regional_coordination.safety_check", Kind: KindRegionalCoordination, Name: "安全隐患排查", NameEN: "Safety inspection",
		Description: "消防、燃气、电动车充电等安全隐患排查", Keywords: []string{"安全", "消防", "燃气", "电动车"}},

	{Code: "resource_sharing", Kind: KindResourceSharing, Name: "资源联用", NameEN: "Resource sharing",
		Description: "借用驻区单位的场地、车辆、设备或志愿者", Keywords: []string{"资源", "借用", "共享"}},
	{Code: "resource_sharing.venue", Kind: KindResourceSharing, Name: "场地借用", NameEN: "Venue booking",
		Description: "借用会议室、活动室、操场等场地", Keywords: []string{"场地", "会议室", "活动室", "借用"}},
	{Code: "resource_sharing.vehicle", Kind: KindResourceSharing, Name: "车辆借用", NameEN: "Vehicle booking",
		Description: "借用驻区单位的车辆", Keywords: []string{"车辆", "用车", "借用"}},
	{Code: "resource_sharing.equipment", Kind: KindResourceSharing, Name: "设备借用", NameEN: "Equipment booking",
		Description: "借用音响、帐篷、医疗器械等设备", Keywords: []string{"设备", "器材", "借用"}},

	{Code: "joint_consultation", Kind: KindJointConsultation, Name: "事务联商", NameEN: "Joint consultation",
		Description: "需要各方表决达成一致的事项", Keywords: []string{"协商", "表决", "议事"}},
	{Code: "joint_consultation.parking_plan", Kind: KindJointConsultation, Name: "停车方案协商", NameEN: "Parking plan",
		Description: "小区停车位划分和停车管理方案", Keywords: []string{"停车", "车位", "方案"}},
	{Code: "joint_consultation.fee_change", Kind: KindJointConsultation, Name: "收费调整协商", NameEN: "Fee change",
		Description: "物业费、停车费等收费标准调整", Keywords: []string{"收费", "物业费", "调价"}},

	{Code: "joint_activity", Kind: KindJointActivity, Name: "活动联办", NameEN: "Joint activity",
		Description: "与驻区单位共同组织的活动", Keywords: []string{"活动", "联办"}},
	{Code: "joint_activity.volunteer_day", Kind: KindJointActivity, Name: "志愿服务日", NameEN: "Volunteer day",
		Description: "志愿服务集中活动", Keywords: []string{"志愿", "服务日"}},
	{Code: "joint_activity.party_day", Kind: KindJointActivity, Name: "主题党日", NameEN: "Party day",
		Description: "联合开展的主题党日活动", Keywords: []string{"党日", "党建"}},
	{Code: "joint_activity.culture", Kind: KindJointActivity, Name: "文化活动", NameEN: "Cultural event",
		Description: "文艺演出、读书会等文化活动", Keywords: []string{"文化", "演出", "读书"}},

	{Code: "member_management", Kind: KindMemberManagement, Name: "党员联管", NameEN: "Party member management",
		Description: "在职党员到居住地社区报到", Keywords: []string{"党员", "报到"}},
	{Code: "member_management.registration", Kind: KindMemberManagement, Name: "在职党员报到", NameEN: "Member registration",
		Description: "在职党员向居住地社区报到并认领服务岗位", Keywords: []string{"党员", "报到", "服务岗"}},

	{Code: "service_linkage", Kind: KindServiceLinkage, Name: "服务联动", NameEN: "Service linkage",
		Description: "居民的服务诉求", Keywords: []string{"服务", "诉求"}},
	{Code: "service_linkage.elderly_care", Kind: KindServiceLinkage, Name: "养老服务", NameEN: "Elderly care",
		Description: "助餐、助浴、上门探访等养老服务", Keywords: []string{"养老", "助餐", "老人", "探访"}},
	{Code: "service_linkage.repair", Kind: KindServiceLinkage, Name: "维修服务", NameEN: "Repair",
		Description: "水电、门窗、楼道照明等维修", Keywords: []string{"维修", "水电", "漏水", "路灯"}},
	{Code: "service_linkage.medical", Kind: KindServiceLinkage, Name: "医疗咨询", NameEN: "Medical consultation",
		Description: "义诊、健康咨询、家庭医生", Keywords: []string{"医疗", "义诊", "健康"}},
	{Code: "service_linkage.sanitation", Kind: KindServiceLinkage, Name: "环境卫生", NameEN: "Sanitation",
		Description: "楼道堆物、垃圾清运、绿化养护", Keywords: []string{"堆物", "垃圾", "卫生", "绿化"}},

	{Code: "problem_solving", Kind: KindProblemSolving, Name: "难题联破", NameEN: "Problem solving",
		Description: "单个单位无法解决的难题", Keywords: []string{"难题", "吹哨"}},
	{Code: "problem_solving.old_compound", Kind: KindProblemSolving, Name: "老旧小区改造", NameEN: "Old compound renovation",
		Description: "老旧小区加装电梯、管网改造等", Keywords: []string{"老旧小区", "改造", "电梯"}},
	{Code: "problem_solving.illegal_building", Kind: KindProblemSolving, Name: "违章搭建", NameEN: "Illegal building",
		Description: "违法建筑和私搭乱建", Keywords: []string{"违建", "违章", "搭建"}},
	{Code: "problem_solving.parking", Kind: KindProblemSolving, Name: "停车难", NameEN: "Parking shortage",
		Description: "停车难、乱停车", Keywords: []string{"停车", "乱停"}},
}

// Categories lists the catalogue: each kind, then its subcategories.
func Categories() []Category {
	out := make([]Category, len(categories))
	for i, c := range categories {
		c.Keywords = append([]string(nil), c.Keywords...)
		out[i] = c
	}
	return out
}

// CategoryByCode finds a category by its code.
func CategoryByCode(code string) (Category, bool) {
	for _, c := range categories {
		if c.Code == code {
			c.Keywords = append([]string(nil), c.Keywords...)
			return c, true
		}
	}
	return Category{}, false
}

// ValidCategory reports whether code is a category of kind k.
func ValidCategory(k Kind, code string) bool {
	c, ok := CategoryByCode(code)
	return ok && c.Kind == k
}

// CategoryCode is the code a case reports: the one it was opened with, or
// its kind's.
func (c *Case) CategoryCode() string {
	if c.Category != "" {
		return c.Category
	}
	return string(c.Kind)
}

// CategoryName is the Chinese name of the case's category, or its kind's
// when the code is not in the catalogue.
func (c *Case) CategoryName() string {
	if cat, ok := CategoryByCode(c.CategoryCode()); ok {
		return cat.Name
	}
	return c.Kind.NameZH()
}

// categorySep separates the kind from the subcategory in a code.
const categorySep = "."

// KindOfCategory is the kind part of a category code.
func KindOfCategory(code string) Kind {
	k, _, _ := strings.Cut(code, categorySep)
	return Kind(k)
}
