package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/qilian/qilian"
)

// target is what an action route's {id} names.
type target string

const (
	onCase      target = "case"
	onTask      target = "task"
	onExtension target = "extension"
)

// actionRoute is one POST route that takes a human action.
type actionRoute struct {
	Name    qilian.ActionName
	Segment string // the last path segment
	On      target
	Body    func() actionBody
	Summary string
}

// Path is the route's path in gin syntax.
func (ar actionRoute) Path() string {
	switch ar.On {
	case onTask:
		return "/api/v1/tasks/:id/" + ar.Segment
	case onExtension:
		return "/api/v1/extensions/:id/" + ar.Segment
	}
	return "/api/v1/cases/:id/" + ar.Segment
}

// Roles are the roles that may ever take the action, in the order of
// qilian.Roles, as the document lists them.
func (ar actionRoute) Roles() []qilian.Role {
	may := qilian.ActionRoles(ar.Name)
	var out []qilian.Role
	for _, r := range qilian.Roles() {
		if slices.Contains(may, r) {
			out = append(out, r)
		}
	}
	return out
}

func note() actionBody { return &noteBody{} }

// actionBodies is the body each action's route binds: the one thing about
// an action the API adds to the domain's table (qilian.Actions).
var actionBodies = map[qilian.ActionName]func() actionBody{
	qilian.ActDispatch:        func() actionBody { return &dispatchBody{} },
	qilian.ActVerify:          func() actionBody { return &verifyBody{} },
	qilian.ActFollowUp:        func() actionBody { return &followUpBody{} },
	qilian.ActReopen:          note,
	qilian.ActOpenVoting:      note,
	qilian.ActCancel:          note,
	qilian.ActClose:           func() actionBody { return &closeBody{} },
	qilian.ActWhistle:         func() actionBody { return &unitsBody{} },
	qilian.ActReport:          note,
	qilian.ActMeeting:         func() actionBody { return &unitsBody{} },
	qilian.ActRemind:          func() actionBody { return &remindBody{} },
	qilian.ActNotice:          func() actionBody { return &remindBody{} },
	qilian.ActApproveBooking:  note,
	qilian.ActDeclineBooking:  note,
	qilian.ActHandBack:        note,
	qilian.ActConfirmHandBack: note,
	qilian.ActVote:            func() actionBody { return &voteBody{} },
	qilian.ActSignUp:          func() actionBody { return &participantBody{} },
	qilian.ActCheckIn:         func() actionBody { return &checkInBody{} },
	qilian.ActSummary:         note,
	qilian.ActAssignPost:      func() actionBody { return &postBody{} },
	qilian.ActLogHours:        func() actionBody { return &logHoursBody{} },
	qilian.ActConfirmHours:    func() actionBody { return &confirmHoursBody{} },

	qilian.ActAccept:           note,
	qilian.ActReturn:           func() actionBody { return &returnBody{} },
	qilian.ActProgress:         note,
	qilian.ActResolve:          func() actionBody { return &resolveBody{} },
	qilian.ActRequestExtension: func() actionBody { return &extensionBody{} },
	qilian.ActReassign:         func() actionBody { return &reassignBody{} },
	qilian.ActWithdraw:         note,

	qilian.ActApproveExtension: note,
	qilian.ActRejectExtension:  note,
}

// actionRoutes is a route per action of the domain's table, in its order:
// the table says what the route names (case, task or extension), who may
// take it and what it does; the path segment is the action's name, except
// for extensions, whose routes say approve and reject. An action without
// a body here is a mistake every test that builds the router catches.
func actionRoutes() []actionRoute {
	var out []actionRoute
	for _, n := range qilian.Actions() {
		body, ok := actionBodies[n]
		if !ok {
			panic("api: action " + string(n) + " has no body in actionBodies")
		}
		ar := actionRoute{Name: n, Segment: string(n), On: onCase, Body: body, Summary: n.Summary()}
		switch n.Target() {
		case qilian.OnTask:
			ar.On = onTask
		case qilian.OnExtension:
			ar.On = onExtension
			ar.Segment = strings.TrimSuffix(ar.Segment, "-extension")
		}
		out = append(out, ar)
	}
	return out
}

// checkRefs refuses an action naming a unit that does not exist, with
// the field named: the engine would offer a task to nobody, or summon
// no one, and hold the slot. A case closed as a duplicate must name one
// the caller can see; when that one is a duplicate itself, its original.
func (h *handler) checkRefs(ctx context.Context, act *qilian.Action) error {
	f := fieldCheck{}
	if err := h.checkAttachments(ctx, act.Attachments, act.Actor, f); err != nil {
		return err
	}
	if id := act.DuplicateOf; id != "" {
		orig, err := h.visibleCase(ctx, id, act.Actor)
		switch {
		case errors.Is(err, qilian.ErrNotFound):
			f["duplicate_of"] = "no case " + id
		case err != nil:
			return err
		case orig.DuplicateOf != "":
			act.DuplicateOf = orig.DuplicateOf
		}
	}
	check := func(field, id string) error {
		if _, err := h.Places.Unit(ctx, id); errors.Is(err, qilian.ErrNotFound) {
			f[field] = "no unit " + id
		} else if err != nil {
			return err
		}
		return nil
	}
	for i, as := range act.Assignments {
		if err := check(fmt.Sprintf("assignments[%d].unit_id", i), as.UnitID); err != nil {
			return err
		}
	}
	for i, u := range act.Units {
		if err := check(fmt.Sprintf("units[%d]", i), u); err != nil {
			return err
		}
	}
	if act.UnitID != "" {
		if err := check("unit_id", act.UnitID); err != nil {
			return err
		}
	}
	return f.err()
}

