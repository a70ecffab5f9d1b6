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
	"os"
	"os/signal"
	"syscall"

	"github.com/qilian/qilian/bench"
	"github.com/qilian/qilian/internal/app"
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
  seed --demo  load the demo district (open cases need serve running) and print logins as JSON
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
		return bench.Main(ctx, args, stdout, stderr)
	case "calendar":
		return runCalendar(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintf(stdout, "qilian %s (%s; temporal server %s)\n", version, app.BuildInfo(), temporalserver.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}
