package api

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/qilian/qilian"
)

type revealIn struct {
	Reason string `json:"reason" required:"true" doc:"why the caller needs the personal data; kept in the access audit"`
}

// revealView is a case's personal data in full.
type revealView struct {
	Reporter    reporterView `json:"reporter" required:"true"`
	MemberPhone string       `json:"member_phone,omitempty"`
}

// reveal answers the personal data of a case the caller sees masked, for
// a reason that goes to the access audit with who asked and when. It is
// a write (POST), so that a page cannot trigger it by a link, and the
// audit entry is written before the answer: no audit, no data.
func (h *handler) reveal(c *gin.Context) {
	var in revealIn
	if !h.bind(c, &in, false) {
		return
	}
	ctx, a := c.Request.Context(), actorOf(c)
	cs, err := h.visibleCase(ctx, c.Param("id"), a)
	if err != nil {
		h.fail(c, err)
		return
	}
	reason := strings.TrimSpace(in.Reason)
	if n := utf8.RuneCountInString(reason); n < 2 || n > maxNote {
		h.fail(c, qilian.Invalid(map[string]string{"reason": "required: why you need it, 2 to 2000 characters"}))
		return
	}
	e := qilian.AuditEntry{ID: newAuditID(h.Now()), At: h.Now(), Kind: "reveal", UserID: a.UserID, Subject: cs.ID,
		Address: clientAddress(c.Request), Detail: reason}
	if err := h.Accounts.Audit(ctx, e); err != nil {
		h.fail(c, err)
		return
	}
	out := revealView{Reporter: reporterView{Name: cs.Reporter.Name, Phone: cs.Reporter.Phone}}
	if m := cs.Details.Member; m != nil {
		out.MemberPhone = m.Phone
	}
	respond(c, http.StatusOK, out)
}
