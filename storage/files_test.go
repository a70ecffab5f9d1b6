package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/storage"
	"github.com/qilian/qilian/storage/storagetest"
)

// A kept file is the case's once the case names it anywhere: among its
// own attachments, a task's, or what an action carried on its event.
func TestFileCasesFollowEveryNaming(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
		before, work, check := "/api/v1/files/"+strings.Repeat("a", 64), "/api/v1/files/"+strings.Repeat("b", 64), "/api/v1/files/"+strings.Repeat("c", 64)
		c := newCase("F", "/county/s1/", t0)
		c.Attachments = []string{before}
		tk := task("F-t1", "u1", qilian.TaskResolved, t0.Add(time.Hour), t0.Add(48*time.Hour))
		tk.Attachments = []string{work}
		c.Tasks = []qilian.Task{tk}
		verify := qilian.Event{Seq: 1, At: t0, Actor: qilian.Actor{UserID: "axis", Role: qilian.RoleAxis}, Type: qilian.EventOf(qilian.ActVerify),
			Attachments: []string{check, "https://example.com/report.pdf"}}
		require.NoError(t, db.SyncCase(ctx, c, []qilian.Event{verify}))
		other := newCase("G", "/county/s2/", t0)
		require.NoError(t, db.SyncCase(ctx, other, nil))

		for _, url := range []string{before, work, check} {
			ids, err := db.FileCases(ctx, url[len("/api/v1/files/"):])
			require.NoError(t, err)
			require.Equal(t, []string{"F"}, ids, url)
		}
		evs, err := db.Events(ctx, "F")
		require.NoError(t, err)
		require.Equal(t, []string{check, "https://example.com/report.pdf"}, evs[0].Attachments, "the event keeps them")
	})
}
