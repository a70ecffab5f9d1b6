package storage

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/qilian/qilian"
)

// UserByUsername returns the user who signs in as name (folded to lower
// case) and their credentials; ErrNotFound when nobody does.
func (db *DB) UserByUsername(ctx context.Context, name string) (qilian.User, qilian.Credentials, error) {
	var r userRow
	if err := db.gorm.WithContext(ctx).Take(&r, "username = ?", strings.ToLower(name)).Error; err != nil {
		return qilian.User{}, qilian.Credentials{}, translate(err)
	}
	return userFromRow(r), credentialsOf(r), nil
}

// Credentials returns a user's credentials.
func (db *DB) Credentials(ctx context.Context, userID string) (qilian.Credentials, error) {
	var r userRow
	if err := db.gorm.WithContext(ctx).Take(&r, "id = ?", userID).Error; err != nil {
		return qilian.Credentials{}, translate(err)
	}
	return credentialsOf(r), nil
}

func credentialsOf(r userRow) qilian.Credentials {
	return qilian.Credentials{PasswordHash: r.PasswordHash, MustChangePassword: r.MustChangePassword, FailedLogins: r.FailedLogins, LockedUntil: r.LockedUntil}
}

// SetPassword stores a password hash, clears the failed attempts and the
// lockout, and says whether the user must change it at the next sign-in
// (an admin's reset) or not (their own change).
func (db *DB) SetPassword(ctx context.Context, userID, hash string, mustChange bool) error {
	return db.updateUser(ctx, userID, map[string]any{
		"password_hash": hash, "must_change_password": mustChange, "failed_logins": 0, "locked_until": nil,
	})
}

// FailedSignIn counts a failed attempt and, at limit attempts in a row,
// locks the user until lockUntil. It returns the count.
func (db *DB) FailedSignIn(ctx context.Context, userID string, limit int, lockUntil time.Time) (int, error) {
	var n int
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&userRow{}).Where("id = ?", userID).
			Update("failed_logins", gorm.Expr("failed_logins + 1")).Error; err != nil {
			return err
		}
		var r userRow
		if err := tx.Take(&r, "id = ?", userID).Error; err != nil {
			return err
		}
		n = r.FailedLogins
		if n >= limit {
			return tx.Model(&userRow{}).Where("id = ?", userID).Update("locked_until", lockUntil.UTC()).Error
		}
		return nil
	})
	return n, translate(err)
}

// SignedIn clears the failed attempts after a good password.
func (db *DB) SignedIn(ctx context.Context, userID string) error {
	return db.updateUser(ctx, userID, map[string]any{"failed_logins": 0, "locked_until": nil})
}

// Unlock lifts a lockout.
func (db *DB) Unlock(ctx context.Context, userID string) error {
	return db.updateUser(ctx, userID, map[string]any{"failed_logins": 0, "locked_until": nil})
}

func (db *DB) updateUser(ctx context.Context, userID string, cols map[string]any) error {
	res := db.gorm.WithContext(ctx).Model(&userRow{}).Where("id = ?", userID).Updates(cols)
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return qilian.ErrNotFound
	}
	return nil
}

type sessionRow struct {
	ID         string `gorm:"primaryKey"`
	UserID     string
	CSRF       string `gorm:"column:csrf"`
	Address    string
	CreatedAt  time.Time
	LastSeenAt time.Time
	RevokedAt  *time.Time
}

func (sessionRow) TableName() string { return "sessions" }

// AddSession stores a new session.
func (db *DB) AddSession(ctx context.Context, s qilian.Session) error {
	r := sessionRow{ID: s.ID, UserID: s.UserID, CSRF: s.CSRF, Address: s.Address, CreatedAt: s.CreatedAt.UTC(), LastSeenAt: s.LastSeenAt.UTC()}
	return translate(db.gorm.WithContext(ctx).Create(&r).Error)
}

