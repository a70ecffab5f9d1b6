package api

import "github.com/qilian/qilian"

// ActionRouteInfo is what the fuzz targets need to know of an action
// route: its path, what its {id} names, and the roles that may take it.
type ActionRouteInfo struct {
	Path    string
	Segment string
	On      string
	Roles   []qilian.Role
}

// ActionRoutes lists the action routes of the route table.
func ActionRoutes() []ActionRouteInfo {
	var out []ActionRouteInfo
	for _, ar := range actionRoutes() {
		out = append(out, ActionRouteInfo{Path: ar.Path(), Segment: ar.Segment, On: string(ar.On), Roles: ar.Roles()})
	}
	return out
}
