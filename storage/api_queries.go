package storage

import (
	"context"

	"github.com/qilian/qilian"
)

// Token returns one token without its hash, so an administrator can see
// whose it is before revoking it.
func (db *DB) Token(ctx context.Context, id string) (qilian.Token, error) {
	var r tokenRow
	if err := db.gorm.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return qilian.Token{}, translate(err)
	}
	return qilian.Token{ID: r.ID, UserID: r.UserID, Label: r.Label, CreatedAt: r.CreatedAt, RevokedAt: r.RevokedAt}, nil
}
