// Package credential hashes and checks passwords and makes the random
// secrets of sessions. Passwords are hashed with argon2id (RFC 9106) at
// OWASP's recommended cost and stored in the PHC string format, so the
// parameters travel with each hash and can be raised later without
// invalidating the old ones.
package credential

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// The argon2id cost: 19 MiB, two passes, one lane (OWASP's first choice).
const (
	memoryKiB = 19 * 1024
	passes    = 2
	lanes     = 1
	saltLen   = 16
	keyLen    = 32
)

// MinPassword and MaxPassword bound a password's length in characters.
// The upper bound keeps hashing cheap for the server, not for attackers.
const (
	MinPassword = 10
	MaxPassword = 128
)

// ErrMismatch is what Verify answers for a wrong password.
var ErrMismatch = errors.New("credential: password does not match")

// CheckPolicy says what is wrong with a new password, or "".
func CheckPolicy(password string) string {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return "must be valid UTF-8"
	case n < MinPassword:
		return fmt.Sprintf("at least %d characters", MinPassword)
	case n > MaxPassword:
		return fmt.Sprintf("at most %d characters", MaxPassword)
	case strings.TrimSpace(password) == "":
		return "must not be blank"
	}
	return ""
}

// Hash returns the PHC string of password under a fresh salt.
func Hash(password string) string {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	key := argon2.IDKey([]byte(password), salt, passes, memoryKiB, lanes, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, passes, lanes,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify checks password against a PHC string made by Hash. A malformed
// or empty hash (a user without a password) never matches.
func Verify(hash, password string) error {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return ErrMismatch
	}
	var version int
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return ErrMismatch
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<20 || t == 0 || t > 16 || p == 0 {
		return ErrMismatch
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return ErrMismatch
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 64 {
		return ErrMismatch
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

// decoy is a hash of nothing anyone knows, checked when a user name is
// unknown so that the answer takes as long as for a wrong password. It is
// made at first use: hashing costs tens of milliseconds.
var decoy = sync.OnceValue(func() string { return Hash(Secret()) })

// Waste spends the time of one Verify, for an unknown user name.
func Waste(password string) { _ = Verify(decoy(), password) }

// Secret returns 256 random bits, URL-safe: a session cookie or a CSRF
// token.
func Secret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Digest is the stored form of a secret: it has 256 random bits, so a
// fast hash is enough.
func Digest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Equal compares two secrets in constant time.
func Equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
