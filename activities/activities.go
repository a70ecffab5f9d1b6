// Package activities holds the case engine's side effects: keeping the read
// model in step with each case, and the cross-case checks only the
// database can make. Every activity is idempotent, so Temporal may retry
// any of them.
package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/qilian/qilian"
)

// Store is the read model as the activities use it.
type Store interface {
	SyncCase(ctx context.Context, c qilian.Case, events []qilian.Event) error
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

// classify marks domain errors that a retry cannot fix as non-retryable,
// with the domain code as the error type; an outage stays retryable.
func classify(err error) error {
	var e *qilian.Error
	if err == nil || !errors.As(err, &e) || e.Code == qilian.EUNAVAILABLE {
		return err
	}
	return temporal.NewNonRetryableApplicationError(e.Message, e.Code, nil)
}
