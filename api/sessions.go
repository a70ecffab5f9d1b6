package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/credential"
)

// Sign-in for people: a user name and password give a session cookie
// (HttpOnly, SameSite=Lax, Secure over TLS). Writes made with the cookie
// carry the session's CSRF token in CSRFHeader, and a cross-origin
// Origin is refused outright. Bearer tokens stay for integrations and
// scripts, and need neither.

// SessionCookie is the name of the session cookie; CSRFHeader carries the
// CSRF token on writes made with it.
const (
	SessionCookie = "qilian_session"
	CSRFHeader    = "X-CSRF-Token"
)

// Sessions is the sign-in policy.
type Sessions struct {
	// Idle ends a session unused this long (30 minutes when 0); MaxAge
	// ends any session this long after sign-in (12 hours when 0).
	Idle   time.Duration
	MaxAge time.Duration
	// SecureCookie marks the cookie Secure even on plain HTTP, for a
	// server behind a proxy that ends TLS. Over TLS it is always Secure.
	SecureCookie bool
	// LockAfter failed sign-ins in a row lock the user for LockFor (5
	// and 15 minutes when 0), until an admin lifts it or the time passes.
	LockAfter int
	LockFor   time.Duration
	// PerAddress bounds the failed sign-ins from one address: a burst of
	// 10, then one every 6 seconds, when 0.
	PerAddress rate.Limit
}

func (s Sessions) withDefaults() Sessions {
	if s.Idle <= 0 {
		s.Idle = 30 * time.Minute
	}
	if s.MaxAge <= 0 {
		s.MaxAge = 12 * time.Hour
	}
	if s.LockAfter <= 0 {
		s.LockAfter = 5
	}
	if s.LockFor <= 0 {
		s.LockFor = 15 * time.Minute
	}
	if s.PerAddress <= 0 {
		s.PerAddress = rate.Every(6 * time.Second)
	}
	return s
}

// touchEvery bounds how often a session's last use is written: idle
// expiry is then exact to a minute, at one write a minute per session.
const touchEvery = time.Minute

// limiter bounds the failed sign-ins per client address: a burst of 10,
// then one per interval. Only failures count, so an office whose staff
// all sign in through one NAT address at nine is not held back, while
// guessing from one address is. It keeps at most maxAddresses buckets and
// starts afresh when full, so a flood of addresses costs memory once, not
// without end.
type limiter struct {
	mu      sync.Mutex
	every   rate.Limit
	buckets map[string]*rate.Limiter
}

const maxAddresses = 10000

func (l *limiter) bucket(addr string) *rate.Limiter {
	if l.buckets == nil || len(l.buckets) >= maxAddresses {
		l.buckets = map[string]*rate.Limiter{}
	}
	b, ok := l.buckets[addr]
	if !ok {
		b = rate.NewLimiter(l.every, 10)
		l.buckets[addr] = b
	}
	return b
}

// allow reports whether addr may try now: it has a failure to spend.
func (l *limiter) allow(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bucket(addr).TokensAt(now) >= 1
}

// failed spends one of addr's failures.
func (l *limiter) failed(addr string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bucket(addr).AllowN(now, 1)
}

type sessionIn struct {
	Username string `json:"username" required:"true"`
	Password string `json:"password" required:"true"`
}

type sessionView struct {
	User               userView `json:"user" required:"true"`
	LocalityPath       string   `json:"locality_path,omitempty"`
	CSRFToken          string   `json:"csrf_token" required:"true" doc:"send it in the X-CSRF-Token header with every write made with the cookie"`
	MustChangePassword bool     `json:"must_change_password" required:"true" doc:"only the password change is open until it is done"`
	IdleTimeoutSeconds int      `json:"idle_timeout_seconds" required:"true"`
}

