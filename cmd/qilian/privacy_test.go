package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/storage/storagetest"
)

// The worker's sweep erases a case closed past the retention, and keeps
// going until it is stopped.
func TestErasePersonalDataSweep(t *testing.T) {
	db := storagetest.Open(t, "sqlite")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	closed := time.Now().AddDate(0, 0, -40)
	c := qilian.Case{ID: "C-old", Kind: qilian.KindServiceLinkage, Title: "旧案", Priority: qilian.PriorityNormal,
		LocalityID: "s1", LocalityPath: "/county/s1/", State: qilian.CaseClosed, Resolution: qilian.ResolutionResolved,
		OpenedAt: closed.AddDate(0, 0, -3), UpdatedAt: closed, ClosedAt: closed, Revision: 5,
		Reporter: qilian.Reporter{Name: "李阿姨", Phone: "13800000000"}}
	require.NoError(t, db.SyncCase(ctx, c, nil))

	done := make(chan struct{})
	go func() {
		defer close(done)
		erasePersonalData(ctx, db, 30*24*time.Hour, 10*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	require.Eventually(t, func() bool {
		got, err := db.CaseSnapshot(ctx, "C-old")
		return err == nil && got.Reporter == qilian.Reporter{}
	}, 10*time.Second, 20*time.Millisecond)
	cancel()
	<-done
}
