package api

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/calendar"
	"github.com/qilian/qilian/files"
	"github.com/qilian/qilian/points"
)

// Engine opens cases and acts on them; *workflows.Client is one. Both calls
// return the case as it stands afterwards, and refusals as *qilian.Error.
type Engine interface {
	Open(ctx context.Context, req qilian.OpenRequest, actor qilian.Actor) (qilian.Case, error)
	Act(ctx context.Context, caseID string, a qilian.Action) (qilian.Case, error)
}

// The API reads the read model, and writes the little it keeps itself,
// through five small interfaces, one per role; *storage.DB is all of them
// (Store), and a test can stand in a fake for the ones its routes use.
// Their errors are domain errors.

// Cases reads cases, their events and lists, and keeps idempotency keys.
type Cases interface {
	CaseSnapshot(ctx context.Context, id string) (qilian.Case, error)
	Events(ctx context.Context, caseID string) ([]qilian.Event, error)
	ListCases(ctx context.Context, f qilian.CaseFilter) (qilian.CasePage, error)
	ListTasks(ctx context.Context, f qilian.TaskFilter) (qilian.TaskPage, error)
	Overdue(ctx context.Context, scopePath string, now time.Time, limit int) ([]qilian.OverdueItem, error)
	CaseCounts(ctx context.Context, scopePath string) (map[qilian.CaseState]int, map[qilian.Kind]int, error)
	OverdueCases(ctx context.Context, scopePath string) (int, error)
	ClaimIdempotencyKey(ctx context.Context, userID, key, bodyHash, caseID string) (string, error)
	// NearbyCases are the cases that may be the same matter as one at a
	// point; Duplicates the cases closed as duplicates of a case.
	NearbyCases(ctx context.Context, q qilian.NearbyQuery) ([]qilian.Nearby, error)
	Duplicates(ctx context.Context, caseID string) ([]string, error)
}

// Places reads and keeps the localities and the units.
type Places interface {
	Locality(ctx context.Context, id string) (qilian.Locality, error)
	Localities(ctx context.Context, root string) ([]qilian.Locality, error)
	UpsertLocality(ctx context.Context, l qilian.Locality) (qilian.Locality, error)
	Unit(ctx context.Context, id string) (qilian.Unit, error)
	Units(ctx context.Context, root string) ([]qilian.Unit, error)
	UpsertUnit(ctx context.Context, u qilian.Unit) error
	// Resource is a unit's shareable resource (a hall, a vehicle, …).
	Resource(ctx context.Context, id string) (qilian.Resource, error)
	// Resources lists the resources of one unit, or of all ("").
	Resources(ctx context.Context, unitID string) ([]qilian.Resource, error)
	// Area is a grid's outline, for checking a case's point against it.
	Area(ctx context.Context, localityID string) (qilian.Area, error)
	// Areas are the outlines in a subtree, for the map; SetArea replaces
	// one.
	Areas(ctx context.Context, scopePath string) ([]qilian.Outline, error)
	SetArea(ctx context.Context, localityID string, a qilian.Area) error
}

// People reads and keeps the users and their API tokens, and tells who a
// token or a user is.
type People interface {
	// Authenticate is the user of the token whose digest is hash, and
	// ErrUnauthorized for a token unknown, revoked or expired.
	Authenticate(ctx context.Context, hash string) (qilian.User, error)
	Actor(ctx context.Context, u qilian.User) (qilian.Actor, error)
	User(ctx context.Context, id string) (qilian.User, error)
	Users(ctx context.Context) ([]qilian.User, error)
	UpsertUser(ctx context.Context, u qilian.User) error
	AddToken(ctx context.Context, t qilian.Token) error
	Token(ctx context.Context, id string) (qilian.Token, error)
	RevokeToken(ctx context.Context, id string, at time.Time) error
}

// Accounts is sign-in: credentials, sessions, the access audit and single
// sign-on logins under way, each taken once.
type Accounts interface {
	UserByUsername(ctx context.Context, name string) (qilian.User, qilian.Credentials, error)
	Credentials(ctx context.Context, userID string) (qilian.Credentials, error)
	SetPassword(ctx context.Context, userID, hash string, mustChange bool) error
	FailedSignIn(ctx context.Context, userID string, limit int, lockUntil time.Time) (int, error)
	SignedIn(ctx context.Context, userID string) error
	Unlock(ctx context.Context, userID string) error
	AddSession(ctx context.Context, s qilian.Session) error
	Session(ctx context.Context, id string) (qilian.Session, error)
	TouchSession(ctx context.Context, id string, t time.Time) error
	RevokeSession(ctx context.Context, id string, t time.Time) error
	RevokeSessions(ctx context.Context, userID, except string, t time.Time) (int, error)
	Audit(ctx context.Context, e qilian.AuditEntry) error
	AuditLog(ctx context.Context, f qilian.AuditFilter) ([]qilian.AuditEntry, error)
	AddSSOLogin(ctx context.Context, l qilian.SSOLogin, staleBefore time.Time) error
	TakeSSOLogin(ctx context.Context, id string) (qilian.SSOLogin, error)
}

