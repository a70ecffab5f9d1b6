package qilian

import "time"

// KindServiceLinkage is a resident's request for a service (服务联动).
const KindServiceLinkage Kind = "service_linkage"

// Service is a service linkage case (服务联动): the resident's follow-up.
type Service struct {
	Satisfied *bool  `json:"satisfied,omitempty"`
	Comment   string `json:"comment,omitempty"`
}

var serviceSpec = kindSpec{
	kind: KindServiceLinkage, nameZH: "服务联动", nameEN: "Service linkage",
	description: "居民的服务诉求", keywords: []string{"服务", "诉求"},
	subcategories: []Category{
		{Code: "service_linkage.elderly_care", Name: "养老服务", NameEN: "Elderly care",
			Description: "助餐、助浴、上门探访等养老服务", Keywords: []string{"养老", "助餐", "老人", "探访"}},
		{Code: "service_linkage.repair", Name: "维修服务", NameEN: "Repair",
			Description: "水电、门窗、楼道照明等维修", Keywords: []string{"维修", "水电", "漏水", "路灯"}},
		{Code: "service_linkage.medical", Name: "医疗咨询", NameEN: "Medical consultation",
			Description: "义诊、健康咨询、家庭医生", Keywords: []string{"医疗", "义诊", "健康"}},
		{Code: "service_linkage.sanitation", Name: "环境卫生", NameEN: "Sanitation",
			Description: "楼道堆物、垃圾清运、绿化养护", Keywords: []string{"堆物", "垃圾", "卫生", "绿化"}},
	},
	part: "service",
	has:  func(d Details) bool { return d.Service != nil },
	open: func(Details, time.Time, map[string]string) Details {
		return Details{Service: &Service{}}
	},
	clone: func(d *Details) {
		if s := d.Service; s != nil {
			cp := *s
			if s.Satisfied != nil {
				cp.Satisfied = new(*s.Satisfied)
			}
			d.Service = &cp
		}
	},
	// Classic dispatch: one unit leads, and the resident is called back.
	lead:     true,
	followUp: true,
}
