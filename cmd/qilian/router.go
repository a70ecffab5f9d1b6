package main

import (
	"log/slog"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"github.com/qilian/qilian/api"
	"github.com/qilian/qilian/configs"
	"github.com/qilian/qilian/storage"
)

// newAPIRouter wires the HTTP API for serve and api.
func newAPIRouter(ops api.Ops, c client.Client, db *storage.DB, e engineConfig, cfg configs.Config, log *slog.Logger) *gin.Engine {
	return api.NewOpsRouter(ops)
}
