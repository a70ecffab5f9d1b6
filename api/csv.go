package api

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/qilian/qilian"
)

// CSV exports of the overdue list and the scores, for spreadsheets: UTF-8
// with a byte-order mark, without which Excel shows Chinese as mojibake.

const csvType = "text/csv; charset=utf-8"

func writeCSV(c *gin.Context, filename string, rows [][]string) {
	var b bytes.Buffer
	b.WriteString("\uFEFF")
	w := csv.NewWriter(&b)
	_ = w.WriteAll(rows) // a bytes.Buffer does not fail
	c.Header("Content-Disposition", `attachment; filename="`+filename+`"`)
	c.Data(http.StatusOK, csvType, b.Bytes())
}

// cell keeps a spreadsheet from running text as a formula (CSV
// injection): text that starts like a formula gets a leading apostrophe.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func rateCell(r rateView) string {
	if r.Value == nil {
		return ""
	}
	return strconv.FormatFloat(*r.Value, 'f', 4, 64)
}

func (h *handler) overdueCSV(c *gin.Context) {
	a := actorOf(c)
	if err := newQuery(c).err(); err != nil {
		h.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	now := h.Now()
	items, err := h.Cases.Overdue(ctx, a.LocalityPath, now, maxPage)
	if err != nil {
		h.fail(c, err)
		return
	}
	n, err := h.names(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	rows := [][]string{{"case_id", "case_title", "case_kind", "locality_id", "locality", "task_id", "unit_id", "unit",
		"level", "due_at", "lateness_hours"}}
	for _, o := range items {
		rows = append(rows, []string{o.CaseID, cell(o.CaseTitle), string(o.CaseKind), o.LocalityID,
			cell(n.of(qilian.SubjectLocality, o.LocalityID)), o.TaskID, o.UnitID, cell(n.of(qilian.SubjectUnit, o.UnitID)),
			strconv.Itoa(o.Level), o.DueAt.Format(time.RFC3339), strconv.FormatFloat(o.Lateness.Hours(), 'f', 1, 64)})
	}
	writeCSV(c, "overdue-"+now.UTC().Format("20060102-1504")+".csv", rows)
}

// scoresCSV writes one row per subject and indicator, with the subject's
// totals and rates repeated on each, so a pivot table needs nothing else.
func (h *handler) scoresCSV(c *gin.Context) {
	out, ok := h.scoresAsked(c)
	if !ok {
		return
	}
	rows := [][]string{{"period", "subject_type", "subject_id", "subject", "level", "total_points", "total_max",
		"response_rate", "resolution_rate", "satisfaction_rate", "indicator_id", "indicator", "grade", "max", "points"}}
	for _, v := range out.Subjects {
		head := []string{out.Period.String(), v.Type, v.ID, cell(v.Name), string(v.Level), num(v.Total.Points), num(v.Total.Max),
			rateCell(v.Rates.Response), rateCell(v.Rates.Resolution), rateCell(v.Rates.Satisfaction)}
		for _, is := range v.Indicators {
			rows = append(rows, append(append([]string{}, head...), is.ID, cell(is.NameZH), string(is.Grade), num(is.Max), num(is.Points)))
		}
	}
	writeCSV(c, "scores-"+out.Period.String()+".csv", rows)
}
