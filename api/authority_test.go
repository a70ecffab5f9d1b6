package api_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testAuthority checks over HTTP the holes the domain's authority matrix
// closes: a participant from another street votes and does nothing else,
// participants must exist, a user moved to another street has lost the
// old street's cases, and a point must lie in the grid it names.
func testAuthority(t *testing.T, a *apiEnv) {
	consultation := func(participants ...string) map[string]any {
		return map[string]any{
			"kind": "joint_consultation", "title": "加装电梯议事", "locality_id": "dongzha-g1",
			"details": map[string]any{"consultation": map[string]any{
				"question": "是否加装电梯？", "options": []string{"同意", "反对"}, "participants": participants,
				"quorum": 1, "rule": "majority", "deadline": time.Now().Add(72 * time.Hour).Format(time.RFC3339),
			}},
		}
	}
	t.Run("400 a participant who does not exist", func(t *testing.T) {
		e := a.call(t, "demo-axis-dongzha", http.MethodPost, "/api/v1/cases", consultation("demo-axis-xinxing", "nobody-here")).
			fails(t, http.StatusBadRequest, "invalid")
		require.Equal(t, "no user nobody-here", e.Fields["details.consultation.participants"])
	})
	t.Run("a participant from another street gets vote and nothing else", func(t *testing.T) {
		c := a.open(t, "demo-axis-dongzha", consultation("demo-axis-xinxing", "demo-grid"))
		var got caseOut
		a.call(t, "demo-axis-xinxing", http.MethodGet, "/api/v1/cases/"+c.ID, nil).ok(t, http.StatusOK, &got)
		require.Empty(t, got.AllowedActions, "no votes before the consultation is open for voting")
		a.call(t, "demo-axis-xinxing", http.MethodPost, "/api/v1/cases/"+c.ID+"/vote", map[string]any{"option": "同意"}).
			fails(t, http.StatusConflict, "conflict")
		a.act(t, "demo-axis-dongzha", "/api/v1/cases/"+c.ID+"/open-voting", map[string]any{"note": "方案已公示"})
		a.call(t, "demo-axis-xinxing", http.MethodGet, "/api/v1/cases/"+c.ID, nil).ok(t, http.StatusOK, &got)
		require.Equal(t, []string{"vote"}, got.AllowedActions)
		a.call(t, "demo-axis-xinxing", http.MethodPost, "/api/v1/cases/"+c.ID+"/cancel", map[string]any{"note": "不是我的"}).
			fails(t, http.StatusForbidden, "forbidden")
		a.call(t, "demo-axis-xinxing", http.MethodPost, "/api/v1/cases/"+c.ID+"/close", map[string]any{"resolution": "invalid", "note": "x"}).
			fails(t, http.StatusForbidden, "forbidden")
		a.act(t, "demo-axis-xinxing", "/api/v1/cases/"+c.ID+"/vote", map[string]any{"option": "同意"})
		// The axis in charge still has its whole list.
		a.call(t, "demo-axis-dongzha", http.MethodGet, "/api/v1/cases/"+c.ID, nil).ok(t, http.StatusOK, &got)
		require.Contains(t, got.AllowedActions, "cancel")
	})
	t.Run("404 for a user moved to another street", func(t *testing.T) {
		var created struct {
			Token struct {
				Token string `json:"token"`
			} `json:"token"`
		}
		user := map[string]any{"id": "axis-mover", "name": "调动的干部", "role": "axis", "locality_id": "jianshe"}
		a.call(t, "demo-admin", http.MethodPost, "/api/v1/users", user).ok(t, http.StatusCreated, &created)
		tok := created.Token.Token
		var c caseOut
		a.callToken(t, tok, http.MethodPost, "/api/v1/cases", serviceCase("调动前开的案子", "dongzha-g1")).ok(t, http.StatusCreated, &c)
		user["locality_id"] = "xinxing"
		a.call(t, "demo-admin", http.MethodPost, "/api/v1/users", user).ok(t, http.StatusOK, nil)
		a.callToken(t, tok, http.MethodGet, "/api/v1/cases/"+c.ID, nil).fails(t, http.StatusNotFound, "not_found")
		a.callToken(t, tok, http.MethodPost, "/api/v1/cases/"+c.ID+"/dispatch", map[string]any{
			"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead"}}}).fails(t, http.StatusNotFound, "not_found")
	})
	t.Run("400 a point outside the grid it names", func(t *testing.T) {
		body := serviceCase("远处的点", "dongzha-g1")
		body["location"] = map[string]any{"lat": 31.9, "lng": 120.76, "address": "150 公里外"}
		e := a.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", body).fails(t, http.StatusBadRequest, "invalid")
		require.Contains(t, e.Fields["location"], "dongzha-g1")
		body["location"] = map[string]any{"lat": 30.7522, "lng": 120.7623, "address": "明苑小区"}
		a.open(t, "demo-grid", body)

		r := a.postForm(t, "/open311/v2/requests.json", url.Values{"api_key": {a.key(t, "demo-grid")}, "service_code": {"service_linkage"},
			"address_id": {"dongzha-g1"}, "lat": {"31.9"}, "long": {"120.76"}, "description": {"远处的点"}})
		require.Equal(t, http.StatusBadRequest, r.Code, "%s", r.Body)
	})
}
