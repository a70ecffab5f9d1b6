// Package workflows orchestrates cases on Temporal: one long-running
// workflow per case owns the case aggregate, takes human actions as
// Updates with validators, fires deadlines and escalations from durable
// timers, and keeps the read model in step through activities.
//
// The workflow holds no domain logic of its own: the aggregate decides
// (qilian.Case.Decide) and changes (Apply); the workflow adds time, I/O and
// durability.
package workflows

import (
	"errors"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/activities"
)

// Update names: durable contracts with clients.
const (
	// UpdateAct carries a qilian.Action and returns the new case.
	UpdateAct = "act"
	// UpdateSnapshot returns the case once it has been opened and
	// projected, so the opener reads its own write.
	UpdateSnapshot = "snapshot"
	// SignalRetime asks the case to count its provisional deadlines again
	// on the worker's calendar, once official data replaced a provisional
	// year. It carries nothing; a case with nothing to re-time ignores it.
	SignalRetime = "retime"
)

// Input starts a case workflow: Open on the first run, Case when the
// workflow continues as new. Case with Past is a case whose life so far
// was lived outside this workflow (Client.Resume): the workflow projects
// Past first, then carries on as for any case.
type Input struct {
	Open  *qilian.OpenRequest `json:"open,omitempty"`
	Actor qilian.Actor        `json:"actor"`
	Case  *qilian.Case        `json:"case,omitempty"`
	Past  []qilian.Event      `json:"past,omitempty"`
	// Recent are the request IDs of the last actions taken (oldest first,
	// at most recentRequests), carried when the case continues as new:
	// Temporal drops a repeated update ID only within one run, so a retry
	// that meets the next run is recognised here.
	Recent []string `json:"recent,omitempty"`
}

// recentRequests is how many request IDs a case carries across runs:
// far more than a client retries in the time a run takes to fill.
const recentRequests = 500

// Engine is the case workflow with what it needs to compute deadlines:
// the policy new cases are opened under and the working-time calendar. A
// running case keeps the policy it was opened with. Deadlines are only
// ever computed inside SideEffect, so their values are recorded in history
// and replays never recompute them on a newer calendar.
type Engine struct {
	Policy   qilian.Policy
	Calendar qilian.WorkingTime
	// HistoryEvents and HistoryBytes bound one run's history: past either,
	// a case on the lean path continues as new between two steps, carrying
	// the aggregate (its pending deadlines are recomputed from it). Zero
	// is DefaultHistoryEvents and DefaultHistoryBytes; Temporal's own
	// suggestion (at a few thousand events) still applies as well. Where a
	// run ends is part of its history: a worker given other bounds than
	// those its running cases were started under would replay them wrongly,
	// so these are for tests, and the defaults are a change like any other
	// (behind workflow.GetVersion).
	HistoryEvents int
	HistoryBytes  int
}

// The default bounds of one run's history: far under Temporal's limits
// (50,000 events, 50 MB), so a replay of a case that came back to a worker
// reads little, and a run that is long-lived but busy stays small.
const (
	DefaultHistoryEvents = 2000
	DefaultHistoryBytes  = 2 << 20
)

// historyFull reports whether this run's history is past the bounds.
func (e *Engine) historyFull(ctx workflow.Context) bool {
	events, size := e.HistoryEvents, e.HistoryBytes
	if events <= 0 {
		events = DefaultHistoryEvents
	}
	if size <= 0 {
		size = DefaultHistoryBytes
	}
	info := workflow.GetInfo(ctx)
	return info.GetCurrentHistoryLength() >= events || info.GetCurrentHistorySize() >= size
}

var a *activities.Activities // method expressions name the activities

// decision is what one Decide produced, recorded by SideEffect.
type decision struct {
	Events []qilian.Event `json:"events,omitempty"`
	Err    *qilian.Error  `json:"err,omitempty"`
}

func asDomainError(err error) *qilian.Error {
	var e *qilian.Error
	if errors.As(err, &e) {
		return e
	}
	return qilian.Errorf(qilian.EINTERNAL, "%v", err)
}

