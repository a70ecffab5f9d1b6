package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/configs"
	"github.com/qilian/qilian/demo"
	"github.com/qilian/qilian/storage/storagetest"
	"github.com/qilian/qilian/temporalserver"
	"github.com/qilian/qilian/workflows"
	"github.com/qilian/qilian/workflows/enginetest"
)

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = l.Close() }()
	return l.Addr().String()
}

// syncBuffer collects a process's log; the process writes while the test
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type serveProc struct {
	cancel context.CancelFunc
	done   chan error
	log    *syncBuffer
}

// startServe runs `qilian serve` in-process with the environment the test
// set, and waits until /readyz answers 200.
func startServe(t *testing.T, httpAddr string) *serveProc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &serveProc{cancel: cancel, done: make(chan error, 1), log: &syncBuffer{}}
	go func() { p.done <- run(ctx, []string{"serve"}, io.Discard, p.log) }()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get("http://" + httpAddr + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case err := <-p.done:
			t.Fatalf("serve stopped before it was ready: %v\n%s", err, p.log.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve not ready in time:\n%s", p.log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop sends the equivalent of SIGTERM and waits for a clean exit.
func (p *serveProc) stop(t *testing.T) {
	t.Helper()
	p.cancel()
	select {
	case err := <-p.done:
		require.NoError(t, err)
	case <-time.After(time.Minute):
		t.Fatalf("serve did not shut down:\n%s", p.log.String())
	}
}

func TestServeKeepsOpenCasesAcrossRestart(t *testing.T) {
	// postgres-temporal: Temporal's own store in PostgreSQL as well.
	for _, dialect := range []string{"sqlite", "postgres", "postgres-temporal"} {
		t.Run(dialect, func(t *testing.T) {
			dir := t.TempDir()
			httpAddr, frontend, ui := freePort(t), freePort(t), freePort(t)
			t.Setenv("QILIAN_DATA_DIR", dir)
			t.Setenv("QILIAN_HTTP_ADDR", httpAddr)
			t.Setenv("QILIAN_TEMPORAL_FRONTEND_ADDR", frontend)
			t.Setenv("QILIAN_TEMPORAL_UI_ADDR", ui)
			t.Setenv("QILIAN_LOG_LEVEL", "warn")
			const metricsToken = "serve-test-metrics-token"
			t.Setenv("QILIAN_METRICS_TOKEN", metricsToken)
			t.Setenv("QILIAN_DATABASE_URL", "")
			t.Setenv("QILIAN_TEMPORAL_DATABASE_URL", "")
			if dialect != "sqlite" {
				t.Setenv("QILIAN_DATABASE_URL", storagetest.FreshSchema(t))
			}
			if dialect == "postgres-temporal" {
				store, err := temporalserver.PostgresStoreURL(storagetest.PostgresURL(), fmt.Sprintf("qilian_serve_temporal_%d", time.Now().UnixNano()))
				require.NoError(t, err)
				t.Cleanup(func() { require.NoError(t, temporalserver.DropPostgresStore(store)) })
				t.Setenv("QILIAN_TEMPORAL_DATABASE_URL", store)
			}

			var seeded bytes.Buffer
			require.NoError(t, run(context.Background(), []string{"seed", "--demo", "--live", "0"}, &seeded, io.Discard))
			var logins map[string]struct {
				Token  string `json:"token"`
				UserID string `json:"user_id"`
			}
			require.NoError(t, json.Unmarshal(seeded.Bytes(), &logins))
			for _, r := range qilian.Roles() {
				require.True(t, strings.HasPrefix(logins[string(r)].Token, qilian.TokenPrefix), "token for %s", r)
			}

			p := startServe(t, httpAddr)
			resp, err := http.Get("http://" + ui + "/")
			require.NoError(t, err)
			_ = resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode, "the Temporal Web UI is served")
			metrics, err := http.Get("http://" + httpAddr + "/metrics")
			require.NoError(t, err)
			_ = metrics.Body.Close()
			require.Equal(t, http.StatusUnauthorized, metrics.StatusCode, "with a metrics token, loopback clients need it too")
			scrape, err := http.NewRequest(http.MethodGet, "http://"+httpAddr+"/metrics", nil)
			require.NoError(t, err)
			scrape.Header.Set("Authorization", "Bearer "+metricsToken)
			metrics, err = http.DefaultClient.Do(scrape)
			require.NoError(t, err)
			body, _ := io.ReadAll(metrics.Body)
			_ = metrics.Body.Close()
			require.Equal(t, http.StatusOK, metrics.StatusCode)
			require.Contains(t, string(body), "qilian_http_requests_total")
			dash, err := http.Get("http://" + httpAddr + "/")
			require.NoError(t, err)
			body, _ = io.ReadAll(dash.Body)
			_ = dash.Body.Close()
			require.Equal(t, http.StatusOK, dash.StatusCode)
			require.Equal(t, "/dashboard/", dash.Request.URL.Path, "/ leads to the dashboard")
			require.Contains(t, string(body), "js/app.js", "the binary serves the dashboard")

			c, err := client.Dial(client.Options{HostPort: frontend, Namespace: qilian.DefaultNamespace, Logger: sdklog.NewStructuredLogger(enginetest.Quiet())})
			require.NoError(t, err)
			cfg, err := configs.Load("", func(string) (string, bool) { return "", false })
			require.NoError(t, err)
			policy, err := cfg.Policy()
			require.NoError(t, err)
			eng := &workflows.Client{Temporal: c, Policy: policy}
			grid := qilian.Actor{UserID: "demo-grid", Role: qilian.RoleGridWorker, LocalityID: "dongzha-g1", LocalityPath: "/nanhu/jianshe/dongzha/dongzha-g1/"}
			axis := qilian.Actor{UserID: "demo-axis", Role: qilian.RoleAxis, LocalityID: "jianshe", LocalityPath: "/nanhu/jianshe/"}
			ctx := context.Background()
			_, err = eng.Open(ctx, qilian.OpenRequest{ID: "R1", Kind: qilian.KindServiceLinkage, Title: "重启前开的案件", Priority: qilian.PriorityNormal,
				LocalityID: "dongzha-g1", LocalityPath: grid.LocalityPath, GridID: "dongzha-g1"}, grid)
			require.NoError(t, err)
			c.Close()
			p.stop(t)

			p = startServe(t, httpAddr)
			defer p.stop(t)
			c, err = client.Dial(client.Options{HostPort: frontend, Namespace: qilian.DefaultNamespace, Logger: sdklog.NewStructuredLogger(enginetest.Quiet())})
			require.NoError(t, err)
			defer c.Close()
			d, err := c.DescribeWorkflowExecution(ctx, qilian.CaseWorkflowID("R1"), "")
			require.NoError(t, err)
			require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, d.GetWorkflowExecutionInfo().GetStatus())
			eng.Temporal = c
			after, err := eng.Act(ctx, "R1", qilian.Action{Name: qilian.ActDispatch, Actor: axis,
				Assignments: []qilian.Assignment{{UnitID: "u-mingyuan-property", Role: qilian.TaskLead, Required: true}}})
			require.NoError(t, err, "the case still takes actions after the restart")
			require.Equal(t, qilian.CaseDispatching, after.State)
			require.Equal(t, int64(2), after.Revision)
			if dialect == "postgres-temporal" {
				_, err := os.Stat(filepath.Join(dir, temporalserver.DBFile))
				require.ErrorIs(t, err, os.ErrNotExist, "Temporal's store is in PostgreSQL, not the data directory")
			}
		})
	}
}

