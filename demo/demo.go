// Package demo loads a demo world modelled on a district of Jiaxing: one
// district, two streets, communities with grids and compounds, a
// commercial building, a business district, a social organization, a dozen
// stationed units, and one user per role. Loading it again updates in
// place and issues fresh tokens, so nothing is ever duplicated.
package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/credential"
)

// Store is what the demo needs from the read model.
type Store interface {
	UpsertLocality(ctx context.Context, l qilian.Locality) (qilian.Locality, error)
	UpsertUnit(ctx context.Context, u qilian.Unit) error
	UpsertUser(ctx context.Context, u qilian.User) error
	AddToken(ctx context.Context, t qilian.Token) error
	SetPassword(ctx context.Context, userID, hash string, mustChange bool) error
	UpsertResource(ctx context.Context, r qilian.Resource) error
	SetArea(ctx context.Context, localityID string, a qilian.Area) error
}

// Login is a demo user with a bearer token for the API, and a user name
// and password for the browser.
type Login struct {
	UserID     string      `json:"user_id"`
	Name       string      `json:"name"`
	Role       qilian.Role `json:"role"`
	LocalityID string      `json:"locality_id,omitempty"`
	UnitID     string      `json:"unit_id,omitempty"`
	Token      string      `json:"token"`
	Username   string      `json:"username"`
	Password   string      `json:"password"`
}

// Localities of the demo district, parents before children.
var Localities = []qilian.Locality{
	{ID: "nanhu", Level: qilian.LevelCounty, Name: "南湖区", NameEN: "Nanhu District"},
	{ID: "jianshe", ParentID: "nanhu", Level: qilian.LevelStreet, Name: "建设街道", NameEN: "Jianshe Street"},
	{ID: "xinxing", ParentID: "nanhu", Level: qilian.LevelStreet, Name: "新兴街道", NameEN: "Xinxing Street"},
	{ID: "dongzha", ParentID: "jianshe", Level: qilian.LevelCommunity, Name: "东栅社区", NameEN: "Dongzha Community"},
	{ID: "wenhua", ParentID: "jianshe", Level: qilian.LevelCommunity, Name: "文华社区", NameEN: "Wenhua Community"},
	{ID: "jiahe", ParentID: "xinxing", Level: qilian.LevelCommunity, Name: "嘉禾社区", NameEN: "Jiahe Community"},
	{ID: "qinyuan", ParentID: "xinxing", Level: qilian.LevelCommunity, Name: "沁园社区", NameEN: "Qinyuan Community"},
	{ID: "dongzha-g1", ParentID: "dongzha", Level: qilian.LevelGrid, Name: "东栅社区第一网格", NameEN: "Dongzha grid 1"},
	{ID: "dongzha-g2", ParentID: "dongzha", Level: qilian.LevelGrid, Name: "东栅社区第二网格", NameEN: "Dongzha grid 2"},
	{ID: "wenhua-g1", ParentID: "wenhua", Level: qilian.LevelGrid, Name: "文华社区第一网格", NameEN: "Wenhua grid 1"},
	{ID: "jiahe-g1", ParentID: "jiahe", Level: qilian.LevelGrid, Name: "嘉禾社区第一网格", NameEN: "Jiahe grid 1"},
	{ID: "qinyuan-g1", ParentID: "qinyuan", Level: qilian.LevelGrid, Name: "沁园社区第一网格", NameEN: "Qinyuan grid 1"},
	{ID: "mingyuan", ParentID: "dongzha", Level: qilian.LevelCompound, Name: "明苑小区", NameEN: "Mingyuan Compound"},
	{ID: "huayuan", ParentID: "jiahe", Level: qilian.LevelCompound, Name: "花园新村", NameEN: "Huayuan Compound"},
	{ID: "jianshe-tower", ParentID: "jianshe", Level: qilian.LevelBuilding, Name: "嘉兴国际商务大厦", NameEN: "Jiaxing International Business Tower"},
	{ID: "xinxing-bd", ParentID: "xinxing", Level: qilian.LevelBusinessDistrict, Name: "八佰伴商圈", NameEN: "Babaiban Business District"},
	{ID: "wenhua-volunteers", ParentID: "wenhua", Level: qilian.LevelSocialOrg, Name: "文华志愿服务协会", NameEN: "Wenhua Volunteer Association"},
}

// Areas outline the demo grids, around Nanhu in Jiaxing (30.75°N
// 120.76°E), so that a reported point lands in its grid. The two Dongzha
// grids share an edge; Jiahe's grid is not a rectangle.
var Areas = map[string]qilian.Area{
	"dongzha-g1": rect(30.750, 120.760, 30.755, 120.765),
	"dongzha-g2": rect(30.750, 120.765, 30.755, 120.770),
	"wenhua-g1":  rect(30.755, 120.760, 30.760, 120.770),
	"jiahe-g1": {
		{Lat: 30.740, Lng: 120.770}, {Lat: 30.740, Lng: 120.778},
		{Lat: 30.745, Lng: 120.776}, {Lat: 30.745, Lng: 120.772},
	},
	"qinyuan-g1": rect(30.745, 120.775, 30.750, 120.782),
}

