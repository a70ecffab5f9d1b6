package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/storage"
	"github.com/qilian/qilian/storage/storagetest"
)

// Personal data goes once the retention after the close has passed: from
// the row and the snapshot, for closed and cancelled cases only, once.
func TestErasePersonalData(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
		resident := qilian.Reporter{Name: "李阿姨", Phone: "13800000000", Email: "li@example.cn"}
		mk := func(id string, state qilian.CaseState, closed time.Time) {
			c := newCase(id, "/county/s1/", now.AddDate(-2, 0, 0))
			c.State, c.Reporter = state, resident
			if !closed.IsZero() {
				c.ClosedAt = closed
			}
			if id == "member" {
				c.Kind = qilian.KindMemberManagement
				c.Details.Member = &qilian.Member{Name: "王明", Phone: "13900000000", HomeUnitID: "u1"}
			}
			mustSync(t, db, c)
		}
		mk("old-closed", qilian.CaseClosed, now.AddDate(-1, -1, 0))
		mk("old-cancelled", qilian.CaseCancelled, now.AddDate(-1, -1, 0))
		mk("member", qilian.CaseClosed, now.AddDate(-1, -1, 0))
		mk("recent", qilian.CaseClosed, now.AddDate(0, -1, 0))
		mk("open", qilian.CaseInProgress, time.Time{})

		n, err := db.ErasePersonalData(ctx, now.AddDate(-1, 0, 0))
		require.NoError(t, err)
		require.Equal(t, 3, n)
		for _, id := range []string{"old-closed", "old-cancelled", "member"} {
			c, err := db.CaseSnapshot(ctx, id)
			require.NoError(t, err)
			require.Equal(t, qilian.Reporter{}, c.Reporter, id)
			require.Equal(t, "case "+id, c.Title, "the rest of the case stays")
		}
		m, err := db.CaseSnapshot(ctx, "member")
		require.NoError(t, err)
		require.Empty(t, m.Details.Member.Phone)
		require.Equal(t, "王明", m.Details.Member.Name, "the member's name stays with their service record")
		for _, id := range []string{"recent", "open"} {
			c, err := db.CaseSnapshot(ctx, id)
			require.NoError(t, err)
			require.Equal(t, resident, c.Reporter, id)
		}
		// Nothing is left to erase, and a search by the name finds nothing.
		n, err = db.ErasePersonalData(ctx, now.AddDate(-1, 0, 0))
		require.NoError(t, err)
		require.Zero(t, n)
		var left int64
		require.NoError(t, db.Gorm().WithContext(ctx).Table("cases").
			Where("reporter_phone <> '' AND id IN ?", []string{"old-closed", "old-cancelled", "member"}).Count(&left).Error)
		require.Zero(t, left)
	})
}