// Scores reads the assessment's scorecards and keeps manual entries.
type Scores interface {
	Scorecards(ctx context.Context, set *points.Set, periods []points.Period) ([]points.Scorecard, error)
	AddManualEntry(ctx context.Context, e points.Entry) error
	ManualEntries(ctx context.Context, from, to time.Time) ([]points.Entry, error)
}

// Store is all five, as one read model is.
type Store interface {
	Files
	Cases
	Places
	People
	Accounts
	Scores
}

// Server is what the API needs to run.
type Server struct {
	Ops    Ops
	Engine Engine
	// The read model, by role; WithStore sets them all from one store.
	Cases    Cases
	Places   Places
	People   People
	Accounts Accounts
	Scores   Scores
	Files    Files
	// FileStore keeps the bytes of attached files; with none, the file
	// routes answer 404.
	FileStore files.Store
	// Indicators is the assessment's indicator set; none when nil. The
	// binary passes the configured set (configs.Config.Indicators).
	Indicators *points.Set
	// Calendar is the working-time calendar deadlines count on, for people
	// to look up; the binary passes the configured one, and with none the
	// calendar's route answers 404.
	Calendar *calendar.Calendar
	Log      *slog.Logger
	// Sessions is the sign-in policy; its zero value is the defaults.
	Sessions Sessions
	// Duplicates says which cases a new one may duplicate; the zero value
	// is qilian.DefaultDuplicateRule.
	Duplicates qilian.DuplicateRule
	// Map is what the pages draw the grid outlines over (GET
	// /api/v1/map); the zero value is no tiles, max zoom 18.
	Map MapSettings
	// SSO is single sign-on at an OpenID Connect provider; off when nil.
	SSO SSO
	// Now is the clock for what the API stamps itself (token times, case
	// IDs, what counts as overdue); time.Now when nil.
	Now func() time.Time
	// Protocols are served beside the case API on the same router, each
	// under its own paths; the binary passes Open311 GeoReport v2.
	Protocols []Protocol
}

// MapSettings is the map the pages draw: a tile layer or none, and where
// it opens.
type MapSettings struct {
	// Tiles is a tile URL template ({z}, {x}, {y}, perhaps {s}); empty
	// for none.
	Tiles       string
	Attribution string
	MaxZoom     int
	// Center and Zoom are where a map opens; nil to fit the outlines.
	Center *qilian.Point
	Zoom   int
}

// WithStore returns s reading and writing everything through st.
func (s Server) WithStore(st Store) Server {
	s.Cases, s.Places, s.People, s.Accounts, s.Scores, s.Files = st, st, st, st, st, st
	return s
}

// caseAPIRoot is where the case API's routes are.
const caseAPIRoot = "/api/v1"

// engineTimeout bounds a call to the engine, so that a client waiting on a
// stuck worker gets a 503 well before the server's write timeout.
const engineTimeout = 20 * time.Second

// handler holds the Server the route handlers run against.
type handler struct {
	Server
	doc     []byte // the OpenAPI document, rendered once
	limiter *limiter
}

// New returns the router of the whole HTTP API: the case API under
// /api/v1, its OpenAPI document, the operations endpoints and the
// protocols served beside them. Every route of the case API comes from
// one table, which also writes the document; a protocol has its own
// specification and is not in it.
func New(s Server) *gin.Engine {
	if s.Log == nil {
		s.Log = s.Ops.Log
	}
	if s.Log == nil {
		s.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.Ops.Log == nil {
		s.Ops.Log = s.Log
	}
	if s.Ops.Registry == nil {
		s.Ops.Registry = NewRegistry()
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Indicators == nil {
		s.Indicators = new(points.Set) // no indicators: nothing is scored
	}
	s.Sessions = s.Sessions.withDefaults()
	if s.Duplicates.Radius <= 0 {
		s.Duplicates.Radius = qilian.DefaultDuplicateRule.Radius
	}
	if s.Map.MaxZoom <= 0 {
		s.Map.MaxZoom = 18
	}
	if s.Duplicates.Window <= 0 {
		s.Duplicates.Window = qilian.DefaultDuplicateRule.Window
	}
	h := &handler{Server: s, limiter: &limiter{every: s.Sessions.PerAddress}}
	routes := append(s.Ops.routes(), h.routes()...)
	h.doc = mustJSON(document(routes))

	r := newEngine(s.Ops, s.Protocols...)
	for _, rt := range routes {
		r.Handle(rt.Method, rt.Path, h.chain(rt)...)
	}
	for _, p := range s.Protocols {
		p.Mount(r, h.openCase)
	}
	return r
}

// chain is the handlers a route runs: authentication and the role check
// unless the route is public, the media type of a body under /api/v1, then
// the route's own handler.
func (h *handler) chain(rt route) []gin.HandlerFunc {
	var hs []gin.HandlerFunc
	if !rt.Public {
		hs = append(hs, h.authenticate, h.allow(rt.Roles))
	}
	if strings.HasPrefix(rt.Path, caseAPIRoot+"/") && !rt.Multipart {
		hs = append(hs, h.jsonBody)
	}
	return append(hs, rt.Handle)
}
