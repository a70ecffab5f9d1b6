package temporalserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Ensure prepares a namespace for Qilian on any Temporal server: it
// registers the namespace if missing, sets the retention of closed
// workflows, and adds missing search attributes. Several processes may run
// it at once; whoever loses a race finds the work done.
func Ensure(ctx context.Context, c client.Client, ns string, retention time.Duration, attrs map[string]enumspb.IndexedValueType, log *slog.Logger) error {
	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
	var notFound *serviceerror.NamespaceNotFound
	switch {
	case errors.As(err, &notFound):
		_, err = c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace:                        ns,
			Description:                      "Qilian cases",
			WorkflowExecutionRetentionPeriod: durationpb.New(retention),
		})
		var exists *serviceerror.NamespaceAlreadyExists
		if err != nil && !errors.As(err, &exists) {
			return fmt.Errorf("register namespace %s: %w", ns, err)
		}
		log.Info("registered temporal namespace", "namespace", ns, "retention", retention)
		if desc, err = waitForNamespace(ctx, c, ns); err != nil {
			return err
		}
	case err != nil:
		return fmt.Errorf("describe namespace %s: %w", ns, err)
	}
	if got := desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != retention {
		_, err := c.WorkflowService().UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
			Namespace: ns,
			Config:    &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(retention)},
		})
		if err != nil {
			return fmt.Errorf("set retention of namespace %s: %w", ns, err)
		}
		log.Info("updated namespace retention", "namespace", ns, "from", got, "to", retention)
	}

	have, err := listSearchAttributes(ctx, c, ns)
	if err != nil {
		return err
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, typ := range attrs {
		got, ok := have.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = typ
		case got != typ:
			return fmt.Errorf("search attribute %s exists with type %s, Qilian needs %s", name, got, typ)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: ns, SearchAttributes: missing})
	var exists *serviceerror.AlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("add search attributes: %w", err)
	}
	log.Info("added search attributes", "namespace", ns, "count", len(missing))
	return waitForSearchAttributes(ctx, c, ns, missing)
}

// waitForSearchAttributes polls until the frontend takes queries on
// attributes just added: on SQL visibility each is mapped to a column in
// the namespace's record, which the frontend reads from its namespace
// cache, so a workflow started before that cache refreshes is refused
// ("no mapping defined for search attribute").
func waitForSearchAttributes(ctx context.Context, c client.Client, ns string, added map[string]enumspb.IndexedValueType) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for name := range added {
		for {
			_, err := c.WorkflowService().CountWorkflowExecutions(ctx, &workflowservice.CountWorkflowExecutionsRequest{
				Namespace: ns, Query: name + " IS NOT NULL"})
			if err == nil {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("search attribute %s not usable after adding it: %w", name, err)
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	return nil
}

// listSearchAttributes retries while a just-registered namespace is still
// unknown to the frontend's namespace cache.
func listSearchAttributes(ctx context.Context, c client.Client, ns string) (*operatorservice.ListSearchAttributesResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
		var notFound *serviceerror.NamespaceNotFound
		if err == nil || !errors.As(err, &notFound) {
			if err != nil {
				return nil, fmt.Errorf("list search attributes: %w", err)
			}
			return have, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("list search attributes: %w", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// waitForNamespace polls until a just-registered namespace is visible.
func waitForNamespace(ctx context.Context, c client.Client, ns string) (*workflowservice.DescribeNamespaceResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
		if err == nil {
			return desc, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("namespace %s not visible after registering: %w", ns, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Dial connects to Temporal, retrying while it starts up (a cluster in
// compose, or the embedded server a moment ago) until ctx ends.
func Dial(ctx context.Context, opts client.Options, log *slog.Logger) (client.Client, error) {
	delay := 200 * time.Millisecond
	for {
		c, err := client.DialContext(ctx, opts)
		if err == nil {
			return c, nil
		}
		log.Warn("temporal not reachable yet", "address", opts.HostPort, "error", err)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("temporal at %s unreachable: %w", opts.HostPort, err)
		case <-time.After(delay):
		}
		delay = min(2*delay, 5*time.Second)
	}
}
