package main

import (
	"log/slog"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"github.com/qilian/qilian/api"
	"github.com/qilian/qilian/points"
	"github.com/qilian/qilian/storage"
	"github.com/qilian/qilian/web"
	"github.com/qilian/qilian/workflows"
)

// newAPIRouter wires the HTTP API for serve and api: the case API on the
// engine's client and the read model, with the operations endpoints, and
// the dashboard at /dashboard/.
func newAPIRouter(ops api.Ops, c client.Client, db *storage.DB, e engineConfig, indicators *points.Set, log *slog.Logger) *gin.Engine {
	r := api.New(api.Server{
		Ops:        ops,
		Engine:     &workflows.Client{Temporal: c, Policy: e.Policy},
		Store:      db,
		Indicators: indicators,
		Calendar:   e.Calendar,
		Log:        log,
	})
	web.Mount(r)
	return r
}