// rect is the area between a south-west and a north-east corner.
func rect(s, w, n, e float64) qilian.Area {
	return qilian.Area{{Lat: s, Lng: w}, {Lat: s, Lng: e}, {Lat: n, Lng: e}, {Lat: n, Lng: w}}
}

// Units are the demo's stationed units, of every type.
var Units = []qilian.Unit{
	{ID: "u-hospital", Name: "南湖区人民医院", NameEN: "Nanhu District People's Hospital", Type: qilian.UnitHospital, LocalityID: "jianshe"},
	{ID: "u-school", Name: "建设实验小学", NameEN: "Jianshe Experimental Primary School", Type: qilian.UnitSchool, LocalityID: "dongzha"},
	{ID: "u-power", Name: "国网南湖供电分公司", NameEN: "State Grid Nanhu Power Supply", Type: qilian.UnitSOE, LocalityID: "jianshe"},
	{ID: "u-water", Name: "嘉兴水务南湖营业所", NameEN: "Jiaxing Water, Nanhu Office", Type: qilian.UnitSOE, LocalityID: "xinxing"},
	{ID: "u-mingyuan-property", Name: "明苑物业服务中心", NameEN: "Mingyuan Property Services", Type: qilian.UnitProperty, LocalityID: "mingyuan"},
	{ID: "u-huayuan-property", Name: "花园新村物业", NameEN: "Huayuan Property Management", Type: qilian.UnitProperty, LocalityID: "huayuan"},
	{ID: "u-police", Name: "建设派出所", NameEN: "Jianshe Police Station", Type: qilian.UnitAgency, LocalityID: "jianshe"},
	{ID: "u-enforcement", Name: "南湖区综合行政执法局", NameEN: "Nanhu Administrative Enforcement Bureau", Type: qilian.UnitAgency, LocalityID: "nanhu"},
	{ID: "u-bank", Name: "嘉兴银行建设支行", NameEN: "Bank of Jiaxing, Jianshe Branch", Type: qilian.UnitCompany, LocalityID: "jianshe-tower"},
	{ID: "u-mall", Name: "八佰伴商场", NameEN: "Babaiban Mall", Type: qilian.UnitCompany, LocalityID: "xinxing-bd"},
	{ID: "u-volunteers", Name: "文华志愿服务协会", NameEN: "Wenhua Volunteer Association", Type: qilian.UnitSocialOrg, LocalityID: "wenhua-volunteers"},
	{ID: "u-culture", Name: "南湖区文化馆", NameEN: "Nanhu Cultural Centre", Type: qilian.UnitInstitute, LocalityID: "xinxing"},
}

// Resources are what the demo's units share.
var Resources = []qilian.Resource{
	{ID: "u-power-hall", UnitID: "u-power", Name: "供电分公司党员活动室", NameEN: "Power company meeting hall", Kind: "hall"},
	{ID: "u-culture-theatre", UnitID: "u-culture", Name: "文化馆小剧场", NameEN: "Cultural centre theatre", Kind: "hall"},
	{ID: "u-hospital-van", UnitID: "u-hospital", Name: "医院义诊车", NameEN: "Hospital outreach van", Kind: "vehicle"},
	{ID: "u-school-field", UnitID: "u-school", Name: "建设实验小学操场", NameEN: "School sports field", Kind: "venue"},
}