// toApplicationError makes a domain error cross Temporal with its code as
// the error type, for clients to map without reading messages.
func toApplicationError(e *qilian.Error) error {
	return temporal.NewNonRetryableApplicationError(e.Message, e.Code, nil, e.Fields)
}

// syncOptions never give up on a projection: the read model may be down
// for a while, and the case must reach it eventually.
var syncOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second},
}

// syncLocalOptions are syncOptions for the projection as a local
// activity: it runs in the worker inside the workflow task that decided
// the change, so a step costs one marker event rather than an activity
// task through matching and a second workflow task. A local activity's
// whole life is bounded by ScheduleToCloseTimeout (it defaults to one
// attempt's timeout), so that is set past any outage a case can wait out:
// like the activity before it, the projection never gives up.
var syncLocalOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout:    30 * time.Second,
	ScheduleToCloseTimeout: 10 * 365 * 24 * time.Hour,
	RetryPolicy:            syncOptions.RetryPolicy,
}

// versionLean marks the leaner step: the read model projected by a local
// activity, search attributes (all set in the start request) upserted
// only when one changed, and a run's history bounded by the engine's
// HistoryEvents and HistoryBytes. Runs begun before it keep the activity
// and the upsert at every step until they continue as new.
const versionLean = "lean-steps"

// versionReserve marks the change that reserves a resource in the read
// model before an approval is recorded; histories from before it replay
// without the reservation.
const versionReserve = "reserve-resource"

// versionRetime marks the handling of SignalRetime.
const versionRetime = "retime-provisional"

// reserveOptions retry an outage but not a conflict (non-retryable).
var reserveOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 10 * time.Second,
	RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 5 * time.Second, MaximumAttempts: 20},
}

// holdsWindow reports whether the case's booking holds its resource's
// window in the read model.
func holdsWindow(c qilian.Case) bool {
	b := c.Details.Booking
	if b == nil {
		return false
	}
	switch b.State {
	case qilian.BookingApproved, qilian.BookingInUse, qilian.BookingReturned, qilian.BookingFulfilled:
		return true
	}
	return false
}

