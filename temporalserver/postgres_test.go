package temporalserver_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/qilian/qilian/storage/storagetest"
	"github.com/qilian/qilian/temporalserver"
)

// freshStore names a new database for Temporal's store on the test
// PostgreSQL, dropped (with its visibility database) when the test ends.
func freshStore(t *testing.T) string {
	t.Helper()
	u, err := temporalserver.PostgresStoreURL(storagetest.PostgresURL(), fmt.Sprintf("qilian_test_temporal_%d", time.Now().UnixNano()))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, temporalserver.DropPostgresStore(u)) })
	return u
}

// startOn starts the server on dir, with its store in PostgreSQL when
// store is set, and a client with the namespace ensured.
func startOn(t *testing.T, dir, store string, shards int32) (*temporalserver.Server, client.Client, error) {
	t.Helper()
	srv, err := temporalserver.Start(temporalserver.Options{
		DataDir: dir, FrontendAddr: "127.0.0.1:0", Namespace: ns, DatabaseURL: store, HistoryShards: shards,
		Retention: 30 * 24 * time.Hour, SearchAttributes: attrs, Log: quiet(),
	})
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := temporalserver.Dial(ctx, client.Options{HostPort: srv.FrontendAddr(), Namespace: ns}, quiet())
	require.NoError(t, err)
	require.NoError(t, temporalserver.Ensure(ctx, c, ns, 30*24*time.Hour, attrs, quiet()))
	return srv, c, nil
}

// The embedded server on PostgreSQL: the schema comes from Temporal's own
// schema tool (its version table says the latest step), the store has the
// default four history shards, an open workflow survives a restart, the
// data directory holds no SQLite store, and asking for another shard count
// on the same store is refused with the count it has.
func TestEmbeddedOnPostgres(t *testing.T) {
	dir, store := t.TempDir(), freshStore(t)
	ctx := context.Background()

	srv, c, err := startOn(t, dir, store, 0)
	require.NoError(t, err)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "case/pg", TaskQueue: "tq"}, waiter)
	require.NoError(t, err)
	w := worker.New(c, "tq", worker.Options{})
	w.RegisterWorkflow(waiter)
	require.NoError(t, w.Start())
	require.Eventually(t, func() bool {
		d, err := c.DescribeWorkflowExecution(ctx, "case/pg", "")
		return err == nil && d.GetPendingWorkflowTask() == nil && d.GetWorkflowExecutionInfo().GetHistoryLength() >= 3
	}, time.Minute, 100*time.Millisecond)
	w.Stop()
	c.Close()
	srv.Stop()

	_, err = os.Stat(filepath.Join(dir, temporalserver.DBFile))
	require.ErrorIs(t, err, os.ErrNotExist, "no SQLite store beside PostgreSQL")
	conn, err := pgx.Connect(ctx, store)
	require.NoError(t, err)
	var version string
	var shards int
	require.NoError(t, conn.QueryRow(ctx, `SELECT curr_version FROM schema_version`).Scan(&version))
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM shards`).Scan(&shards))
	require.NoError(t, conn.Close(ctx))
	require.NotEqual(t, "0.0", version, "the schema tool's versioned steps ran")
	require.Equal(t, temporalserver.DefaultPostgresShards, shards)

	_, _, err = startOn(t, dir, store, 8)
	require.ErrorContains(t, err, "created with 4 history shards")
	require.ErrorContains(t, err, "QILIAN_TEMPORAL_HISTORY_SHARDS")

	srv, c, err = startOn(t, dir, store, 4)
	require.NoError(t, err)
	defer srv.Stop()
	defer c.Close()
	w = worker.New(c, "tq", worker.Options{})
	w.RegisterWorkflow(waiter)
	require.NoError(t, w.Start())
	defer w.Stop()
	d, err := c.DescribeWorkflowExecution(ctx, "case/pg", run.GetRunID())
	require.NoError(t, err)
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, d.GetWorkflowExecutionInfo().GetStatus())
	require.NoError(t, c.SignalWorkflow(ctx, "case/pg", "", "finish", "after restart"))
	var out string
	require.NoError(t, c.GetWorkflow(ctx, "case/pg", run.GetRunID()).Get(ctx, &out))
	require.Equal(t, "finished with after restart", out)
}

func TestSQLiteTakesOneShard(t *testing.T) {
	_, err := temporalserver.Start(temporalserver.Options{DataDir: t.TempDir(), FrontendAddr: "127.0.0.1:0", Namespace: ns,
		Retention: 24 * time.Hour, HistoryShards: 4, Log: quiet()})
	require.ErrorContains(t, err, "need Temporal on PostgreSQL")
}
