package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// testReturnedRequiredTasksHoldTheCase: a required task its unit returned
// keeps the case from verifying until the axis reassigns it or withdraws
// it with a reason (issue 16, point 11).
func testReturnedRequiredTasksHoldTheCase(t *testing.T, a *apiEnv) {
	c := a.open(t, "demo-grid", serviceCase("小区雨水管网堵塞", "dongzha-g1"))
	c = a.act(t, "demo-axis", "/api/v1/cases/"+c.ID+"/dispatch", map[string]any{"assignments": []map[string]any{
		{"unit_id": "u-mingyuan-property", "role": "lead", "required": true},
		{"unit_id": "u-water", "role": "co", "required": true},
		{"unit_id": "u-police", "role": "co", "required": true},
	}})
	lead, water, police := c.Tasks[0].ID, c.Tasks[1].ID, c.Tasks[2].ID
	a.act(t, "demo-unit", "/api/v1/tasks/"+lead+"/accept", nil)
	a.act(t, "demo-unit-water", "/api/v1/tasks/"+water+"/return", map[string]any{"reason": "not_our_duty"})
	a.act(t, "demo-unit-police", "/api/v1/tasks/"+police+"/return", map[string]any{"reason": "not_our_duty"})
	c = a.act(t, "demo-unit", "/api/v1/tasks/"+lead+"/resolve", map[string]any{"result": "已疏通主管"})
	require.Equal(t, "in_progress", c.State, "two required tasks were returned and nobody took them over")
	a.call(t, "demo-axis", http.MethodPost, "/api/v1/cases/"+c.ID+"/verify", map[string]any{"pass": true}).fails(t, http.StatusConflict, "conflict")

	c = a.view(t, "demo-axis", c.ID)
	require.Contains(t, c.Tasks[1].AllowedActions, "reassign")
	require.Contains(t, c.Tasks[1].AllowedActions, "withdraw")
	c = a.act(t, "demo-axis", "/api/v1/tasks/"+water+"/reassign", map[string]any{"unit_id": "u-enforcement", "note": "改由执法局处理"})
	require.Equal(t, "reassigned", c.Tasks[1].State)
	require.Equal(t, "in_progress", c.State)
	a.call(t, "demo-axis", http.MethodPost, "/api/v1/tasks/"+police+"/withdraw", map[string]any{}).fails(t, http.StatusBadRequest, "invalid")
	c = a.act(t, "demo-axis", "/api/v1/tasks/"+police+"/withdraw", map[string]any{"note": "无需公安协办"})
	require.Equal(t, "in_progress", c.State, "the enforcement bureau has still to work")

	enforcement := c.Tasks[len(c.Tasks)-1].ID
	a.act(t, "demo-unit-enforcement", "/api/v1/tasks/"+enforcement+"/accept", nil)
	c = a.act(t, "demo-unit-enforcement", "/api/v1/tasks/"+enforcement+"/resolve", map[string]any{"result": "已清理占道"})
	require.Equal(t, "verifying", c.State)
}
