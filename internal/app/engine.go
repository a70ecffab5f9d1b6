package app

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"go.temporal.io/sdk/worker"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/calendar"
	"github.com/qilian/qilian/configs"
	"github.com/qilian/qilian/files"
	"github.com/qilian/qilian/storage"
	"github.com/qilian/qilian/workflows"
)

// Engine is the policy and calendar a process runs cases under.
type Engine struct {
	Policy   qilian.Policy
	Calendar *calendar.Calendar
	// Duplicates says which cases a new one may duplicate (the API's).
	Duplicates qilian.DuplicateRule
	// Files keeps attached files' bytes: the data directory's files/ (one
	// node; processes on several share it or use another files.Store).
	Files files.Store
	// Map is what the pages draw outlines over (the API's); its
	// TileOrigin is where the dashboard's images may come from.
	Map configs.Map
}

// LoadEngine reads the configured policy and calendar.
func LoadEngine(cfg configs.Config) (Engine, error) {
	policy, err := cfg.Policy()
	if err != nil {
		return Engine{}, err
	}
	cal, err := cfg.Calendar()
	if err != nil {
		return Engine{}, err
	}
	return Engine{Policy: policy, Calendar: cal, Duplicates: cfg.DuplicateRule(), Files: files.Dir(filepath.Join(cfg.DataDir, "files")),
		Map: cfg.Map}, nil
}

// Register registers the case workflow and its activities under their
// durable names.
func (e Engine) Register(w worker.Worker, db *storage.DB, log *slog.Logger) {
	eng := &workflows.Engine{Policy: e.Policy, Calendar: e.Calendar}
	eng.RegisterWith(w, db)
	log.Debug("registered case engine", "workflow", qilian.CaseWorkflowName, "task_queue", qilian.TaskQueue)
}

// OpenReadModel opens the configured read model and migrates it; several
// processes may do this at once (the migration takes a lock).
func OpenReadModel(ctx context.Context, cfg configs.Config, log *slog.Logger) (*storage.DB, error) {
	db, err := storage.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	if err := db.Migrate(ctx, log); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}
