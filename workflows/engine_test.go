package workflows_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/workflows/enginetest"
)

func yes() *bool { b := true; return &b }

type driver struct {
	t   *testing.T
	env *enginetest.Env
	id  string
}

func (d *driver) act(user string, a qilian.Action) qilian.Case {
	d.t.Helper()
	a.Actor = d.env.Actor(d.t, user)
	c, err := d.env.Engine.Act(context.Background(), d.id, a)
	require.NoError(d.t, err, "%s by %s", a.Name, user)
	return c
}

func (d *driver) refuse(user string, a qilian.Action, code string) {
	d.t.Helper()
	a.Actor = d.env.Actor(d.t, user)
	_, err := d.env.Engine.Act(context.Background(), d.id, a)
	require.Error(d.t, err, "%s by %s must be refused", a.Name, user)
	require.Equal(d.t, code, qilian.ErrorCode(err), "%v", err)
}

func open(t *testing.T, env *enginetest.Env, user string, req qilian.OpenRequest) (*driver, qilian.Case) {
	t.Helper()
	ctx := context.Background()
	loc, err := env.DB.Locality(ctx, req.LocalityID)
	require.NoError(t, err)
	req.LocalityPath = loc.Path
	if loc.Level == qilian.LevelGrid {
		req.GridID = loc.ID
	}
	if req.Priority == "" {
		req.Priority = qilian.PriorityNormal
	}
	c, err := env.Engine.Open(ctx, req, env.Actor(t, user))
	require.NoError(t, err)
	require.Equal(t, qilian.CaseTriage, c.State)
	return &driver{t: t, env: env, id: c.ID}, c
}

// readModelAgrees checks that the read model holds the case as the
// workflow returned it, with one audit event per sequence number.
func readModelAgrees(t *testing.T, env *enginetest.Env, c qilian.Case) {
	t.Helper()
	ctx := context.Background()
	snap, err := env.DB.CaseSnapshot(ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, c.Revision, snap.Revision)
	require.Equal(t, c.State, snap.State)
	evs, err := env.DB.Events(ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, evs, int(c.Seq))
	for i, e := range evs {
		require.Equal(t, int64(i+1), e.Seq)
	}
}

