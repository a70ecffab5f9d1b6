package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/qilian/qilian"
)

// eraseBatch bounds one pass of ErasePersonalData.
const eraseBatch = 200

// ErasePersonalData erases the reporter's name, phone and mail, and a
// member's phone, from every case closed or cancelled before closedBefore,
// in the row and in its snapshot, and marks it so; it returns how many
// cases it erased. What is left (the case, its trail, its points) names
// no resident. Closed workflows keep their history in Temporal until the
// namespace's retention deletes them.
func (db *DB) ErasePersonalData(ctx context.Context, closedBefore time.Time) (int, error) {
	total := 0
	for {
		var rows []caseRow
		err := db.gorm.WithContext(ctx).Select("id, snapshot").
			Where("NOT personal_erased AND closed_at IS NOT NULL AND closed_at < ?", dbTime(closedBefore)).
			Where("state IN ?", []string{string(qilian.CaseClosed), string(qilian.CaseCancelled)}).
			Order("closed_at, id").Limit(eraseBatch).Find(&rows).Error
		if err != nil {
			return total, translate(err)
		}
		for _, r := range rows {
			if err := db.erase(ctx, r); err != nil {
				return total, err
			}
			total++
		}
		if len(rows) < eraseBatch {
			return total, nil
		}
	}
}

func (db *DB) erase(ctx context.Context, r caseRow) error {
	var c qilian.Case
	if err := json.Unmarshal([]byte(r.Snapshot), &c); err != nil {
		return fmt.Errorf("decode snapshot of case %s: %w", r.ID, err)
	}
	c.Reporter = qilian.Reporter{}
	if m := c.Details.Member; m != nil {
		m.Phone = ""
	}
	snap, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode snapshot of case %s: %w", r.ID, err)
	}
	return translate(db.gorm.WithContext(ctx).Model(&caseRow{}).Where("id = ?", r.ID).Updates(map[string]any{
		"snapshot": string(snap), "reporter_name": "", "reporter_phone": "", "personal_erased": true,
	}).Error)
}
