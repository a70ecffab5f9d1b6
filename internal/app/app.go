// Package app is how the qilian binary puts the engine together: the
// configuration and logger every command starts from, the read model, the
// case engine's registration on a worker, and the HTTP API's router.
//
// cmd/qilian runs it as serve, api and worker; the bench (package bench)
// starts the same pieces on loopback, so that what it measures is what
// the binary serves. It is internal: nothing outside this module builds on
// it.
package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/qilian/qilian/configs"
)

// Flags parses a command's flags, --config and whatever extra adds, and
// returns the loaded configuration and a logger built from it: configs's
// defaults, then the file named by --config or QILIAN_CONFIG, then
// QILIAN_* environment variables.
func Flags(name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (configs.Config, *slog.Logger, *flag.FlagSet, error) {
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
	return cfg, NewLogger(cfg, stderr), fs, nil
}

// NewLogger is the logger the configuration asks for, writing to w.
func NewLogger(cfg configs.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// BuildInfo is the Go version and, when the binary was built from a
// checkout, its revision (with +dirty when it had changes).
func BuildInfo() string {
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

// AtLeast is log with every record below min dropped, whatever log's own
// level is.
func AtLeast(log *slog.Logger, min slog.Level) *slog.Logger {
	return slog.New(levelFloor{log.Handler(), min})
}

type levelFloor struct {
	slog.Handler
	min slog.Level
}

func (h levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelFloor) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFloor{h.Handler.WithAttrs(a), h.min}
}

func (h levelFloor) WithGroup(n string) slog.Handler {
	return levelFloor{h.Handler.WithGroup(n), h.min}
}

// LimitMemory sets Go's soft memory limit to engine.memory_limit_mib
// unless GOMEMLIMIT already set one (the runtime read it at start) or the
// setting is 0.
func LimitMemory(cfg configs.Config, log *slog.Logger) {
	if v, set := os.LookupEnv("GOMEMLIMIT"); set {
		log.Debug("memory limit from GOMEMLIMIT", "limit", v)
		return
	}
	if cfg.Engine.MemoryLimitMiB == 0 {
		return
	}
	debug.SetMemoryLimit(int64(cfg.Engine.MemoryLimitMiB) << 20)
}
