package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/storage"
)

// cluster is one scripts/cluster run: its settings and the settings
// scripts/cluster wrote to cluster.env.
type cluster struct {
	root, dir string
	env       []string
	apis      []string
	dbURL     string
}

// freePortBlock finds n consecutive ports on loopback that are free now,
// below 32768: Temporal's SQL schema keeps membership ports in a smallint.
func freePortBlock(t *testing.T, n int) int {
	t.Helper()
	for range 100 {
		base := 10000 + rand.IntN(32768-10000-n)
		free := true
		for p := base; p < base+n && free; p++ {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
			if err != nil {
				free = false
				break
			}
			_ = ln.Close()
		}
		if free {
			return base
		}
	}
	t.Fatalf("no %d free ports in a row", n)
	return 0
}

// startCluster runs `scripts/cluster up` with its own directory, ports and
// databases, and `scripts/cluster purge` when the test ends.
func startCluster(t *testing.T, config string) *cluster {
	t.Helper()
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	c := &cluster{root: root, dir: t.TempDir()}
	pg, err := url.Parse(os.Getenv("QILIAN_TEST_POSTGRES_URL"))
	if err != nil || pg.Host == "" {
		pg, _ = url.Parse("postgres://postgres@127.0.0.1:5432/test")
	}
	password, _ := pg.User.Password()
	c.env = append(os.Environ(),
		"QILIAN_CLUSTER_DIR="+c.dir,
		"QILIAN_CLUSTER_PORT="+strconv.Itoa(freePortBlock(t, 32)),
		fmt.Sprintf("QILIAN_CLUSTER_DB=qilian_ct_%d", time.Now().UnixNano()%1e9),
		"QILIAN_CLUSTER_PG_ADDR="+pg.Host,
		"QILIAN_CLUSTER_PG_USER="+pg.User.Username(),
		"QILIAN_CLUSTER_PG_PASSWORD="+password,
		"QILIAN_CONFIG="+config,
		"QILIAN_LOG_LEVEL=warn",
	)
	t.Cleanup(func() {
		if t.Failed() {
			for _, name := range []string{"temporal", "worker-1", "worker-2", "api-1", "api-2"} {
				b, _ := os.ReadFile(filepath.Join(c.dir, "logs", name+".log"))
				if len(b) > 4000 {
					b = b[len(b)-4000:]
				}
				t.Logf("%s.log ends:\n%s", name, b)
			}
		}
		out, err := c.script("purge")
		if err != nil {
			t.Logf("scripts/cluster purge: %v\n%s", err, out)
		}
	})
	out, err := c.script("up")
	require.NoError(t, err, "scripts/cluster up:\n%s", out)

	f, err := os.Open(filepath.Join(c.dir, "cluster.env"))
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		switch k {
		case "QILIAN_CLUSTER_API":
			c.apis = strings.Split(v, ",")
		case "QILIAN_DATABASE_URL":
			c.dbURL = v
		}
	}
	require.Len(t, c.apis, 2, "cluster.env names both APIs")
	require.NotEmpty(t, c.dbURL)
	return c
}

func (c *cluster) script(verb string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(c.root, "scripts", "cluster"), verb)
	cmd.Env = c.env
	return cmd.CombinedOutput()
}

// kill sends SIGKILL to one of the cluster's processes and waits until it
// is gone.
func (c *cluster) kill(t *testing.T, name string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dir, "pids", name))
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL), name)
	for range 100 {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s (pid %d) still runs after SIGKILL", name, pid)
}

// errUnreachable is a request that found no process listening.
var errUnreachable = errors.New("API process unreachable")

