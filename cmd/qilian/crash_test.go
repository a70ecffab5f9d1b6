package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/configs"
	"github.com/qilian/qilian/storage"
	"github.com/qilian/qilian/workflows"
	"github.com/qilian/qilian/workflows/enginetest"
)

// A load of 1,000 operations (500 case openings, each followed by its
// dispatch) runs against `qilian serve`, which is killed with SIGKILL in
// the middle. After a restart on the same data directory the load is
// finished; then every case and its dispatch are there exactly once, none
// acknowledged before the kill was lost, and the read model agrees with
// the workflows.
func TestServeKilledMidLoadLosesNothingAcknowledged(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	httpAddr, frontend := freePort(t), freePort(t)
	env := append(os.Environ(),
		"QILIAN_DATA_DIR="+dir, "QILIAN_HTTP_ADDR="+httpAddr, "QILIAN_TEMPORAL_FRONTEND_ADDR="+frontend,
		"QILIAN_TEMPORAL_UI_ADDR=off", "QILIAN_LOG_LEVEL=warn", "QILIAN_DATABASE_URL=", "QILIAN_TEMPORAL_ADDRESS=",
	)
	// No history: the test counts the cases its load opened.
	seed := exec.Command(bin, "seed", "--demo", "--history", "0", "--live", "0")
	seed.Env = env
	out, err := seed.CombinedOutput()
	require.NoError(t, err, "%s", out)

	start := func() *exec.Cmd {
		var log bytes.Buffer
		cmd := exec.Command(bin, "serve")
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = &log, &log
		require.NoError(t, cmd.Start())
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		waitReady(t, httpAddr, &log)
		return cmd
	}
	proc := start()

	ctx := context.Background()
	db, err := storage.Open(ctx, "", dir)
	require.NoError(t, err)
	defer func() { _ = db.Close() }()
	actor := func(id string) qilian.Actor {
		u, err := db.User(ctx, id)
		require.NoError(t, err)
		a, err := db.Actor(ctx, u)
		require.NoError(t, err)
		return a
	}
	grid, axis := actor("demo-grid"), actor("demo-axis")
	cfg, err := configs.Load("", func(string) (string, bool) { return "", false })
	require.NoError(t, err)
	policy, err := cfg.Policy()
	require.NoError(t, err)
	dial := func() *workflows.Client {
		c, err := client.Dial(client.Options{HostPort: frontend, Namespace: qilian.DefaultNamespace, Logger: sdklog.NewStructuredLogger(enginetest.Quiet())})
		require.NoError(t, err)
		t.Cleanup(c.Close)
		return &workflows.Client{Temporal: c, Policy: policy}
	}
	eng := dial()

	// 500 cases, each opened and dispatched: 1,000 operations, by 8 clients.
	const cases, clients = 500, 8
	var (
		mu         sync.Mutex
		opened     = map[string]bool{}
		dispatched = map[string]bool{}
		acked      atomic.Int64
		next       atomic.Int64
		wg         sync.WaitGroup
	)
	killed := make(chan struct{})
	for range clients {
		wg.Go(func() {
			for {
				select {
				case <-killed:
					return
				default:
				}
				i := next.Add(1) - 1
				if i >= cases {
					return
				}
				id := fmt.Sprintf("K%03d", i)
				octx, cancel := context.WithTimeout(ctx, 10*time.Second)
				_, err := eng.Open(octx, qilian.OpenRequest{ID: id, Kind: qilian.KindServiceLinkage, Title: "压力测试", Priority: qilian.PriorityNormal,
					LocalityID: "dongzha-g1", LocalityPath: grid.LocalityPath, GridID: "dongzha-g1"}, grid)
				cancel()
				if err != nil {
					continue // not acknowledged: it may or may not exist
				}
				mu.Lock()
				opened[id] = true
				mu.Unlock()
				acked.Add(1)
				actx, cancel := context.WithTimeout(ctx, 10*time.Second)
				_, err = eng.Act(actx, id, qilian.Action{Name: qilian.ActDispatch, Actor: axis,
					Assignments: []qilian.Assignment{{UnitID: "u-mingyuan-property", Role: qilian.TaskLead, Required: true}}})
				cancel()
				if err == nil {
					mu.Lock()
					dispatched[id] = true
					mu.Unlock()
					acked.Add(1)
				}
			}
		})
	}
	// Kill in the middle of the load.
	require.Eventually(t, func() bool { return acked.Load() >= 300 }, 3*time.Minute, 20*time.Millisecond)
	require.NoError(t, proc.Process.Signal(syscall.SIGKILL))
	_ = proc.Wait()
	close(killed)
	wg.Wait()
	t.Logf("acknowledged before the kill: %d openings, %d dispatches", len(opened), len(dispatched))
	require.Less(t, int(acked.Load()), 2*cases, "the kill came in the middle of the load")

	start()
	eng = dial()

	// Finish the load on the restarted server, so that all 1,000
	// operations are done: open what was not acknowledged (an opening
	// that happened unacknowledged finds its case) and dispatch what was
	// not (a dispatch that happened unacknowledged is refused as a
	// conflict, since the unit already has its task, and the case shows
	// that one task).
	var (
		fails    []string
		conflict = map[string]bool{}
	)
	next.Store(0)
	for range clients {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= cases {
					return
				}
				id := fmt.Sprintf("K%03d", i)
				mu.Lock()
				o, d := opened[id], dispatched[id]
				mu.Unlock()
				octx, cancel := context.WithTimeout(ctx, 30*time.Second)
				if !o {
					if _, err := eng.Open(octx, qilian.OpenRequest{ID: id, Kind: qilian.KindServiceLinkage, Title: "压力测试", Priority: qilian.PriorityNormal,
						LocalityID: "dongzha-g1", LocalityPath: grid.LocalityPath, GridID: "dongzha-g1"}, grid); err != nil {
						mu.Lock()
						fails = append(fails, fmt.Sprintf("open %s: %v", id, err))
						mu.Unlock()
						cancel()
						continue
					}
				}
				if !d {
					_, err := eng.Act(octx, id, qilian.Action{Name: qilian.ActDispatch, Actor: axis,
						Assignments: []qilian.Assignment{{UnitID: "u-mingyuan-property", Role: qilian.TaskLead, Required: true}}})
					if err != nil {
						// Refused: fine if it is a conflict and the case
						// already holds the task.
						c, serr := eng.Snapshot(octx, id)
						mu.Lock()
						if qilian.ErrorCode(err) == qilian.ECONFLICT && serr == nil && len(c.Tasks) == 1 {
							conflict[id] = true
						} else {
							fails = append(fails, fmt.Sprintf("dispatch %s: %v", id, err))
						}
						mu.Unlock()
					}
				}
				cancel()
			}
		})
	}
	wg.Wait()
	require.Empty(t, fails, "the load finishes on the restarted server")
	t.Logf("dispatches done before the kill but not acknowledged: %d", len(conflict))

	for i := range cases {
		id := fmt.Sprintf("K%03d", i)
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		c, err := eng.Snapshot(sctx, id)
		cancel()
		require.NoError(t, err, "case %s", id)
		require.Len(t, c.Tasks, 1, "%s: the dispatch is there exactly once", id)
		require.Equal(t, qilian.CaseDispatching, c.State)
		// The read model converges on the workflow's revision.
		require.Eventually(t, func() bool {
			snap, err := db.CaseSnapshot(ctx, id)
			return err == nil && snap.Revision == c.Revision && len(snap.Tasks) == len(c.Tasks)
		}, 30*time.Second, 50*time.Millisecond, "read model of %s", id)
		evs, err := db.Events(ctx, id)
		require.NoError(t, err)
		require.Len(t, evs, int(c.Seq), "%s: each audit event once", id)
	}
	var rows int64
	require.NoError(t, db.Gorm().WithContext(ctx).Table("cases").Count(&rows).Error)
	require.Equal(t, int64(cases), rows, "the read model holds the load's cases and nothing more")
}