func TestBadConfigurationNamesTheSetting(t *testing.T) {
	t.Setenv("QILIAN_HTTP_ADDR", "not-an-address")
	err := run(context.Background(), []string{"serve"}, io.Discard, io.Discard)
	require.ErrorContains(t, err, "QILIAN_HTTP_ADDR")

	t.Setenv("QILIAN_HTTP_ADDR", "127.0.0.1:0")
	t.Setenv("QILIAN_TEMPORAL_ADDRESS", "")
	err = run(context.Background(), []string{"worker"}, io.Discard, io.Discard)
	require.ErrorContains(t, err, "QILIAN_TEMPORAL_ADDRESS")
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"version"}, &out, io.Discard))
	require.Contains(t, out.String(), fmt.Sprintf("temporal server %s", "1.32.1"))
}

// serve wires the sign-in settings: a single sign-on provider that is
// down at the start leaves single sign-on unavailable, not serve dead,
// and the session policy is the configured one.
func TestServeRunsWithTheSSOProviderDown(t *testing.T) {
	httpAddr := freePort(t)
	t.Setenv("QILIAN_DATA_DIR", t.TempDir())
	t.Setenv("QILIAN_HTTP_ADDR", httpAddr)
	t.Setenv("QILIAN_TEMPORAL_FRONTEND_ADDR", freePort(t))
	t.Setenv("QILIAN_TEMPORAL_UI_ADDR", "off")
	t.Setenv("QILIAN_LOG_LEVEL", "warn")
	t.Setenv("QILIAN_DATABASE_URL", "")
	t.Setenv("QILIAN_OIDC_ISSUER", "http://"+freePort(t)+"/realms/gov") // nothing listens there
	t.Setenv("QILIAN_OIDC_CLIENT_ID", "qilian")
	t.Setenv("QILIAN_OIDC_REDIRECT_URL", "http://"+httpAddr+"/api/v1/sso/callback")
	t.Setenv("QILIAN_SESSION_IDLE", "45m")
	t.Setenv("QILIAN_SECURE_COOKIE", "true")

	var seeded bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"seed", "--demo", "--live", "0"}, &seeded, io.Discard))
	var logins map[string]struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	require.NoError(t, json.Unmarshal(seeded.Bytes(), &logins))
	p := startServe(t, httpAddr)
	defer p.stop(t)
	require.Contains(t, p.log.String(), "single sign-on is unavailable")

	res, err := http.Get("http://" + httpAddr + "/api/v1/sso")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.JSONEq(t, `{"enabled": true, "available": false, "label": "政务单点登录"}`, string(body))

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err = noFollow.Get("http://" + httpAddr + "/api/v1/sso/login")
	require.NoError(t, err)
	_ = res.Body.Close()
	require.Equal(t, http.StatusFound, res.StatusCode)
	require.Equal(t, "/dashboard/#/signin?sso=unavailable", res.Header.Get("Location"))

	grid := logins[string(qilian.RoleGridWorker)]
	in, err := json.Marshal(map[string]string{"username": grid.Username, "password": grid.Password})
	require.NoError(t, err)
	res, err = http.Post("http://"+httpAddr+"/api/v1/sessions", "application/json", bytes.NewReader(in))
	require.NoError(t, err)
	body, _ = io.ReadAll(res.Body)
	_ = res.Body.Close()
	require.Equal(t, http.StatusCreated, res.StatusCode, "%s", body)
	var session struct {
		Idle int `json:"idle_timeout_seconds"`
	}
	require.NoError(t, json.Unmarshal(body, &session))
	require.Equal(t, 45*60, session.Idle)
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "qilian_session" {
			cookie = c
		}
	}
	require.NotNil(t, cookie)
	require.True(t, cookie.Secure, "a proxy ends TLS: the cookie is Secure on plain HTTP too")
}

