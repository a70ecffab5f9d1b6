package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/configs"
	"github.com/qilian/qilian/storage"
	"github.com/qilian/qilian/storage/storagetest"
	"github.com/qilian/qilian/temporalserver"
	"github.com/qilian/qilian/workflows"
	"github.com/qilian/qilian/workflows/enginetest"
)

// buildBinary builds this command once per test, so worker processes can
// be killed for real.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "qilian")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

func waitReady(t *testing.T, addr string, log *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("worker at %s not ready:\n%s", addr, log.String())
}

// Two `qilian worker` processes on one task queue share the cases; after
// one is killed with SIGKILL the other finishes every case.
func TestTwoWorkersShareTheWorkAndOneSurvivesAKill(t *testing.T) {
	bin := buildBinary(t)
	srv, err := temporalserver.Start(temporalserver.Options{
		DataDir: t.TempDir(), FrontendAddr: "127.0.0.1:0", Namespace: qilian.DefaultNamespace,
		Retention: 24 * time.Hour, SearchAttributes: workflows.SearchAttributes(), Log: enginetest.Quiet(),
	})
	require.NoError(t, err)
	defer srv.Stop()
	dbURL := storagetest.FreshSchema(t)

	env := append(os.Environ(),
		"QILIAN_TEMPORAL_ADDRESS="+srv.FrontendAddr(),
		"QILIAN_DATABASE_URL="+dbURL,
		"QILIAN_LOG_LEVEL=warn",
	)
	var procs []*exec.Cmd
	for i := range 2 {
		addr := freePort(t)
		var log bytes.Buffer
		cmd := exec.Command(bin, "worker")
		cmd.Env = append(env, "QILIAN_HTTP_ADDR="+addr)
		cmd.Stdout, cmd.Stderr = &log, &log
		require.NoError(t, cmd.Start(), "worker %d", i)
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		waitReady(t, addr, &log)
		procs = append(procs, cmd)
	}

	ctx := context.Background()
	db, err := storage.Open(ctx, dbURL, "")
	require.NoError(t, err)
	defer func() { _ = db.Close() }()
	t.Setenv("QILIAN_DATABASE_URL", dbURL)
	require.NoError(t, run(ctx, []string{"seed", "--demo", "--live", "0"}, io.Discard, io.Discard))

	c, err := client.Dial(client.Options{HostPort: srv.FrontendAddr(), Namespace: qilian.DefaultNamespace, Logger: sdklog.NewStructuredLogger(enginetest.Quiet())})
	require.NoError(t, err)
	defer c.Close()
	cfg, err := configs.Load("", func(string) (string, bool) { return "", false })
	require.NoError(t, err)
	policy, err := cfg.Policy()
	require.NoError(t, err)
	eng := &workflows.Client{Temporal: c, Policy: policy}
	actor := func(id string) qilian.Actor {
		u, err := db.User(ctx, id)
		require.NoError(t, err)
		a, err := db.Actor(ctx, u)
		require.NoError(t, err)
		return a
	}
	grid, axis, unit := actor("demo-grid"), actor("demo-axis"), actor("demo-unit")

	const n = 16
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("W%02d", i)
		_, err := eng.Open(ctx, qilian.OpenRequest{ID: ids[i], Kind: qilian.KindServiceLinkage, Title: "共享工作", Priority: qilian.PriorityNormal,
			LocalityID: "dongzha-g1", LocalityPath: grid.LocalityPath, GridID: "dongzha-g1"}, grid)
		require.NoError(t, err)
		_, err = eng.Act(ctx, ids[i], qilian.Action{Name: qilian.ActDispatch, Actor: axis,
			Assignments: []qilian.Assignment{{UnitID: "u-mingyuan-property", Role: qilian.TaskLead, Required: true}}})
		require.NoError(t, err)
	}
	// Both workers took part: their identities appear on workflow tasks.
	identities := map[string]bool{}
	for _, id := range ids {
		it := c.GetWorkflowHistory(ctx, qilian.CaseWorkflowID(id), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			e, err := it.Next()
			require.NoError(t, err)
			if a := e.GetWorkflowTaskCompletedEventAttributes(); a != nil {
				identities[a.GetIdentity()] = true
			}
		}
	}
	require.GreaterOrEqual(t, len(identities), 2, "both workers completed workflow tasks: %v", identities)

	require.NoError(t, procs[0].Process.Signal(syscall.SIGKILL))
	_ = procs[0].Wait()

	for _, id := range ids {
		task := id + "-t1"
		for _, a := range []qilian.Action{
			{Name: qilian.ActAccept, Actor: unit, TaskID: task},
			{Name: qilian.ActResolve, Actor: unit, TaskID: task, Result: "已处理"},
			{Name: qilian.ActVerify, Actor: axis, Pass: ptr(true)},
			{Name: qilian.ActFollowUp, Actor: grid, Satisfied: ptr(true)},
		} {
			actx, cancel := context.WithTimeout(ctx, time.Minute)
			_, err := eng.Act(actx, id, a)
			cancel()
			require.NoError(t, err, "%s on %s after the kill", a.Name, id)
		}
		snap, err := db.CaseSnapshot(ctx, id)
		require.NoError(t, err)
		require.Equal(t, qilian.CaseClosed, snap.State, id)
	}
}

func ptr[T any](v T) *T { return &v }
