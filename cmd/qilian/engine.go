package main

import (
	"context"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/qilian/qilian/internal/app"
	"github.com/qilian/qilian/storage"
	"github.com/qilian/qilian/workflows"
)

// retimeProvisional has every case whose provisional deadlines would move
// on this process's calendar count them again: the calendar may have
// gained official years since the deadlines were counted.
func retimeProvisional(ctx context.Context, c client.Client, db *storage.DB, e app.Engine, log *slog.Logger) {
	k := &workflows.Client{Temporal: c, Policy: e.Policy}
	n, err := k.RetimeProvisional(ctx, db, e.Calendar, time.Now())
	if err != nil && ctx.Err() == nil {
		log.Warn("re-timing provisional deadlines", "error", err, "cases_signalled", n)
		return
	}
	if n > 0 {
		log.Info("re-timing provisional deadlines on the official calendar", "cases", n)
	}
}

// erasePersonalData erases the personal data of cases closed longer than
// retention ago, at start and then every interval, until ctx ends. Two
// workers doing it at once erase the same cases twice, harmlessly.
func erasePersonalData(ctx context.Context, db *storage.DB, retention, every time.Duration, log *slog.Logger) {
	for {
		n, err := db.ErasePersonalData(ctx, time.Now().Add(-retention))
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("erasing personal data of closed cases", "error", err, "cases", n)
		case n > 0:
			log.Info("erased the personal data of closed cases past retention", "cases", n, "retention", retention)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
