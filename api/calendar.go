package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/calendar"
)

// calendarView is one year as deadlines count it.
type calendarView struct {
	Year int `json:"year"`
	// Source is "official lunar-go vX.Y.Z", "official file PATH" or
	// "provisional".
	Source      string           `json:"source"`
	Provisional bool             `json:"provisional"`
	Notice      calendar.Source  `json:"notice"`
	Days        []calendar.Entry `json:"days"`
}

func (h *handler) calendarYear(c *gin.Context) {
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil || year < 1 || year > 9999 {
		h.fail(c, qilian.Invalid(map[string]string{"year": "want a year such as 2027"}))
		return
	}
	if h.Calendar == nil {
		h.fail(c, qilian.Errorf(qilian.ENOTFOUND, "no working-time calendar is configured"))
		return
	}
	y, err := h.Calendar.Year(year)
	if errors.Is(err, calendar.ErrOutOfRange) {
		err = qilian.Errorf(qilian.ENOTFOUND, "%v", err)
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	respond(c, http.StatusOK, calendarView{
		Year: y.Year, Source: y.Origin, Provisional: y.Provisional, Notice: y.Source, Days: y.Entries(),
	})
}
