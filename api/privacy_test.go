package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// testPrivacy: the reporter's phone in full to the opener, the axis and
// the lead unit; masked to a co-unit and the supervisor, who may reveal
// it with a reason that lands in the access audit.
func testPrivacy(t *testing.T, a *apiEnv) {
	c := a.open(t, "demo-grid", serviceCase("楼道堆物（隐私）", "dongzha-g1"))
	a.act(t, "demo-axis", "/api/v1/cases/"+c.ID+"/dispatch", map[string]any{"assignments": []map[string]any{
		{"unit_id": "u-mingyuan-property", "role": "lead"}, {"unit_id": "u-power", "role": "co"}}})
	type reporter struct {
		Name   string `json:"name"`
		Phone  string `json:"phone"`
		Masked bool   `json:"masked"`
	}
	read := func(user string) reporter {
		var v struct {
			Reporter reporter `json:"reporter"`
		}
		a.call(t, user, http.MethodGet, "/api/v1/cases/"+c.ID, nil).ok(t, http.StatusOK, &v)
		return v.Reporter
	}
	full := reporter{Name: "李阿姨", Phone: "13800000000"}
	masked := reporter{Name: "李**", Phone: "138****0000", Masked: true}
	for user, want := range map[string]reporter{
		"demo-grid": full, "demo-axis": full, "demo-axis-dongzha": full, "demo-unit": full,
		"demo-unit-power": masked, "demo-supervisor": masked, "demo-supervisor-jianshe": masked,
	} {
		require.Equal(t, want, read(user), user)
	}
	// The task list does not carry the reporter at all.
	r := a.call(t, "demo-unit-power", http.MethodGet, "/api/v1/tasks", nil)
	require.NotContains(t, string(r.Body), "13800000000")

	t.Run("400 a reveal without a reason", func(t *testing.T) {
		e := a.call(t, "demo-unit-power", http.MethodPost, "/api/v1/cases/"+c.ID+"/reveal", map[string]any{"reason": " "}).
			fails(t, http.StatusBadRequest, "invalid")
		require.Contains(t, e.Fields, "reason")
	})
	t.Run("404 a reveal of a case one cannot see", func(t *testing.T) {
		a.call(t, "demo-unit-hospital", http.MethodPost, "/api/v1/cases/"+c.ID+"/reveal", map[string]any{"reason": "好奇"}).
			fails(t, http.StatusNotFound, "not_found")
	})
	t.Run("200 a reveal with a reason, audited", func(t *testing.T) {
		var got struct {
			Reporter reporter `json:"reporter"`
		}
		a.call(t, "demo-unit-power", http.MethodPost, "/api/v1/cases/"+c.ID+"/reveal", map[string]any{"reason": "需电话联系住户确认停电时间"}).
			ok(t, http.StatusOK, &got)
		require.Equal(t, full, got.Reporter)
		var log struct {
			Entries []struct {
				Kind    string `json:"kind"`
				UserID  string `json:"user_id"`
				Subject string `json:"subject"`
				Detail  string `json:"detail"`
			} `json:"entries"`
		}
		for _, reader := range []string{"demo-supervisor", "demo-admin"} {
			a.call(t, reader, http.MethodGet, "/api/v1/audit?subject="+c.ID, nil).ok(t, http.StatusOK, &log)
			require.Len(t, log.Entries, 1, reader)
			e := log.Entries[0]
			require.Equal(t, "reveal", e.Kind)
			require.Equal(t, "demo-unit-power", e.UserID)
			require.Equal(t, "需电话联系住户确认停电时间", e.Detail)
		}
		// Another street's supervisor does not see it.
		a.call(t, "demo-axis-xinxing", http.MethodGet, "/api/v1/audit", nil).fails(t, http.StatusForbidden, "forbidden")
	})
}