// act handles one action route: find the case the {id} belongs to and
// check the caller can see it (404, as if it did not exist), bind the
// body, then one call to the engine. The answer is the case after the
// action.
func (h *handler) act(ar actionRoute) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, a, id := c.Request.Context(), actorOf(c), c.Param("id")
		caseID, act, body, err := h.prepareAction(ctx, ar, id, func() ([]byte, error) { return ReadBody(c) }, a)
		if err == nil {
			if key := c.GetHeader(IdempotencyKeyHeader); key != "" {
				err = h.claimAction(ctx, &act, ar, id, key, body)
			}
		}
		var cs qilian.Case
		if err == nil {
			cs, err = h.engineAct(ctx, caseID, act)
		}
		if err != nil {
			h.fail(c, err)
			return
		}
		respond(c, http.StatusOK, viewCase(cs, a, h.Now()))
	}
}

// prepareAction is what an action route checks before the engine: the
// case the {id} belongs to, which the caller must see (404, as if it did
// not exist), then the body, read only then, and what it names. It
// returns the case's ID, the action and its body. Bulk requests take
// their items through it too.
func (h *handler) prepareAction(ctx context.Context, ar actionRoute, id string, read func() ([]byte, error), a qilian.Actor) (string, qilian.Action, actionBody, error) {
	caseID, ok := ar.On.caseOf(id)
	if !ok {
		return "", qilian.Action{}, nil, notFound(string(ar.On), id)
	}
	if _, err := h.visibleCase(ctx, caseID, a); err != nil {
		if errors.Is(err, qilian.ErrNotFound) {
			err = notFound(string(ar.On), id)
		}
		return "", qilian.Action{}, nil, err
	}
	raw, err := read()
	if err != nil {
		return "", qilian.Action{}, nil, err
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = []byte("{}") // every action's body is optional
	}
	body := ar.Body()
	if err := decodeStrict(raw, body); err != nil {
		return "", qilian.Action{}, nil, err
	}
	f := fieldCheck{}
	act := body.action(f)
	if err := f.err(); err != nil {
		return "", qilian.Action{}, nil, err
	}
	act.Name, act.Actor = ar.Name, a
	if err := h.checkRefs(ctx, &act); err != nil {
		return "", qilian.Action{}, nil, err
	}
	switch ar.On {
	case onTask:
		act.TaskID = id
	case onExtension:
		act.ExtensionID = id
	}
	return caseID, act, body, nil
}

// engineAct is the one call to the engine an action makes.
func (h *handler) engineAct(ctx context.Context, caseID string, act qilian.Action) (qilian.Case, error) {
	ctx, cancel := context.WithTimeout(ctx, engineTimeout)
	defer cancel()
	return h.Engine.Act(ctx, caseID, act)
}

// engineRequestID names a request to the engine (Action.RequestID) from
// what makes it the same request: the same parts, the same ID.
func engineRequestID(kind string, parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(append([]string{kind}, parts...), "\x00")))
	return kind + "-" + hex.EncodeToString(sum[:16])
}

// claimAction makes an action safe to send again under an
// Idempotency-Key (a phone that lost its answer): the key is claimed with
// the body, so the same key with another body is a 409, and the action
// goes to the engine under an update ID drawn from the key, so a repeat
// takes no effect twice and answers as the first did.
func (h *handler) claimAction(ctx context.Context, act *qilian.Action, ar actionRoute, id, key string, body actionBody) error {
	if !validKey(key) || len(key) > maxIdempotencyKey-len("act:") {
		return qilian.Invalid(map[string]string{IdempotencyKeyHeader: "1 to 250 printable ASCII characters"})
	}
	canon, _ := json.Marshal(struct {
		Route string     `json:"route"`
		ID    string     `json:"id"`
		Body  actionBody `json:"body"`
	}{ar.Path(), id, body}) // plain structs always encode
	sum := sha256.Sum256(canon)
	caseID, _ := ar.On.caseOf(id)
	if _, err := h.Cases.ClaimIdempotencyKey(ctx, act.Actor.UserID, "act:"+key, hex.EncodeToString(sum[:]), caseID); err != nil {
		return err
	}
	act.RequestID = engineRequestID("act", act.Actor.UserID, key)
	return nil
}

// caseOf returns the ID of the case an {id} of this target belongs to.
func (on target) caseOf(id string) (string, bool) {
	switch on {
	case onTask:
		return caseOfTask(id)
	case onExtension:
		return caseOfExtension(id)
	}
	return id, true
}
