package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/configs"
)

// route is one entry of the route table: what the router registers and
// what the OpenAPI document says about it, from the same data, so the two
// cannot drift apart.
type route struct {
	Method  string
	Path    string // gin syntax: /api/v1/cases/:id
	ID      string // the OpenAPI operationId
	Tag     string
	Summary string
	// Public routes need no token; the others authenticate and then admit
	// only Roles (403 for the rest).
	Public bool
	Roles  []qilian.Role
	Body   any // a value of the request body's type, or nil
	// BodyOptional routes take an empty body as {}.
	BodyOptional bool
	// Multipart routes take a multipart/form-data body (a file) instead
	// of JSON.
	Multipart bool
	Query     []param
	Status    int // the success status
	Resp      any // a value of the success body's type, or nil for none
	// Content is the success media type when it is not JSON.
	Content string
	Errors  []int // the error statuses the route answers
	Handle  gin.HandlerFunc
}

// param is a query or header parameter.
type param struct {
	In     string // query when empty, or header
	Name   string
	Type   string // string, integer or boolean
	Format string
	Enum   []string
	// Labels is the family of GET /api/v1/labels that names Enum's values.
	Labels string
	Doc    string
}

func enumOf[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// Error statuses by what a route does.
var (
	authErrors   = []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusServiceUnavailable}
	bodyErrors   = []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType}
	actionErrors = append(append([]int{http.StatusNotFound, http.StatusConflict}, bodyErrors...), authErrors...)
)

