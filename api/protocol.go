package api

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/qilian/qilian"
)

// Protocol is another protocol served beside the case API on the same
// router, such as Open311 GeoReport v2 (package api/open311): its own
// routes, authentication and error shape, on the same cases. The router
// gives it the request IDs, access log, metrics and headers every answer
// carries, and opens its cases through the case API's own path.
type Protocol interface {
	// Mount adds the protocol's routes; open opens a case as
	// POST /api/v1/cases does.
	Mount(r gin.IRoutes, open Opener)
	// Owns reports whether a path is the protocol's, so that an unknown
	// path or method there is answered in the protocol's error shape by
	// NotFound and NoMethod rather than in the case API's.
	Owns(path string) bool
	NotFound(c *gin.Context)
	NoMethod(c *gin.Context)
}

// Opener opens the case in as the actor a, through the path
// POST /api/v1/cases takes: it checks the body, places the case inside
// the actor's scope (its locality, or its grid and the point in it),
// claims the idempotency key when there is one (the same key and body
// open the same one case) and calls the engine. A refusal is a domain
// error whose fields are named as in the case API's body (locality_id,
// location.lat, details.booking.from, ...).
//
// The text in in must be clean (CleanText), as the case API's decoder
// makes sure of for its own bodies.
type Opener func(ctx context.Context, in CaseIn, idempotencyKey string, a qilian.Actor) (qilian.Case, error)

// RequestID is the ID of the request c answers, for log lines.
func RequestID(c *gin.Context) string { return c.GetString("request_id") }

// SetUser records the user a request is made as, for the access log; a
// protocol that authenticates its own way calls it.
func SetUser(c *gin.Context, userID string) { c.Set(userKey, userID) }

// owner is the protocol whose path this is, or nil.
func owner(ps []Protocol, path string) Protocol {
	for _, p := range ps {
		if p.Owns(path) {
			return p
		}
	}
	return nil
}
