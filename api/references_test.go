package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testReferences: what an action or a case names is checked against the
// registry when it is given, with the field named, and nothing is done
// (issue 16, points 9 and 10).
func testReferences(t *testing.T, a *apiEnv) {
	c := a.open(t, "demo-grid", serviceCase("井盖松动", "dongzha-g1"))
	url := "/api/v1/cases/" + c.ID
	rev := a.view(t, "demo-axis", c.ID).Revision

	e := a.call(t, "demo-axis", http.MethodPost, url+"/dispatch", map[string]any{
		"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead"}, {"unit_id": "u-nope", "role": "co"}},
	}).fails(t, http.StatusBadRequest, "invalid")
	require.Equal(t, "no unit u-nope", e.Fields["assignments[1].unit_id"])
	require.Equal(t, rev, a.view(t, "demo-axis", c.ID).Revision, "nothing dispatched, not even the good unit")

	c = a.act(t, "demo-axis", url+"/dispatch", map[string]any{
		"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead"}},
	})
	e = a.call(t, "demo-axis", http.MethodPost, "/api/v1/tasks/"+c.Tasks[0].ID+"/reassign", map[string]any{"unit_id": "u-nope"}).
		fails(t, http.StatusBadRequest, "invalid")
	require.Contains(t, e.Fields, "unit_id")

	from := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
	booking := func(resource, owner string) map[string]any {
		b := map[string]any{"resource_id": resource, "from": from.Format(time.RFC3339), "to": from.Add(2 * time.Hour).Format(time.RFC3339)}
		if owner != "" {
			b["owner_unit_id"] = owner
		}
		return map[string]any{"kind": "resource_sharing", "title": "借用操场", "locality_id": "jianshe", "details": map[string]any{"booking": b}}
	}
	e = a.call(t, "demo-axis", http.MethodPost, "/api/v1/cases", booking("u-nope-hall", "")).fails(t, http.StatusBadRequest, "invalid")
	require.Equal(t, "no resource u-nope-hall", e.Fields["details.booking.resource_id"])
	e = a.call(t, "demo-axis", http.MethodPost, "/api/v1/cases", booking("u-school-field", "u-power")).fails(t, http.StatusBadRequest, "invalid")
	require.Contains(t, e.Fields["details.booking.owner_unit_id"], "u-school", "the owner is the registry's, never the opener's")

	var opened struct {
		ID      string `json:"id"`
		Details struct {
			Booking struct {
				OwnerUnitID string `json:"owner_unit_id"`
			} `json:"booking"`
		} `json:"details"`
	}
	a.call(t, "demo-axis", http.MethodPost, "/api/v1/cases", booking("u-school-field", "")).ok(t, http.StatusCreated, &opened)
	require.Equal(t, "u-school", opened.Details.Booking.OwnerUnitID)

	e = a.call(t, "demo-grid", http.MethodPost, "/api/v1/cases", map[string]any{
		"kind": "member_management", "title": "在职党员报到", "locality_id": "dongzha-g1",
		"details": map[string]any{"member": map[string]any{"name": "王五", "home_unit_id": "u-nope"}},
	}).fails(t, http.StatusBadRequest, "invalid")
	require.Equal(t, "no unit u-nope", e.Fields["details.member.home_unit_id"])
}

// testOwnersSeeBookings: a unit finds in its case list the bookings of
// its resources, though it has no task on them (issue 16, point 1).
func testOwnersSeeBookings(t *testing.T, a *apiEnv) {
	from := time.Now().Add(96 * time.Hour).Truncate(time.Hour)
	c := a.open(t, "demo-axis", map[string]any{
		"kind": "resource_sharing", "title": "借用供电公司活动室", "locality_id": "jianshe",
		"details": map[string]any{"booking": map[string]any{
			"resource_id": "u-power-hall", "from": from.Format(time.RFC3339), "to": from.Add(2 * time.Hour).Format(time.RFC3339),
		}},
	})
	var list struct {
		Cases []struct {
			ID string `json:"id"`
		} `json:"cases"`
	}
	a.call(t, "demo-unit-power", http.MethodGet, "/api/v1/cases?kind=resource_sharing&limit=200", nil).ok(t, http.StatusOK, &list)
	var ids []string
	for _, x := range list.Cases {
		ids = append(ids, x.ID)
	}
	require.Contains(t, ids, c.ID, "the owner's list holds the booking of its hall")
	require.Contains(t, a.view(t, "demo-unit-power", c.ID).AllowedActions, "approve-booking")

	a.call(t, "demo-unit", http.MethodGet, "/api/v1/cases?kind=resource_sharing&limit=200", nil).ok(t, http.StatusOK, &list)
	for _, x := range list.Cases {
		require.NotEqual(t, c.ID, x.ID, "another unit's list does not")
	}
}