func TestEveryKindFromOpenToEndOnTheEmbeddedServer(t *testing.T) {
	env := enginetest.Start(t, enginetest.Options{})
	now := time.Now()

	t.Run("service_linkage", func(t *testing.T) {
		d, _ := open(t, env, "demo-grid", qilian.OpenRequest{ID: "SL1", Kind: qilian.KindServiceLinkage, Title: "楼道堆物清理",
			LocalityID: "dongzha-g1", Reporter: qilian.Reporter{Name: "李阿姨", Phone: "13800000000"}})
		c := d.act("demo-axis", qilian.Action{Name: qilian.ActDispatch, Assignments: []qilian.Assignment{{UnitID: "u-mingyuan-property", Role: qilian.TaskLead, Required: true}}})
		require.Equal(t, qilian.CaseDispatching, c.State)
		task := c.Tasks[0].ID
		d.refuse("demo-unit-power", qilian.Action{Name: qilian.ActAccept, TaskID: task}, qilian.ENOTFOUND)
		d.act("demo-unit", qilian.Action{Name: qilian.ActAccept, TaskID: task})
		d.act("demo-unit", qilian.Action{Name: qilian.ActProgress, TaskID: task, Note: "已联系保洁"})
		c = d.act("demo-unit", qilian.Action{Name: qilian.ActResolve, TaskID: task, Result: "堆物已清"})
		require.Equal(t, qilian.CaseVerifying, c.State)
		c = d.act("demo-axis", qilian.Action{Name: qilian.ActVerify, Pass: yes()})
		require.Equal(t, qilian.CaseFollowUp, c.State)
		c = d.act("demo-grid", qilian.Action{Name: qilian.ActFollowUp, Satisfied: yes(), Note: "满意"})
		require.Equal(t, qilian.CaseClosed, c.State)
		readModelAgrees(t, env, c)
		recordHistory(t, env.Temporal, "SL1", "service_linkage")
		evs, err := env.DB.Events(context.Background(), c.ID)
		require.NoError(t, err)
		var types []string
		for _, e := range evs {
			types = append(types, string(e.Type))
		}
		require.Equal(t, "opened", types[0])
		require.Contains(t, types, "accept")
		require.Equal(t, "follow-up", types[len(types)-1])
	})

	t.Run("regional_coordination", func(t *testing.T) {
		d, _ := open(t, env, "demo-axis", qilian.OpenRequest{ID: "RC1", Kind: qilian.KindRegionalCoordination, Title: "汛期隐患排查", LocalityID: "jianshe"})
		c := d.act("demo-axis", qilian.Action{Name: qilian.ActDispatch, Assignments: []qilian.Assignment{
			{UnitID: "u-power", Role: qilian.TaskCo, Required: true}, {UnitID: "u-hospital", Role: qilian.TaskCo, Required: true}}})
		for i, u := range []string{"demo-unit-power", "demo-unit-hospital"} {
			d.act(u, qilian.Action{Name: qilian.ActAccept, TaskID: c.Tasks[i].ID})
		}
		d.act("demo-unit-power", qilian.Action{Name: qilian.ActResolve, TaskID: c.Tasks[0].ID, Result: "线路已查"})
		c = d.act("demo-unit-hospital", qilian.Action{Name: qilian.ActResolve, TaskID: c.Tasks[1].ID, Result: "药品已备"})
		require.Equal(t, qilian.CaseVerifying, c.State)
		c = d.act("demo-axis", qilian.Action{Name: qilian.ActVerify, Pass: yes()})
		require.Equal(t, qilian.CaseClosed, c.State)
		readModelAgrees(t, env, c)
		recordHistory(t, env.Temporal, "RC1", "regional_coordination")
	})

	t.Run("resource_sharing", func(t *testing.T) {
		d, _ := open(t, env, "demo-axis", qilian.OpenRequest{ID: "RS1", Kind: qilian.KindResourceSharing, Title: "借用会议室", LocalityID: "jianshe",
			Details: qilian.Details{Booking: &qilian.Booking{ResourceID: "u-power-hall", OwnerUnitID: "u-power", From: now, To: now.Add(2 * time.Hour)}}})
		c := d.act("demo-unit-power", qilian.Action{Name: qilian.ActApproveBooking})
		require.Equal(t, qilian.BookingApproved, c.Details.Booking.State)
		d.act("demo-axis", qilian.Action{Name: qilian.ActHandBack})
		c = d.act("demo-unit-power", qilian.Action{Name: qilian.ActConfirmHandBack})
		require.Equal(t, qilian.CaseClosed, c.State)
		require.Equal(t, qilian.BookingFulfilled, c.Details.Booking.State)
		readModelAgrees(t, env, c)
		recordHistory(t, env.Temporal, "RS1", "resource_sharing")
	})

	t.Run("joint_consultation", func(t *testing.T) {
		d, _ := open(t, env, "demo-axis", qilian.OpenRequest{ID: "JC1", Kind: qilian.KindJointConsultation, Title: "小区停车方案", LocalityID: "dongzha",
			Details: qilian.Details{Consultation: &qilian.Consultation{Question: "采用哪个方案？", Options: []string{"方案一", "方案二"},
				Participants: []string{"demo-axis", "demo-unit", "demo-unit-power"}, Quorum: 2, Rule: qilian.RuleMajority, Deadline: now.Add(72 * time.Hour)}}})
		d.act("demo-axis", qilian.Action{Name: qilian.ActOpenVoting})
		d.act("demo-unit", qilian.Action{Name: qilian.ActVote, Option: "方案一"})
		d.refuse("demo-unit", qilian.Action{Name: qilian.ActVote, Option: "方案二"}, qilian.ECONFLICT)
		c := d.act("demo-axis", qilian.Action{Name: qilian.ActVote, Option: "方案一"})
		require.Equal(t, "方案一", c.Details.Consultation.Outcome)
		require.True(t, c.Details.Consultation.EndedEarly)
		require.Equal(t, qilian.CaseVerifying, c.State)
		c = d.act("demo-axis", qilian.Action{Name: qilian.ActVerify, Pass: yes()})
		require.Equal(t, qilian.CaseClosed, c.State)
		readModelAgrees(t, env, c)
		recordHistory(t, env.Temporal, "JC1", "joint_consultation")
	})

	t.Run("joint_activity", func(t *testing.T) {
		starts := time.Now().Add(2 * time.Second)
		d, _ := open(t, env, "demo-axis", qilian.OpenRequest{ID: "JA1", Kind: qilian.KindJointActivity, Title: "志愿服务日", LocalityID: "dongzha",
			Details: qilian.Details{Activity: &qilian.Activity{Capacity: 2, StartsAt: starts, EndsAt: starts.Add(time.Hour), Venue: "社区广场"}}})
		d.act("demo-axis", qilian.Action{Name: qilian.ActDispatch, Assignments: []qilian.Assignment{{UnitID: "u-mingyuan-property", Role: qilian.TaskCo, Required: true}}})
		d.act("demo-axis-dongzha", qilian.Action{Name: qilian.ActSignUp, Participant: &qilian.Participant{ID: "p1", Name: "王大爷"}})
		d.act("demo-axis-dongzha", qilian.Action{Name: qilian.ActSignUp, Participant: &qilian.Participant{ID: "p2", Name: "刘阿姨", UnitID: "u-power"}})
		d.refuse("demo-axis-dongzha", qilian.Action{Name: qilian.ActSignUp, Participant: &qilian.Participant{ID: "p3", Name: "迟到者"}}, qilian.ECONFLICT)
		d.act("demo-axis", qilian.Action{Name: qilian.ActCheckIn, Participant: &qilian.Participant{ID: "p2"}})
		// The summary is refused until the activity has started.
		require.Eventually(t, func() bool {
			a := qilian.Action{Name: qilian.ActSummary, Note: "活动顺利", Actor: env.Actor(t, "demo-axis")}
			_, err := env.Engine.Act(context.Background(), d.id, a)
			return err == nil
		}, 15*time.Second, 200*time.Millisecond)
		c := d.act("demo-axis", qilian.Action{Name: qilian.ActVerify, Pass: yes()})
		require.Equal(t, qilian.CaseClosed, c.State)
		readModelAgrees(t, env, c)
		recordHistory(t, env.Temporal, "JA1", "joint_activity")
	})

	t.Run("member_management", func(t *testing.T) {
		d, _ := open(t, env, "demo-axis-dongzha", qilian.OpenRequest{ID: "MM1", Kind: qilian.KindMemberManagement, Title: "党员报到：张三", LocalityID: "dongzha",
			Details: qilian.Details{Member: &qilian.Member{Name: "张三", HomeUnitID: "u-power"}}})
		d.act("demo-axis-dongzha", qilian.Action{Name: qilian.ActAssignPost, Post: "楼道长"})
		c := d.act("demo-unit-power", qilian.Action{Name: qilian.ActLogHours, Hours: &qilian.HoursLog{Date: time.Now().Format("2006-01-02"), Hours: 3, Note: "文明劝导"}})
		c = d.act("demo-axis-dongzha", qilian.Action{Name: qilian.ActConfirmHours, Hours: &qilian.HoursLog{ID: c.Details.Member.Hours[0].ID}})
		require.True(t, c.Details.Member.Hours[0].Confirmed)
		d.refuse("demo-axis-dongzha", qilian.Action{Name: qilian.ActClose, Resolution: qilian.ResolutionInvalid, Note: "x"}, qilian.EINVALID)
		c = d.act("demo-axis-dongzha", qilian.Action{Name: qilian.ActClose, Resolution: qilian.ResolutionResolved, Note: "党员迁出本社区"})
		require.Equal(t, qilian.CaseClosed, c.State)
		require.Equal(t, qilian.ResolutionResolved, c.Resolution)
		readModelAgrees(t, env, c)
		recordHistory(t, env.Temporal, "MM1", "member_management")
	})

	t.Run("problem_solving", func(t *testing.T) {
		d, _ := open(t, env, "demo-axis", qilian.OpenRequest{ID: "PS1", Kind: qilian.KindProblemSolving, Title: "老旧小区加装电梯", LocalityID: "mingyuan"})
		c := d.act("demo-axis", qilian.Action{Name: qilian.ActDispatch, Assignments: []qilian.Assignment{
			{UnitID: "u-mingyuan-property", Role: qilian.TaskLead, Required: true}, {UnitID: "u-power", Role: qilian.TaskCo, Required: true}}})
		d.act("demo-axis", qilian.Action{Name: qilian.ActWhistle, Units: []string{"u-hospital"}})
		d.act("demo-unit-hospital", qilian.Action{Name: qilian.ActReport})
		d.act("demo-axis", qilian.Action{Name: qilian.ActMeeting, Units: []string{"u-mingyuan-property", "u-power", "u-hospital"}, Note: "确定施工方案"})
		for i, u := range []string{"demo-unit", "demo-unit-power"} {
			d.act(u, qilian.Action{Name: qilian.ActAccept, TaskID: c.Tasks[i].ID})
			c = d.act(u, qilian.Action{Name: qilian.ActResolve, TaskID: c.Tasks[i].ID, Result: "完成"})
		}
		require.Equal(t, qilian.CaseVerifying, c.State)
		c = d.act("demo-axis", qilian.Action{Name: qilian.ActVerify, Pass: yes()})
		require.Equal(t, qilian.CaseClosed, c.State)
		readModelAgrees(t, env, c)
		recordHistory(t, env.Temporal, "PS1", "problem_solving")
	})
}

