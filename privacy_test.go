package qilian_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
)

func TestMasks(t *testing.T) {
	require.Equal(t, "李**", qilian.MaskName("李阿姨"))
	require.Equal(t, "王**", qilian.MaskName("王"))
	require.Equal(t, "欧***", qilian.MaskName("欧阳娜娜"))
	require.Equal(t, "", qilian.MaskName("  "))
	require.Equal(t, "138****0000", qilian.MaskPhone("13800000000"))
	require.Equal(t, "865****5678", qilian.MaskPhone("+86 573 1234 5678"))
	require.Equal(t, "*****", qilian.MaskPhone("12345"))
	require.Equal(t, "", qilian.MaskPhone(""))
	require.Equal(t, "l***@example.cn", qilian.MaskEmail("li@example.cn"))
}

// The opener, the axis in charge and the lead unit see the reporter in
// full; a co-unit, a supervisor, another grid worker and a participant
// see the masks.
func TestWhoSeesPersonalData(t *testing.T) {
	req := request(qilian.KindServiceLinkage)
	req.Reporter = qilian.Reporter{Name: "李阿姨", Phone: "13800000000"}
	c := open(t, req, grid)
	step(t, c, qilian.Action{Name: qilian.ActDispatch, Actor: axis, Assignments: []qilian.Assignment{
		{UnitID: unitA, Role: qilian.TaskLead}, {UnitID: unitB, Role: qilian.TaskCo}}}, t0)
	otherGrid := qilian.Actor{UserID: "grid-g1b", Role: qilian.RoleGridWorker, LocalityID: "g1", LocalityPath: casePath}
	movedOpener := grid
	movedOpener.LocalityID, movedOpener.LocalityPath = "g2", "/c1/s1/m1/g2/"
	for _, tc := range []struct {
		name string
		a    qilian.Actor
		full bool
	}{
		{"opener", grid, true},
		{"axis in charge", axis, true},
		{"street supervisor", supervisor, false},
		{"lead unit", staff(unitA), true},
		{"co-unit", staff(unitB), false},
		{"another grid worker of the grid", otherGrid, false},
		{"the opener, moved away", movedOpener, false},
		{"a unit with no part", staff(unitC), false},
	} {
		require.Equal(t, tc.full, c.SeesPersonalData(tc.a), tc.name)
	}
	m := c.Masked()
	require.Equal(t, qilian.Reporter{Name: "李**", Phone: "138****0000"}, m.Reporter)
	require.Equal(t, "李阿姨", c.Reporter.Name, "Masked leaves the case alone")
}
