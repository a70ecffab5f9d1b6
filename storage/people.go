package storage

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/qilian/qilian"
)

type userRow struct {
	ID                 string `gorm:"primaryKey"`
	Name               string
	Role               string
	LocalityID         *string
	UnitID             *string
	Username           *string
	PasswordHash       string
	MustChangePassword bool
	FailedLogins       int
	LockedUntil        *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (userRow) TableName() string { return "users" }

func userFromRow(r userRow) qilian.User {
	return qilian.User{ID: r.ID, Name: r.Name, Role: qilian.Role(r.Role), LocalityID: deref(r.LocalityID), UnitID: deref(r.UnitID), Username: deref(r.Username)}
}

type tokenRow struct {
	ID        string `gorm:"primaryKey"`
	UserID    string
	Hash      string
	Label     string
	CreatedAt time.Time
	RevokedAt *time.Time
}

func (tokenRow) TableName() string { return "tokens" }

// User returns one user.
func (db *DB) User(ctx context.Context, id string) (qilian.User, error) {
	var r userRow
	if err := db.gorm.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return qilian.User{}, translate(err)
	}
	return userFromRow(r), nil
}

// Users returns every user, by ID.
func (db *DB) Users(ctx context.Context) ([]qilian.User, error) {
	var rows []userRow
	if err := db.gorm.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]qilian.User, len(rows))
	for i, r := range rows {
		out[i] = userFromRow(r)
	}
	return out, nil
}

// UpsertUser inserts or updates a user after checking that its place exists.
func (db *DB) UpsertUser(ctx context.Context, u qilian.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if u.LocalityID != "" {
		if _, err := db.Locality(ctx, u.LocalityID); err != nil {
			return qilian.Invalid(map[string]string{"locality_id": "no such locality"})
		}
	}
	if u.UnitID != "" {
		if _, err := db.Unit(ctx, u.UnitID); err != nil {
			return qilian.Invalid(map[string]string{"unit_id": "no such unit"})
		}
	}
	now := time.Now().UTC()
	r := userRow{ID: u.ID, Name: u.Name, Role: string(u.Role), LocalityID: ptr(u.LocalityID), UnitID: ptr(u.UnitID),
		Username: ptr(u.Username), CreatedAt: now, UpdatedAt: now}
	update := []string{"name", "role", "locality_id", "unit_id", "updated_at"}
	if u.Username != "" { // an update that names no user name keeps the one there is
		update = append(update, "username")
	}
	err := db.gorm.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns(update),
	}).Create(&r).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) { // the only unique column left is the user name
		return qilian.Invalid(map[string]string{"username": "taken by another user"})
	}
	return translate(err)
}

// AddToken stores a token, replacing one with the same ID.
func (db *DB) AddToken(ctx context.Context, t qilian.Token) error {
	if t.ID == "" || t.Hash == "" || t.UserID == "" {
		return qilian.Errorf(qilian.EINVALID, "token needs an id, a user and a hash")
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = time.Now()
	}
	r := tokenRow{ID: t.ID, UserID: t.UserID, Hash: t.Hash, Label: t.Label, CreatedAt: t.CreatedAt.UTC()}
	return translate(db.gorm.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"user_id", "hash", "label", "created_at", "revoked_at"}),
	}).Create(&r).Error)
}

// RevokeToken marks a token revoked; revoking twice keeps the first time.
func (db *DB) RevokeToken(ctx context.Context, id string, at time.Time) error {
	res := db.gorm.WithContext(ctx).Model(&tokenRow{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", at.UTC())
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		var n int64
		if err := db.gorm.WithContext(ctx).Model(&tokenRow{}).Where("id = ?", id).Count(&n).Error; err != nil {
			return translate(err)
		}
		if n == 0 {
			return qilian.ErrNotFound
		}
	}
	return nil
}

// Tokens lists a user's tokens, newest first, without their hashes.
func (db *DB) Tokens(ctx context.Context, userID string) ([]qilian.Token, error) {
	var rows []tokenRow
	if err := db.gorm.WithContext(ctx).Where("user_id = ?", userID).Order("created_at DESC, id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]qilian.Token, len(rows))
	for i, r := range rows {
		out[i] = qilian.Token{ID: r.ID, UserID: r.UserID, Label: r.Label, CreatedAt: r.CreatedAt, RevokedAt: r.RevokedAt}
	}
	return out, nil
}

// Authenticate returns the owner of the unrevoked token with the hash.
func (db *DB) Authenticate(ctx context.Context, hash string) (qilian.User, error) {
	var r userRow
	err := db.gorm.WithContext(ctx).
		Joins("JOIN tokens ON tokens.user_id = users.id").
		Where("tokens.hash = ? AND tokens.revoked_at IS NULL", hash).
		Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return qilian.User{}, qilian.ErrUnauthorized
	}
	if err != nil {
		return qilian.User{}, translate(err)
	}
	return userFromRow(r), nil
}

// Actor is the engine's view of a user: role, place and the path of that
// place in the tree, which scoping needs.
func (db *DB) Actor(ctx context.Context, u qilian.User) (qilian.Actor, error) {
	a := qilian.Actor{UserID: u.ID, Role: u.Role, LocalityID: u.LocalityID, UnitID: u.UnitID}
	if u.LocalityID != "" {
		l, err := db.Locality(ctx, u.LocalityID)
		if err != nil {
			return qilian.Actor{}, err
		}
		a.LocalityPath = l.Path
	}
	return a, nil
}