// signIn checks a user name and password and starts a session. Every
// failure answers the same 401, whether the name is unknown, the
// password wrong or the user has none; a locked user or a flooding
// address gets 429. Each attempt is audited.
func (h *handler) signIn(c *gin.Context) {
	var in sessionIn
	if !h.bind(c, &in, false) {
		return
	}
	missing := map[string]string{}
	if strings.TrimSpace(in.Username) == "" {
		missing["username"] = "required"
	}
	if in.Password == "" {
		missing["password"] = "required"
	}
	if len(missing) > 0 {
		h.fail(c, qilian.Invalid(missing))
		return
	}
	ctx, now, addr := c.Request.Context(), h.Now(), clientAddress(c.Request)
	if !h.limiter.allow(addr, now) {
		h.audit(ctx, qilian.AuditEntry{Kind: "sign_in_throttled", Address: addr})
		c.Header("Retry-After", "60")
		h.fail(c, qilian.Errorf(qilian.ETOOMANY, "too many failed sign-ins from this address; try again in a minute"))
		return
	}
	refused := qilian.Errorf(qilian.EUNAUTHORIZED, "wrong user name or password")
	name := strings.ToLower(strings.TrimSpace(in.Username))
	if !qilian.ValidUsername(name) || len(in.Password) > 4*credential.MaxPassword {
		credential.Waste(in.Password)
		h.audit(ctx, qilian.AuditEntry{Kind: "sign_in_failed", Address: addr, Detail: "unknown user name"})
		h.limiter.failed(addr, now)
		h.fail(c, refused)
		return
	}
	u, cred, err := h.Accounts.UserByUsername(ctx, name)
	switch {
	case errors.Is(err, qilian.ErrNotFound):
		credential.Waste(in.Password)
		h.audit(ctx, qilian.AuditEntry{Kind: "sign_in_failed", Address: addr, Detail: "unknown user name"})
		h.limiter.failed(addr, now)
		h.fail(c, refused)
		return
	case err != nil:
		h.fail(c, err)
		return
	}
	entry := qilian.AuditEntry{UserID: u.ID, Username: name, Address: addr}
	if wait, locked := lockedFor(cred, now); locked {
		entry.Kind = "sign_in_locked"
		h.audit(ctx, entry)
		c.Header("Retry-After", retryAfter(wait))
		h.fail(c, errLocked)
		return
	}
	if cred.LockedUntil != nil {
		// The lockout has run out: the count starts again, or one typo
		// would lock the user at once.
		if err := h.Accounts.Unlock(ctx, u.ID); err != nil {
			h.fail(c, err)
			return
		}
	}
	if credential.Verify(cred.PasswordHash, in.Password) != nil {
		n, err := h.Accounts.FailedSignIn(ctx, u.ID, h.Sessions.LockAfter, now.Add(h.Sessions.LockFor))
		if err != nil {
			h.fail(c, err)
			return
		}
		entry.Kind = "sign_in_failed"
		if n >= h.Sessions.LockAfter {
			entry.Kind = "locked"
		}
		h.audit(ctx, entry)
		h.limiter.failed(addr, now)
		h.fail(c, refused)
		return
	}
	entry.Kind = "sign_in"
	a, csrf, err := h.openSession(c, u, entry)
	if err != nil {
		h.fail(c, err)
		return
	}
	respond(c, http.StatusCreated, sessionView{
		User: viewUser(u), LocalityPath: a.LocalityPath, CSRFToken: csrf,
		MustChangePassword: cred.MustChangePassword, IdleTimeoutSeconds: int(h.Sessions.Idle / time.Second),
	})
}

// errLocked refuses a user locked after failed sign-ins, whichever way
// they sign in.
var errLocked = qilian.Errorf(qilian.ETOOMANY, "this user is locked after too many failed sign-ins; wait or ask an admin to unlock")

// lockedFor says whether the user is locked after failed sign-ins, and
// for how long still.
func lockedFor(cred qilian.Credentials, now time.Time) (time.Duration, bool) {
	if cred.LockedUntil == nil || !now.Before(*cred.LockedUntil) {
		return 0, false
	}
	return cred.LockedUntil.Sub(now), true
}

