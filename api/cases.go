package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/qilian/qilian"
)

// IdempotencyKeyHeader makes opening a case safe to retry.
const IdempotencyKeyHeader = "Idempotency-Key"

// maxIdempotencyKey is what the read model keeps of a key.
const maxIdempotencyKey = 255

// newCaseID is "QL", the day in UTC and 40 random bits, in upper-case hex:
// short enough to read out on the phone, and a valid ID for the read model.
func newCaseID(now time.Time) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return "QL" + now.UTC().Format("20060102") + "-" + strings.ToUpper(hex.EncodeToString(b))
}

// Task IDs are the case ID plus "-t<n>"; extension IDs the task ID plus
// "-x<n>" (qilian.Decide numbers them so). An ID of another shape names
// nothing.
var (
	idShape        = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	taskShape      = regexp.MustCompile(`^([A-Za-z0-9_-]+)-t[0-9]+$`)
	extensionShape = regexp.MustCompile(`^(([A-Za-z0-9_-]+)-t[0-9]+)-x[0-9]+$`)
)

// caseOfTask returns the case ID inside a task ID.
func caseOfTask(id string) (string, bool) {
	m := taskShape.FindStringSubmatch(id)
	if m == nil || len(id) > 80 {
		return "", false
	}
	return m[1], true
}

// caseOfExtension returns the case ID inside an extension ID.
func caseOfExtension(id string) (string, bool) {
	m := extensionShape.FindStringSubmatch(id)
	if m == nil || len(id) > 90 {
		return "", false
	}
	return m[2], true
}

// notFound is what every out-of-scope or unknown case looks like.
func notFound(what, id string) error {
	return qilian.Errorf(qilian.ENOTFOUND, "%s %s not found", what, id)
}

// visibleCase returns the case if the caller may see it, and otherwise the
// same 404 as for a case that does not exist.
func (h *handler) visibleCase(ctx context.Context, id string, a qilian.Actor) (qilian.Case, error) {
	if !idShape.MatchString(id) {
		return qilian.Case{}, notFound("case", id)
	}
	c, err := h.Cases.CaseSnapshot(ctx, id)
	switch {
	case errors.Is(err, qilian.ErrNotFound):
		return qilian.Case{}, notFound("case", id)
	case err != nil:
		return qilian.Case{}, err
	case !c.VisibleTo(a):
		return qilian.Case{}, notFound("case", id)
	}
	return c, nil
}

// createCase opens a case.
func (h *handler) createCase(c *gin.Context) {
	var in CaseIn
	if !h.bind(c, &in, false) {
		return
	}
	a := actorOf(c)
	cs, err := h.openCase(c.Request.Context(), in, c.GetHeader(IdempotencyKeyHeader), a)
	if err != nil {
		h.fail(c, err)
		return
	}
	v := viewCase(cs, a, h.Now())
	if v.PossibleDuplicates, err = h.possibleDuplicates(c.Request.Context(), cs, a); err != nil {
		h.Log.Warn("possible duplicates", "case_id", cs.ID, "error", err) // the case is open: answer it
	}
	c.Header("Location", "/api/v1/cases/"+cs.ID)
	respond(c, http.StatusCreated, v)
}

// possibleDuplicates are the cases inside the caller's place that the new
// case may duplicate: same kind and category, near it, opened recently.
// None for a case without a point.
func (h *handler) possibleDuplicates(ctx context.Context, cs qilian.Case, a qilian.Actor) ([]nearbyView, error) {
	at := qilian.Point{Lat: cs.Location.Lat, Lng: cs.Location.Lng}
	if at.Lat == 0 && at.Lng == 0 {
		return nil, nil
	}
	ns, err := h.Cases.NearbyCases(ctx, qilian.NearbyQuery{
		ScopePath: a.LocalityPath, Kind: cs.Kind, Category: cs.CategoryCode(), At: at,
		Radius: h.Duplicates.Radius, Since: cs.OpenedAt.Add(-h.Duplicates.Window), Exclude: cs.ID, Limit: 5,
	})
	if err != nil || len(ns) == 0 {
		return nil, err
	}
	return viewNearby(ns), nil
}

