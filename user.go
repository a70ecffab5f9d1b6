package qilian

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// Role is what a user may do; their place (a locality subtree or a unit)
// says where.
type Role string

// The roles.
const (
	RoleAdmin      Role = "admin"
	RoleGridWorker Role = "grid_worker"
	RoleAxis       Role = "axis"
	RoleUnitStaff  Role = "unit_staff"
	RoleSupervisor Role = "supervisor"
)

// Roles lists every role, in the order people are introduced to them.
func Roles() []Role {
	return []Role{RoleAdmin, RoleGridWorker, RoleAxis, RoleUnitStaff, RoleSupervisor}
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles() {
		if r == x {
			return true
		}
	}
	return false
}

// User is a person with a role and a place: unit staff belong to a unit,
// everyone else to a locality (a grid worker to a grid).
type User struct {
	ID         string
	Name       string
	Role       Role
	LocalityID string
	UnitID     string
	// Username is what the person types to sign in, in lower case; empty
	// for a user who only has tokens.
	Username string
}

// Validate checks that the user's place fits the role.
func (u User) Validate() error {
	fields := map[string]string{}
	if u.ID == "" {
		fields["id"] = "required"
	}
	if u.Name == "" {
		fields["name"] = "required"
	}
	if !u.Role.Valid() {
		fields["role"] = "must be one of admin, grid_worker, axis, unit_staff, supervisor"
	}
	switch {
	case u.Role == RoleUnitStaff && u.UnitID == "":
		fields["unit_id"] = "required for unit_staff"
	case u.Role != RoleUnitStaff && u.Role.Valid() && u.LocalityID == "":
		fields["locality_id"] = "required for " + string(u.Role)
	case u.Role != RoleUnitStaff && u.UnitID != "":
		fields["unit_id"] = "only unit_staff belong to a unit"
	}
	if u.Username != "" && !ValidUsername(u.Username) {
		fields["username"] = "2 to 64 lower-case letters, digits, '.', '_', '-' or '@'"
	}
	if len(fields) > 0 {
		return Invalid(fields)
	}
	return nil
}

// ValidUsername reports whether s is a user name: 2 to 64 lower-case
// ASCII letters, digits and . _ - @ (a staff number, a pinyin name or a
// mail address all fit). Sign-in folds what is typed to lower case.
func ValidUsername(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '@') {
			return false
		}
	}
	return true
}

// Token is a bearer credential. Only its hash is ever stored.
type Token struct {
	ID        string
	UserID    string
	Hash      string
	Label     string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// UserService reads and writes users and their tokens.
type UserService interface {
	User(ctx context.Context, id string) (User, error)
	UpsertUser(ctx context.Context, u User) error
	// AddToken stores a token; a token with the same ID is replaced, so
	// re-issuing a named token never leaves two.
	AddToken(ctx context.Context, t Token) error
	RevokeToken(ctx context.Context, id string, at time.Time) error
	// Authenticate returns the user owning the unrevoked token with hash.
	Authenticate(ctx context.Context, hash string) (User, error)
}

// TokenPrefix marks Qilian tokens so secret scanners and people can tell
// them apart.
const TokenPrefix = "qlt_"

// NewToken returns a fresh random bearer token and the hash to store.
func NewToken() (plain, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	plain = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return plain, HashToken(plain)
}

// HashToken is the stored form of a token. Tokens carry 256 random bits, so
// a fast hash is enough: there is nothing to brute-force.
func HashToken(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}
