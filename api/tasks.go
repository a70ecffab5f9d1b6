package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/qilian/qilian"
)

// listTasks answers a page of the caller's unit's inbox.
func (h *handler) listTasks(c *gin.Context) {
	a := actorOf(c)
	q := newQuery(c, "state", "overdue", "limit", "cursor")
	f := qilian.TaskFilter{
		UnitID: a.UnitID, State: qilian.TaskState(q.str("state", 64)), Overdue: q.boolean("overdue"),
		Limit: q.limit(), Cursor: q.str("cursor", 512),
	}
	if f.State != "" && !f.State.Valid() {
		q.fields["state"] = "must be one of " + enumList(qilian.TaskStates())
	}
	if err := q.err(); err != nil {
		h.fail(c, err)
		return
	}
	page, err := h.Cases.ListTasks(c.Request.Context(), f)
	if err != nil {
		h.fail(c, err)
		return
	}
	respond(c, http.StatusOK, viewTaskPage(page))
}

// overdue answers the open tasks past their deadline inside the caller's
// subtree, most late first.
func (h *handler) overdue(c *gin.Context) {
	a := actorOf(c)
	q := newQuery(c, "limit")
	limit := q.limit()
	if err := q.err(); err != nil {
		h.fail(c, err)
		return
	}
	items, err := h.Cases.Overdue(c.Request.Context(), a.LocalityPath, h.Now(), limit)
	if err != nil {
		h.fail(c, err)
		return
	}
	respond(c, http.StatusOK, viewOverdue(items))
}

// me answers who the token belongs to, so a client can tell what to show.
func (h *handler) me(c *gin.Context) {
	a := actorOf(c)
	u, err := h.People.User(c.Request.Context(), a.UserID)
	if err != nil {
		h.fail(c, err)
		return
	}
	respond(c, http.StatusOK, meView{User: viewUser(u), LocalityPath: a.LocalityPath, CSRFToken: c.GetString(csrfKey),
		MustChangePassword: c.GetBool(mustChangeKey)})
}