// nearby answers the cases a report at a point may duplicate, before it
// is sent (as FixMyStreet shows the reports around a pin).
func (h *handler) nearby(c *gin.Context) {
	a := actorOf(c)
	f := fieldCheck{}
	kind := qilian.Kind(c.Query("kind"))
	if !kind.Valid() {
		f["kind"] = "required: a case kind"
	}
	lat, errLat := strconv.ParseFloat(c.Query("lat"), 64)
	lng, errLng := strconv.ParseFloat(c.Query("lng"), 64)
	at := qilian.Point{Lat: lat, Lng: lng}
	if errLat != nil || errLng != nil || !at.Valid() || (lat == 0 && lng == 0) {
		f["lat"] = "required with lng: a point in WGS 84 degrees"
	}
	if err := f.err(); err != nil {
		h.fail(c, err)
		return
	}
	ns, err := h.Cases.NearbyCases(c.Request.Context(), qilian.NearbyQuery{
		ScopePath: a.LocalityPath, Kind: kind, Category: c.Query("category"), At: at,
		Radius: h.Duplicates.Radius, Since: h.Now().Add(-h.Duplicates.Window),
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	respond(c, http.StatusOK, nearbyList{Cases: viewNearby(ns)})
}

// openCase opens the case in. With an idempotency key, every request with
// the same key and body, however concurrent, opens the same one case: the
// first claim of the key picks the case ID, the others reuse it, and
// opening an ID twice finds the running case.
func (h *handler) openCase(ctx context.Context, in CaseIn, key string, a qilian.Actor) (qilian.Case, error) {
	req, err := h.openRequest(ctx, in, a)
	if err != nil {
		return qilian.Case{}, err
	}
	if key != "" {
		if !validKey(key) {
			return qilian.Case{}, qilian.Invalid(map[string]string{IdempotencyKeyHeader: "1 to 255 printable ASCII characters"})
		}
		// The decoded body, encoded again, is the canonical form: spacing
		// and key order do not make another request.
		canon, _ := json.Marshal(in) // plain structs always encode
		sum := sha256.Sum256(canon)
		id, err := h.Cases.ClaimIdempotencyKey(ctx, a.UserID, key, hex.EncodeToString(sum[:]), req.ID)
		if err != nil {
			return qilian.Case{}, err
		}
		if id != req.ID {
			// A retry. The case may have moved on or even closed, and a
			// closed case cannot be opened again, so answer from the read
			// model when it has the case.
			req.ID = id
			if cs, err := h.Cases.CaseSnapshot(ctx, id); err == nil {
				return cs, nil
			}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, engineTimeout)
	defer cancel()
	return h.Engine.Open(ctx, req, a)
}

// validKey reports whether an idempotency key is printable ASCII that the
// read model can keep whole.
func validKey(k string) bool {
	if len(k) == 0 || len(k) > maxIdempotencyKey {
		return false
	}
	for i := range len(k) {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// selfRegistration is the one case unit staff open: their own
// registration (报到) as a Party member with the community where they
// live. The member is the caller, working for the caller's unit.
func (h *handler) selfRegistration(ctx context.Context, req *qilian.OpenRequest, a qilian.Actor, f fieldCheck) error {
	switch {
	case !req.Kind.Valid():
		return nil // the request's own checks name the kind
	case req.Kind != qilian.KindMemberManagement:
		return qilian.Errorf(qilian.EFORBIDDEN, "unit staff open only their own member registration (member_management)")
	}
	m := req.Details.Member
	if m == nil {
		m = &qilian.Member{}
		req.Details.Member = m
	}
	switch m.HomeUnitID {
	case "":
		m.HomeUnitID = a.UnitID
	case a.UnitID:
	default:
		f["details.member.home_unit_id"] = "your own unit: a member registers themselves"
	}
	if strings.TrimSpace(m.Name) == "" {
		u, err := h.People.User(ctx, a.UserID)
		if err != nil {
			return err
		}
		m.Name = u.Name
	}
	m.UserID = a.UserID
	return nil
}

// openRequest converts the body and places the case: its locality (or
// grid) must lie inside the caller's subtree, and one outside it is named
// as not found, exactly like one that does not exist. The domain then
// checks the request as the engine will, so a bad request never claims an
// idempotency key.
func (h *handler) openRequest(ctx context.Context, in CaseIn, a qilian.Actor) (qilian.OpenRequest, error) {
	f := fieldCheck{}
	req := in.openRequest(f)
	req.ID = newCaseID(h.Now())
	self := a.Role == qilian.RoleUnitStaff
	if self {
		if err := h.selfRegistration(ctx, &req, a, f); err != nil {
			return req, err
		}
	}
	var loc, grid *qilian.Locality
	place := func(field, id string) (*qilian.Locality, error) {
		if !idShape.MatchString(id) {
			f[field] = "not found"
			return nil, nil
		}
		l, err := h.Places.Locality(ctx, id)
		// A member registers with the community where they live, which is
		// nobody's business but theirs: anywhere, but a community or grid.
		inPlace := qilian.Contains(a.LocalityPath, l.Path) || (self && (l.Level == qilian.LevelCommunity || l.Level == qilian.LevelGrid))
		switch {
		case errors.Is(err, qilian.ErrNotFound) || (err == nil && !inPlace):
			f[field] = "not found"
			return nil, nil
		case err != nil:
			return nil, err
		}
		return &l, nil
	}
	var err error
	if in.LocalityID != "" {
		if loc, err = place("locality_id", in.LocalityID); err != nil {
			return req, err
		}
	}
	if in.GridID != "" {
		if grid, err = place("grid_id", in.GridID); err != nil {
			return req, err
		}
		if grid != nil && grid.Level != qilian.LevelGrid {
			f["grid_id"] = "not a grid"
		}
	}
	switch {
	case in.LocalityID == "" && in.GridID == "":
		f["locality_id"] = "required: the locality or the grid the case is in"
	case loc == nil && in.LocalityID == "":
		loc = grid
	}
	if loc != nil {
		req.LocalityID, req.LocalityPath = loc.ID, loc.Path
		if loc.Level == qilian.LevelGrid {
			req.GridID = loc.ID
		}
	}
	if grid != nil && req.GridID == "" {
		req.GridID = grid.ID
	}
	if err := h.pointInGrid(ctx, req, f); err != nil {
		return req, err
	}
	if err := h.checkDetailRefs(ctx, &req, f); err != nil {
		return req, err
	}
	if err := h.checkAttachments(ctx, req.Attachments, a, f); err != nil {
		return req, err
	}
	if con := req.Details.Consultation; con != nil {
		for _, id := range con.Participants {
			_, err := h.People.User(ctx, id)
			if errors.Is(err, qilian.ErrNotFound) || (err == nil && !idShape.MatchString(id)) {
				f["details.consultation.participants"] = "no user " + id
				break
			}
			if err != nil {
				return req, err
			}
		}
	}
	if _, _, err := qilian.Open(req, a, h.Now(), qilian.Policy{}); err != nil {
		var e *qilian.Error
		if !errors.As(err, &e) || e.Code != qilian.EINVALID {
			return req, err
		}
		for k, v := range e.Fields {
			if _, named := f[k]; !named && k != "locality_path" && k != "id" {
				f[k] = v
			}
		}
	}
	return req, f.err()
}

// checkDetailRefs checks what the details name against the registry: a
// booking's resource must exist, and its owner is the resource's unit,
// never what the request says (a request naming another owner is
// refused); a member's home unit must exist.
func (h *handler) checkDetailRefs(ctx context.Context, req *qilian.OpenRequest, f fieldCheck) error {
	if b := req.Details.Booking; b != nil && b.ResourceID != "" {
		r, err := h.Places.Resource(ctx, b.ResourceID)
		switch {
		case errors.Is(err, qilian.ErrNotFound):
			f["details.booking.resource_id"] = "no resource " + b.ResourceID
		case err != nil:
			return err
		case b.OwnerUnitID != "" && b.OwnerUnitID != r.UnitID:
			f["details.booking.owner_unit_id"] = "the resource belongs to " + r.UnitID + "; leave owner_unit_id out"
		default:
			b.OwnerUnitID = r.UnitID
		}
	}
	if m := req.Details.Member; m != nil && m.HomeUnitID != "" {
		if _, err := h.Places.Unit(ctx, m.HomeUnitID); errors.Is(err, qilian.ErrNotFound) {
			f["details.member.home_unit_id"] = "no unit " + m.HomeUnitID
		} else if err != nil {
			return err
		}
	}
	return nil
}

// pointInGrid refuses a point that lies outside the case's grid, when the
// grid has an outline: a case in dongzha-g1 placed 150 km away is a
// mistake someone would act on.
func (h *handler) pointInGrid(ctx context.Context, req qilian.OpenRequest, f fieldCheck) error {
	p := qilian.Point{Lat: req.Location.Lat, Lng: req.Location.Lng}
	if req.GridID == "" || (p.Lat == 0 && p.Lng == 0) || !p.Valid() {
		return nil
	}
	area, err := h.Places.Area(ctx, req.GridID)
	switch {
	case errors.Is(err, qilian.ErrNotFound):
		return nil // a grid without an outline takes any point
	case err != nil:
		return err
	}
	if !area.Contains(p) {
		f["location"] = "the point lies outside grid " + req.GridID
	}
	return nil
}

// getCase answers the case as the caller sees it.
func (h *handler) getCase(c *gin.Context) {
	a := actorOf(c)
	cs, err := h.visibleCase(c.Request.Context(), c.Param("id"), a)
	if err != nil {
		h.fail(c, err)
		return
	}
	v := viewCase(cs, a, h.Now())
	if v.Duplicates, err = h.Cases.Duplicates(c.Request.Context(), cs.ID); err != nil {
		h.fail(c, err)
		return
	}
	respond(c, http.StatusOK, v)
}

// caseEvents answers the audit trail of a case the caller can see.
func (h *handler) caseEvents(c *gin.Context) {
	ctx, a := c.Request.Context(), actorOf(c)
	cs, err := h.visibleCase(ctx, c.Param("id"), a)
	if err != nil {
		h.fail(c, err)
		return
	}
	evs, err := h.Cases.Events(ctx, cs.ID)
	if err != nil {
		h.fail(c, err)
		return
	}
	respond(c, http.StatusOK, viewEvents(evs))
}

// listCases answers a page of the cases inside the caller's scope.
func (h *handler) listCases(c *gin.Context) {
	ctx, a := c.Request.Context(), actorOf(c)
	f, err := h.caseFilter(ctx, c, a)
	if err != nil {
		h.fail(c, err)
		return
	}
	page, err := h.Cases.ListCases(ctx, f)
	if err != nil {
		h.fail(c, renameFields(err, map[string]string{"locality_id": "locality"}))
		return
	}
	respond(c, http.StatusOK, viewCasePage(page))
}

// caseFilter reads the list's query. The scope is the caller's subtree;
// unit staff see the cases their unit has tasks on, wherever they are, so
// their scope is the whole tree their unit sits in.
func (h *handler) caseFilter(ctx context.Context, c *gin.Context, a qilian.Actor) (qilian.CaseFilter, error) {
	q := newQuery(c, "kind", "state", "locality", "unit", "overdue", "q", "created_after", "created_before", "limit", "cursor")
	f := qilian.CaseFilter{
		ScopePath: a.LocalityPath, Kind: qilian.Kind(q.str("kind", 64)), State: qilian.CaseState(q.str("state", 64)),
		LocalityID: q.str("locality", 64), UnitID: q.str("unit", 64), Overdue: q.boolean("overdue"),
		Query: q.str("q", 100), CreatedAfter: q.time("created_after"), CreatedBefore: q.time("created_before"),
		Limit: q.limit(), Cursor: q.str("cursor", 512),
	}
	if f.Kind != "" && !f.Kind.Valid() {
		q.fields["kind"] = "must be one of " + enumList(qilian.Kinds())
	}
	if f.State != "" && !f.State.Valid() {
		q.fields["state"] = "must be one of " + enumList(qilian.CaseStates())
	}
	if f.LocalityID != "" && !idShape.MatchString(f.LocalityID) {
		q.fields["locality"] = "not a locality ID"
	}
	if a.Role == qilian.RoleUnitStaff {
		if f.UnitID != "" && f.UnitID != a.UnitID {
			q.fields["unit"] = "unit staff list their own unit's cases only"
		}
		f.UnitID = a.UnitID
		if err := q.err(); err != nil {
			return f, err
		}
		root, err := h.unitRoot(ctx, a.UnitID)
		if err != nil {
			return f, err
		}
		f.ScopePath = root
	}
	return f, q.err()
}

// unitRoot is the path of the root of the tree a unit sits in.
func (h *handler) unitRoot(ctx context.Context, unitID string) (string, error) {
	u, err := h.Places.Unit(ctx, unitID)
	if err != nil {
		return "", err
	}
	l, err := h.Places.Locality(ctx, u.LocalityID)
	if err != nil {
		return "", err
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(l.Path, qilian.PathSep), qilian.PathSep)
	return qilian.ChildPath("", first), nil
}

// renameFields renames the fields of an invalid-input error from the read
// model's names to the API's.
func renameFields(err error, names map[string]string) error {
	var e *qilian.Error
	if !errors.As(err, &e) || e.Code != qilian.EINVALID || len(e.Fields) == 0 {
		return err
	}
	fields := map[string]string{}
	for k, v := range e.Fields {
		if n, ok := names[k]; ok {
			k = n
		}
		fields[k] = v
	}
	return &qilian.Error{Code: e.Code, Message: e.Message, Fields: fields}
}

// enumList lists enum values for messages.
func enumList[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}
