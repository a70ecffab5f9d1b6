// Package activities holds the case engine's side effects: keeping the read
// model in step with each case, and the cross-case checks only the
// database can make. Every activity is idempotent, so Temporal may retry
// any of them.
package activities

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/qilian/qilian"
)

// Store is the read model as the activities use it.
type Store interface {
	SyncCase(ctx context.Context, c qilian.Case, events []qilian.Event) error
	Reserve(ctx context.Context, caseID, resourceID string, from, to time.Time) error
	Release(ctx context.Context, caseID string) error
}

// Activities holds the dependencies; its methods are the registered
// activities.
type Activities struct {
	Store Store
}

// SyncInput is what SyncCase projects: the case after a change and the
// events the change recorded.
type SyncInput struct {
	Case   qilian.Case    `json:"case"`
	Events []qilian.Event `json:"events"`
}

// SyncCase writes the case, its tasks, its new audit events and points
// events. Writes are guarded by the case revision, so a retry or a late
// older sync never moves the read model backwards.
func (a *Activities) SyncCase(ctx context.Context, in SyncInput) error {
	return classify(a.Store.SyncCase(ctx, in.Case, in.Events))
}

// ReserveInput names a booking's window of a resource.
type ReserveInput struct {
	CaseID     string    `json:"case_id"`
	ResourceID string    `json:"resource_id"`
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
}

// ReserveResource holds the booking's window before the owner's approval
// is recorded; an overlapping approved booking of another case makes it
// fail with the conflict code, which no retry can fix.
func (a *Activities) ReserveResource(ctx context.Context, in ReserveInput) error {
	return classify(a.Store.Reserve(ctx, in.CaseID, in.ResourceID, in.From, in.To))
}

// ReleaseResource frees a booking's window.
func (a *Activities) ReleaseResource(ctx context.Context, caseID string) error {
	return classify(a.Store.Release(ctx, caseID))
}

// classify marks domain errors that a retry cannot fix as non-retryable,
// with the domain code as the error type; an outage stays retryable.
func classify(err error) error {
	var e *qilian.Error
	if err == nil || !errors.As(err, &e) || e.Code == qilian.EUNAVAILABLE {
		return err
	}
	return temporal.NewNonRetryableApplicationError(e.Message, e.Code, nil)
}