func TestRefusedActionLeavesNoTrace(t *testing.T) {
	env := enginetest.Start(t, enginetest.Options{})
	d, c0 := open(t, env, "demo-grid", qilian.OpenRequest{ID: "NT1", Kind: qilian.KindServiceLinkage, Title: "路灯不亮", LocalityID: "dongzha-g1"})
	ctx := context.Background()
	before, err := env.Temporal.DescribeWorkflowExecution(ctx, qilian.CaseWorkflowID(d.id), "")
	require.NoError(t, err)

	d.refuse("demo-unit", qilian.Action{Name: qilian.ActDispatch, Assignments: []qilian.Assignment{{UnitID: "u-power", Role: qilian.TaskLead}}}, qilian.EFORBIDDEN)
	d.refuse("demo-axis-xinxing", qilian.Action{Name: qilian.ActDispatch, Assignments: []qilian.Assignment{{UnitID: "u-power", Role: qilian.TaskLead}}}, qilian.ENOTFOUND)
	d.refuse("demo-axis", qilian.Action{Name: qilian.ActVerify, Pass: yes()}, qilian.ECONFLICT)
	d.refuse("demo-axis", qilian.Action{Name: qilian.ActDispatch, ExpectedRevision: 99, Assignments: []qilian.Assignment{{UnitID: "u-power", Role: qilian.TaskLead}}}, qilian.ECONFLICT)
	d.refuse("demo-axis", qilian.Action{Name: qilian.ActDispatch}, qilian.EINVALID)

	after, err := env.Temporal.DescribeWorkflowExecution(ctx, qilian.CaseWorkflowID(d.id), "")
	require.NoError(t, err)
	require.Equal(t, before.GetWorkflowExecutionInfo().GetHistoryLength(), after.GetWorkflowExecutionInfo().GetHistoryLength(),
		"a refused update never enters the history")
	snap, err := env.DB.CaseSnapshot(ctx, d.id)
	require.NoError(t, err)
	require.Equal(t, c0.Revision, snap.Revision)
	evs, err := env.DB.Events(ctx, d.id)
	require.NoError(t, err)
	require.Len(t, evs, 1)
}

