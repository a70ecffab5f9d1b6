package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/qilian/qilian"
)

// Requests returns the cases the filter selects, newest first, from their
// snapshots.
func (db *DB) Requests(ctx context.Context, f qilian.RequestFilter) ([]qilian.Case, error) {
	fields := map[string]string{}
	if !validScope(f.ScopePath) {
		fields["scope"] = "required: a locality path such as /county/street/"
	}
	if len(f.IDs) > qilian.MaxRequests {
		fields["service_request_id"] = fmt.Sprintf("at most %d", qilian.MaxRequests)
	}
	if f.Limit < 0 || f.Limit > qilian.MaxRequests {
		fields["limit"] = fmt.Sprintf("from 1 to %d", qilian.MaxRequests)
	}
	if len(fields) > 0 {
		return nil, qilian.Invalid(fields)
	}
	limit := f.Limit
	if limit == 0 {
		limit = qilian.MaxRequests
	}
	q := db.scopeRange(db.gorm.WithContext(ctx).Table("cases").Select("snapshot"), "locality_path", f.ScopePath)
	if len(f.IDs) > 0 {
		q = q.Where("id IN ?", f.IDs)
	} else {
		if len(f.Categories) > 0 {
			q = q.Where("category IN ?", f.Categories)
		}
		terminal := []string{string(qilian.CaseClosed), string(qilian.CaseCancelled)}
		if f.Open != nil && *f.Open {
			q = q.Where("state NOT IN ?", terminal)
		} else if f.Open != nil {
			q = q.Where("state IN ?", terminal)
		}
		if !f.From.IsZero() {
			q = q.Where("opened_at >= ?", dbTime(f.From))
		}
		if !f.To.IsZero() {
			q = q.Where("opened_at < ?", dbTime(f.To))
		}
	}
	var snaps []string
	if err := q.Order("opened_at DESC, id DESC").Limit(limit).Pluck("snapshot", &snaps).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]qilian.Case, len(snaps))
	for i, s := range snaps {
		if err := json.Unmarshal([]byte(s), &out[i]); err != nil {
			return nil, fmt.Errorf("decode case snapshot: %w", err)
		}
	}
	return out, nil
}

// IdempotentCase returns the case a user's idempotency key opened, and
// ErrNotFound when the user never claimed the key.
func (db *DB) IdempotentCase(ctx context.Context, userID, key string) (string, error) {
	var r idempotencyRow
	if err := db.gorm.WithContext(ctx).Take(&r, "user_id = ? AND key = ?", userID, key).Error; err != nil {
		return "", translate(err)
	}
	return r.CaseID, nil
}
