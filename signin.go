package qilian

import "time"

// What sign-in keeps besides the user: credentials, browser sessions, the
// access audit and single sign-on logins under way.

// Credentials are what sign-in reads of a user besides the user.
type Credentials struct {
	PasswordHash       string
	MustChangePassword bool
	FailedLogins       int
	LockedUntil        *time.Time
}

// Session is a signed-in browser: the cookie's digest is its ID, and the
// CSRF token its writes must carry.
type Session struct {
	ID         string // SHA-256 of the cookie
	UserID     string
	CSRF       string
	Address    string
	CreatedAt  time.Time
	LastSeenAt time.Time
	RevokedAt  *time.Time
}

// AuditEntry is one line of the access audit (table audit_log):
// sign-ins and their failures, lockouts, password changes, revoked
// sessions, and reveals of a case's personal data (Subject is then the
// case ID, Detail the reason).
type AuditEntry struct {
	ID       string
	At       time.Time
	Kind     string
	UserID   string
	Username string
	Subject  string
	Address  string
	Detail   string
}

// AuditFilter selects audit entries; empty fields select everything.
type AuditFilter struct {
	Subject string
	UserID  string
	Kind    string
	Limit   int
}

// SSOLogin is a sign-in at the single sign-on provider under way: the
// browser holds the secret whose digest is the ID, and the callback must
// bring back the state; the nonce and the PKCE verifier never leave the
// server.
type SSOLogin struct {
	ID        string // SHA-256 of the browser's secret
	State     string
	Nonce     string
	Verifier  string
	CreatedAt time.Time
}