func TestConcurrentSignUpsNeverExceedCapacity(t *testing.T) {
	env := enginetest.Start(t, enginetest.Options{})
	starts := time.Now().Add(24 * time.Hour)
	d, _ := open(t, env, "demo-axis", qilian.OpenRequest{ID: "CAP1", Kind: qilian.KindJointActivity, Title: "读书会", LocalityID: "dongzha",
		Details: qilian.Details{Activity: &qilian.Activity{Capacity: 3, StartsAt: starts, EndsAt: starts.Add(time.Hour)}}})
	actor := env.Actor(t, "demo-axis-dongzha")
	var wg sync.WaitGroup
	errs := make([]error, 12)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = env.Engine.Act(context.Background(), d.id, qilian.Action{Name: qilian.ActSignUp, Actor: actor,
				Participant: &qilian.Participant{ID: "p" + string(rune('a'+i)), Name: "居民"}})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		require.Equal(t, qilian.ECONFLICT, qilian.ErrorCode(err), "%v", err)
	}
	require.Equal(t, 3, ok)
	snap, err := env.DB.CaseSnapshot(context.Background(), d.id)
	require.NoError(t, err)
	require.Len(t, snap.Details.Activity.SignUps, 3)
}

func TestReadModelOnPostgres(t *testing.T) {
	env := enginetest.Start(t, enginetest.Options{Dialect: "postgres"})
	d, _ := open(t, env, "demo-grid", qilian.OpenRequest{ID: "PG1", Kind: qilian.KindServiceLinkage, Title: "井盖缺失", LocalityID: "dongzha-g1"})
	c := d.act("demo-axis", qilian.Action{Name: qilian.ActDispatch, Assignments: []qilian.Assignment{{UnitID: "u-mingyuan-property", Role: qilian.TaskLead, Required: true}}})
	c = d.act("demo-axis", qilian.Action{Name: qilian.ActCancel, Note: "已由市政处理"})
	require.Equal(t, qilian.CaseCancelled, c.State)
	readModelAgrees(t, env, c)
}