// Users are the demo's people. The first user of each role is the one
// printed for that role.
var Users = []qilian.User{
	{ID: "demo-admin", Name: "系统管理员", Role: qilian.RoleAdmin, LocalityID: "nanhu"},
	{ID: "demo-grid", Name: "李芳（网格员）", Role: qilian.RoleGridWorker, LocalityID: "dongzha-g1"},
	{ID: "demo-axis", Name: "王强（建设街道党工委）", Role: qilian.RoleAxis, LocalityID: "jianshe"},
	{ID: "demo-unit", Name: "张伟（明苑物业）", Role: qilian.RoleUnitStaff, UnitID: "u-mingyuan-property"},
	{ID: "demo-supervisor", Name: "陈静（区督查室）", Role: qilian.RoleSupervisor, LocalityID: "nanhu"},
	// Further people, so scoping can be seen at work.
	{ID: "demo-axis-dongzha", Name: "赵敏（东栅社区党委）", Role: qilian.RoleAxis, LocalityID: "dongzha"},
	{ID: "demo-axis-xinxing", Name: "孙磊（新兴街道党工委）", Role: qilian.RoleAxis, LocalityID: "xinxing"},
	{ID: "demo-grid-jiahe", Name: "周洁（网格员）", Role: qilian.RoleGridWorker, LocalityID: "jiahe-g1"},
	{ID: "demo-unit-power", Name: "吴刚（供电分公司）", Role: qilian.RoleUnitStaff, UnitID: "u-power"},
	{ID: "demo-unit-hospital", Name: "郑医生（区人民医院）", Role: qilian.RoleUnitStaff, UnitID: "u-hospital"},
	{ID: "demo-supervisor-jianshe", Name: "冯涛（街道督查）", Role: qilian.RoleSupervisor, LocalityID: "jianshe"},
	// One person at every other unit, so a case with several units can be
	// walked without an admin.
	{ID: "demo-unit-school", Name: "钱老师（建设实验小学）", Role: qilian.RoleUnitStaff, UnitID: "u-school"},
	{ID: "demo-unit-water", Name: "林工（水务营业所）", Role: qilian.RoleUnitStaff, UnitID: "u-water"},
	{ID: "demo-unit-huayuan", Name: "蒋经理（花园新村物业）", Role: qilian.RoleUnitStaff, UnitID: "u-huayuan-property"},
	{ID: "demo-unit-police", Name: "韩警官（建设派出所）", Role: qilian.RoleUnitStaff, UnitID: "u-police"},
	{ID: "demo-unit-enforcement", Name: "杨队长（综合行政执法局）", Role: qilian.RoleUnitStaff, UnitID: "u-enforcement"},
	{ID: "demo-unit-bank", Name: "朱行长（嘉兴银行建设支行）", Role: qilian.RoleUnitStaff, UnitID: "u-bank"},
	{ID: "demo-unit-mall", Name: "秦主管（八佰伴商场）", Role: qilian.RoleUnitStaff, UnitID: "u-mall"},
	{ID: "demo-unit-volunteers", Name: "许会长（文华志愿服务协会）", Role: qilian.RoleUnitStaff, UnitID: "u-volunteers"},
	{ID: "demo-unit-culture", Name: "何馆长（区文化馆）", Role: qilian.RoleUnitStaff, UnitID: "u-culture"},
}

// Seed loads the demo world and issues one fresh token and one fresh
// password per demo user (the user name is the user ID), replacing the
// previous ones (token ID "<user>-token"), and returns the logins: every
// user, keyed by user ID. Demo passwords need no change at the first
// sign-in, so that the demo can be walked at once.
func Seed(ctx context.Context, s Store, now time.Time) (map[string]Login, error) {
	for _, l := range Localities {
		if _, err := s.UpsertLocality(ctx, l); err != nil {
			return nil, fmt.Errorf("locality %s: %w", l.ID, err)
		}
	}
	for _, id := range sortedKeys(Areas) {
		if err := s.SetArea(ctx, id, Areas[id]); err != nil {
			return nil, fmt.Errorf("area of %s: %w", id, err)
		}
	}
	for _, u := range Units {
		if err := s.UpsertUnit(ctx, u); err != nil {
			return nil, fmt.Errorf("unit %s: %w", u.ID, err)
		}
	}
	for _, r := range Resources {
		if err := s.UpsertResource(ctx, r); err != nil {
			return nil, fmt.Errorf("resource %s: %w", r.ID, err)
		}
	}
	logins := map[string]Login{}
	for _, u := range Users {
		u.Username = u.ID
		if err := s.UpsertUser(ctx, u); err != nil {
			return nil, fmt.Errorf("user %s: %w", u.ID, err)
		}
		plain, hash := qilian.NewToken()
		if err := s.AddToken(ctx, qilian.Token{ID: u.ID + "-token", UserID: u.ID, Hash: hash, Label: "demo", CreatedAt: now}); err != nil {
			return nil, fmt.Errorf("token for %s: %w", u.ID, err)
		}
		password := "demo-" + credential.Secret()[:10]
		if err := s.SetPassword(ctx, u.ID, credential.Hash(password), false); err != nil {
			return nil, fmt.Errorf("password for %s: %w", u.ID, err)
		}
		logins[u.ID] = Login{UserID: u.ID, Name: u.Name, Role: u.Role, LocalityID: u.LocalityID, UnitID: u.UnitID, Token: plain,
			Username: u.Username, Password: password}
	}
	return logins, nil
}

// ByRole picks the first demo user of each role, for printing.
func ByRole(logins map[string]Login) map[qilian.Role]Login {
	out := map[qilian.Role]Login{}
	for _, u := range Users {
		if _, ok := out[u.Role]; !ok {
			out[u.Role] = logins[u.ID]
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
