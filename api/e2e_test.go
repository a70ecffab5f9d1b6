package api_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// walkServiceLinkage takes a resident's request from the grid worker's
// open to the resident's follow-up through HTTP alone, as the demo users:
// the grid worker opens, the street axis dispatches to the property
// company, the company accepts, reports progress and resolves, the axis
// verifies, the grid worker records that the resident is satisfied.
func walkServiceLinkage(t *testing.T, a *apiEnv) {
	const (
		title    = "明苑小区3幢楼道堆物，影响消防通道"
		desc     = "居民反映：楼道内堆放纸箱、旧家具🪑；请物业尽快清理。<b>急</b> & \"谢谢\""
		progress = "已联系保洁，明天上午清理"
		result   = "堆物已全部清理，消防通道畅通"
		answer   = "李阿姨表示满意"
	)
	c := a.open(t, "demo-grid", map[string]any{
		"kind": "service_linkage", "title": title, "description": desc, "locality_id": "dongzha-g1",
		"location":    map[string]any{"lat": 30.7522, "lng": 120.7623, "address": "明苑小区3幢2单元"},
		"reporter":    map[string]any{"name": "李阿姨", "phone": "138 0000 0000"},
		"attachments": []string{"https://example.org/photos/楼道.jpg"},
	})
	require.Equal(t, "triage", c.State)
	require.Equal(t, title, c.Title)
	require.Equal(t, desc, c.Description)
	require.Equal(t, "服务联动", c.KindName.ZH)
	require.Equal(t, "dongzha-g1", c.GridID)
	require.Equal(t, "明苑小区3幢2单元", c.Location.Address)
	require.Equal(t, "demo-grid", c.OpenedBy.UserID)
	require.Empty(t, c.AllowedActions, "a grid worker does nothing at triage")
	caseURL := "/api/v1/cases/" + c.ID

	// The raw answer carries the text as sent: no HTML escaping.
	raw := a.call(t, "demo-axis", http.MethodGet, caseURL, nil)
	require.Contains(t, string(raw.Body), `<b>急</b> & \"谢谢\"`)
	var seen caseOut
	raw.ok(t, http.StatusOK, &seen)
	require.Equal(t, desc, seen.Description)
	require.Subset(t, seen.AllowedActions, []string{"dispatch", "cancel", "close"})

	c = a.act(t, "demo-axis", caseURL+"/dispatch", map[string]any{
		"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead"}},
	})
	require.Equal(t, "dispatching", c.State)
	require.Len(t, c.Tasks, 1)
	task := c.Tasks[0]
	require.Equal(t, "offered", task.State)
	require.Equal(t, "lead", task.Role)
	require.NotNil(t, task.AcceptBy)
	taskURL := "/api/v1/tasks/" + task.ID

	var inbox struct {
		Tasks []struct {
			ID        string `json:"id"`
			CaseTitle string `json:"case_title"`
			State     string `json:"state"`
		} `json:"tasks"`
	}
	a.call(t, "demo-unit", http.MethodGet, "/api/v1/tasks?state=offered", nil).ok(t, http.StatusOK, &inbox)
	require.Contains(t, inbox.Tasks, struct {
		ID        string `json:"id"`
		CaseTitle string `json:"case_title"`
		State     string `json:"state"`
	}{task.ID, title, "offered"})

	c = a.act(t, "demo-unit", taskURL+"/accept", nil)
	require.Equal(t, "in_progress", c.State)
	require.Subset(t, c.AllowedActions, []string{"progress", "resolve", "request-extension"})
	c = a.act(t, "demo-unit", taskURL+"/progress", map[string]any{"note": progress})
	require.Equal(t, "in_progress", c.Tasks[0].State)
	c = a.act(t, "demo-unit", taskURL+"/resolve", map[string]any{"result": result})
	require.Equal(t, "verifying", c.State)
	require.Equal(t, result, c.Tasks[0].Result)
	c = a.act(t, "demo-axis", caseURL+"/verify", map[string]any{"pass": true})
	require.Equal(t, "follow_up", c.State)
	require.Equal(t, []string{"follow-up"}, a.view(t, "demo-grid", c.ID).AllowedActions)
	c = a.act(t, "demo-grid", caseURL+"/follow-up", map[string]any{"satisfied": true, "note": answer})
	require.Equal(t, "closed", c.State)
	require.Equal(t, "resolved", c.Resolution)
	require.Empty(t, c.AllowedActions)

	var trail struct {
		Events []eventOut `json:"events"`
	}
	a.call(t, "demo-grid", http.MethodGet, caseURL+"/events", nil).ok(t, http.StatusOK, &trail)
	evs := trail.Events
	require.NotEmpty(t, evs)
	for i, e := range evs {
		require.Equal(t, int64(i+1), e.Seq)
	}
	require.Equal(t, "opened", evs[0].Type)
	require.Equal(t, "triage", evs[0].ToState)
	require.Equal(t, "follow-up", evs[len(evs)-1].Type)
	require.Equal(t, "closed", evs[len(evs)-1].ToState)
	require.Equal(t, answer, evs[len(evs)-1].Note)
	types := eventTypes(evs)
	for _, want := range []string{"dispatch", "accept", "progress", "resolve", "verify"} {
		require.Contains(t, types, want)
	}
	for _, e := range evs {
		if e.Type == "progress" {
			require.Equal(t, progress, e.Note)
			require.Equal(t, "demo-unit", e.Actor.UserID)
			require.Equal(t, task.ID, e.TaskID)
		}
	}

	// The timeline says each thing once: the accept that moved the task
	// and the case is one line (issue 16, point 7).
	var lines struct {
		Timeline []struct {
			Type      string `json:"type"`
			FromState string `json:"from_state"`
			ToState   string `json:"to_state"`
			Tasks     []struct {
				TaskID    string `json:"task_id"`
				FromState string `json:"from_state"`
				ToState   string `json:"to_state"`
			} `json:"tasks"`
		} `json:"timeline"`
	}
	a.call(t, "demo-grid", http.MethodGet, caseURL+"/events", nil).ok(t, http.StatusOK, &lines)
	perType := map[string]int{}
	for _, l := range lines.Timeline {
		perType[l.Type]++
		if l.Type == "accept" {
			require.Equal(t, "in_progress", l.ToState, "the case's move")
			require.Len(t, l.Tasks, 1)
			require.Equal(t, task.ID, l.Tasks[0].TaskID)
			require.Equal(t, "accepted", l.Tasks[0].ToState, "the task's move, on the same line")
		}
	}
	for _, ty := range []string{"dispatch", "accept", "resolve", "verify"} {
		require.Equal(t, 1, perType[ty], "%s is one line: %+v", ty, lines.Timeline)
	}
	require.Less(t, len(lines.Timeline), len(evs))

	var closed struct {
		Cases []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"cases"`
	}
	a.call(t, "demo-axis", http.MethodGet, "/api/v1/cases?state=closed&kind=service_linkage&q="+url.QueryEscape("消防通道"), nil).ok(t, http.StatusOK, &closed)
	require.Len(t, closed.Cases, 1)
	require.Equal(t, c.ID, closed.Cases[0].ID)
	require.Equal(t, title, closed.Cases[0].Title)
}

// view reads a case as user.
func (a *apiEnv) view(t *testing.T, user, id string) caseOut {
	t.Helper()
	var c caseOut
	a.call(t, user, http.MethodGet, "/api/v1/cases/"+id, nil).ok(t, http.StatusOK, &c)
	return c
}
