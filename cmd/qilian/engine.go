package main

import (
	"log/slog"

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
	cal, err := cfg.Calendar()
	if err != nil {
		return engineConfig{}, err
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
