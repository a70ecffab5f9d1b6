// Command qilian runs the Qilian case engine.
//
//	qilian serve      all in one: embedded Temporal, worker and HTTP API
//	qilian api        HTTP API against an external Temporal and PostgreSQL
//	qilian worker     Temporal worker against an external Temporal and PostgreSQL
//	qilian migrate    bring the read-model schema up to date
//	qilian seed --demo
//	                  load the demo district and print a token per role
//	qilian user add|revoke|list
//	qilian calendar YEAR
//	                  print a year's holidays and make-up working days, and their source
//	qilian version
//	qilian bench      measure Qilian against bare baselines (BENCHMARKS.md)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/qilian/qilian/configs"
	"github.com/qilian/qilian/temporalserver"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "qilian:", err)
		}
		os.Exit(1)
	}
}

const usage = `usage: qilian <command> [flags]

commands:
  serve        all in one: embedded Temporal, worker and HTTP API (no setup needed)
  api          HTTP API against an external Temporal and PostgreSQL
  worker       Temporal worker against an external Temporal and PostgreSQL
  migrate      bring the read-model schema up to date
  seed --demo  load the demo district and print a token per role as JSON
  user         add, revoke or list users and their tokens
  calendar Y   print year Y's holidays and make-up working days, and their source
  version      print the version
  bench        measure Qilian side by side with bare baselines (see BENCHMARKS.md)

Every command reads configs/qilian.yaml's defaults, then the file named by
--config or QILIAN_CONFIG, then QILIAN_* environment variables.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "serve", "api", "worker":
		return runProcess(ctx, cmd, args, stderr)
	case "migrate":
		return runMigrate(ctx, args, stderr)
	case "seed":
		return runSeed(ctx, args, stdout, stderr)
	case "user":
		return runUser(ctx, args, stdout, stderr)
	case "bench":
		return runBench(ctx, args, stdout, stderr)
	case "calendar":
		return runCalendar(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintf(stdout, "qilian %s (%s; temporal server %s)\n", version, buildInfo(), temporalserver.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func buildInfo() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "no build info"
	}
	rev, dirty := "", ""
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev == "" {
		return bi.GoVersion
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	return bi.GoVersion + ", " + rev + dirty
}

// commonFlags parses --config and returns the loaded configuration and a
// logger built from it.
func commonFlags(name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (configs.Config, *slog.Logger, *flag.FlagSet, error) {
	fs := flag.NewFlagSet("qilian "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", os.Getenv("QILIAN_CONFIG"), "configuration file (YAML); overrides the built-in defaults")
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return configs.Config{}, nil, nil, err
	}
	cfg, err := configs.Load(*path, os.LookupEnv)
	if err != nil {
		return configs.Config{}, nil, nil, fmt.Errorf("configuration: %w", err)
	}
	return cfg, newLogger(cfg, stderr), fs, nil
}

func newLogger(cfg configs.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
