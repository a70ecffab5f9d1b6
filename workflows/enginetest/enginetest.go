// Package enginetest runs the whole case engine for tests: the embedded
// Temporal server on a SQLite file, a worker with the real workflow and
// activities, and a read model on SQLite or PostgreSQL. One Temporal
// server serves a whole test binary; each Start gets its own namespace,
// task queue and database, so tests do not see each other's cases.
package enginetest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/calendar"
	"github.com/qilian/qilian/configs"
	"github.com/qilian/qilian/demo"
	"github.com/qilian/qilian/files"
	"github.com/qilian/qilian/storage"
	"github.com/qilian/qilian/storage/storagetest"
	"github.com/qilian/qilian/temporalserver"
	"github.com/qilian/qilian/workflows"
)

// Env is a running engine.
type Env struct {
	Engine   *workflows.Client
	Temporal client.Client
	DB       *storage.DB
	Policy   qilian.Policy
	Calendar *calendar.Calendar
	// Logins are the demo users, by user ID, with fresh tokens.
	Logins map[string]demo.Login
	// Files is a file store of the test's own.
	Files files.Store
}

var (
	serverOnce sync.Once
	serverAddr string
	serverErr  error
	// namespaces are created with the server, so a test never waits for a
	// new namespace to reach the server's caches; each Start takes one.
	namespaces = make(chan string, poolSize)
)

const poolSize = 64

// Quiet is a logger that drops everything; set QILIAN_TEST_LOG=1 to see
// the engine's logs.
func Quiet() *slog.Logger {
	if os.Getenv("QILIAN_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// server starts the process-wide embedded Temporal once. It lives until the
// test binary exits, in a directory removed afterwards by the OS temp
// cleaner; tests never stop it.
func server() (string, error) {
	serverOnce.Do(func() {
		dir, err := os.MkdirTemp("", "qilian-enginetest-")
		if err != nil {
			serverErr = err
			return
		}
		var pool []string
		for i := range poolSize {
			pool = append(pool, fmt.Sprintf("qtest-%02d", i))
		}
		srv, err := temporalserver.Start(temporalserver.Options{
			DataDir: dir, FrontendAddr: "127.0.0.1:0", Namespace: "qilian-test-base",
			Retention: 24 * time.Hour, Log: Quiet(),
			ExtraNamespaces: pool, SearchAttributes: workflows.SearchAttributes(),
		})
		if err != nil {
			serverErr = err
			return
		}
		serverAddr = srv.FrontendAddr()
		for _, ns := range pool {
			namespaces <- ns
		}
	})
	return serverAddr, serverErr
}

// Options tune Start.
type Options struct {
	// Dialect of the read model: "sqlite" (default) or "postgres".
	Dialect string
	// Policy replaces the configured default policy.
	Policy *qilian.Policy
	// Calendar replaces the configured calendar in the worker; Env.Calendar
	// stays the configured one.
	Calendar qilian.WorkingTime
	// HistoryEvents bounds one run's history (workflows.Engine); zero is
	// the default.
	HistoryEvents int
}

// Start runs an engine for the test and stops it when the test ends.
func Start(t testing.TB, o Options) *Env {
	t.Helper()
	addr, err := server()
	if err != nil {
		t.Fatalf("embedded temporal: %v", err)
	}
	cfg, err := configs.Load("", func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	policy, err := cfg.Policy()
	if err != nil {
		t.Fatal(err)
	}
	if o.Policy != nil {
		policy = *o.Policy
	}
	cal, err := cfg.Calendar()
	if err != nil {
		t.Fatal(err)
	}
	if o.Dialect == "" {
		o.Dialect = "sqlite"
	}
	db := storagetest.Open(t, o.Dialect)

	var ns string
	select {
	case ns = <-namespaces:
	default:
		t.Fatalf("enginetest: all %d namespaces are taken; raise poolSize", poolSize)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := temporalserver.Dial(ctx, client.Options{HostPort: addr, Namespace: ns, Logger: sdklog.NewStructuredLogger(Quiet())}, Quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	w := worker.New(c, qilian.TaskQueue, worker.Options{})
	var work qilian.WorkingTime = cal
	if o.Calendar != nil {
		work = o.Calendar
	}
	eng := &workflows.Engine{Policy: policy, Calendar: work, HistoryEvents: o.HistoryEvents}
	eng.RegisterWith(w, db)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)

	logins, err := demo.Seed(ctx, db, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return &Env{
		Engine:   &workflows.Client{Temporal: c, Policy: policy},
		Temporal: c, DB: db, Policy: policy, Calendar: cal, Logins: logins, Files: files.Dir(t.TempDir()),
	}
}

// Actor returns the engine's view of a demo user.
func (e *Env) Actor(t testing.TB, userID string) qilian.Actor {
	t.Helper()
	ctx := context.Background()
	u, err := e.DB.User(ctx, userID)
	if err != nil {
		t.Fatalf("demo user %s: %v", userID, err)
	}
	a, err := e.DB.Actor(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
