package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// ownPostgres is a PostgreSQL cluster of the test's own, in a temporary
// directory on a free loopback port, so that it can be stopped and
// started without disturbing anyone else's database. Run as root, its
// commands run as the postgres user, since initdb refuses root.
type ownPostgres struct {
	bin     string // the directory of initdb, pg_ctl and postgres
	dir     string // holds data/, the socket and the log
	port    int
	runAs   string // a user to run the server as, or ""
	logFile string
}

// postgresBinDir finds the server binaries: pg_config's bindir, else
// initdb on PATH, else the newest of the versioned directories Debian
// installs them in.
func postgresBinDir() (string, error) {
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dir := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(found) == 0 {
		return "", fmt.Errorf("no PostgreSQL server binaries (initdb, pg_ctl): install the PostgreSQL server")
	}
	sort.Slice(found, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(found[i]))))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(found[j]))))
		return vi < vj
	})
	return filepath.Dir(found[len(found)-1]), nil
}

// startOwnPostgres creates and starts the cluster; it is stopped and
// removed when the test ends.
func startOwnPostgres(t *testing.T) *ownPostgres {
	t.Helper()
	bin, err := postgresBinDir()
	require.NoError(t, err)
	dir, err := os.MkdirTemp("", "qilian-pg-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	_, portStr, _ := net.SplitHostPort(freePort(t))
	port, _ := strconv.Atoi(portStr)
	pg := &ownPostgres{bin: bin, dir: dir, port: port, logFile: filepath.Join(dir, "postgres.log")}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		require.NoError(t, err, "running as root, the cluster needs the postgres user")
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		require.NoError(t, os.Chown(dir, uid, gid))
		pg.runAs = "postgres"
	}
	out, err := pg.command("initdb", "-D", pg.data(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput()
	require.NoError(t, err, "initdb: %s", out)
	pg.start(t)
	t.Cleanup(func() {
		_ = pg.command("pg_ctl", "-D", pg.data(), "-m", "immediate", "-w", "stop").Run()
	})
	return pg
}

func (pg *ownPostgres) data() string { return filepath.Join(pg.dir, "data") }

// command runs one of the server binaries, as the postgres user when the
// test runs as root.
func (pg *ownPostgres) command(name string, args ...string) *exec.Cmd {
	path := filepath.Join(pg.bin, name)
	if pg.runAs != "" {
		return exec.Command("runuser", append([]string{"-u", pg.runAs, "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

// start starts the server and waits until it accepts connections.
func (pg *ownPostgres) start(t *testing.T) {
	t.Helper()
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -c unix_socket_directories=%s -c fsync=off -c max_connections=60", pg.port, pg.dir)
	out, err := pg.command("pg_ctl", "-D", pg.data(), "-l", pg.logFile, "-o", opts, "-w", "-t", "60", "start").CombinedOutput()
	require.NoError(t, err, "pg_ctl start: %s\n%s", out, pg.log())
}

// stop stops the server in the given shutdown mode: fast ends every
// session, immediate is the nearest thing to a crash.
func (pg *ownPostgres) stop(t *testing.T, mode string) {
	t.Helper()
	out, err := pg.command("pg_ctl", "-D", pg.data(), "-m", mode, "-w", "-t", "60", "stop").CombinedOutput()
	require.NoError(t, err, "pg_ctl stop: %s", out)
}

func (pg *ownPostgres) log() string {
	b, _ := os.ReadFile(pg.logFile)
	return string(b)
}

func (pg *ownPostgres) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.port)
}

// httpCase is the part of the API's case view the load reads.
type httpCase struct {
	ID       string `json:"id"`
	State    string `json:"state"`
	Revision int64  `json:"revision"`
	Tasks    []struct {
		ID    string `json:"id"`
		State string `json:"state"`
	} `json:"tasks"`
}

// loadStats counts what the load saw.
type loadStats struct {
	acked, unavailable atomic.Int64
	mu                 sync.Mutex
	unexpected         []string
}

func (s *loadStats) odd(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unexpected = append(s.unexpected, fmt.Sprintf(format, args...))
}

// post sends one request of the load, again and again while the API
// answers 503, until it is acknowledged or refused otherwise. Every 503
// must carry the one error shape and say no more than "service
// unavailable".
//
// An action has no Idempotency-Key: when a 503 answered an action that had
// in fact been recorded (the engine took it, then the projection waited for
// the database past the API's timeout), its retry is refused with 409, as
// a repeated action is. That is the answer a client must expect, so post
// reports it as errDoneBefore; the caller then reads the case to see the
// action took effect, and the checks after the load prove it took effect
// once.
func (s *loadStats) post(ctx context.Context, base, token, path, key string, body any, out any) (int, error) {
	raw, _ := json.Marshal(body)
	retried := false
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(raw))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusServiceUnavailable:
			s.unavailable.Add(1)
			retried = true
			if msg := unavailableShape(b); msg != "" {
				s.odd("%s: 503 %s: %s", path, msg, b)
			}
			select {
			case <-ctx.Done():
				return 0, ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		case resp.StatusCode/100 == 2:
			s.acked.Add(1)
			if err := json.Unmarshal(b, out); err != nil {
				s.odd("%s: %d with a body that is not a case: %s", path, resp.StatusCode, b)
			}
			return resp.StatusCode, nil
		case resp.StatusCode == http.StatusConflict && retried && key == "":
			s.acked.Add(1)
			return resp.StatusCode, errDoneBefore
		default:
			s.odd("%s: %d: %s", path, resp.StatusCode, b)
			return resp.StatusCode, nil
		}
	}
}

// errDoneBefore: a retried action was refused as already done.
var errDoneBefore = errors.New("refused on retry as already done")

// unavailableShape checks a 503 body: "" when it is the one error shape
// with the fixed message, else what is wrong with it.
func unavailableShape(b []byte) string {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil || len(top) != 1 {
		return "not the error shape"
	}
	dec := json.NewDecoder(bytes.NewReader(top["error"]))
	dec.DisallowUnknownFields()
	var e struct {
		Code      string            `json:"code"`
		Message   string            `json:"message"`
		MessageZH string            `json:"message_zh"`
		Fields    map[string]string `json:"fields"`
	}
	switch {
	case dec.Decode(&e) != nil:
		return "not the error shape"
	case e.Code != qilian.EUNAVAILABLE || e.Message != "service unavailable" || e.MessageZH != qilian.MessageZH(qilian.EUNAVAILABLE) || len(e.Fields) > 0:
		return "says more than that the service is unavailable"
	}
	return ""
}

// readCase reads a case of the load until it shows done, waiting out 503s
// and the read model catching up with the engine after the outage.
func readCase(base, token, id string, out *httpCase, done func(httpCase) bool) (int, error) {
	deadline := time.Now().Add(time.Minute)
	for {
		st, b := getStatus(base+"/api/v1/cases/"+id, token)
		if st == http.StatusOK {
			if err := json.Unmarshal(b, out); err != nil {
				return st, err
			}
			if done(*out) {
				return st, nil
			}
		} else if st != http.StatusServiceUnavailable && st != 0 {
			return st, fmt.Errorf("read case %s: %d %s", id, st, b)
		}
		if time.Now().After(deadline) {
			return st, fmt.Errorf("read case %s: not done after a minute: %d %s", id, st, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func getStatus(url, token string) (int, []byte) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// While `qilian serve` takes a load of case openings, dispatches and
// acceptances over HTTP, its PostgreSQL read model is stopped and started
// again, twice: once with a fast shutdown (every session is ended) and
// once with an immediate one (crash recovery at the next start). While the
// database is away the API answers 503 in the one error shape and /readyz
// is not 200; the clients retry their 503s until the load is done. Then
// every case is there exactly once with each of its acknowledged actions
// once, and the read model converges on the workflows.
func TestPostgresRestartMidLoad(t *testing.T) {
	pg := startOwnPostgres(t)
	dir := t.TempDir()
	httpAddr, frontend := freePort(t), freePort(t)
	t.Setenv("QILIAN_DATA_DIR", dir)
	t.Setenv("QILIAN_HTTP_ADDR", httpAddr)
	t.Setenv("QILIAN_TEMPORAL_FRONTEND_ADDR", frontend)
	t.Setenv("QILIAN_TEMPORAL_UI_ADDR", "off")
	t.Setenv("QILIAN_LOG_LEVEL", "error")
	t.Setenv("QILIAN_DATABASE_URL", pg.url())
	t.Setenv("QILIAN_TEMPORAL_ADDRESS", "")

	var seeded bytes.Buffer
	// No history: the test counts the cases its load opened.
	require.NoError(t, run(context.Background(), []string{"seed", "--demo", "--history", "0", "--live", "0"}, &seeded, io.Discard))
	var logins map[string]struct {
		Token string `json:"token"`
	}
	require.NoError(t, json.Unmarshal(seeded.Bytes(), &logins))
	grid, axis, unit := logins["grid_worker"].Token, logins["axis"].Token, logins["unit_staff"].Token
	require.NotEmpty(t, grid)

	p := startServe(t, httpAddr)
	defer p.stop(t)
	base := "http://" + httpAddr

	// 100 cases, each opened, dispatched and accepted: 300 operations,
	// by 6 clients. An opening carries an Idempotency-Key, so its retries
	// open one case.
	const cases, clients = 100, 6
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var (
		stats loadStats
		next  atomic.Int64
		mu    sync.Mutex
		ids   = map[int]string{} // by load index: the case each opening acknowledged
		wg    sync.WaitGroup
	)
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= cases {
					return
				}
				var c httpCase
				st, err := stats.post(ctx, base, grid, "/api/v1/cases", fmt.Sprintf("pg-load-%03d", i),
					map[string]any{"kind": "service_linkage", "title": fmt.Sprintf("数据库重启 %03d", i), "locality_id": "dongzha-g1"}, &c)
				if err != nil || st != http.StatusCreated {
					stats.odd("open %d: %d %v", i, st, err)
					continue
				}
				mu.Lock()
				ids[i] = c.ID
				mu.Unlock()
				st, err = stats.post(ctx, base, axis, "/api/v1/cases/"+c.ID+"/dispatch", "",
					map[string]any{"assignments": []map[string]any{{"unit_id": "u-mingyuan-property", "role": "lead"}}}, &c)
				if errors.Is(err, errDoneBefore) {
					st, err = readCase(base, axis, c.ID, &c, func(c httpCase) bool { return len(c.Tasks) == 1 })
				}
				if err != nil || st != http.StatusOK || len(c.Tasks) != 1 {
					stats.odd("dispatch %s: %d %v", c.ID, st, err)
					continue
				}
				st, err = stats.post(ctx, base, unit, "/api/v1/tasks/"+c.Tasks[0].ID+"/accept", "", map[string]any{}, &c)
				if errors.Is(err, errDoneBefore) {
					st, err = readCase(base, axis, c.ID, &c, func(c httpCase) bool {
						return len(c.Tasks) == 1 && c.Tasks[0].State == string(qilian.TaskAccepted)
					})
				}
				if err != nil || st != http.StatusOK {
					stats.odd("accept %s: %d %v", c.ID, st, err)
				}
			}
		})
	}
	loadDone := make(chan struct{})
	go func() { wg.Wait(); close(loadDone) }()

	for n, mode := range []string{"fast", "immediate"} {
		// Stop the database in the middle of the load.
		mark := int64((n + 1) * cases) // a third, then two thirds, of 300
		require.Eventually(t, func() bool { return stats.acked.Load() >= mark }, 2*time.Minute, 10*time.Millisecond,
			"the load got to %d acknowledged operations", mark)
		pg.stop(t, mode)
		before := stats.unavailable.Load()

		// While it is away: /readyz is not 200, reads answer 503 in the one
		// error shape, and the load's clients see 503s.
		require.Eventually(t, func() bool {
			st, _ := getStatus(base+"/readyz", "")
			return st == http.StatusServiceUnavailable
		}, 30*time.Second, 50*time.Millisecond, "/readyz answers 503 with the database away")
		st, body := getStatus(base+"/api/v1/cases", axis)
		require.Equal(t, http.StatusServiceUnavailable, st, "%s", body)
		require.Empty(t, unavailableShape(body), "%s", body)
		require.Eventually(t, func() bool { return stats.unavailable.Load() >= before+clients }, 30*time.Second, 10*time.Millisecond,
			"the load's clients are answered 503")
		t.Logf("database stopped (%s) after %d acknowledged operations; %d answers of 503 so far", mode, stats.acked.Load(), stats.unavailable.Load())

		pg.start(t)
		require.Eventually(t, func() bool {
			st, _ := getStatus(base+"/readyz", "")
			return st == http.StatusOK
		}, time.Minute, 50*time.Millisecond, "/readyz answers 200 once the database is back")
	}
	select {
	case <-loadDone:
	case <-ctx.Done():
		t.Fatalf("the load did not finish: %d acknowledged", stats.acked.Load())
	}
	t.Logf("load done: %d acknowledged operations, %d answers of 503", stats.acked.Load(), stats.unavailable.Load())
	require.Empty(t, stats.unexpected, "only 2xx and 503 answers")
	require.Len(t, ids, cases)
	require.Equal(t, int64(3*cases), stats.acked.Load())

	// Every case, exactly once, with one dispatch and one acceptance, in the
	// workflows and in the read model; the read model converges on the
	// workflows.
	db, err := storage.Open(ctx, pg.url(), t.TempDir())
	require.NoError(t, err)
	defer func() { _ = db.Close() }()
	cfg, err := configs.Load("", func(string) (string, bool) { return "", false })
	require.NoError(t, err)
	policy, err := cfg.Policy()
	require.NoError(t, err)
	tc, err := client.Dial(client.Options{HostPort: frontend, Namespace: qilian.DefaultNamespace, Logger: sdklog.NewStructuredLogger(enginetest.Quiet())})
	require.NoError(t, err)
	defer tc.Close()
	eng := &workflows.Client{Temporal: tc, Policy: policy}

	seen := map[string]bool{}
	for i, id := range ids {
		require.False(t, seen[id], "load %d: case %s opened for two openings", i, id)
		seen[id] = true
		wc, err := eng.Snapshot(ctx, id)
		require.NoError(t, err, "case %s", id)
		require.Equal(t, qilian.CaseInProgress, wc.State, "case %s", id)
		require.Len(t, wc.Tasks, 1, "case %s: one dispatch", id)
		require.Equal(t, qilian.TaskAccepted, wc.Tasks[0].State, "case %s", id)
		require.Eventually(t, func() bool {
			rc, err := db.CaseSnapshot(ctx, id)
			return err == nil && rc.Revision == wc.Revision && rc.State == wc.State &&
				len(rc.Tasks) == 1 && rc.Tasks[0].State == wc.Tasks[0].State
		}, time.Minute, 50*time.Millisecond, "the read model of %s converges on revision %d", id, wc.Revision)
		evs, err := db.Events(ctx, id)
		require.NoError(t, err)
		require.Len(t, evs, int(wc.Seq), "case %s: each audit event once", id)
		// An action emits one event for the case and one for each task it
		// moves: a dispatch or an acceptance done twice would repeat a pair.
		pairs := map[string]int{}
		for i, e := range evs {
			require.Equal(t, int64(i+1), e.Seq, "case %s: the trail is numbered without gaps", id)
			pairs[string(e.Type)+" "+e.TaskID]++
		}
		task := wc.Tasks[0].ID
		require.Equal(t, map[string]int{"opened ": 1, "dispatch ": 1, "dispatch " + task: 1, "accept " + task: 1, "accept ": 1}, pairs, "case %s", id)
	}
	var rows int64
	require.NoError(t, db.Gorm().WithContext(ctx).Table("cases").Count(&rows).Error)
	require.Equal(t, int64(cases), rows, "the read model holds the load's cases and nothing more")
}
