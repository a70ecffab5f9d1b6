package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/api"
	"github.com/qilian/qilian/internal/app"
	"github.com/qilian/qilian/temporalserver"
	"github.com/qilian/qilian/workflows"
)

// runProcess runs serve, api or worker until ctx ends, then shuts down in
// the order that loses nothing: stop taking requests, let the worker finish
// its tasks, close the client, stop the embedded server last.
func runProcess(ctx context.Context, mode string, args []string, stderr io.Writer) error {
	cfg, log, _, err := app.Flags(mode, args, stderr, nil)
	if err != nil {
		return err
	}
	log.Info("starting qilian", "mode", mode, "version", version, "config", cfg)
	app.LimitMemory(cfg, log)
	if mode != "serve" {
		if cfg.Embedded() {
			return fmt.Errorf("qilian %s runs against an external Temporal: set QILIAN_TEMPORAL_ADDRESS (or run qilian serve for everything in one process)", mode)
		}
		if !cfg.Postgres() {
			return fmt.Errorf("qilian %s runs beside other processes and needs PostgreSQL: set QILIAN_DATABASE_URL=postgres://…", mode)
		}
	}
	engine, err := app.LoadEngine(cfg)
	if err != nil {
		return err
	}
	indicators, err := cfg.Indicators()
	if err != nil {
		return err
	}

	db, err := app.OpenReadModel(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()

	// Bind the HTTP port before anything slow, so a taken port fails fast.
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("http_addr (QILIAN_HTTP_ADDR) %s: %w", cfg.HTTPAddr, err)
	}
	defer func() { _ = ln.Close() }()

	address := cfg.Temporal.Address
	if mode == "serve" && cfg.Embedded() {
		ui := ""
		if cfg.UIEnabled() {
			ui = cfg.Temporal.Embedded.UIAddr
		}
		srv, err := temporalserver.Start(temporalserver.Options{
			DataDir:          cfg.DataDir,
			FrontendAddr:     cfg.Temporal.Embedded.FrontendAddr,
			UIAddr:           ui,
			Namespace:        cfg.Temporal.Namespace,
			Retention:        cfg.Temporal.Retention.Wall(),
			SearchAttributes: workflows.SearchAttributes(),
			Log:              temporalLog(log),
			DatabaseURL:      cfg.Temporal.Embedded.DatabaseURL,
			HistoryShards:    int32(cfg.Temporal.Embedded.HistoryShards), // at most 16384 (Validate)
			HistoryCache:     cfg.Temporal.Embedded.HistoryCache,
		})
		if err != nil {
			return err
		}
		defer srv.Stop()
		address = srv.FrontendAddr()
	}

	dialCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	c, err := temporalserver.Dial(dialCtx, client.Options{
		HostPort:  address,
		Namespace: cfg.Temporal.Namespace,
		Logger:    sdklog.NewStructuredLogger(log.With("component", "temporal-sdk")),
	}, log)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := temporalserver.Ensure(dialCtx, c, cfg.Temporal.Namespace, cfg.Temporal.Retention.Wall(), workflows.SearchAttributes(), log); err != nil {
		return err
	}

	if mode != "api" {
		// Process-wide, and only before the first worker starts.
		worker.SetStickyWorkflowCacheSize(cfg.Engine.WorkflowCache)
		w := worker.New(c, qilian.TaskQueue, worker.Options{
			// In-flight activities get this long to finish at shutdown.
			WorkerStopTimeout: 20 * time.Second,
		})
		engine.Register(w, db, log)
		if err := w.Start(); err != nil {
			return fmt.Errorf("start worker: %w", err)
		}
		defer w.Stop()
		go retimeProvisional(ctx, c, db, engine, log)
		go erasePersonalData(ctx, db, cfg.Privacy.PersonalDataRetention.Wall(), time.Hour, log)
	}

	reg := api.NewRegistry()
	if cfg.Metrics.Token == "" && !loopbackAddr(cfg.HTTPAddr) {
		log.Warn("no metrics token: /metrics answers loopback clients only; set QILIAN_METRICS_TOKEN for a scraper elsewhere", "http_addr", cfg.HTTPAddr)
	}
	ops := api.Ops{
		Registry:     reg,
		Log:          log,
		MetricsToken: cfg.Metrics.Token,
		Checks: []api.Check{
			{Name: "database", Run: db.Ping},
			{Name: "temporal", Run: func(ctx context.Context) error {
				_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
				return err
			}},
		},
	}
	var handler *gin.Engine
	if mode == "worker" {
		handler = api.NewOpsRouter(ops)
	} else {
		handler = app.NewAPIRouter(ops, c, db, engine, indicators, app.LoadSignIn(ctx, cfg, log), log)
	}
	httpSrv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- httpSrv.Serve(ln) }()
	log.Info("qilian is ready", "mode", mode, "http", "http://"+ln.Addr().String(), "temporal", address, "namespace", cfg.Temporal.Namespace)

	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server failed", "error", err)
		}
	}
	shutdownCtx, cancelShutdown := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancelShutdown()
	if err := httpSrv.Shutdown(shutdownCtx); err != nil {
		log.Warn("http shutdown", "error", err)
	}
	// The deferred calls now stop the worker, close the client, stop the
	// embedded server and close the database, in that order.
	return nil
}

// loopbackAddr reports whether a listen address (host:port) takes
// connections from the loopback interface only.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// temporalLog keeps the embedded server's own chatter at warnings unless
// debugging: it logs at info level many times a second.
func temporalLog(log *slog.Logger) *slog.Logger {
	if log.Enabled(context.Background(), slog.LevelDebug) {
		return log
	}
	return app.AtLeast(log, slog.LevelWarn)
}