// openSession starts a session for a user who has shown who they are,
// with a password or at the single sign-on provider: the failed attempts
// are forgotten, the session stored, entry audited and the cookie set. It
// returns the user's actor and the session's CSRF token.
func (h *handler) openSession(c *gin.Context, u qilian.User, entry qilian.AuditEntry) (qilian.Actor, string, error) {
	ctx, now := c.Request.Context(), h.Now()
	if err := h.Accounts.SignedIn(ctx, u.ID); err != nil {
		return qilian.Actor{}, "", err
	}
	a, err := h.People.Actor(ctx, u)
	if err != nil {
		if errors.Is(err, qilian.ErrNotFound) {
			err = qilian.Errorf(qilian.EUNAUTHORIZED, "the user has no place")
		}
		return qilian.Actor{}, "", err
	}
	secret, csrf := credential.Secret(), credential.Secret()
	s := qilian.Session{ID: credential.Digest(secret), UserID: u.ID, CSRF: csrf, Address: entry.Address, CreatedAt: now, LastSeenAt: now}
	if err := h.Accounts.AddSession(ctx, s); err != nil {
		return qilian.Actor{}, "", err
	}
	h.audit(ctx, entry)
	h.setCookie(c, secret, int(h.Sessions.MaxAge/time.Second))
	return a, csrf, nil
}

// signOut ends the caller's session and clears the cookie. With a bearer
// token there is no session: the token stays valid (revoke it instead).
func (h *handler) signOut(c *gin.Context) {
	if id := c.GetString(sessionKey); id != "" {
		ctx := c.Request.Context()
		if err := h.Accounts.RevokeSession(ctx, id, h.Now()); err != nil {
			h.fail(c, err)
			return
		}
		h.audit(ctx, qilian.AuditEntry{Kind: "sign_out", UserID: actorOf(c).UserID, Address: clientAddress(c.Request)})
	}
	h.setCookie(c, "", -1)
	c.Status(http.StatusNoContent)
}

func (h *handler) setCookie(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: SessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: h.secureCookie(c), SameSite: http.SameSiteLaxMode,
	})
}

// secureCookie says whether cookies are marked Secure: over TLS, and
// behind a proxy that ends TLS when the policy says so.
func (h *handler) secureCookie(c *gin.Context) bool {
	return h.Sessions.SecureCookie || c.Request.TLS != nil
}

// session authenticates a request by its cookie: the session must exist,
// be unrevoked, used within the idle time and younger than the maximum
// age. A write must come from this origin and carry the CSRF token.
func (h *handler) session(c *gin.Context, cookie string) (qilian.User, bool) {
	ctx, now := c.Request.Context(), h.Now()
	expired := qilian.Errorf(qilian.EUNAUTHORIZED, "the session has ended; sign in again")
	if len(cookie) > maxToken {
		h.fail(c, expired)
		return qilian.User{}, false
	}
	s, err := h.Accounts.Session(ctx, credential.Digest(cookie))
	switch {
	case errors.Is(err, qilian.ErrNotFound):
		h.fail(c, expired)
		return qilian.User{}, false
	case err != nil:
		h.fail(c, err)
		return qilian.User{}, false
	}
	if s.RevokedAt != nil || now.Sub(s.LastSeenAt) > h.Sessions.Idle || now.Sub(s.CreatedAt) > h.Sessions.MaxAge {
		if s.RevokedAt == nil {
			_ = h.Accounts.RevokeSession(ctx, s.ID, now) // best effort: it is over either way
		}
		h.fail(c, expired)
		return qilian.User{}, false
	}
	if unsafeMethod(c.Request.Method) {
		if !sameOrigin(c.Request) {
			h.fail(c, qilian.Errorf(qilian.EFORBIDDEN, "a write with the session cookie must come from this site"))
			return qilian.User{}, false
		}
		if !credential.Equal(c.GetHeader(CSRFHeader), s.CSRF) {
			h.fail(c, qilian.Errorf(qilian.EFORBIDDEN, "a write with the session cookie needs the %s header", CSRFHeader))
			return qilian.User{}, false
		}
	}
	if now.Sub(s.LastSeenAt) >= touchEvery {
		if err := h.Accounts.TouchSession(ctx, s.ID, now); err != nil {
			h.fail(c, err)
			return qilian.User{}, false
		}
	}
	u, err := h.People.User(ctx, s.UserID)
	if err != nil {
		h.fail(c, err)
		return qilian.User{}, false
	}
	cred, err := h.Accounts.Credentials(ctx, u.ID)
	if err != nil {
		h.fail(c, err)
		return qilian.User{}, false
	}
	if cred.MustChangePassword && !passwordChangeRoute[c.FullPath()] {
		h.fail(c, qilian.Errorf(qilian.EFORBIDDEN, "change your password first (POST /api/v1/me/password)"))
		return qilian.User{}, false
	}
	c.Set(sessionKey, s.ID)
	c.Set(csrfKey, s.CSRF)
	c.Set(mustChangeKey, cred.MustChangePassword)
	return u, true
}

