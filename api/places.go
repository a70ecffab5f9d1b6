package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/qilian/qilian"
)

// placesView names what a caller's lists refer to by ID.
type placesView struct {
	Localities []localityView `json:"localities" required:"true"`
	Units      []unitView     `json:"units" required:"true"`
}

// places answers the places a caller's lists refer to by ID, so a client
// can show names: for those placed in a locality, its subtree and the
// localities above it, and every unit, since a case anywhere may be given
// to a unit stationed higher up (which units exist is no secret inside
// the district); for unit staff, their unit and its locality.
func (h *handler) places(c *gin.Context) {
	ctx, a := c.Request.Context(), actorOf(c)
	out := placesView{Localities: []localityView{}, Units: []unitView{}}
	if a.Role == qilian.RoleUnitStaff {
		u, l, err := h.unitAndLocality(ctx, a.UnitID)
		if err != nil {
			h.fail(c, err)
			return
		}
		out.Localities = append(out.Localities, viewLocality(l))
		out.Units = append(out.Units, viewUnit(u))
		respond(c, http.StatusOK, out)
		return
	}
	ls, err := h.Places.Localities(ctx, "")
	if err != nil {
		h.fail(c, err)
		return
	}
	us, err := h.Places.Units(ctx, "")
	if err != nil {
		h.fail(c, err)
		return
	}
	for _, l := range ls {
		if qilian.Contains(a.LocalityPath, l.Path) || qilian.Contains(l.Path, a.LocalityPath) {
			out.Localities = append(out.Localities, viewLocality(l))
		}
	}
	for _, u := range us {
		out.Units = append(out.Units, viewUnit(u))
	}
	respond(c, http.StatusOK, out)
}

// areas answers the outlines of the localities inside the caller's place
// as a GeoJSON FeatureCollection, parents first: their locality's subtree,
// for unit staff their unit's locality's.
func (h *handler) areas(c *gin.Context) {
	ctx, a := c.Request.Context(), actorOf(c)
	scope := a.LocalityPath
	if a.Role == qilian.RoleUnitStaff {
		_, l, err := h.unitAndLocality(ctx, a.UnitID)
		if err != nil {
			h.fail(c, err)
			return
		}
		scope = l.Path
	}
	os, err := h.Places.Areas(ctx, scope)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := areaCollection{Type: "FeatureCollection", Features: []areaFeature{}}
	for _, o := range os {
		out.Features = append(out.Features, viewArea(o.Locality, o.Area))
	}
	respond(c, http.StatusOK, out)
}

// unitAndLocality is a unit and the locality it is stationed in: the place
// a unit's staff see.
func (h *handler) unitAndLocality(ctx context.Context, unitID string) (qilian.Unit, qilian.Locality, error) {
	u, err := h.Places.Unit(ctx, unitID)
	if err != nil {
		return qilian.Unit{}, qilian.Locality{}, err
	}
	l, err := h.Places.Locality(ctx, u.LocalityID)
	return u, l, err
}

// mapSettings answers the map the pages draw the outlines on.
func (h *handler) mapSettings(c *gin.Context) { respond(c, http.StatusOK, viewMap(h.Map)) }

type resourceView struct {
	ID     string `json:"id" required:"true"`
	UnitID string `json:"unit_id" required:"true" doc:"the owner: who approves its bookings"`
	Name   string `json:"name" required:"true"`
	NameEN string `json:"name_en,omitempty"`
	Kind   string `json:"kind" required:"true" doc:"hall, vehicle, venue, equipment, …"`
}

type resourceList struct {
	Resources []resourceView `json:"resources" required:"true"`
}

// resources lists what the units share, to book (resource_sharing): every
// unit's for anyone who may open a booking, one unit's with unit_id.
func (h *handler) resources(c *gin.Context) {
	ctx := c.Request.Context()
	unit := c.Query("unit_id")
	if unit != "" {
		if _, err := h.Places.Unit(ctx, unit); err != nil {
			h.fail(c, qilian.Invalid(map[string]string{"unit_id": "no unit " + unit}))
			return
		}
	}
	rs, err := h.Places.Resources(ctx, unit)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := resourceList{Resources: []resourceView{}}
	for _, r := range rs {
		out.Resources = append(out.Resources, resourceView{ID: r.ID, UnitID: r.UnitID, Name: r.Name, NameEN: r.NameEN, Kind: r.Kind})
	}
	respond(c, http.StatusOK, out)
}
