package workflows_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/workflows"
	"github.com/qilian/qilian/workflows/enginetest"
)

// A case that lives through 10,000 actions keeps each run's history under
// the engine's bound (workflows.DefaultHistoryEvents) by continuing as new,
// and loses nothing across the continuations: every action is in the
// case's revision and in the read model, once, and the case still takes
// the next action.
func TestTenThousandActionsInBoundedRuns(t *testing.T) {
	env := enginetest.Start(t, enginetest.Options{})
	ctx := context.Background()
	d, _ := open(t, env, "demo-grid", qilian.OpenRequest{ID: "LONG1", Kind: qilian.KindServiceLinkage, Title: "长期跟踪：老旧小区改造",
		LocalityID: "dongzha-g1"})
	c := d.act("demo-axis", qilian.Action{Name: qilian.ActDispatch, Assignments: []qilian.Assignment{{UnitID: "u-mingyuan-property", Role: qilian.TaskLead, Required: true}}})
	task := c.Tasks[0].ID
	c = d.act("demo-unit", qilian.Action{Name: qilian.ActAccept, TaskID: task})
	start := c.Revision

	// Eight callers at once, as a busy unit's staff would: the updates
	// queue on the one workflow, and some meet a run as it continues.
	const actions, callers = 10000, 8
	unit := env.Actor(t, "demo-unit")
	var wg sync.WaitGroup
	errs := make(chan error, actions)
	for g := range callers {
		wg.Go(func() {
			for i := g; i < actions; i += callers {
				_, err := env.Engine.Act(ctx, "LONG1", qilian.Action{Name: qilian.ActProgress, Actor: unit, TaskID: task,
					RequestID: fmt.Sprintf("long-%d", i), Note: fmt.Sprintf("第%d次进展", i)})
				if err != nil {
					errs <- fmt.Errorf("action %d: %w", i, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	c = d.act("demo-unit", qilian.Action{Name: qilian.ActResolve, TaskID: task, Result: "改造完成"})
	require.Equal(t, qilian.CaseVerifying, c.State, "the case takes the next action after its continuations")
	require.Equal(t, start+actions+1, c.Revision, "every action counted once")
	readModelAgrees(t, env, c)
	evs, err := env.DB.Events(ctx, c.ID)
	require.NoError(t, err)
	progress := 0
	for _, e := range evs {
		if e.Type == qilian.EventOf(qilian.ActProgress) {
			progress++
		}
	}
	require.Equal(t, actions, progress, "every progress note in the read model, once")

	// Walk the runs back from the current one: each history stays within
	// the bound (a step's events may cross it before the run ends).
	runs, longest := 0, 0
	runID := ""
	for {
		it := env.Temporal.GetWorkflowHistory(ctx, qilian.CaseWorkflowID("LONG1"), runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		n, prev := 0, ""
		for it.HasNext() {
			e, err := it.Next()
			require.NoError(t, err)
			if a := e.GetWorkflowExecutionStartedEventAttributes(); a != nil {
				prev = a.GetContinuedExecutionRunId()
			}
			n++
		}
		runs++
		longest = max(longest, n)
		if prev == "" {
			break
		}
		runID = prev
	}
	t.Logf("%d runs, the longest %d events", runs, longest)
	require.Greater(t, runs, 5, "the case continued as new along the way")
	require.LessOrEqual(t, longest, workflows.DefaultHistoryEvents+200, "no run's history far past the bound")
}

// Temporal answers a repeated update ID only within one run; a request
// retried after the case continued as new is recognised by the case
// itself (Input.Recent) and takes effect once.
func TestRequestRetriedAfterContinueAsNewTakesEffectOnce(t *testing.T) {
	env := enginetest.Start(t, enginetest.Options{HistoryEvents: 40})
	ctx := context.Background()
	d, _ := open(t, env, "demo-grid", qilian.OpenRequest{ID: "AGAIN1", Kind: qilian.KindServiceLinkage, Title: "重试的进展", LocalityID: "dongzha-g1"})
	c := d.act("demo-axis", qilian.Action{Name: qilian.ActDispatch, Assignments: []qilian.Assignment{{UnitID: "u-mingyuan-property", Role: qilian.TaskLead, Required: true}}})
	task := c.Tasks[0].ID
	d.act("demo-unit", qilian.Action{Name: qilian.ActAccept, TaskID: task})
	first, err := env.Temporal.DescribeWorkflowExecution(ctx, qilian.CaseWorkflowID("AGAIN1"), "")
	require.NoError(t, err)
	progress := qilian.Action{Name: qilian.ActProgress, TaskID: task, RequestID: "retried-1", Note: "已派人查看"}
	d.act("demo-unit", progress)

	// Other work until the case has continued as new.
	for i := 0; ; i++ {
		require.Less(t, i, 100, "the case never continued as new")
		d.act("demo-unit", qilian.Action{Name: qilian.ActProgress, TaskID: task, Note: fmt.Sprintf("其他进展 %d", i)})
		now, err := env.Temporal.DescribeWorkflowExecution(ctx, qilian.CaseWorkflowID("AGAIN1"), "")
		require.NoError(t, err)
		if now.GetWorkflowExecutionInfo().GetExecution().GetRunId() != first.GetWorkflowExecutionInfo().GetExecution().GetRunId() {
			break
		}
	}
	before := d.act("demo-unit", qilian.Action{Name: qilian.ActProgress, TaskID: task, Note: "最后一次"})

	again := d.act("demo-unit", progress)
	require.Equal(t, before.Revision, again.Revision, "the retried request changes nothing")
	readModelAgrees(t, env, again)
	evs, err := env.DB.Events(ctx, "AGAIN1")
	require.NoError(t, err)
	n := 0
	for _, e := range evs {
		if e.Note == progress.Note {
			n++
		}
	}
	require.Equal(t, 1, n, "the retried progress note is recorded once")
}