// Two cases book one resource for overlapping windows and the owner
// approves both at the same instant: exactly one approval wins.
func TestOverlappingBookingsAcrossCasesOneApprovalWins(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			env := enginetest.Start(t, enginetest.Options{Dialect: dialect})
			from := time.Now().Add(72 * time.Hour)
			var ids []string
			for i, off := range []time.Duration{0, time.Hour} {
				d, _ := open(t, env, "demo-axis", qilian.OpenRequest{ID: "OB" + string(rune('1'+i)), Kind: qilian.KindResourceSharing,
					Title: "借用活动室", LocalityID: "jianshe",
					Details: qilian.Details{Booking: &qilian.Booking{ResourceID: "u-power-hall", OwnerUnitID: "u-power", From: from.Add(off), To: from.Add(off + 2*time.Hour)}}})
				ids = append(ids, d.id)
			}
			owner := env.Actor(t, "demo-unit-power")
			errs := make([]error, len(ids))
			var wg sync.WaitGroup
			for i, id := range ids {
				wg.Go(func() {
					_, errs[i] = env.Engine.Act(context.Background(), id, qilian.Action{Name: qilian.ActApproveBooking, Actor: owner})
				})
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				if err == nil {
					won++
					continue
				}
				require.Equal(t, qilian.ECONFLICT, qilian.ErrorCode(err), "%v", err)
			}
			require.Equal(t, 1, won, "%v", errs)

			// The loser stays requested; once the winner is cancelled its
			// window is free and the loser can be approved.
			winner, loser := ids[0], ids[1]
			if errs[0] != nil {
				winner, loser = loser, winner
			}
			snap, err := env.DB.CaseSnapshot(context.Background(), loser)
			require.NoError(t, err)
			require.Equal(t, qilian.BookingRequested, snap.Details.Booking.State)
			_, err = env.Engine.Act(context.Background(), winner, qilian.Action{Name: qilian.ActCancel, Actor: env.Actor(t, "demo-axis"), Note: "活动取消"})
			require.NoError(t, err)
			c, err := env.Engine.Act(context.Background(), loser, qilian.Action{Name: qilian.ActApproveBooking, Actor: owner})
			require.NoError(t, err)
			require.Equal(t, qilian.BookingApproved, c.Details.Booking.State)
		})
	}
}

func TestOpeningTheIDOfAClosedCaseConflicts(t *testing.T) {
	env := enginetest.Start(t, enginetest.Options{})
	d, _ := open(t, env, "demo-axis", qilian.OpenRequest{ID: "RE1", Kind: qilian.KindServiceLinkage, Title: "重复编号", LocalityID: "jianshe"})
	d.act("demo-axis", qilian.Action{Name: qilian.ActClose, Resolution: qilian.ResolutionInvalid})
	require.Eventually(t, func() bool {
		desc, err := env.Temporal.DescribeWorkflowExecution(context.Background(), qilian.CaseWorkflowID("RE1"), "")
		return err == nil && desc.GetWorkflowExecutionInfo().GetCloseTime() != nil
	}, 30*time.Second, 50*time.Millisecond)
	loc, err := env.DB.Locality(context.Background(), "jianshe")
	require.NoError(t, err)
	_, err = env.Engine.Open(context.Background(), qilian.OpenRequest{ID: "RE1", Kind: qilian.KindServiceLinkage, Title: "又一个", Priority: qilian.PriorityNormal,
		LocalityID: "jianshe", LocalityPath: loc.Path}, env.Actor(t, "demo-axis"))
	require.Equal(t, qilian.ECONFLICT, qilian.ErrorCode(err), "%v", err)
}
