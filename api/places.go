package api

import (
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
		u, err := h.Places.Unit(ctx, a.UnitID)
		if err != nil {
			h.fail(c, err)
			return
		}
		l, err := h.Places.Locality(ctx, u.LocalityID)
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
