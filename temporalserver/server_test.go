package temporalserver_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/qilian/qilian/temporalserver"
)

const ns = "qilian-test"

var attrs = map[string]enumspb.IndexedValueType{
	"QilianKind":    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"QilianOverdue": enumspb.INDEXED_VALUE_TYPE_BOOL,
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// waiter runs until it is told to finish, accumulating what it is sent.
func waiter(ctx workflow.Context) (string, error) {
	var got string
	workflow.GetSignalChannel(ctx, "finish").Receive(ctx, &got)
	return "finished with " + got, nil
}

func start(t *testing.T, dir string) (*temporalserver.Server, client.Client) {
	t.Helper()
	srv, c, err := startOn(t, dir, "", 0)
	require.NoError(t, err)
	return srv, c
}

func TestOpenWorkflowSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()

	srv, c := start(t, dir)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "case/1", TaskQueue: "tq"}, waiter)
	require.NoError(t, err)
	w := worker.New(c, "tq", worker.Options{})
	w.RegisterWorkflow(waiter)
	require.NoError(t, w.Start())
	// The first workflow task must have run before the restart, so the
	// restarted server resumes a workflow in progress, not a bare start.
	require.Eventually(t, func() bool {
		d, err := c.DescribeWorkflowExecution(ctx, "case/1", "")
		return err == nil && d.GetPendingWorkflowTask() == nil && d.GetWorkflowExecutionInfo().GetHistoryLength() >= 3
	}, 30*time.Second, 100*time.Millisecond)
	w.Stop()
	c.Close()
	srv.Stop()

	for _, f := range []string{temporalserver.DBFile, temporalserver.VersionFile} {
		_, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err, "%s is kept in the data directory", f)
	}

	srv, c = start(t, dir)
	defer srv.Stop()
	defer c.Close()
	d, err := c.DescribeWorkflowExecution(ctx, "case/1", run.GetRunID())
	require.NoError(t, err)
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, d.GetWorkflowExecutionInfo().GetStatus())

	w = worker.New(c, "tq", worker.Options{})
	w.RegisterWorkflow(waiter)
	require.NoError(t, w.Start())
	defer w.Stop()
	require.NoError(t, c.SignalWorkflow(ctx, "case/1", "", "finish", "after restart"))
	var out string
	require.NoError(t, c.GetWorkflow(ctx, "case/1", run.GetRunID()).Get(ctx, &out))
	require.Equal(t, "finished with after restart", out)

	nsd, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
	require.NoError(t, err)
	require.Equal(t, 30*24*time.Hour, nsd.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration())
	sa, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	require.NoError(t, err)
	for name, typ := range attrs {
		require.Equal(t, typ, sa.GetCustomAttributes()[name], name)
	}
}

func TestEnsureFixesRetentionAndAddsAttributes(t *testing.T) {
	dir := t.TempDir()
	srv, c := start(t, dir)
	defer srv.Stop()
	defer c.Close()
	ctx := context.Background()
	more := map[string]enumspb.IndexedValueType{"QilianState": enumspb.INDEXED_VALUE_TYPE_KEYWORD}
	for k, v := range attrs {
		more[k] = v
	}
	// Twice, as two processes starting together would.
	for range 2 {
		require.NoError(t, temporalserver.Ensure(ctx, c, ns, 90*24*time.Hour, more, quiet()))
	}
	nsd, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
	require.NoError(t, err)
	require.Equal(t, 90*24*time.Hour, nsd.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration())
	sa, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	require.NoError(t, err)
	require.Equal(t, enumspb.INDEXED_VALUE_TYPE_KEYWORD, sa.GetCustomAttributes()["QilianState"])

	// A namespace that does not exist yet is registered.
	require.NoError(t, temporalserver.Ensure(ctx, c, "another", 7*24*time.Hour, more, quiet()))
	nsd, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "another"})
	require.NoError(t, err)
	require.Equal(t, 7*24*time.Hour, nsd.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration())
}

func TestRefusesDataOfAnotherServerVersion(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, temporalserver.VersionFile), []byte("1.20.0\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, temporalserver.DBFile), nil, 0o600))
	_, err := temporalserver.Start(temporalserver.Options{DataDir: dir, FrontendAddr: "127.0.0.1:0", Namespace: ns, Retention: time.Hour * 24, Log: quiet()})
	require.ErrorContains(t, err, "written by Temporal server 1.20.0")
	require.ErrorContains(t, err, temporalserver.Version)
}