// Run is the case workflow.
func (e *Engine) Run(ctx workflow.Context, in Input) (qilian.Case, error) {
	log := workflow.GetLogger(ctx)

	// Asked first, before any other command, so that every step of a run
	// takes the same path.
	lean := workflow.GetVersion(ctx, versionLean, workflow.DefaultVersion, 1) >= 1

	var c qilian.Case
	synced := false
	var opened []qilian.Event // projected once the handlers are in place
	// sync projects the case as it stands now; ctx is the calling
	// coroutine's (an update handler's or the main loop's).
	sync := func(ctx workflow.Context, evs []qilian.Event) error {
		snap := c
		snap.Tasks = append([]qilian.Task(nil), c.Tasks...)
		in := activities.SyncInput{Case: snap, Events: evs}
		if lean {
			lctx := workflow.WithLocalActivityOptions(ctx, syncLocalOptions)
			return workflow.ExecuteLocalActivity(lctx, a.SyncCase, in).Get(ctx, nil)
		}
		actx := workflow.WithActivityOptions(ctx, syncOptions)
		return workflow.ExecuteActivity(actx, a.SyncCase, in).Get(ctx, nil)
	}
	upsert := func(ctx workflow.Context) { upsertSearchAttributes(ctx, c, lean) }
	recent := in.Recent
	// repeated reports an action already taken under its request ID in an
	// earlier run (within a run Temporal itself answers a repeated update
	// ID with the first answer, and the handler never sees it).
	repeated := func(act qilian.Action) bool {
		return lean && act.RequestID != "" && slices.Contains(recent, act.RequestID)
	}

	switch {
	case in.Case != nil && len(in.Past) > 0:
		// Resumed: the read model learns the past from the workflow, so
		// a second Resume of the same case (which finds this workflow)
		// writes nothing twice.
		c = *in.Case
		opened = in.Past
	case in.Case != nil:
		c = *in.Case
		synced = true
	case in.Open != nil:
		var d struct {
			Case   qilian.Case    `json:"case"`
			Events []qilian.Event `json:"events"`
			Err    *qilian.Error  `json:"err,omitempty"`
		}
		err := workflow.SideEffect(ctx, func(ctx workflow.Context) any {
			c, evs, err := qilian.Open(*in.Open, in.Actor, workflow.Now(ctx), e.Policy)
			if err != nil {
				return struct {
					Err *qilian.Error `json:"err"`
				}{asDomainError(err)}
			}
			return struct {
				Case   qilian.Case    `json:"case"`
				Events []qilian.Event `json:"events"`
			}{c, evs}
		}).Get(&d)
		if err != nil {
			return qilian.Case{}, err
		}
		if d.Err != nil {
			// The client validated the same request before starting, so
			// this only happens if configuration changed in between.
			return qilian.Case{}, toApplicationError(d.Err)
		}
		c = d.Case // Open returns the case with its opening event applied
		upsert(ctx)
		opened = d.Events
	default:
		return qilian.Case{}, temporal.NewNonRetryableApplicationError("case workflow started without a case", qilian.EINVALID, nil)
	}

	release := func(ctx workflow.Context) {
		err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, syncOptions), a.ReleaseResource, c.ID).Get(ctx, nil)
		if err != nil {
			log.Warn("release resource", "error", err)
		}
	}
	changed := workflow.NewChannel(ctx)
	decide := func(ctx workflow.Context, act qilian.Action) ([]qilian.Event, *qilian.Error) {
		var d decision
		err := workflow.SideEffect(ctx, func(ctx workflow.Context) any {
			evs, err := c.Decide(act, workflow.Now(ctx), qilian.NewScheduler(c.Policy, e.Calendar))
			if err != nil {
				return decision{Err: asDomainError(err)}
			}
			return decision{Events: evs}
		}).Get(&d)
		if err != nil {
			return nil, asDomainError(err)
		}
		return d.Events, d.Err
	}

	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateAct,
		func(ctx workflow.Context, act qilian.Action) (qilian.Case, error) {
			if repeated(act) {
				return c, nil // taken once already: the case as it stands
			}
			reserved := false
			if act.Name == qilian.ActApproveBooking && c.Details.Booking != nil &&
				workflow.GetVersion(ctx, versionReserve, workflow.DefaultVersion, 1) >= 1 {
				// Bookings of different cases meet only in the database: hold
				// the window there before recording the approval.
				b := c.Details.Booking
				in := activities.ReserveInput{CaseID: c.ID, ResourceID: b.ResourceID, From: b.From, To: b.To}
				err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, reserveOptions), a.ReserveResource, in).Get(ctx, nil)
				if err != nil {
					var appErr *temporal.ApplicationError
					if errors.As(err, &appErr) {
						return c, toApplicationError(&qilian.Error{Code: appErr.Type(), Message: appErr.Message()})
					}
					return c, err
				}
				reserved = true
			}
			// Decide again: another update may have changed the case since
			// this one was validated. Nothing blocks between here and Apply.
			evs, derr := decide(ctx, act)
			if derr != nil {
				if reserved {
					release(ctx)
				}
				return c, toApplicationError(derr)
			}
			held := holdsWindow(c)
			c.Apply(evs)
			if lean && act.RequestID != "" {
				recent = append(recent, act.RequestID)
				if len(recent) > recentRequests {
					recent = slices.Clone(recent[len(recent)-recentRequests:])
				}
			}
			if held && !holdsWindow(c) {
				release(ctx)
			}
			upsert(ctx)
			changed.SendAsync(true)
			after := c
			if err := sync(ctx, evs); err != nil {
				return after, err
			}
			return after, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, act qilian.Action) error {
			if repeated(act) {
				return nil
			}
			if _, err := c.Decide(act, workflow.Now(ctx), qilian.NewScheduler(c.Policy, e.Calendar)); err != nil {
				return toApplicationError(asDomainError(err))
			}
			return nil
		}},
	)
	if err != nil {
		return c, err
	}
	err = workflow.SetUpdateHandler(ctx, UpdateSnapshot, func(ctx workflow.Context) (qilian.Case, error) {
		if err := workflow.Await(ctx, func() bool { return synced }); err != nil {
			return c, err
		}
		return c, nil
	})
	if err != nil {
		return c, err
	}

	// Handlers are registered before this first blocking call, so the
	// update that came with the start (UpdateSnapshot) finds them.
	if opened != nil {
		if err := sync(ctx, opened); err != nil {
			return c, err
		}
		synced = true
	}

	retimeCh := workflow.GetSignalChannel(ctx, SignalRetime)
	for !c.State.Terminal() {
		// On the lean path a run also ends at the engine's own bounds;
		// before it, only at Temporal's suggestion (a bound added to runs
		// already longer would end them at another point on replay).
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() || (lean && e.historyFull(ctx)) {
			break
		}
		tctx, cancel := workflow.WithCancel(ctx)
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(changed, func(ch workflow.ReceiveChannel, _ bool) { ch.Receive(ctx, nil) })
		retime := false
		sel.AddReceive(retimeCh, func(ch workflow.ReceiveChannel, _ bool) {
			ch.Receive(ctx, nil)
			for ch.ReceiveAsync(nil) { // one count serves every signal waiting
			}
			retime = true
		})
		if wake, ok := c.NextWakeup(); ok {
			d := wake.Sub(workflow.Now(ctx))
			if d < 0 {
				d = 0
			}
			sel.AddFuture(workflow.NewTimer(tctx, d), func(workflow.Future) {})
		}
		sel.Select(ctx)
		cancel()
		if retime && workflow.GetVersion(ctx, versionRetime, workflow.DefaultVersion, 1) >= 1 {
			if err := e.retime(ctx, &c, sync, upsert); err != nil {
				return c, err
			}
		}
		if evs := c.Tick(workflow.Now(ctx)); len(evs) > 0 {
			c.Apply(evs)
			upsert(ctx)
			if err := sync(ctx, evs); err != nil {
				return c, err
			}
		}
	}

	// Let every update in flight finish and reply before closing or
	// continuing as new.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return c, err
	}
	if !c.State.Terminal() {
		log.Info("continuing case as new", "revision", c.Revision)
		next := Input{Case: &c}
		if lean {
			next.Recent = recent
		}
		return c, workflow.NewContinueAsNewError(ctx, qilian.CaseWorkflowName, next)
	}
	return c, nil
}

