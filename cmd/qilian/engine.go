package main

import (
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/activities"
	"github.com/qilian/qilian/calendar"
	"github.com/qilian/qilian/configs"
	"github.com/qilian/qilian/storage"
	"github.com/qilian/qilian/workflows"
)

// engineConfig is the policy and calendar a process runs cases under.
type engineConfig struct {
	Policy   qilian.Policy
	Calendar *calendar.Calendar
}

func loadEngine(cfg configs.Config) (engineConfig, error) {
	policy, err := cfg.Policy()
	if err != nil {
		return engineConfig{}, err
	}
	var dir fs.FS = configs.Calendars()
	if cfg.Calendar.Dir != "" {
		dir = os.DirFS(cfg.Calendar.Dir)
	}
	cal, err := calendar.LoadFS(dir, ".")
	if err != nil {
		return engineConfig{}, fmt.Errorf("calendar.dir (QILIAN_CALENDAR_DIR): %w", err)
	}
	periods, err := cfg.WorkingHours()
	if err != nil {
		return engineConfig{}, err
	}
	hours := calendar.Hours{}
	for _, p := range periods {
		hours.Periods = append(hours.Periods, calendar.Period{Start: p[0], End: p[1]})
	}
	if cal, err = cal.WithHours(hours); err != nil {
		return engineConfig{}, fmt.Errorf("calendar.working_hours: %w", err)
	}
	return engineConfig{Policy: policy, Calendar: cal}, nil
}

// registerEngine registers the case workflow and its activities under
// their durable names.
func registerEngine(w worker.Worker, db *storage.DB, e engineConfig, log *slog.Logger) {
	eng := &workflows.Engine{Policy: e.Policy, Calendar: e.Calendar}
	w.RegisterWorkflowWithOptions(eng.Run, workflow.RegisterOptions{Name: qilian.CaseWorkflowName})
	w.RegisterActivityWithOptions(&activities.Activities{Store: db}, activity.RegisterOptions{})
	log.Debug("registered case engine", "workflow", qilian.CaseWorkflowName, "task_queue", qilian.TaskQueue)
}