// passwordChangeRoute are the routes open to a session whose password an
// admin has set: who am I, change it, sign out.
var passwordChangeRoute = map[string]bool{
	"/api/v1/me": true, "/api/v1/me/password": true, "/api/v1/sessions": true,
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// sameOrigin reports whether a write comes from a page of this site:
// by Sec-Fetch-Site, which browsers set on every request, or else by
// Origin. Origin is "null" from a page under Referrer-Policy: no-referrer
// (the dashboard's); then, as without either header, the CSRF token the
// request must also carry decides.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return true
	case "":
	default: // same-site or cross-site: another origin
		return false
	}
	from := r.Header.Get("Origin")
	if from == "" || from == "null" {
		return true
	}
	u, err := url.Parse(from)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

func retryAfter(d time.Duration) string { return strconv.Itoa(max(int(d.Seconds())+1, 1)) }

// newAuditID is a sortable, unique ID: the time, then random bits.
func newAuditID(now time.Time) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return now.UTC().Format("20060102T150405.000000") + "-" + hex.EncodeToString(b)
}

// audit appends to the access audit; a failure to write it is logged,
// never shown to the caller, whose request stands on its own.
func (h *handler) audit(ctx context.Context, e qilian.AuditEntry) {
	e.ID = newAuditID(h.Now())
	e.At = h.Now()
	if err := h.Accounts.Audit(ctx, e); err != nil {
		h.Log.Error("audit", "kind", e.Kind, "user", e.UserID, "error", err)
	}
}

type passwordIn struct {
	CurrentPassword string `json:"current_password" required:"true"`
	NewPassword     string `json:"new_password" required:"true"`
}

// changePassword is the caller's own change: the current password, then
// a new one that meets the policy. Other sessions of the user end.
func (h *handler) changePassword(c *gin.Context) {
	var in passwordIn
	if !h.bind(c, &in, false) {
		return
	}
	ctx, a := c.Request.Context(), actorOf(c)
	cred, err := h.Accounts.Credentials(ctx, a.UserID)
	if err != nil {
		h.fail(c, err)
		return
	}
	if credential.Verify(cred.PasswordHash, in.CurrentPassword) != nil {
		h.fail(c, qilian.Invalid(map[string]string{"current_password": "wrong password"}))
		return
	}
	if msg := credential.CheckPolicy(in.NewPassword); msg != "" {
		h.fail(c, qilian.Invalid(map[string]string{"new_password": msg}))
		return
	}
	if in.NewPassword == in.CurrentPassword {
		h.fail(c, qilian.Invalid(map[string]string{"new_password": "must differ from the current one"}))
		return
	}
	if err := h.Accounts.SetPassword(ctx, a.UserID, credential.Hash(in.NewPassword), false); err != nil {
		h.fail(c, err)
		return
	}
	if _, err := h.Accounts.RevokeSessions(ctx, a.UserID, c.GetString(sessionKey), h.Now()); err != nil {
		h.fail(c, err)
		return
	}
	h.audit(ctx, qilian.AuditEntry{Kind: "password_changed", UserID: a.UserID, Subject: a.UserID, Address: clientAddress(c.Request)})
	c.Status(http.StatusNoContent)
}

type setPasswordIn struct {
	Password string `json:"password" required:"true" doc:"a one-time password: the user must change it at the next sign-in"`
}

