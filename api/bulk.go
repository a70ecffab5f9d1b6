package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/qilian/qilian"
)

// The actions a bulk request takes: the axis dispatches and closes many
// cases at once, the supervisor reminds many.
var bulkActions = []qilian.ActionName{qilian.ActDispatch, qilian.ActRemind, qilian.ActClose}

// maxBulkItems bounds one bulk request: what one person sends from a
// list screen, answered within the request's time.
const maxBulkItems = 100

type bulkIn struct {
	Action qilian.ActionName `json:"action" required:"true" enum:"dispatch,remind,close"`
	// Body is every item's body unless the item brings its own.
	Body  map[string]any `json:"body,omitempty" doc:"the action's body (as on its own route) for every item without one"`
	Items []bulkItemIn   `json:"items" required:"true" doc:"1 to 100 cases, each named once"`
}

type bulkItemIn struct {
	CaseID string         `json:"case_id" required:"true"`
	Body   map[string]any `json:"body,omitempty" doc:"this case's body, instead of the request's"`
}

type bulkResult struct {
	CaseID string       `json:"case_id" required:"true"`
	Status int          `json:"status" required:"true" doc:"what the action's own route would have answered: 200, 400, 403, 404, 409, …"`
	Case   *caseView    `json:"case,omitempty" doc:"the case after the action, when it took effect"`
	Error  *errorDetail `json:"error,omitempty"`
}

type bulkOut struct {
	Results []bulkResult `json:"results" required:"true" doc:"one per item, in the request's order"`
}

// bulk takes one action on many cases. Each item is the action's own
// route on its own: checked, then one call to the engine, so an item
// either takes effect whole or not at all, and its answer is the status
// and body that route would give. The Idempotency-Key makes the request
// safe to send again: each item goes to the engine under an ID drawn from
// the key, so an item that took effect answers as it did the first time
// and none takes effect twice; the same key with another body is a 409.
func (h *handler) bulk(c *gin.Context) {
	ctx, a := c.Request.Context(), actorOf(c)
	var in bulkIn
	if !h.bind(c, &in, false) {
		return
	}
	key := c.GetHeader(IdempotencyKeyHeader)
	if err := checkBulk(in, key); err != nil {
		h.fail(c, err)
		return
	}
	canon, _ := json.Marshal(in) // plain values always encode
	sum := sha256.Sum256(canon)
	// The key space is the case openings'; "bulk:" keeps the two apart.
	if _, err := h.Cases.ClaimIdempotencyKey(ctx, a.UserID, "bulk:"+key, hex.EncodeToString(sum[:]), "bulk"); err != nil {
		h.fail(c, err)
		return
	}
	out := bulkOut{Results: make([]bulkResult, 0, len(in.Items))}
	for _, it := range in.Items {
		body := it.Body
		if body == nil {
			body = in.Body
		}
		r := bulkResult{CaseID: it.CaseID}
		cs, err := h.bulkItem(ctx, in.Action, it.CaseID, body, engineRequestID("bulk", a.UserID, key, it.CaseID), a)
		if err != nil {
			var e errorDetail
			r.Status, e = answerOf(c, h.Log, err)
			r.Error = &e
		} else {
			v := viewCase(cs, a, h.Now())
			r.Status, r.Case = http.StatusOK, &v
		}
		out.Results = append(out.Results, r)
	}
	respond(c, http.StatusOK, out)
}

// checkBulk refuses a bulk request that no item could be taken from.
func checkBulk(in bulkIn, key string) error {
	f := fieldCheck{}
	if !slices.Contains(bulkActions, in.Action) {
		f["action"] = "one of dispatch, remind, close"
	}
	if !validKey(key) || len(key) > maxIdempotencyKey-len("bulk:") {
		f[IdempotencyKeyHeader] = "required: 1 to 250 printable ASCII characters, so that the request can be sent again safely"
	}
	if len(in.Items) == 0 || len(in.Items) > maxBulkItems {
		f["items"] = fmt.Sprintf("1 to %d cases", maxBulkItems)
	}
	seen := map[string]bool{}
	for i, it := range in.Items {
		switch {
		case it.CaseID == "":
			f[fmt.Sprintf("items[%d].case_id", i)] = "required"
		case seen[it.CaseID]:
			f[fmt.Sprintf("items[%d].case_id", i)] = "case named twice"
		}
		seen[it.CaseID] = true
	}
	return f.err()
}

// bulkItem is one item: as the action's own route would take it.
func (h *handler) bulkItem(ctx context.Context, name qilian.ActionName, caseID string, body map[string]any, reqID string, a qilian.Actor) (qilian.Case, error) {
	raw, _ := json.Marshal(body) // decoded JSON always encodes; nil is null, read as {}
	if body == nil {
		raw = nil
	}
	_, act, _, err := h.prepareAction(ctx, actionRouteOf(name), caseID, func() ([]byte, error) { return raw, nil }, a)
	if err != nil {
		return qilian.Case{}, err
	}
	act.RequestID = reqID
	return h.engineAct(ctx, caseID, act)
}

// actionRouteOf is the route of a case action.
func actionRouteOf(name qilian.ActionName) actionRoute {
	for _, ar := range actionRoutes() {
		if ar.Name == name {
			return ar
		}
	}
	panic("api: no route for action " + string(name)) // bulkActions are table actions
}
