package api_test

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian/api"
)

// browser is a client that signs in and carries the session cookie and
// the CSRF token, from one address, as a browser would.
type browser struct {
	a      *apiEnv
	addr   string
	cookie *http.Cookie
	csrf   string
	tls    bool
}

func (b *browser) do(t testing.TB, method, path string, body any, headers ...string) reply {
	t.Helper()
	var raw []byte
	if body != nil {
		var err error
		raw, err = json.Marshal(body)
		require.NoError(t, err)
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(raw))
	req.RemoteAddr = b.addr + ":40000"
	if b.tls {
		req.TLS = &tls.ConnectionState{}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if b.cookie != nil {
		req.AddCookie(b.cookie)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	b.a.r.ServeHTTP(w, req)
	return reply{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}

type signedIn struct {
	User struct {
		ID       string `json:"id"`
		Username string `json:"username"`
	} `json:"user"`
	CSRF       string `json:"csrf_token"`
	MustChange bool   `json:"must_change_password"`
}

// signIn posts the user name and password and keeps the cookie.
func (b *browser) signIn(t testing.TB, username, password string) (reply, signedIn) {
	t.Helper()
	r := b.do(t, http.MethodPost, "/api/v1/sessions", map[string]any{"username": username, "password": password})
	var s signedIn
	if r.Code == http.StatusCreated {
		require.NoError(t, json.Unmarshal(r.Body, &s))
		b.csrf = s.CSRF
		for _, c := range (&http.Response{Header: r.Header}).Cookies() {
			if c.Name == api.SessionCookie {
				b.cookie = c
			}
		}
	}
	return r, s
}

// write is a write with the CSRF token, as the dashboard sends it.
func (b *browser) write(t testing.TB, method, path string, body any) reply {
	t.Helper()
	return b.do(t, method, path, body, api.CSRFHeader, b.csrf)
}

func testSessions(t *testing.T, a *apiEnv) {
	grid := a.env.Logins["demo-grid"]
	t.Run("201 sign in with the demo password sets an HttpOnly Lax cookie", func(t *testing.T) {
		b := &browser{a: a, addr: "198.51.100.1"}
		r, s := b.signIn(t, "DEMO-GRID", grid.Password) // the user name folds to lower case
		require.Equal(t, http.StatusCreated, r.Code, "%s", r.Body)
		require.Equal(t, "demo-grid", s.User.ID)
		require.NotEmpty(t, s.CSRF)
		require.NotNil(t, b.cookie)
		require.True(t, b.cookie.HttpOnly)
		require.Equal(t, http.SameSiteLaxMode, b.cookie.SameSite)
		require.False(t, b.cookie.Secure, "plain HTTP")
		require.NotContains(t, string(r.Body), b.cookie.Value, "the cookie's value is not in the body")

		var me struct {
			User struct{ ID string } `json:"user"`
			CSRF string              `json:"csrf_token"`
		}
		b.do(t, http.MethodGet, "/api/v1/me", nil).ok(t, http.StatusOK, &me)
		require.Equal(t, "demo-grid", me.User.ID)
		require.Equal(t, s.CSRF, me.CSRF, "a reloaded page gets the token back")

		body := serviceCase("会话里开的案子", "dongzha-g1")
		e := b.do(t, http.MethodPost, "/api/v1/cases", body).fails(t, http.StatusForbidden, "forbidden")
		require.Contains(t, e.Message, api.CSRFHeader)
		b.do(t, http.MethodPost, "/api/v1/cases", body, api.CSRFHeader, "not-the-token").fails(t, http.StatusForbidden, "forbidden")
		b.do(t, http.MethodPost, "/api/v1/cases", body, api.CSRFHeader, b.csrf, "Origin", "https://evil.example").
			fails(t, http.StatusForbidden, "forbidden")
		b.do(t, http.MethodPost, "/api/v1/cases", body, api.CSRFHeader, b.csrf, "Sec-Fetch-Site", "cross-site").
			fails(t, http.StatusForbidden, "forbidden")
		b.write(t, http.MethodPost, "/api/v1/cases", body).ok(t, http.StatusCreated, nil)
		b.do(t, http.MethodPost, "/api/v1/cases", body, api.CSRFHeader, b.csrf, "Sec-Fetch-Site", "same-origin", "Origin", "null").
			ok(t, http.StatusCreated, nil)
		b.do(t, http.MethodPost, "/api/v1/cases", body, api.CSRFHeader, b.csrf, "Origin", "http://example.com").ok(t, http.StatusCreated, nil)

		// Signing out ends the session for good.
		b.write(t, http.MethodDelete, "/api/v1/sessions", nil).ok(t, http.StatusNoContent, nil)
		b.do(t, http.MethodGet, "/api/v1/me", nil).fails(t, http.StatusUnauthorized, "unauthorized")
	})
	t.Run("Secure cookie over TLS", func(t *testing.T) {
		b := &browser{a: a, addr: "198.51.100.2", tls: true}
		r, _ := b.signIn(t, "demo-axis", a.env.Logins["demo-axis"].Password)
		require.Equal(t, http.StatusCreated, r.Code, "%s", r.Body)
		require.True(t, b.cookie.Secure)
	})
	t.Run("401 the same answer for a wrong password and an unknown name", func(t *testing.T) {
		b := &browser{a: a, addr: "198.51.100.3"}
		r1, _ := b.signIn(t, "demo-axis", "not the password")
		r2, _ := b.signIn(t, "nobody-at-all", "not the password")
		e1, e2 := r1.fails(t, http.StatusUnauthorized, "unauthorized"), r2.fails(t, http.StatusUnauthorized, "unauthorized")
		require.Equal(t, e1.Message, e2.Message)
		b.signIn(t, "demo-axis", a.env.Logins["demo-axis"].Password) // clears the count
	})
	t.Run("400 a sign-in body without a password", func(t *testing.T) {
		b := &browser{a: a, addr: "198.51.100.4"}
		b.do(t, http.MethodPost, "/api/v1/sessions", map[string]any{"username": "demo-axis"}).fails(t, http.StatusBadRequest, "invalid")
	})
	t.Run("idle sessions end", func(t *testing.T) {
		b := &browser{a: a, addr: "198.51.100.5"}
		b.signIn(t, "demo-unit", a.env.Logins["demo-unit"].Password)
		b.do(t, http.MethodGet, "/api/v1/me", nil).ok(t, http.StatusOK, nil)
		b.a = a.at(31 * time.Minute)
		b.do(t, http.MethodGet, "/api/v1/me", nil).fails(t, http.StatusUnauthorized, "unauthorized")
	})
	t.Run("429 after five failures, until an admin unlocks; all audited", func(t *testing.T) {
		a.call(t, "demo-admin", http.MethodPost, "/api/v1/users", map[string]any{
			"id": "lock-me", "name": "锁定测试", "role": "grid_worker", "locality_id": "dongzha-g2",
			"username": "lock-me", "password": "first-password-1"}).ok(t, http.StatusCreated, nil)
		b := &browser{a: a, addr: "198.51.100.6"}
		// An admin's password is one-time: only the change is open.
		r, s := b.signIn(t, "lock-me", "first-password-1")
		require.Equal(t, http.StatusCreated, r.Code, "%s", r.Body)
		require.True(t, s.MustChange)
		b.do(t, http.MethodGet, "/api/v1/cases", nil).fails(t, http.StatusForbidden, "forbidden")
		e := b.write(t, http.MethodPost, "/api/v1/me/password", map[string]any{"current_password": "first-password-1", "new_password": "short"}).
			fails(t, http.StatusBadRequest, "invalid")
		require.Contains(t, e.Fields, "new_password")
		b.write(t, http.MethodPost, "/api/v1/me/password", map[string]any{"current_password": "first-password-1", "new_password": "my-own-password-2"}).
			ok(t, http.StatusNoContent, nil)
		b.do(t, http.MethodGet, "/api/v1/cases", nil).ok(t, http.StatusOK, nil)

		for i := range 5 {
			r, _ := b.signIn(t, "lock-me", "wrong-password")
			require.Equal(t, http.StatusUnauthorized, r.Code, "attempt %d", i+1)
		}
		r, _ = b.signIn(t, "lock-me", "my-own-password-2")
		r.fails(t, http.StatusTooManyRequests, "too_many")
		require.NotEmpty(t, r.Header.Get("Retry-After"))
		a.call(t, "demo-axis", http.MethodDelete, "/api/v1/users/lock-me/lockout", nil).fails(t, http.StatusForbidden, "forbidden")
		a.call(t, "demo-admin", http.MethodDelete, "/api/v1/users/lock-me/lockout", nil).ok(t, http.StatusNoContent, nil)
		r, _ = b.signIn(t, "lock-me", "my-own-password-2")
		require.Equal(t, http.StatusCreated, r.Code, "%s", r.Body)

		// An admin ends every session of the user.
		a.call(t, "demo-admin", http.MethodDelete, "/api/v1/users/lock-me/sessions", nil).ok(t, http.StatusNoContent, nil)
		b.do(t, http.MethodGet, "/api/v1/me", nil).fails(t, http.StatusUnauthorized, "unauthorized")

		var log struct {
			Entries []struct {
				Kind    string `json:"kind"`
				UserID  string `json:"user_id"`
				Subject string `json:"subject"`
				Address string `json:"address"`
			} `json:"entries"`
		}
		a.call(t, "demo-admin", http.MethodGet, "/api/v1/audit?limit=200", nil).ok(t, http.StatusOK, &log)
		kinds := map[string]int{}
		for _, e := range log.Entries {
			if e.UserID == "lock-me" || e.Subject == "lock-me" {
				kinds[e.Kind]++
				if e.UserID == "lock-me" {
					require.Equal(t, "198.51.100.6", e.Address)
				}
			}
		}
		require.Equal(t, map[string]int{"password_set": 1, "password_changed": 1, "sign_in": 2, "sign_in_failed": 4,
			"locked": 1, "sign_in_locked": 1, "unlocked": 1, "sessions_revoked": 1}, kinds)
		// A sub-admin of another street sees none of it.
		a.call(t, "demo-unit", http.MethodGet, "/api/v1/audit", nil).fails(t, http.StatusForbidden, "forbidden")
	})
	t.Run("a lockout that has run out starts the count again", func(t *testing.T) {
		a.call(t, "demo-admin", http.MethodPost, "/api/v1/users", map[string]any{
			"id": "lock-again", "name": "再锁测试", "role": "grid_worker", "locality_id": "dongzha-g2",
			"username": "lock-again", "password": "first-password-1"}).ok(t, http.StatusCreated, nil)
		b := &browser{a: a, addr: "198.51.100.7"}
		for range 5 {
			r, _ := b.signIn(t, "lock-again", "wrong-password")
			require.Equal(t, http.StatusUnauthorized, r.Code)
		}
		r, _ := b.signIn(t, "lock-again", "first-password-1")
		r.fails(t, http.StatusTooManyRequests, "too_many")
		b.a = a.at(16 * time.Minute)
		r, _ = b.signIn(t, "lock-again", "wrong-password")
		r.fails(t, http.StatusUnauthorized, "unauthorized") // one typo does not lock again
		r, _ = b.signIn(t, "lock-again", "first-password-1")
		require.Equal(t, http.StatusCreated, r.Code, "%s", r.Body)
	})
	t.Run("429 when one address floods the sign-in", func(t *testing.T) {
		b := &browser{a: a, addr: "203.0.113.9"}
		codes := map[int]int{}
		for range 12 {
			r, _ := b.signIn(t, "nobody-flooding", "guessing") // no user lockout to mix in
			codes[r.Code]++
		}
		require.Equal(t, map[int]int{http.StatusUnauthorized: 10, http.StatusTooManyRequests: 2}, codes)
		// Good passwords from a busy address spend nothing: an office
		// behind one NAT address signs in all at once.
		office := &browser{a: a, addr: "203.0.113.11"}
		for range 15 {
			r, _ := office.signIn(t, "demo-axis-dongzha", a.env.Logins["demo-axis-dongzha"].Password)
			require.Equal(t, http.StatusCreated, r.Code, "%s", r.Body)
		}
		// Another address is not held back by it.
		other := &browser{a: a, addr: "203.0.113.10"}
		r, _ := other.signIn(t, "demo-supervisor-jianshe", a.env.Logins["demo-supervisor-jianshe"].Password)
		require.Equal(t, http.StatusCreated, r.Code, "%s", r.Body)
	})
}