func statuses(groups ...[]int) []int {
	var out []int
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// routes is the table of the case API.
func (h *handler) routes() []route {
	var (
		admin = []qilian.Role{qilian.RoleAdmin}
		// Unit staff open one kind only: their own member registration.
		openers = []qilian.Role{qilian.RoleGridWorker, qilian.RoleAxis, qilian.RoleUnitStaff}
		readers = []qilian.Role{qilian.RoleGridWorker, qilian.RoleAxis, qilian.RoleUnitStaff, qilian.RoleSupervisor}
		// The map is everyone's: its outlines are of the caller's place.
		mappers = append(readers[:len(readers):len(readers)], qilian.RoleAdmin)
		page    = []param{
			{Name: "limit", Type: "integer", Doc: "page size, 1 to 200; 50 when absent"},
			{Name: "cursor", Type: "string", Doc: "next_cursor of the previous page"},
		}
		notFound = []int{http.StatusNotFound}
		invalid  = []int{http.StatusBadRequest}
		// Counts are of a subtree's cases; unit staff see their unit's only.
		supervising = []qilian.Role{qilian.RoleGridWorker, qilian.RoleAxis, qilian.RoleSupervisor}
		// Assessors enter manual points: supervisors, and admins.
		assessors  = []qilian.Role{qilian.RoleSupervisor, qilian.RoleAdmin}
		scoreQuery = []param{
			{Name: "period", Type: "string", Doc: "YYYY, YYYY-MM or YYYY-Qn; this month when absent"},
			{Name: "type", Type: "string", Enum: []string{qilian.SubjectUnit, qilian.SubjectLocality}},
			{Name: "id", Type: "string", Doc: "one unit's or locality's ID"},
		}
	)
	rs := []route{
		{Method: http.MethodGet, Path: "/api/v1/openapi.json", ID: "openapi", Tag: "meta", Summary: "This document",
			Public: true, Status: http.StatusOK, Resp: map[string]any{}, Handle: h.openapi},
		{Method: http.MethodGet, Path: "/api/v1/me", ID: "me", Tag: "meta", Summary: "Who the token or session belongs to",
			Roles: qilian.Roles(), Status: http.StatusOK, Resp: meView{}, Errors: authErrors, Handle: h.me},
		{Method: http.MethodPost, Path: "/api/v1/me/password", ID: "changePassword", Tag: "sign-in",
			Summary: "Change one's own password; one's other sessions end", Roles: qilian.Roles(),
			Body: passwordIn{}, Status: http.StatusNoContent, Errors: statuses(bodyErrors, authErrors), Handle: h.changePassword},
		{Method: http.MethodPost, Path: "/api/v1/sessions", ID: "signIn", Tag: "sign-in",
			Summary: "Sign in with a user name and password: sets the HttpOnly session cookie and answers the CSRF token",
			Public:  true, Body: sessionIn{}, Status: http.StatusCreated, Resp: sessionView{},
			Errors: statuses(bodyErrors, []int{http.StatusUnauthorized, http.StatusTooManyRequests, http.StatusServiceUnavailable}), Handle: h.signIn},
		{Method: http.MethodDelete, Path: "/api/v1/sessions", ID: "signOut", Tag: "sign-in",
			Summary: "Sign out: the session ends and the cookie is cleared", Roles: qilian.Roles(),
			Status: http.StatusNoContent, Errors: authErrors, Handle: h.signOut},
		{Method: http.MethodGet, Path: ssoPath, ID: "sso", Tag: "sign-in",
			Summary: "Whether single sign-on (OpenID Connect) is offered, whether its provider answers, and the button's text",
			Public:  true, Status: http.StatusOK, Resp: ssoView{}, Handle: h.ssoInfo},
		{Method: http.MethodGet, Path: ssoPath + "/login", ID: "ssoLogin", Tag: "sign-in",
			Summary: "Begin single sign-on, in the browser: 302 to the provider with a state, a nonce and a PKCE (S256) challenge, " +
				"kept for 10 minutes under an HttpOnly cookie; 302 to /dashboard/#/signin?sso=unavailable when the provider cannot be reached. " +
				"404 when single sign-on is not configured",
			Public: true, Status: http.StatusFound, Errors: notFound, Handle: h.ssoLogin},
		{Method: http.MethodGet, Path: configs.SSOCallbackPath, ID: "ssoCallback", Tag: "sign-in",
			Summary: "Where the provider sends the browser back: the code becomes a verified ID token, and the user whose user name is its claim " +
				"(without regard to case) gets the session cookie and a 302 to /dashboard/; otherwise a 302 to /dashboard/#/signin?sso=unknown, locked or failed. " +
				"Each ending is audited; a callback is good once",
			Public: true, Query: []param{
				{Name: "code", Type: "string", Doc: "the authorization code"},
				{Name: "state", Type: "string", Doc: "the state the sign-in began with"},
				{Name: "error", Type: "string", Doc: "the provider's error code instead of a code"},
				{Name: "error_description", Type: "string"},
			},
			Status: http.StatusFound, Errors: notFound, Handle: h.ssoCallback},

		{Method: http.MethodGet, Path: "/api/v1/labels", ID: "labels", Tag: "meta",
			Summary: "The names, in Chinese and English, of every code the API sends: kinds, case and task states, actions, events, " +
				"roles, levels, priorities, return reasons, duties, resolutions, unit types, vote rules, booking states, clocks, escalation rungs, deadlines and points; " +
				"by family, then code. The document's enums name their family as x-labels",
			Public: true, Status: http.StatusOK, Resp: map[string][]qilian.Term{}, Handle: h.labels},
		{Method: http.MethodGet, Path: "/api/v1/places", ID: "places", Tag: "meta",
			Summary: "The localities and units inside the caller's place, to name what lists refer to by ID",
			Roles:   readers, Status: http.StatusOK, Resp: placesView{}, Errors: authErrors, Handle: h.places},
		{Method: http.MethodGet, Path: "/api/v1/areas", ID: "areas", Tag: "meta",
			Summary: "The outlines of the localities inside the caller's place (unit staff: their unit's locality and below), " +
				"parents first, as a GeoJSON FeatureCollection: a Polygon per locality, [lng, lat], the ring closed",
			Roles: mappers, Status: http.StatusOK, Resp: areaCollection{}, Errors: authErrors, Handle: h.areas},
		{Method: http.MethodGet, Path: "/api/v1/map", ID: "mapSettings", Tag: "meta",
			Summary: "The map the outlines are drawn on, as configured: the tile URL template (empty for none: a blank map), its attribution and zoom, and where a map opens (no center: fit the outlines)",
			Roles:   mappers, Status: http.StatusOK, Resp: mapView{}, Errors: authErrors, Handle: h.mapSettings},
		{Method: http.MethodPost, Path: "/api/v1/files", ID: "uploadFile", Tag: "files",
			Summary: "Send a photo (JPEG, PNG, WebP) or a PDF as the multipart/form-data part \"file\", at most 10 MiB: checked by its content, a photo kept without its metadata (EXIF, with the place) and with a thumbnail; name its url among a case's attachments",
			Roles:   readers, Multipart: true, Status: http.StatusCreated, Resp: fileView{},
			Errors: statuses(bodyErrors, authErrors), Handle: h.uploadFile},
		{Method: http.MethodGet, Path: "/api/v1/files/:id", ID: "getFile", Tag: "files",
			Summary: "A file, to its sender and to whoever sees a case that names it", Roles: readers,
			Status: http.StatusOK, Content: "application/octet-stream", Errors: statuses(notFound, authErrors), Handle: h.getFile(false)},
		{Method: http.MethodGet, Path: "/api/v1/files/:id/thumbnail", ID: "getFileThumbnail", Tag: "files",
			Summary: "A photo's thumbnail (JPEG), to those who may read the photo", Roles: readers,
			Status: http.StatusOK, Content: "image/jpeg", Errors: statuses(notFound, authErrors), Handle: h.getFile(true)},
		{Method: http.MethodGet, Path: "/api/v1/nearby", ID: "nearbyCases", Tag: "cases",
			Summary: "Cases a report at a point may duplicate: same kind (and category), nearby, opened recently, inside the caller's place; nearest first",
			Roles:   supervising, Query: []param{
				{Name: "kind", Type: "string", Doc: "required"}, {Name: "category", Type: "string", Doc: "a category code; any when absent"},
				{Name: "lat", Type: "number", Doc: "required"}, {Name: "lng", Type: "number", Doc: "required"},
			},
			Status: http.StatusOK, Resp: nearbyList{}, Errors: statuses(invalid, authErrors), Handle: h.nearby},
		{Method: http.MethodGet, Path: "/api/v1/resources", ID: "listResources", Tag: "meta",
			Summary: "What the units share (halls, vehicles, venues) and who owns each, to book in a resource_sharing case",
			Roles:   readers, Query: []param{{Name: "unit_id", Type: "string", Doc: "one owner's resources only"}},
			Status: http.StatusOK, Resp: resourceList{}, Errors: statuses(invalid, authErrors), Handle: h.resources},

		{Method: http.MethodPost, Path: "/api/v1/cases", ID: "openCase", Tag: "cases",
			Summary: "Open a case inside the caller's locality (unit staff: their own registration as a Party member, member_management, with the community where they live); an Idempotency-Key header makes retries safe",
			Roles:   openers, Body: CaseIn{}, Status: http.StatusCreated, Resp: caseView{},
			Query: []param{{In: "header", Name: IdempotencyKeyHeader, Type: "string",
				Doc: "the same key and body open the same case, however often and however concurrently sent; the same key with another body is a 409"}},
			Errors: statuses(bodyErrors, []int{http.StatusConflict}, authErrors), Handle: h.createCase},
		{Method: http.MethodGet, Path: "/api/v1/cases", ID: "listCases", Tag: "cases",
			Summary: "Cases inside the caller's scope, newest first", Roles: readers,
			Query: append([]param{
				{Name: "kind", Type: "string", Enum: enumOf(qilian.Kinds()), Labels: "kind"},
				{Name: "state", Type: "string", Enum: enumOf(qilian.CaseStates()), Labels: "case_state"},
				{Name: "locality", Type: "string", Doc: "a locality ID: its subtree only"},
				{Name: "unit", Type: "string", Doc: "cases where this unit has a task"},
				{Name: "overdue", Type: "boolean"},
				{Name: "q", Type: "string", Doc: "text in the title, description or address"},
				{Name: "created_after", Type: "string", Format: "date-time", Doc: "opened at or after (RFC 3339)"},
				{Name: "created_before", Type: "string", Format: "date-time", Doc: "opened before (RFC 3339)"},
			}, page...),
			Status: http.StatusOK, Resp: caseList{}, Errors: statuses(invalid, authErrors), Handle: h.listCases},
		{Method: http.MethodGet, Path: "/api/v1/cases/:id", ID: "getCase", Tag: "cases",
			Summary: "A case with its tasks, deadlines and the actions the caller may take now", Roles: readers,
			Status: http.StatusOK, Resp: caseView{}, Errors: statuses(notFound, authErrors), Handle: h.getCase},
		{Method: http.MethodGet, Path: "/api/v1/cases/:id/events", ID: "caseEvents", Tag: "cases",
			Summary: "The audit trail of a case", Roles: readers,
			Status: http.StatusOK, Resp: eventList{}, Errors: statuses(notFound, authErrors), Handle: h.caseEvents},

		{Method: http.MethodPost, Path: "/api/v1/cases/:id/reveal", ID: "revealPersonalData", Tag: "cases",
			Summary: "The reporter's name and phone in full, for one who sees them masked; the reason goes to the access audit",
			Roles:   readers, Body: revealIn{}, Status: http.StatusOK, Resp: revealView{},
			Errors: statuses(bodyErrors, notFound, authErrors), Handle: h.reveal},
		{Method: http.MethodGet, Path: "/api/v1/tasks", ID: "listTasks", Tag: "tasks",
			Summary: "The caller's unit's inbox, soonest deadline first", Roles: []qilian.Role{qilian.RoleUnitStaff},
			Query: append([]param{
				{Name: "state", Type: "string", Enum: enumOf(qilian.TaskStates()), Labels: "task_state"},
				{Name: "overdue", Type: "boolean"},
			}, page...),
			Status: http.StatusOK, Resp: taskList{}, Errors: statuses(invalid, authErrors), Handle: h.listTasks},
		{Method: http.MethodPost, Path: "/api/v1/bulk", ID: "bulkAction", Tag: "cases",
			Summary: "One action on many cases: the axis dispatches or closes, the supervisor reminds; each item answered as its own route would, none half-done",
			Roles:   []qilian.Role{qilian.RoleAxis, qilian.RoleSupervisor}, Body: bulkIn{}, Status: http.StatusOK, Resp: bulkOut{},
			Query: []param{{In: "header", Name: IdempotencyKeyHeader, Type: "string",
				Doc: "required: the same key and body, sent again, take no item twice and answer each as before; the same key with another body is a 409"}},
			Errors: statuses(bodyErrors, []int{http.StatusConflict}, authErrors), Handle: h.bulk},
		{Method: http.MethodGet, Path: "/api/v1/overdue", ID: "listOverdue", Tag: "tasks",
			Summary: "Open tasks past their deadline inside the caller's subtree, most late first",
			Roles:   []qilian.Role{qilian.RoleAxis, qilian.RoleSupervisor},
			Query:   []param{{Name: "limit", Type: "integer", Doc: "at most 200; 50 when absent"}},
			Status:  http.StatusOK, Resp: overdueList{}, Errors: statuses(invalid, authErrors), Handle: h.overdue},

		{Method: http.MethodGet, Path: "/api/v1/calendar/:year", ID: "calendarYear", Tag: "meta",
			Summary: "A year's holidays and make-up working days as deadlines count them, and their source (official or provisional)",
			Roles:   []qilian.Role{qilian.RoleAdmin, qilian.RoleSupervisor},
			Status:  http.StatusOK, Resp: calendarView{}, Errors: statuses(invalid, notFound, authErrors), Handle: h.calendarYear},

		{Method: http.MethodGet, Path: "/api/v1/overdue.csv", ID: "exportOverdue", Tag: "tasks",
			Summary: "The overdue list as CSV (UTF-8 with a byte-order mark), at most 200 rows",
			Roles:   []qilian.Role{qilian.RoleAxis, qilian.RoleSupervisor},
			Status:  http.StatusOK, Content: csvType, Errors: statuses(invalid, authErrors), Handle: h.overdueCSV},
		{Method: http.MethodGet, Path: "/api/v1/counts", ID: "caseCounts", Tag: "supervision",
			Summary: "Case counts by state and kind in a locality and in each of its children, for drilling down",
			Roles:   supervising, Query: []param{{Name: "locality", Type: "string", Doc: "a locality ID; the caller's own when absent"}},
			Status: http.StatusOK, Resp: countsView{}, Errors: statuses(invalid, notFound, authErrors), Handle: h.counts},

		{Method: http.MethodGet, Path: "/api/v1/indicators", ID: "listIndicators", Tag: "points",
			Summary: "The assessment's indicator set, in file order", Roles: mappers, // configuration, not cases: the admin's page shows it
			Status: http.StatusOK, Resp: indicatorList{}, Errors: authErrors, Handle: h.listIndicators},
		{Method: http.MethodGet, Path: "/api/v1/scores", ID: "scores", Tag: "points",
			Summary: "Scorecards of a period with every line behind each point, and the three rates, inside the caller's scope",
			Roles:   readers, Query: scoreQuery,
			Status: http.StatusOK, Resp: scoresView{}, Errors: statuses(invalid, notFound, authErrors), Handle: h.scores},
		{Method: http.MethodGet, Path: "/api/v1/scores.csv", ID: "exportScores", Tag: "points",
			Summary: "The scores as CSV: a row per subject and indicator, with the subject's totals and rates",
			Roles:   readers, Query: scoreQuery,
			Status: http.StatusOK, Content: csvType, Errors: statuses(invalid, notFound, authErrors), Handle: h.scoresCSV},
		{Method: http.MethodGet, Path: "/api/v1/scores/trend", ID: "scoreTrend", Tag: "points",
			Summary: "One subject's total and rates over the periods up to one, oldest first", Roles: readers,
			Query: append(append([]param{}, scoreQuery...),
				param{Name: "count", Type: "integer", Doc: "how many periods, 1 to 24; 6 when absent"}),
			Status: http.StatusOK, Resp: trendView{}, Errors: statuses(invalid, notFound, authErrors), Handle: h.scoresTrend},
		{Method: http.MethodPost, Path: "/api/v1/manual-entries", ID: "addManualEntry", Tag: "points",
			Summary: "An assessor's points for a manual indicator, with evidence, for a unit or locality in the caller's subtree",
			Roles:   assessors, Body: entryIn{}, Status: http.StatusCreated, Resp: entryView{},
			Errors: statuses(bodyErrors, notFound, []int{http.StatusConflict}, authErrors), Handle: h.addEntry},
		{Method: http.MethodGet, Path: "/api/v1/manual-entries", ID: "listManualEntries", Tag: "points",
			Summary: "The manual entries of a period about subjects in the caller's subtree", Roles: assessors,
			Query:  []param{{Name: "period", Type: "string", Doc: "YYYY, YYYY-MM or YYYY-Qn; this month when absent"}},
			Status: http.StatusOK, Resp: entryList{}, Errors: statuses(invalid, authErrors), Handle: h.listEntries},

		{Method: http.MethodGet, Path: "/api/v1/localities", ID: "listLocalities", Tag: "admin",
			Summary: "The localities of the admin's subtree, parents first", Roles: admin,
			Status: http.StatusOK, Resp: localityList{}, Errors: authErrors, Handle: h.listLocalities},
		{Method: http.MethodPost, Path: "/api/v1/localities", ID: "upsertLocality", Tag: "admin",
			Summary: "Add (201) or update (200) a locality inside the admin's subtree", Roles: admin,
			Body: localityIn{}, Status: http.StatusCreated, Resp: localityView{},
			Errors: statuses(bodyErrors, []int{http.StatusConflict}, authErrors), Handle: h.upsertLocality},
		{Method: http.MethodPut, Path: "/api/v1/localities/:id/area", ID: "setArea", Tag: "admin",
			Summary: "Replace the outline of a locality inside the admin's subtree: a GeoJSON Feature with a Polygon geometry, or the Polygon, " +
				"one ring of [lng, lat] (closed or not, no holes) that does not cross itself; answers the Feature as GET /api/v1/areas shows it. " +
				"A bad outline is refused and the old one stays",
			Roles: admin, Body: areaIn{}, Status: http.StatusOK, Resp: areaFeature{},
			Errors: statuses(bodyErrors, notFound, authErrors), Handle: h.setArea},
		{Method: http.MethodGet, Path: "/api/v1/units", ID: "listUnits", Tag: "admin",
			Summary: "The units inside the admin's subtree", Roles: admin,
			Status: http.StatusOK, Resp: unitList{}, Errors: authErrors, Handle: h.listUnits},
		{Method: http.MethodPost, Path: "/api/v1/units", ID: "upsertUnit", Tag: "admin",
			Summary: "Add (201) or update (200) a unit inside the admin's subtree", Roles: admin,
			Body: unitIn{}, Status: http.StatusCreated, Resp: unitView{},
			Errors: statuses(bodyErrors, []int{http.StatusConflict}, authErrors), Handle: h.upsertUnit},
		{Method: http.MethodGet, Path: "/api/v1/users", ID: "listUsers", Tag: "admin",
			Summary: "The users placed inside the admin's subtree", Roles: admin,
			Status: http.StatusOK, Resp: userList{}, Errors: authErrors, Handle: h.listUsers},
		{Method: http.MethodPost, Path: "/api/v1/users", ID: "upsertUser", Tag: "admin",
			Summary: "Add (201, with a token shown once) or update (200) a user", Roles: admin,
			Body: userIn{}, Status: http.StatusCreated, Resp: userCreated{},
			Errors: statuses(bodyErrors, []int{http.StatusConflict}, authErrors), Handle: h.upsertUser},
		{Method: http.MethodPut, Path: "/api/v1/users/:id/password", ID: "setPassword", Tag: "admin",
			Summary: "Set a one-time password: the user changes it at the next sign-in; their sessions end and a lockout is lifted",
			Roles:   admin, Body: setPasswordIn{}, Status: http.StatusNoContent,
			Errors: statuses(bodyErrors, notFound, []int{http.StatusConflict}, authErrors), Handle: h.setPassword},
		{Method: http.MethodDelete, Path: "/api/v1/users/:id/lockout", ID: "unlockUser", Tag: "admin",
			Summary: "Lift the lockout after failed sign-ins", Roles: admin,
			Status: http.StatusNoContent, Errors: statuses(notFound, authErrors), Handle: h.unlockUser},
		{Method: http.MethodDelete, Path: "/api/v1/users/:id/sessions", ID: "endSessions", Tag: "admin",
			Summary: "End every session of a user", Roles: admin,
			Status: http.StatusNoContent, Errors: statuses(notFound, authErrors), Handle: h.endSessions},
		{Method: http.MethodGet, Path: "/api/v1/audit", ID: "auditLog", Tag: "admin",
			Summary: "The access audit, newest first: sign-ins, lockouts, password changes, reveals of personal data",
			Roles:   []qilian.Role{qilian.RoleAdmin, qilian.RoleSupervisor},
			Query: []param{{Name: "subject", Type: "string", Doc: "a case ID or a user ID"}, {Name: "user", Type: "string", Doc: "who acted"},
				{Name: "kind", Type: "string"}, {Name: "limit", Type: "integer", Doc: "1 to 200; 50 when absent"}},
			Status: http.StatusOK, Resp: auditList{}, Errors: statuses(invalid, authErrors), Handle: h.auditLog},
		{Method: http.MethodPost, Path: "/api/v1/users/:id/tokens", ID: "addToken", Tag: "admin",
			Summary: "Issue another token for a user; the token is shown once", Roles: admin,
			Body: tokenIn{}, BodyOptional: true, Status: http.StatusCreated, Resp: tokenView{},
			Errors: statuses(bodyErrors, notFound, authErrors), Handle: h.addToken},
		{Method: http.MethodDelete, Path: "/api/v1/tokens/:id", ID: "revokeToken", Tag: "admin",
			Summary: "Revoke a token", Roles: admin,
			Status: http.StatusNoContent, Errors: statuses(notFound, authErrors), Handle: h.revokeToken},
	}
	for _, ar := range actionRoutes() {
		rs = append(rs, route{
			Method: http.MethodPost, Path: ar.Path(), ID: actionOperationID(ar), Tag: string(ar.On) + " actions",
			Summary: ar.Summary, Roles: ar.Roles(), Body: ar.Body(), BodyOptional: true, Status: http.StatusOK, Resp: caseView{},
			Query: []param{{In: "header", Name: IdempotencyKeyHeader, Type: "string",
				Doc: "the same key and body, sent again, take the action once and answer as the first time; the same key with another body is a 409"}},
			Errors: actionErrors, Handle: h.act(ar),
		})
	}
	return rs
}

// actionOperationID is "case.dispatch", "task.accept", "extension.approve".
func actionOperationID(ar actionRoute) string { return string(ar.On) + "." + ar.Segment }

// openapi serves the document rendered when the router was built.
func (h *handler) openapi(c *gin.Context) {
	c.Data(http.StatusOK, "application/json; charset=utf-8", h.doc)
}