// `seed --demo` needs the engine for its open cases: before `serve` it
// says so and writes nothing; with `serve` running it leaves a district
// at work, where the district supervisor's overdue board is not blank and
// the scores have months of figures.
func TestSeedLeavesADistrictAtWork(t *testing.T) {
	dir := t.TempDir()
	httpAddr := freePort(t)
	t.Setenv("QILIAN_DATA_DIR", dir)
	t.Setenv("QILIAN_HTTP_ADDR", httpAddr)
	t.Setenv("QILIAN_TEMPORAL_FRONTEND_ADDR", freePort(t))
	t.Setenv("QILIAN_TEMPORAL_UI_ADDR", "off")
	t.Setenv("QILIAN_LOG_LEVEL", "warn")
	t.Setenv("QILIAN_DATABASE_URL", "")

	var out bytes.Buffer
	err := run(context.Background(), []string{"seed", "--demo"}, &out, io.Discard)
	require.ErrorContains(t, err, "start `qilian serve` first, or pass --live 0")
	require.Empty(t, out.String())
	files, _ := os.ReadDir(dir)
	require.Empty(t, files, "nothing written before the engine answered")

	p := startServe(t, httpAddr)
	defer p.stop(t)
	var report syncBuffer
	require.NoError(t, run(context.Background(), []string{"seed", "--demo", "--live", "40"}, &out, &report))
	require.Contains(t, report.String(), "40 open cases opened in the engine")
	var seeded struct {
		Supervisor struct {
			Token string `json:"token"`
		} `json:"supervisor"`
		Users map[string]struct {
			Token string `json:"token"`
		} `json:"users"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &seeded))
	require.Len(t, seeded.Users, len(demo.Users), "a login for every demo user")
	for id, l := range seeded.Users {
		require.True(t, strings.HasPrefix(l.Token, qilian.TokenPrefix), "token for %s", id)
	}

	get := func(path string, into any) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, "http://"+httpAddr+path, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+seeded.Supervisor.Token)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer func() { _ = res.Body.Close() }()
		body, _ := io.ReadAll(res.Body)
		require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
		require.NoError(t, json.Unmarshal(body, into), "%s", body)
	}
	var board struct {
		Overdue []struct {
			CaseID string `json:"case_id"`
		} `json:"overdue"`
	}
	get("/api/v1/overdue", &board)
	require.NotEmpty(t, board.Overdue, "the district supervisor's first look is not a blank board")

	var trend struct {
		Items []struct {
			Rates struct {
				Response struct {
					Total int `json:"total"`
				} `json:"response"`
			} `json:"rates"`
		} `json:"items"`
	}
	get("/api/v1/scores/trend?type=locality&id=nanhu&count=4&period="+time.Now().Format("2006-01"), &trend)
	months := 0
	for _, it := range trend.Items {
		if it.Rates.Response.Total > 0 {
			months++
		}
	}
	require.GreaterOrEqual(t, months, 3, "the scores have months of figures: %+v", trend.Items)
}
