package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/credential"
)

// Administration: admins manage the localities, units and users of their
// own subtree. Upserts are by ID; an ID already used outside the subtree is
// a conflict, since taking it over would move something out of another
// administrator's hands.

func (h *handler) listLocalities(c *gin.Context) {
	ls, err := h.Places.Localities(c.Request.Context(), actorOf(c).LocalityPath)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := localityList{Localities: []localityView{}}
	for _, l := range ls {
		out.Localities = append(out.Localities, viewLocality(l))
	}
	respond(c, http.StatusOK, out)
}

func (h *handler) upsertLocality(c *gin.Context) {
	var in localityIn
	if !h.bind(c, &in, false) {
		return
	}
	ctx, a := c.Request.Context(), actorOf(c)
	if !idShape.MatchString(in.ID) {
		h.fail(c, qilian.Invalid(map[string]string{"id": "required: letters, digits, '-' and '_'"}))
		return
	}
	path := qilian.ChildPath("", in.ID)
	if in.ParentID != "" {
		parent, err := h.inScopeLocality(ctx, in.ParentID, a)
		if err != nil {
			h.fail(c, asField(err, "parent_id"))
			return
		}
		path = qilian.ChildPath(parent.Path, in.ID)
	}
	if !qilian.Contains(a.LocalityPath, path) {
		h.fail(c, qilian.Invalid(map[string]string{"parent_id": "required: a locality inside your own"}))
		return
	}
	old, err := h.Places.Locality(ctx, in.ID)
	existed := err == nil
	if existed && !qilian.Contains(a.LocalityPath, old.Path) {
		h.fail(c, qilian.Errorf(qilian.ECONFLICT, "locality ID %s is taken", in.ID))
		return
	}
	l, err := h.Places.UpsertLocality(ctx, qilian.Locality{ID: in.ID, ParentID: in.ParentID, Level: in.Level, Name: in.Name, NameEN: in.NameEN})
	if err != nil {
		h.fail(c, err)
		return
	}
	respond(c, createdOrOK(existed), viewLocality(l))
}

