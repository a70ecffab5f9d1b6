package qilian

import (
	"context"
	"strings"
)

// Level is a rung of the locality tree. The report names seven levels;
// grids are the cells a community is divided into.
type Level string

// The locality levels.
const (
	LevelCounty           Level = "county"            // 县级 (county or district)
	LevelStreet           Level = "street"            // 街道
	LevelCommunity        Level = "community"         // 社区
	LevelCompound         Level = "compound"          // 小区
	LevelBuilding         Level = "building"          // 商务楼宇
	LevelBusinessDistrict Level = "business_district" // 商圈
	LevelSocialOrg        Level = "social_org"        // 社会组织
	LevelGrid             Level = "grid"              // 网格
)

// allowedParents says under which levels each level may hang. Buildings,
// business districts and social organizations attach under a street or a
// community; a grid divides a community.
var allowedParents = map[Level][]Level{
	LevelCounty:           nil,
	LevelStreet:           {LevelCounty},
	LevelCommunity:        {LevelStreet},
	LevelCompound:         {LevelCommunity},
	LevelBuilding:         {LevelStreet, LevelCommunity},
	LevelBusinessDistrict: {LevelStreet, LevelCommunity},
	LevelSocialOrg:        {LevelStreet, LevelCommunity},
	LevelGrid:             {LevelCommunity},
}

// Valid reports whether l is a known level.
func (l Level) Valid() bool { _, ok := allowedParents[l]; return ok }

// CanHangUnder reports whether a locality of level l may have a parent of
// level parent; the county is the only root.
func (l Level) CanHangUnder(parent Level) bool {
	for _, p := range allowedParents[l] {
		if p == parent {
			return true
		}
	}
	return false
}

// Locality is a node of the tree. Path lists the IDs from the root down to
// and including this node, so "is X inside Y's subtree" is a prefix test
// that a database index can answer.
type Locality struct {
	ID       string
	ParentID string
	Level    Level
	Name     string // Chinese, shown first
	NameEN   string
	Path     string
}

// PathSep separates IDs in a Locality path.
const PathSep = "/"

// ChildPath is the path of a child with id under a parent with path.
func ChildPath(parentPath, id string) string {
	if parentPath == "" {
		return PathSep + id + PathSep
	}
	return parentPath + id + PathSep
}

// Contains reports whether path lies inside the subtree rooted at ancestor
// (a node contains itself).
func Contains(ancestorPath, path string) bool {
	return ancestorPath != "" && strings.HasPrefix(path, ancestorPath)
}

// UnitType is the kind of stationed unit (驻区单位).
type UnitType string

// Unit types.
const (
	UnitAgency    UnitType = "agency"      // 机关
	UnitSOE       UnitType = "soe"         // 国有企业
	UnitCompany   UnitType = "company"     // 非公企业
	UnitSchool    UnitType = "school"      // 学校
	UnitHospital  UnitType = "hospital"    // 医院
	UnitProperty  UnitType = "property"    // 物业公司
	UnitSocialOrg UnitType = "social_org"  // 社会组织
	UnitInstitute UnitType = "institution" // 事业单位
)

// Valid reports whether t is a known unit type.
func (t UnitType) Valid() bool {
	switch t {
	case UnitAgency, UnitSOE, UnitCompany, UnitSchool, UnitHospital, UnitProperty, UnitSocialOrg, UnitInstitute:
		return true
	}
	return false
}

// Unit is a stationed unit; it belongs to the locality where it sits.
type Unit struct {
	ID         string
	Name       string
	NameEN     string
	Type       UnitType
	LocalityID string
}

// LocalityService reads and writes the locality tree and its units.
type LocalityService interface {
	Locality(ctx context.Context, id string) (Locality, error)
	UpsertLocality(ctx context.Context, l Locality) (Locality, error)
	Unit(ctx context.Context, id string) (Unit, error)
	UpsertUnit(ctx context.Context, u Unit) error
}

// Resource is something a unit shares: a hall, a vehicle, equipment.
type Resource struct {
	ID     string
	UnitID string
	Name   string
	NameEN string
	Kind   string // hall, vehicle, equipment, volunteers…
}
