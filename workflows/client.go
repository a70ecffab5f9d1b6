package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/qilian/qilian"
)

// Client is the engine's Go API: open cases and act on them. Every call
// returns the case as it stands after the call (read-your-writes).
type Client struct {
	Temporal client.Client
	Policy   qilian.Policy
}

// Open starts the case workflow, or finds it if a case with this ID was
// opened already, and returns the case once it is projected into the read
// model. The request is validated here first, so bad input never starts a
// workflow.
func (k *Client) Open(ctx context.Context, req qilian.OpenRequest, actor qilian.Actor) (qilian.Case, error) {
	c, _, err := qilian.Open(req, actor, time.Now(), k.Policy)
	if err != nil {
		return qilian.Case{}, err
	}
	return k.start(ctx, c, Input{Open: &req, Actor: actor})
}

// Resume hands the engine a case whose life so far was lived elsewhere
// (by the domain, at past times: the engine cannot backdate), with the
// events of that life; the workflow projects them and from then on owns
// the case, firing at once whatever timer is already due. The case must
// be open. Like Open, it finds the workflow if the case is running
// already, and refuses the ID of a case that is closed.
func (k *Client) Resume(ctx context.Context, c qilian.Case, past []qilian.Event) (qilian.Case, error) {
	switch {
	case c.ID == "" || len(past) == 0 || past[len(past)-1].Seq != c.Seq:
		return qilian.Case{}, qilian.Errorf(qilian.EINVALID, "resume needs the case and every event up to its last (seq %d)", c.Seq)
	case c.State.Terminal():
		return qilian.Case{}, qilian.Errorf(qilian.ECONFLICT, "case %s is %s: only an open case is resumed", c.ID, c.State)
	}
	return k.start(ctx, c, Input{Case: &c, Past: past, Actor: c.OpenedBy})
}

// start begins a case workflow with an update that waits for its first
// projection, or finds the running workflow of that case. c is the case
// as it will open (or resume): its search attributes go in the start
// request, so the workflow upserts them only when a step changes one.
func (k *Client) start(ctx context.Context, c qilian.Case, in Input) (qilian.Case, error) {
	op := k.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       qilian.CaseWorkflowID(c.ID),
		TaskQueue:                qilian.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		// A closed case's ID is never reused for another case.
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(searchAttributes(c)...),
	}, qilian.CaseWorkflowName, in)
	h, err := k.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: op,
		UpdateOptions:          client.UpdateWorkflowOptions{UpdateName: UpdateSnapshot, WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	if err != nil {
		return qilian.Case{}, fromTemporal(err)
	}
	var out qilian.Case
	if err := h.Get(ctx, &out); err != nil {
		return qilian.Case{}, fromTemporal(err)
	}
	return out, nil
}

// Act performs one action on a case and returns the new case. A refused
// action comes back as a *qilian.Error with the reason and leaves the case
// untouched.
func (k *Client) Act(ctx context.Context, caseID string, act qilian.Action) (qilian.Case, error) {
	return k.updateOnce(ctx, caseID, act.RequestID, UpdateAct, act)
}

// fromTemporal turns what Temporal returns into domain errors: refusals
// carry their domain code as the application error type.
func fromTemporal(err error) error {
	var (
		appErr    *temporal.ApplicationError
		notFound  *serviceerror.NotFound
		completed *serviceerror.WorkflowNotReady
		unavail   *serviceerror.Unavailable
		deadline  *serviceerror.DeadlineExceeded
		started   *serviceerror.WorkflowExecutionAlreadyStarted
	)
	switch {
	case errors.As(err, &appErr):
		e := &qilian.Error{Code: appErr.Type(), Message: appErr.Message()}
		if appErr.HasDetails() {
			var fields map[string]string
			if appErr.Details(&fields) == nil && len(fields) > 0 {
				e.Fields = fields
			}
		}
		if e.Code == "" {
			e.Code = qilian.EINTERNAL
		}
		return e
	case errors.As(err, &started):
		// The ID belongs to a case that is closed: IDs are never reused.
		return qilian.Errorf(qilian.ECONFLICT, "a case with this ID existed already")
	case errors.As(err, &notFound):
		// The workflow is gone or closed: for an action that is a case that
		// no longer takes actions.
		return qilian.Errorf(qilian.ECONFLICT, "the case no longer takes actions")
	case errors.As(err, &completed), errors.As(err, &unavail), errors.As(err, &deadline),
		errors.Is(err, context.DeadlineExceeded):
		return qilian.Errorf(qilian.EUNAVAILABLE, "the case engine did not answer in time")
	default:
		return err
	}
}