// setArea replaces the outline of a locality inside the admin's subtree
// with a GeoJSON Polygon (or a Feature of one); a bad outline is refused
// before anything is kept, so the old one stays.
func (h *handler) setArea(c *gin.Context) {
	raw, err := ReadBody(c)
	var in areaIn
	if err == nil {
		if err = decodeStrict(raw, &in); err != nil {
			if other := otherGeometry(raw); other != nil {
				err = other
			}
		}
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	f := fieldCheck{}
	area := in.area(f)
	if err := f.err(); err != nil {
		h.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	l, err := h.inScopeLocality(ctx, c.Param("id"), actorOf(c))
	if err != nil {
		h.fail(c, err)
		return
	}
	if err := h.Places.SetArea(ctx, l.ID, area); err != nil {
		h.fail(c, err)
		return
	}
	respond(c, http.StatusOK, viewArea(l, area))
}

func (h *handler) listUnits(c *gin.Context) {
	us, err := h.Places.Units(c.Request.Context(), actorOf(c).LocalityPath)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := unitList{Units: []unitView{}}
	for _, u := range us {
		out.Units = append(out.Units, viewUnit(u))
	}
	respond(c, http.StatusOK, out)
}

func (h *handler) upsertUnit(c *gin.Context) {
	var in unitIn
	if !h.bind(c, &in, false) {
		return
	}
	ctx, a := c.Request.Context(), actorOf(c)
	if _, err := h.inScopeLocality(ctx, in.LocalityID, a); err != nil {
		h.fail(c, asField(err, "locality_id"))
		return
	}
	existed, err := h.unitExists(ctx, in.ID, a)
	if err != nil {
		h.fail(c, err)
		return
	}
	u := qilian.Unit{ID: in.ID, Name: in.Name, NameEN: in.NameEN, Type: in.Type, LocalityID: in.LocalityID}
	if err := h.Places.UpsertUnit(ctx, u); err != nil {
		h.fail(c, err)
		return
	}
	respond(c, createdOrOK(existed), viewUnit(u))
}

// unitExists reports whether the unit exists, refusing one outside scope.
func (h *handler) unitExists(ctx context.Context, id string, a qilian.Actor) (bool, error) {
	if !idShape.MatchString(id) {
		return false, nil // the store names the bad ID
	}
	old, err := h.Places.Unit(ctx, id)
	switch {
	case errors.Is(err, qilian.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	if _, err := h.inScopeLocality(ctx, old.LocalityID, a); err != nil {
		if errors.Is(err, qilian.ErrNotFound) {
			return true, qilian.Errorf(qilian.ECONFLICT, "unit ID %s is taken", id)
		}
		return true, err
	}
	return true, nil
}

func (h *handler) listUsers(c *gin.Context) {
	ctx, a := c.Request.Context(), actorOf(c)
	users, err := h.People.Users(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	ls, err := h.Places.Localities(ctx, a.LocalityPath)
	if err != nil {
		h.fail(c, err)
		return
	}
	us, err := h.Places.Units(ctx, a.LocalityPath)
	if err != nil {
		h.fail(c, err)
		return
	}
	places := map[string]bool{}
	for _, l := range ls {
		places["l/"+l.ID] = true
	}
	for _, u := range us {
		places["u/"+u.ID] = true
	}
	out := userList{Users: []userView{}}
	for _, u := range users {
		if places["l/"+u.LocalityID] || places["u/"+u.UnitID] {
			out.Users = append(out.Users, viewUser(u))
		}
	}
	respond(c, http.StatusOK, out)
}

// upsertUser adds or updates a user whose place lies inside the admin's
// subtree. A new user gets a token, shown in this answer only.
func (h *handler) upsertUser(c *gin.Context) {
	var in userIn
	if !h.bind(c, &in, false) {
		return
	}
	ctx, a := c.Request.Context(), actorOf(c)
	u := qilian.User{ID: in.ID, Name: in.Name, Role: in.Role, LocalityID: in.LocalityID, UnitID: in.UnitID, Username: strings.ToLower(in.Username)}
	if in.Password != "" {
		if msg := credential.CheckPolicy(in.Password); msg != "" {
			h.fail(c, qilian.Invalid(map[string]string{"password": msg}))
			return
		}
		if in.Username == "" {
			h.fail(c, qilian.Invalid(map[string]string{"username": "required with a password"}))
			return
		}
	}
	if err := h.placeInScope(ctx, u, a); err != nil {
		h.fail(c, err)
		return
	}
	existed := false
	if idShape.MatchString(in.ID) {
		old, err := h.People.User(ctx, in.ID)
		switch {
		case err == nil:
			existed = true
			if err := h.placeInScope(ctx, old, a); err != nil {
				h.fail(c, qilian.Errorf(qilian.ECONFLICT, "user ID %s is taken", in.ID))
				return
			}
		case !errors.Is(err, qilian.ErrNotFound):
			h.fail(c, err)
			return
		}
	}
	if err := h.People.UpsertUser(ctx, u); err != nil {
		h.fail(c, err)
		return
	}
	if in.Password != "" {
		if err := h.oneTimePassword(c, u.ID, in.Password); err != nil {
			h.fail(c, err)
			return
		}
	}
	u, err := h.People.User(ctx, u.ID) // with the user name kept, when none was sent
	if err != nil {
		h.fail(c, err)
		return
	}
	out := userCreated{User: viewUser(u)}
	if !existed {
		t, err := h.issueToken(ctx, u.ID, in.TokenLabel)
		if err != nil {
			h.fail(c, err)
			return
		}
		out.Token = &t
	}
	respond(c, createdOrOK(existed), out)
}

// addToken issues another token for a user in the admin's subtree.
func (h *handler) addToken(c *gin.Context) {
	var in tokenIn
	if !h.bind(c, &in, true) {
		return
	}
	ctx, a := c.Request.Context(), actorOf(c)
	id := c.Param("id")
	u, err := h.inScopeUser(ctx, id, a)
	if err != nil {
		h.fail(c, err)
		return
	}
	t, err := h.issueToken(ctx, u.ID, in.Label)
	if err != nil {
		h.fail(c, err)
		return
	}
	respond(c, http.StatusCreated, t)
}

// revokeToken revokes a token of a user in the admin's subtree; revoking
// twice is harmless.
func (h *handler) revokeToken(c *gin.Context) {
	ctx, a := c.Request.Context(), actorOf(c)
	id := c.Param("id")
	missing := notFound("token", id)
	if !idShape.MatchString(id) {
		h.fail(c, missing)
		return
	}
	t, err := h.People.Token(ctx, id)
	if err != nil {
		h.fail(c, orNotFound(err, missing))
		return
	}
	if _, err := h.inScopeUser(ctx, t.UserID, a); err != nil {
		h.fail(c, orNotFound(err, missing))
		return
	}
	if err := h.People.RevokeToken(ctx, id, h.Now()); err != nil {
		h.fail(c, orNotFound(err, missing))
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *handler) issueToken(ctx context.Context, userID, label string) (tokenView, error) {
	if len(label) > maxShort {
		return tokenView{}, qilian.Invalid(map[string]string{"label": "at most 200 bytes"})
	}
	plain, hash := qilian.NewToken()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	t := qilian.Token{ID: "tok-" + hex.EncodeToString(b), UserID: userID, Hash: hash, Label: label, CreatedAt: h.Now().UTC()}
	if err := h.People.AddToken(ctx, t); err != nil {
		return tokenView{}, err
	}
	return tokenView{ID: t.ID, UserID: userID, Label: label, Token: plain, CreatedAt: t.CreatedAt}, nil
}

// inScopeLocality returns the locality if it lies inside the actor's
// subtree, and not found otherwise.
func (h *handler) inScopeLocality(ctx context.Context, id string, a qilian.Actor) (qilian.Locality, error) {
	missing := notFound("locality", id)
	if !idShape.MatchString(id) {
		return qilian.Locality{}, missing
	}
	l, err := h.Places.Locality(ctx, id)
	if err != nil {
		return qilian.Locality{}, orNotFound(err, missing)
	}
	if !qilian.Contains(a.LocalityPath, l.Path) {
		return qilian.Locality{}, missing
	}
	return l, nil
}

// placeInScope checks that a user's locality or unit lies inside the
// actor's subtree, naming the field that does not.
func (h *handler) placeInScope(ctx context.Context, u qilian.User, a qilian.Actor) error {
	if u.LocalityID != "" {
		if _, err := h.inScopeLocality(ctx, u.LocalityID, a); err != nil {
			return asField(err, "locality_id")
		}
	}
	if u.UnitID != "" {
		missing := qilian.Invalid(map[string]string{"unit_id": "not found"})
		if !idShape.MatchString(u.UnitID) {
			return missing
		}
		unit, err := h.Places.Unit(ctx, u.UnitID)
		if err != nil {
			return orNotFound(err, missing)
		}
		if _, err := h.inScopeLocality(ctx, unit.LocalityID, a); err != nil {
			return orNotFound(err, missing)
		}
	}
	return nil
}

// inScopeUser returns the user if their place lies inside the actor's
// subtree, and not found otherwise.
func (h *handler) inScopeUser(ctx context.Context, id string, a qilian.Actor) (qilian.User, error) {
	missing := notFound("user", id)
	if !idShape.MatchString(id) {
		return qilian.User{}, missing
	}
	u, err := h.People.User(ctx, id)
	if err != nil {
		return qilian.User{}, orNotFound(err, missing)
	}
	if err := h.placeInScope(ctx, u, a); err != nil {
		return qilian.User{}, orNotFound(err, missing)
	}
	return u, nil
}

// orNotFound replaces a not-found or invalid error with missing, keeping
// errors of the dependencies as they are.
func orNotFound(err, missing error) error {
	switch qilian.ErrorCode(err) {
	case qilian.ENOTFOUND, qilian.EINVALID:
		return missing
	}
	return err
}

// asField turns "not found" into an invalid-input error naming the field
// that refers to nothing the caller can see.
func asField(err error, field string) error {
	if errors.Is(err, qilian.ErrNotFound) {
		return qilian.Invalid(map[string]string{field: "not found"})
	}
	return err
}

func createdOrOK(existed bool) int {
	if existed {
		return http.StatusOK
	}
	return http.StatusCreated
}
