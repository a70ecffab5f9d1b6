package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/credential"
)

// Single sign-on with OpenID Connect, beside the password: the
// dashboard's button leads to GET /api/v1/sso/login, which sends the
// browser to the provider; the provider sends it back to the callback
// with a code, which becomes a verified ID token. The user is the one
// whose user name is the token's configured claim, without regard to
// case, and gets the same session as with a password. Nobody else gets
// one: a claim no user has is refused, not a user created.
//
// What the callback must bring back (the state) and what it must prove
// (the nonce, the PKCE verifier) stay in the read model under the digest
// of a secret in a short-lived cookie, so that any api process can finish
// a sign-in another began, and only once.

// SSO is single sign-on at an OpenID Connect provider; *openid.Provider
// is one. Server.SSO nil turns it off.
type SSO interface {
	// Label is the sign-in button's text.
	Label() string
	// Available reports whether the provider can be used now; the
	// provider may be asked again if it could not be before.
	Available(ctx context.Context) bool
	// AuthURL is where the browser signs in, with state, nonce and the
	// S256 challenge of verifier.
	AuthURL(ctx context.Context, state, nonce, verifier string) (string, error)
	// Identify trades the code the provider sent back, with the verifier,
	// for a verified ID token whose nonce is nonce, and returns the value
	// of the claim that names the user. Its errors carry a *qilian.Error
	// whose message says what did not hold.
	Identify(ctx context.Context, code, verifier, nonce string) (string, error)
}

// SSOCookie holds the secret of a sign-in at the provider under way.
const SSOCookie = "qilian_sso"

const (
	ssoPath = caseAPIRoot + "/sso"
	// ssoLoginTTL is how long a sign-in at the provider may take.
	ssoLoginTTL = 10 * time.Minute
	// dashboard is where web serves the dashboard; the outcome of a
	// refused sign-in goes to its sign-in page, in the hash.
	dashboard      = "/dashboard/"
	ssoRefusedPage = dashboard + "#/signin?sso="
)

type ssoView struct {
	Enabled   bool   `json:"enabled" required:"true" doc:"single sign-on is configured: the sign-in page offers it"`
	Available bool   `json:"available" required:"true" doc:"the provider answered; false while it cannot be reached, when signing in there is refused"`
	Label     string `json:"label,omitempty" doc:"the sign-in button's text"`
}

var errNoSSO = qilian.Errorf(qilian.ENOTFOUND, "single sign-on is not configured")

// ssoInfo says whether to offer single sign-on.
func (h *handler) ssoInfo(c *gin.Context) {
	var v ssoView
	if h.SSO != nil {
		v = ssoView{Enabled: true, Available: h.SSO.Available(c.Request.Context()), Label: h.SSO.Label()}
	}
	respond(c, http.StatusOK, v)
}

// ssoLogin begins a sign-in at the provider: a state, a nonce and a PKCE
// verifier are stored under the digest of a secret the browser keeps in
// an HttpOnly cookie for ten minutes, and the browser goes to the
// provider. A provider that cannot be reached sends it back to the
// sign-in page.
func (h *handler) ssoLogin(c *gin.Context) {
	if h.SSO == nil {
		h.fail(c, errNoSSO)
		return
	}
	ctx, now := c.Request.Context(), h.Now()
	secret := credential.Secret()
	l := qilian.SSOLogin{ID: credential.Digest(secret), State: credential.Secret(), Nonce: credential.Secret(),
		Verifier: credential.Secret(), CreatedAt: now}
	to, err := h.SSO.AuthURL(ctx, l.State, l.Nonce, l.Verifier)
	if err != nil {
		h.Log.Warn("single sign-on unavailable", "request_id", c.GetString("request_id"), "error", err)
		h.ssoRefused(c, "unavailable")
		return
	}
	if err := h.Accounts.AddSSOLogin(ctx, l, now.Add(-ssoLoginTTL)); err != nil {
		h.Log.Error("single sign-on: store the sign-in", "request_id", c.GetString("request_id"), "error", err)
		h.ssoRefused(c, "failed")
		return
	}
	h.setSSOCookie(c, secret, int(ssoLoginTTL/time.Second))
	h.redirect(c, to)
}