// setPassword is an admin's reset of a user's password in their subtree:
// the user must change it at the next sign-in, their sessions end and a
// lockout is lifted.
func (h *handler) setPassword(c *gin.Context) {
	var in setPasswordIn
	if !h.bind(c, &in, false) {
		return
	}
	ctx, a := c.Request.Context(), actorOf(c)
	u, err := h.inScopeUser(ctx, c.Param("id"), a)
	if err != nil {
		h.fail(c, err)
		return
	}
	if u.Username == "" {
		h.fail(c, qilian.Errorf(qilian.ECONFLICT, "user %s has no user name: set one first", u.ID))
		return
	}
	if msg := credential.CheckPolicy(in.Password); msg != "" {
		h.fail(c, qilian.Invalid(map[string]string{"password": msg}))
		return
	}
	if err := h.oneTimePassword(c, u.ID, in.Password); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// oneTimePassword is an admin setting a user's password (checked against
// the policy already): the user must change it at the next sign-in,
// their sessions end, a lockout is lifted, and the audit says who did it.
func (h *handler) oneTimePassword(c *gin.Context, userID, password string) error {
	ctx := c.Request.Context()
	if err := h.Accounts.SetPassword(ctx, userID, credential.Hash(password), true); err != nil {
		return err
	}
	if _, err := h.Accounts.RevokeSessions(ctx, userID, "", h.Now()); err != nil {
		return err
	}
	h.audit(ctx, qilian.AuditEntry{Kind: "password_set", UserID: actorOf(c).UserID, Subject: userID, Address: clientAddress(c.Request)})
	return nil
}

// unlockUser lifts a lockout; endSessions revokes every session of a
// user. Both for admins, in their subtree.
func (h *handler) unlockUser(c *gin.Context) {
	ctx, a := c.Request.Context(), actorOf(c)
	u, err := h.inScopeUser(ctx, c.Param("id"), a)
	if err == nil {
		err = h.Accounts.Unlock(ctx, u.ID)
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	h.audit(ctx, qilian.AuditEntry{Kind: "unlocked", UserID: a.UserID, Subject: u.ID, Address: clientAddress(c.Request)})
	c.Status(http.StatusNoContent)
}

func (h *handler) endSessions(c *gin.Context) {
	ctx, a := c.Request.Context(), actorOf(c)
	u, err := h.inScopeUser(ctx, c.Param("id"), a)
	if err != nil {
		h.fail(c, err)
		return
	}
	if _, err := h.Accounts.RevokeSessions(ctx, u.ID, "", h.Now()); err != nil {
		h.fail(c, err)
		return
	}
	h.audit(ctx, qilian.AuditEntry{Kind: "sessions_revoked", UserID: a.UserID, Subject: u.ID, Address: clientAddress(c.Request)})
	c.Status(http.StatusNoContent)
}

// clientAddress is the address sign-in limits and audits by: the peer,
// since Gin trusts no proxy headers unless told which proxies to trust.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// auditLog answers the access audit as far as the caller may see it: an
// admin the entries about users placed in their subtree (and sign-in
// attempts under no known name), a supervisor the reveals of personal
// data on cases in theirs.
func (h *handler) auditLog(c *gin.Context) {
	q := newQuery(c, "subject", "user", "kind", "limit")
	f := qilian.AuditFilter{Subject: q.str("subject", 64), UserID: q.str("user", 64), Kind: q.str("kind", 64), Limit: q.limit()}
	if err := q.err(); err != nil {
		h.fail(c, err)
		return
	}
	a := actorOf(c)
	if a.Role == qilian.RoleSupervisor {
		f.Kind = "reveal"
	}
	ctx := c.Request.Context()
	entries, err := h.Accounts.AuditLog(ctx, f)
	if err != nil {
		h.fail(c, err)
		return
	}
	seen := map[string]bool{}
	inScope := func(id string) bool {
		if v, ok := seen[id]; ok {
			return v
		}
		var ok bool
		if a.Role == qilian.RoleSupervisor {
			cs, err := h.Cases.CaseSnapshot(ctx, id)
			ok = err == nil && qilian.Contains(a.LocalityPath, cs.LocalityPath)
		} else {
			_, err := h.inScopeUser(ctx, id, a)
			ok = err == nil
		}
		seen[id] = ok
		return ok
	}
	out := auditList{Entries: []auditView{}}
	for _, e := range entries {
		var show bool
		switch {
		case a.Role == qilian.RoleSupervisor:
			show = inScope(e.Subject)
		case e.Kind == "reveal":
			show = inScope(e.UserID)
		case e.UserID == "" && e.Subject == "":
			show = true
		default:
			show = (e.UserID != "" && inScope(e.UserID)) || (e.Subject != "" && inScope(e.Subject))
		}
		if show {
			out.Entries = append(out.Entries, auditView{At: e.At, Kind: e.Kind, UserID: e.UserID, Username: e.Username, Subject: e.Subject, Address: e.Address, Detail: e.Detail})
		}
	}
	respond(c, http.StatusOK, out)
}