// Session returns the session with the digest id, revoked or not.
func (db *DB) Session(ctx context.Context, id string) (qilian.Session, error) {
	var r sessionRow
	if err := db.gorm.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return qilian.Session{}, translate(err)
	}
	return qilian.Session{ID: r.ID, UserID: r.UserID, CSRF: r.CSRF, Address: r.Address, CreatedAt: r.CreatedAt.UTC(), LastSeenAt: r.LastSeenAt.UTC(), RevokedAt: r.RevokedAt}, nil
}

// TouchSession records that the session was used at t.
func (db *DB) TouchSession(ctx context.Context, id string, t time.Time) error {
	return translate(db.gorm.WithContext(ctx).Model(&sessionRow{}).Where("id = ?", id).Update("last_seen_at", t.UTC()).Error)
}

// RevokeSession ends one session.
func (db *DB) RevokeSession(ctx context.Context, id string, t time.Time) error {
	return translate(db.gorm.WithContext(ctx).Model(&sessionRow{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", t.UTC()).Error)
}

// RevokeSessions ends every open session of the user but the one with
// the digest except ("" for none), and says how many it ended.
func (db *DB) RevokeSessions(ctx context.Context, userID, except string, t time.Time) (int, error) {
	res := db.gorm.WithContext(ctx).Model(&sessionRow{}).Where("user_id = ? AND revoked_at IS NULL AND id <> ?", userID, except).Update("revoked_at", t.UTC())
	return int(res.RowsAffected), translate(res.Error)
}

// auditTable keeps qilian.AuditEntry as it is: its columns are its
// fields' names, ID the primary key by GORM's convention.
const auditTable = "audit_log"

// Audit appends an entry.
func (db *DB) Audit(ctx context.Context, e qilian.AuditEntry) error {
	if e.ID == "" || e.Kind == "" {
		return errors.New("storage: an audit entry needs an ID and a kind")
	}
	e.At = e.At.UTC()
	return translate(db.gorm.WithContext(ctx).Table(auditTable).Create(&e).Error)
}

// AuditLog returns entries matching f, newest first.
func (db *DB) AuditLog(ctx context.Context, f qilian.AuditFilter) ([]qilian.AuditEntry, error) {
	q := db.gorm.WithContext(ctx).Table(auditTable).Order("at DESC, id DESC").Limit(pageSize(f.Limit))
	if f.Subject != "" {
		q = q.Where("subject = ?", f.Subject)
	}
	if f.UserID != "" {
		q = q.Where("user_id = ?", f.UserID)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	var out []qilian.AuditEntry
	if err := q.Find(&out).Error; err != nil {
		return nil, translate(err)
	}
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, nil
}

type ssoLoginRow struct {
	ID        string `gorm:"primaryKey"`
	State     string
	Nonce     string
	Verifier  string
	CreatedAt time.Time
}

func (ssoLoginRow) TableName() string { return "sso_logins" }

// AddSSOLogin stores a sign-in under way and sweeps those begun before
// staleBefore, which nobody can finish any more.
func (db *DB) AddSSOLogin(ctx context.Context, l qilian.SSOLogin, staleBefore time.Time) error {
	return translate(db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("created_at < ?", staleBefore.UTC()).Delete(&ssoLoginRow{}).Error; err != nil {
			return err
		}
		r := ssoLoginRow(l)
		r.CreatedAt = l.CreatedAt.UTC()
		return tx.Create(&r).Error
	}))
}

// TakeSSOLogin returns the sign-in with the digest id and removes it, so
// that it is taken once: ErrNotFound when there is none, or another
// caller took it first.
func (db *DB) TakeSSOLogin(ctx context.Context, id string) (qilian.SSOLogin, error) {
	var r ssoLoginRow
	if err := db.gorm.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return qilian.SSOLogin{}, translate(err)
	}
	res := db.gorm.WithContext(ctx).Where("id = ?", id).Delete(&ssoLoginRow{})
	if res.Error != nil {
		return qilian.SSOLogin{}, translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return qilian.SSOLogin{}, qilian.ErrNotFound
	}
	l := qilian.SSOLogin(r)
	l.CreatedAt = r.CreatedAt.UTC()
	return l, nil
}