// retime counts the case's provisional deadlines again on e.Calendar,
// inside SideEffect like every deadline, and records what moved.
func (e *Engine) retime(ctx workflow.Context, c *qilian.Case, sync func(workflow.Context, []qilian.Event) error, upsert func(workflow.Context)) error {
	var d decision
	err := workflow.SideEffect(ctx, func(ctx workflow.Context) any {
		evs, err := c.Retime(workflow.Now(ctx), qilian.NewScheduler(c.Policy, e.Calendar))
		if err != nil {
			return decision{Err: asDomainError(err)}
		}
		return decision{Events: evs}
	}).Get(&d)
	if err != nil {
		return err
	}
	if d.Err != nil {
		// The deadlines stay as they were, provisional; the next signal
		// tries again.
		workflow.GetLogger(ctx).Warn("retime", "error", d.Err)
		return nil
	}
	if len(d.Events) == 0 {
		return nil
	}
	c.Apply(d.Events)
	upsert(ctx)
	return sync(ctx, d.Events)
}

var (
	saKind     = temporal.NewSearchAttributeKeyKeyword(qilian.SearchAttrKind)
	saState    = temporal.NewSearchAttributeKeyKeyword(qilian.SearchAttrState)
	saLocality = temporal.NewSearchAttributeKeyKeyword(qilian.SearchAttrLocality)
	saOverdue  = temporal.NewSearchAttributeKeyBool(qilian.SearchAttrOverdue)
	saLevel    = temporal.NewSearchAttributeKeyInt64(qilian.SearchAttrLevel)

	saProvisional = temporal.NewSearchAttributeKeyBool(qilian.SearchAttrProvisional)
)

