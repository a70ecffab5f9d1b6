package api

import (
	"context"
	"errors"
	"net/http"

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

// Roles are the roles that may ever take the action.
func (ar actionRoute) Roles() []qilian.Role {
	var out []qilian.Role
	for _, r := range qilian.Roles() {
		if r.May(ar.Name) {
			out = append(out, r)
		}
	}
	return out
}

func note() actionBody { return &noteBody{} }

// actionRoutes lists every action route. The path segment is the action's
// name, except for extensions, whose routes say approve and reject.
func actionRoutes() []actionRoute {
	return []actionRoute{
		{qilian.ActDispatch, "dispatch", onCase, func() actionBody { return &dispatchBody{} }, "Offer tasks to a lead unit and co-units (派单)"},
		{qilian.ActVerify, "verify", onCase, func() actionBody { return &verifyBody{} }, "Pass the units' work, or send it back with a reason"},
		{qilian.ActFollowUp, "follow-up", onCase, func() actionBody { return &followUpBody{} }, "Record the resident's answer (回访); not satisfied reopens the case"},
		{qilian.ActReopen, "reopen", onCase, note, "Send a case in follow-up back to dispatching"},
		{qilian.ActCancel, "cancel", onCase, note, "Cancel an open case; note says why"},
		{qilian.ActClose, "close", onCase, func() actionBody { return &closeBody{} }, "Close a case at triage as invalid, duplicate or referred"},
		{qilian.ActWhistle, "whistle", onCase, func() actionBody { return &unitsBody{} }, "Summon units to report (吹哨)"},
		{qilian.ActReport, "report", onCase, note, "Answer a whistle for the caller's unit (报到)"},
		{qilian.ActMeeting, "meeting", onCase, func() actionBody { return &unitsBody{} }, "Record a joint meeting; note holds the minutes"},
		{qilian.ActRemind, "remind", onCase, func() actionBody { return &remindBody{} }, "Send a reminder (催办) about the case or one task"},
		{qilian.ActNotice, "notice", onCase, func() actionBody { return &remindBody{} }, "Issue a notice (通报) about the case or one task; note is its text"},
		{qilian.ActApproveBooking, "approve-booking", onCase, note, "Approve the booking of the caller's unit's resource"},
		{qilian.ActDeclineBooking, "decline-booking", onCase, note, "Decline the booking; note says why"},
		{qilian.ActHandBack, "hand-back", onCase, note, "Hand the booked resource back"},
		{qilian.ActConfirmHandBack, "confirm-handback", onCase, note, "Confirm the resource came back"},
		{qilian.ActVote, "vote", onCase, func() actionBody { return &voteBody{} }, "Vote in a consultation the caller is a participant of"},
		{qilian.ActSignUp, "sign-up", onCase, func() actionBody { return &participantBody{} }, "Sign a participant up for an activity"},
		{qilian.ActCheckIn, "check-in", onCase, func() actionBody { return &participantBody{} }, "Check a signed-up participant in"},
		{qilian.ActSummary, "summary", onCase, note, "Record the activity's summary; note is the summary"},
		{qilian.ActAssignPost, "assign-post", onCase, func() actionBody { return &postBody{} }, "Assign the registered Party member a service post"},
		{qilian.ActLogHours, "log-hours", onCase, func() actionBody { return &hoursBody{} }, "Log the member's service hours (home unit)"},
		{qilian.ActConfirmHours, "confirm-hours", onCase, func() actionBody { return &hoursBody{} }, "Confirm logged service hours"},

		{qilian.ActAccept, "accept", onTask, note, "Accept the task"},
		{qilian.ActReturn, "return", onTask, func() actionBody { return &returnBody{} }, "Return the task (退单) with a reason code"},
		{qilian.ActProgress, "progress", onTask, note, "Report progress; note is required"},
		{qilian.ActResolve, "resolve", onTask, func() actionBody { return &resolveBody{} }, "Resolve the task with a result"},
		{qilian.ActRequestExtension, "request-extension", onTask, func() actionBody { return &extensionBody{} }, "Ask for more time; note says why"},
		{qilian.ActReassign, "reassign", onTask, func() actionBody { return &reassignBody{} }, "Move the task to another unit"},
		{qilian.ActWithdraw, "withdraw", onTask, note, "Drop the task; note says why"},

		{qilian.ActApproveExtension, "approve", onExtension, note, "Approve an extension request: the deadline moves"},
		{qilian.ActRejectExtension, "reject", onExtension, note, "Reject an extension request"},
	}
}

// act handles one action route: find the case the {id} belongs to and
// check the caller can see it (404, as if it did not exist), bind the
// body, then one call to the engine. The answer is the case after the
// action.
func (h *handler) act(ar actionRoute) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, a, id := c.Request.Context(), actorOf(c), c.Param("id")
		caseID, ok := ar.On.caseOf(id)
		if !ok {
			h.fail(c, notFound(string(ar.On), id))
			return
		}
		if _, err := h.visibleCase(ctx, caseID, a); err != nil {
			if errors.Is(err, qilian.ErrNotFound) {
				err = notFound(string(ar.On), id)
			}
			h.fail(c, err)
			return
		}
		body := ar.Body()
		if !h.bind(c, body, true) {
			return
		}
		f := fieldCheck{}
		act := body.action(f)
		if err := f.err(); err != nil {
			h.fail(c, err)
			return
		}
		act.Name, act.Actor = ar.Name, a
		switch ar.On {
		case onTask:
			act.TaskID = id
		case onExtension:
			act.ExtensionID = id
		}
		ctx, cancel := context.WithTimeout(ctx, engineTimeout)
		defer cancel()
		cs, err := h.Engine.Act(ctx, caseID, act)
		if err != nil {
			h.fail(c, err)
			return
		}
		respond(c, http.StatusOK, viewCase(cs, a, h.Now()))
	}
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