// ssoCallback finishes a sign-in at the provider: the browser's sign-in
// is taken from the read model (so a second callback finds nothing), the
// state must be its own, and the code must give a verified ID token
// whose claim is a user's name. That user, unless locked, gets a session
// and the dashboard; anyone else the sign-in page with the reason: sso=
// unknown (no such user), locked, or failed. Each ending is audited.
func (h *handler) ssoCallback(c *gin.Context) {
	if h.SSO == nil {
		h.fail(c, errNoSSO)
		return
	}
	ctx, now := c.Request.Context(), h.Now()
	entry := qilian.AuditEntry{Kind: "sso_failed", Address: clientAddress(c.Request)}
	refuse := func(outcome, detail string) {
		entry.Detail = detail
		h.audit(ctx, entry)
		h.ssoRefused(c, outcome)
	}
	// The sign-in ends here, whichever way.
	h.setSSOCookie(c, "", -1)
	secret, _ := c.Cookie(SSOCookie)
	if secret == "" || len(secret) > maxToken {
		refuse("failed", "no sign-in under way in this browser")
		return
	}
	l, err := h.Accounts.TakeSSOLogin(ctx, credential.Digest(secret))
	switch {
	case errors.Is(err, qilian.ErrNotFound):
		refuse("failed", "no sign-in under way in this browser, or its callback came already")
		return
	case err != nil:
		h.Log.Error("single sign-on: take the sign-in", "request_id", c.GetString("request_id"), "error", err)
		refuse("failed", "the sign-in could not be read")
		return
	}
	q := c.Request.URL.Query()
	switch {
	case now.Sub(l.CreatedAt) > ssoLoginTTL:
		refuse("failed", "the sign-in took longer than ten minutes")
		return
	case !credential.Equal(q.Get("state"), l.State):
		refuse("failed", "the state is not the sign-in's")
		return
	case q.Get("error") != "":
		refuse("failed", "the provider answered "+quoted(q.Get("error"), 64))
		return
	case q.Get("code") == "":
		refuse("failed", "the provider sent no code")
		return
	}
	value, err := h.SSO.Identify(ctx, q.Get("code"), l.Verifier, l.Nonce)
	if err != nil {
		h.Log.Warn("single sign-on refused", "request_id", c.GetString("request_id"), "error", err)
		refuse("failed", qilian.ErrorMessage(err))
		return
	}
	name := strings.ToLower(strings.TrimSpace(value))
	var (
		u    qilian.User
		cred qilian.Credentials
	)
	err = qilian.ErrNotFound
	if qilian.ValidUsername(name) {
		u, cred, err = h.Accounts.UserByUsername(ctx, name)
	}
	switch {
	case errors.Is(err, qilian.ErrNotFound):
		refuse("unknown", "no user is named "+quoted(value, 128))
		return
	case err != nil:
		h.Log.Error("single sign-on: look up the user", "request_id", c.GetString("request_id"), "error", err)
		refuse("failed", "the user could not be looked up")
		return
	}
	entry.UserID, entry.Username = u.ID, name
	if _, locked := lockedFor(cred, now); locked {
		entry.Kind = "sign_in_locked"
		refuse("locked", "at the single sign-on provider")
		return
	}
	entry.Kind = "sign_in_sso"
	if _, _, err := h.openSession(c, u, entry); err != nil {
		entry.Kind = "sso_failed"
		if qilian.ErrorCode(err) != qilian.EUNAUTHORIZED {
			h.Log.Error("single sign-on: open the session", "request_id", c.GetString("request_id"), "error", err)
		}
		refuse("failed", qilian.ErrorMessage(err))
		return
	}
	h.redirect(c, dashboard)
}

// ssoRefused sends the browser back to the sign-in page, which says why.
func (h *handler) ssoRefused(c *gin.Context, outcome string) { h.redirect(c, ssoRefusedPage+outcome) }

// redirect sends the browser on. The answer is never cached, and the next
// page is not told this URL, which may hold a code and a state.
func (h *handler) redirect(c *gin.Context, to string) {
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	c.Redirect(http.StatusFound, to)
}

// setSSOCookie keeps the secret of a sign-in under way; only the single
// sign-on routes are sent it.
func (h *handler) setSSOCookie(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: SSOCookie, Value: value, Path: ssoPath, MaxAge: maxAge,
		HttpOnly: true, Secure: h.secureCookie(c), SameSite: http.SameSiteLaxMode,
	})
}

// quoted is s in quotes with control characters escaped, cut to max
// bytes, for the audit's detail.
func quoted(s string, max int) string {
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + "…"
	}
	return fmt.Sprintf("%q", s)
}