// SearchAttributes is qilian.SearchAttributes in Temporal's types, for
// preparing a namespace before a worker starts.
func SearchAttributes() map[string]enumspb.IndexedValueType {
	types := map[qilian.SearchAttrType]enumspb.IndexedValueType{
		qilian.SearchAttrKeyword: enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		qilian.SearchAttrBool:    enumspb.INDEXED_VALUE_TYPE_BOOL,
		qilian.SearchAttrInt:     enumspb.INDEXED_VALUE_TYPE_INT,
	}
	out := map[string]enumspb.IndexedValueType{}
	for name, t := range qilian.SearchAttributes() {
		out[name] = types[t]
	}
	return out
}

// searchAttributes are the case's attributes for the Temporal UI and CLI
// to filter by; people's lists come from the read model.
func searchAttributes(c qilian.Case) []temporal.SearchAttributeUpdate {
	return []temporal.SearchAttributeUpdate{
		saKind.ValueSet(string(c.Kind)),
		saState.ValueSet(string(c.State)),
		saLocality.ValueSet(c.LocalityID),
		saOverdue.ValueSet(c.Overdue),
		saLevel.ValueSet(int64(c.Level)),
		saProvisional.ValueSet(c.Provisional()),
	}
}

// changedSearchAttributes are those of c that differ from what the run
// holds (the start request's, then every upsert's).
func changedSearchAttributes(ctx workflow.Context, c qilian.Case) []temporal.SearchAttributeUpdate {
	sa := workflow.GetTypedSearchAttributes(ctx)
	var out []temporal.SearchAttributeUpdate
	keyword := func(k temporal.SearchAttributeKeyKeyword, v string) {
		if got, ok := sa.GetKeyword(k); !ok || got != v {
			out = append(out, k.ValueSet(v))
		}
	}
	boolean := func(k temporal.SearchAttributeKeyBool, v bool) {
		if got, ok := sa.GetBool(k); !ok || got != v {
			out = append(out, k.ValueSet(v))
		}
	}
	keyword(saKind, string(c.Kind))
	keyword(saState, string(c.State))
	keyword(saLocality, c.LocalityID)
	boolean(saOverdue, c.Overdue)
	if got, ok := sa.GetInt64(saLevel); !ok || got != int64(c.Level) {
		out = append(out, saLevel.ValueSet(int64(c.Level)))
	}
	boolean(saProvisional, c.Provisional())
	return out
}

// upsertSearchAttributes keeps the run's search attributes on the case's.
// On the lean path only what changed is upserted, and nothing when nothing
// did (most actions move no attribute); before it, every step upserted
// them all.
func upsertSearchAttributes(ctx workflow.Context, c qilian.Case, lean bool) {
	sa := searchAttributes(c)
	if lean {
		if sa = changedSearchAttributes(ctx, c); len(sa) == 0 {
			return
		}
	}
	// Upserting one more attribute is no new command: replay compares
	// the command's type, not the attributes it carries.
	if err := workflow.UpsertTypedSearchAttributes(ctx, sa...); err != nil {
		workflow.GetLogger(ctx).Warn("upsert search attributes", "error", err)
	}
}

// Register puts the case workflow under its durable name
// (qilian.CaseWorkflowName) on r: a worker, a replayer or the SDK's test
// environment. The binary and every test register through it, so the
// name cannot differ between what runs and what is replayed.
func (e *Engine) Register(r worker.WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(e.Run, workflow.RegisterOptions{Name: qilian.CaseWorkflowName})
}

// RegisterWith also registers the activities the workflow calls, which
// act on store.
func (e *Engine) RegisterWith(w worker.Registry, store activities.Store) {
	e.Register(w)
	w.RegisterActivityWithOptions(&activities.Activities{Store: store}, activity.RegisterOptions{})
}