// Known reports whether a case with this ID was ever started in the
// engine, running or closed (within the namespace's retention).
func (k *Client) Known(ctx context.Context, caseID string) (bool, error) {
	_, err := k.Temporal.DescribeWorkflowExecution(ctx, qilian.CaseWorkflowID(caseID), "")
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &notFound):
		return false, nil
	default:
		return false, fromTemporal(err)
	}
}

// Snapshot returns the case as its workflow holds it, once projected.
func (k *Client) Snapshot(ctx context.Context, caseID string) (qilian.Case, error) {
	return k.update(ctx, caseID, UpdateSnapshot)
}

// update sends an update to a case workflow and waits for the case it
// returns.
func (k *Client) update(ctx context.Context, caseID, name string, args ...any) (qilian.Case, error) {
	return k.updateOnce(ctx, caseID, "", name, args...)
}

// updateOnce is update under an update ID: Temporal applies an update of
// one ID once per workflow run and answers a repeat with the first
// outcome. An empty ID is a fresh one.
func (k *Client) updateOnce(ctx context.Context, caseID, updateID, name string, args ...any) (qilian.Case, error) {
	h, err := k.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		UpdateID:     updateID,
		WorkflowID:   qilian.CaseWorkflowID(caseID),
		UpdateName:   name,
		Args:         args,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return qilian.Case{}, fromTemporal(err)
	}
	var out qilian.Case
	if err := h.Get(ctx, &out); err != nil {
		return qilian.Case{}, fromTemporal(err)
	}
	return out, nil
}

// Retime asks the case to count its provisional deadlines again on the
// worker's calendar (see SignalRetime).
func (k *Client) Retime(ctx context.Context, caseID string) error {
	return fromTemporal(k.Temporal.SignalWorkflow(ctx, qilian.CaseWorkflowID(caseID), "", SignalRetime, nil))
}

// ProvisionalCases is what RetimeProvisional reads from the read model.
type ProvisionalCases interface {
	// ProvisionalCases lists the open cases with a provisional deadline
	// ahead of an open task.
	ProvisionalCases(ctx context.Context) ([]string, error)
	// CaseSnapshot returns a case as last projected.
	CaseSnapshot(ctx context.Context, id string) (qilian.Case, error)
}

// RetimeProvisional signals each case whose provisional deadlines would
// move, or lose their mark, when counted on cal: what a worker does when
// it starts on a calendar that may have gained official years (a newer
// lunar-go, a file an admin added). The case decides again itself; the
// check here only spares the cases whose count would come out the same.
// It returns how many cases it signalled, and goes on past a case that
// fails, returning the first error.
func (k *Client) RetimeProvisional(ctx context.Context, store ProvisionalCases, cal qilian.WorkingTime, now time.Time) (int, error) {
	ids, err := store.ProvisionalCases(ctx)
	if err != nil {
		return 0, err
	}
	var first error
	n := 0
	for _, id := range ids {
		c, err := store.CaseSnapshot(ctx, id)
		if err == nil {
			var evs []qilian.Event
			if evs, err = c.Retime(now, qilian.NewScheduler(c.Policy, cal)); err == nil && len(evs) > 0 {
				if err = k.Retime(ctx, id); err == nil {
					n++
				}
			}
		}
		if err != nil && first == nil {
			first = fmt.Errorf("retime case %s: %w", id, err)
		}
	}
	return n, first
}