// post sends one request to base and answers the status and body; a 503
// (the engine catching up) is retried, a dead process is errUnreachable.
func clusterPost(ctx context.Context, base, token, path, key string, body any) (int, []byte, error) {
	raw, _ := json.Marshal(body)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(raw))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return 0, nil, ctx.Err()
			}
			return 0, nil, fmt.Errorf("%w: %v", errUnreachable, err)
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			return resp.StatusCode, b, nil
		}
		select {
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// The cluster of scripts/cluster, end to end: cases are opened through
// both API processes while one worker and one API process are killed with
// SIGKILL; a client whose API died sends the same request, with the same
// Idempotency-Key, to the other. Afterwards every case acknowledged is
// there once, the survivors work every case to its close, and deadlines
// set before the kill escalate on time on the surviving worker, each rung
// once.
func TestClusterLosesNothingWhenAWorkerAndAnAPIDie(t *testing.T) {
	// Emergency cases get a 20-second accept deadline and a ladder 5 s
	// apart, the bench's own policy for its lateness runs.
	var config bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"bench", "--print-config", "--late-span", "20s", "--late-step", "5s"}, &config, io.Discard))
	configFile := filepath.Join(t.TempDir(), "policy.yaml")
	require.NoError(t, os.WriteFile(configFile, config.Bytes(), 0o644))
	c := startCluster(t, configFile)

	out, err := c.script("status")
	require.NoError(t, err)
	require.Equal(t, 5, strings.Count(string(out), " running"), "%s", out)

	t.Setenv("QILIAN_DATABASE_URL", c.dbURL)
	var seedOut bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"seed", "--demo", "--live", "0"}, &seedOut, io.Discard))
	var seeded struct {
		Users map[string]struct {
			Token string `json:"token"`
		} `json:"users"`
	}
	require.NoError(t, json.Unmarshal(seedOut.Bytes(), &seeded))
	token := func(user string) string { return seeded.Users[user].Token }
	grid, axis, unit := token("demo-grid"), token("demo-axis"), token("demo-unit")
	require.NotEmpty(t, grid)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	alive := []bool{true, true}
	var mu sync.Mutex
	// send tries the API at i first and, if that process is dead, the
	// other: what a client behind a load balancer sees. It reports instead
	// of failing the test, so the opening client can run beside the kill.
	send := func(i int, tok, path, key string, body any) (int, []byte, error) {
		for try := range 2 {
			j := (i + try) % 2
			mu.Lock()
			up := alive[j]
			mu.Unlock()
			if !up {
				continue
			}
			st, b, err := clusterPost(ctx, c.apis[j], tok, path, key, body)
			if errors.Is(err, errUnreachable) {
				continue
			}
			return st, b, err
		}
		return 0, nil, fmt.Errorf("%s: no API process answered", path)
	}
	act := func(i int, tok, path string, body any) {
		t.Helper()
		st, b, err := send(i, tok, path, "", body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, st, "%s: %s", path, b)
	}
	open := func(i int, priority string) (string, error) {
		st, b, err := send(i, grid, "/api/v1/cases", fmt.Sprintf("cluster-%s-%d", priority, i),
			map[string]any{"kind": "service_linkage", "title": "集群测试", "locality_id": "dongzha-g1", "priority": priority})
		if err != nil {
			return "", err
		}
		var v struct {
			ID string `json:"id"`
		}
		if (st != http.StatusCreated && st != http.StatusOK) || json.Unmarshal(b, &v) != nil || v.ID == "" {
			return "", fmt.Errorf("open case %d: %d %s", i, st, b)
		}
		return v.ID, nil
	}
	dispatch := func(i int, id string) {
		t.Helper()
		act(i, axis, "/api/v1/cases/"+id+"/dispatch",
			map[string]any{"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead", "required": true}}})
	}

	// Before the kill: four emergency cases dispatched and left for the
	// ladder, and normal cases opened through both APIs while a client
	// keeps opening more.
	var emergencies []string
	for i := range 4 {
		id, err := open(i, "emergency")
		require.NoError(t, err)
		dispatch(i, id)
		emergencies = append(emergencies, id)
	}
	const normal = 24
	opened := make([]string, normal)
	// nine is closed once nine cases are open (or the opening failed):
	// then the kill comes, while the client goes on opening.
	nine, done := make(chan struct{}), make(chan error, 1)
	var nineOnce sync.Once
	go func() {
		defer nineOnce.Do(func() { close(nine) })
		for i := range normal {
			id, err := open(i, "normal")
			if err != nil {
				done <- err
				return
			}
			opened[i] = id
			if i == 8 {
				nineOnce.Do(func() { close(nine) })
			}
		}
		done <- nil
	}()
	<-nine
	mu.Lock()
	alive[0] = false // from here, clients send to the second API
	mu.Unlock()
	c.kill(t, "worker-1")
	c.kill(t, "api-1")
	killedAt := time.Now()
	require.NoError(t, <-done)
	out, err = c.script("status")
	require.NoError(t, err)
	require.Contains(t, string(out), "worker-1 stopped")
	require.Contains(t, string(out), "api-1 stopped")

	// After the kill, the survivors work every normal case to its close.
	for _, id := range opened {
		dispatch(1, id)
		task := id + "-t1"
		for _, step := range []struct {
			tok, path string
			body      any
		}{
			{unit, "/api/v1/tasks/" + task + "/accept", map[string]any{}},
			{unit, "/api/v1/tasks/" + task + "/resolve", map[string]any{"result": "已处理"}},
			{axis, "/api/v1/cases/" + id + "/verify", map[string]any{"pass": true}},
			{grid, "/api/v1/cases/" + id + "/follow-up", map[string]any{"satisfied": true}},
		} {
			act(1, step.tok, step.path, step.body)
		}
	}

	db, err := storage.Open(context.Background(), c.dbURL, "")
	require.NoError(t, err)
	defer func() { _ = db.Close() }()

	// Every case the clients were answered for is there once: the opens
	// retried on the other API (same key) did not open a second case.
	var titled int64
	require.NoError(t, db.Gorm().Table("cases").Where("title = ?", "集群测试").Count(&titled).Error)
	require.EqualValues(t, normal+len(emergencies), titled)
	seen := map[string]bool{}
	for i, id := range opened {
		require.False(t, seen[id], "case %d answered with the id of another", i)
		seen[id] = true
		snap, err := db.CaseSnapshot(ctx, id)
		require.NoError(t, err)
		require.Equal(t, qilian.CaseClosed, snap.State, id)
		events, err := db.Events(ctx, id)
		require.NoError(t, err)
		// An action records one event for the case and one per task it
		// moves; each, once.
		count := map[string]int{}
		var trail []string
		for _, e := range events {
			count[string(e.Type)+" "+e.TaskID]++
			trail = append(trail, fmt.Sprintf("%d %s %s %s→%s", e.Seq, e.Type, e.TaskID, e.FromState, e.ToState))
		}
		want := map[string]int{string(qilian.EventOpened) + " ": 1, string(qilian.EventOf(qilian.ActFollowUp)) + " ": 1}
		for _, a := range []qilian.ActionName{qilian.ActDispatch, qilian.ActAccept, qilian.ActResolve, qilian.ActVerify} {
			want[string(qilian.EventOf(a))+" "] = 1
			want[string(qilian.EventOf(a))+" "+id+"-t1"] = 1
		}
		require.Equal(t, want, count, "case %d (%s): every action recorded once: %v", i, id, trail)
	}

	// The emergency cases' ladders, set before the kill, climb on the
	// surviving worker: four rungs each, once each, the last 35 s after
	// the dispatch.
	deadline := time.Now().Add(2 * time.Minute)
	for _, id := range emergencies {
		for {
			events, err := db.Events(ctx, id)
			require.NoError(t, err)
			rungs := map[string]int{}
			for _, e := range events {
				if e.Type == qilian.EventEscalated {
					rungs[fmt.Sprint(e.Payload["action"])]++
				}
			}
			if len(rungs) == 4 {
				for rung, n := range rungs {
					require.Equal(t, 1, n, "%s: rung %s fired once", id, rung)
				}
				break
			}
			require.True(t, time.Now().Before(deadline), "%s: the ladder did not climb after the kill: %v", id, rungs)
			time.Sleep(500 * time.Millisecond)
		}
	}
	t.Logf("every case closed and every ladder climbed on the survivors within %s of the kill", time.Since(killedAt).Round(time.Second))
}
