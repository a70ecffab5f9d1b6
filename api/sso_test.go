package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/oauth2-proxy/mockoidc"
	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian/api"
	"github.com/qilian/qilian/openid"
	"github.com/qilian/qilian/openid/openidtest"
)

// ssoEnv is the API on a loopback port with single sign-on at a real
// OpenID Connect provider (discovery, authorization, token and key
// endpoints), also on loopback, which signs in whichever user the test
// queued.
type ssoEnv struct {
	a        *apiEnv
	provider *mockoidc.MockOIDC
	// down makes the provider answer 503 to everything.
	down *atomic.Bool
	// skew moves the clock that spaces out the client's discovery attempts.
	skew   atomic.Int64
	client *openid.Provider
	srv    *httptest.Server
	base   string
	router atomic.Pointer[gin.Engine]
}

func startSSO(t *testing.T, a *apiEnv, down bool) *ssoEnv {
	t.Helper()
	m, off := openidtest.Provider(t)
	e := &ssoEnv{a: a, provider: m, down: off}
	e.down.Store(down)

	e.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.router.Load().ServeHTTP(w, r)
	}))
	e.base = "http://" + e.srv.Listener.Addr().String()
	e.client = openid.New(openid.Config{
		Issuer: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret,
		RedirectURL: e.base + "/api/v1/sso/callback", Label: "政务单点登录",
		Now: func() time.Time { return time.Now().Add(time.Duration(e.skew.Load())) },
	})
	// As the process start does: a provider that is down leaves it unavailable.
	err := e.client.Discover(context.Background())
	require.Equal(t, down, err != nil, "discovery: %v", err)
	e.at(0)
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	return e
}

// at serves the API with its clock moved by d.
func (e *ssoEnv) at(d time.Duration) {
	s := serverOn(e.a.env, func() time.Time { return time.Now().Add(d) })
	s.SSO = e.client
	e.router.Store(api.New(s))
}

// ssoBrowser follows no redirect by itself, so that each step can be
// looked at, and keeps cookies as a browser does.
type ssoBrowser struct {
	e   *ssoEnv
	jar *cookiejar.Jar
	c   *http.Client
}

func (e *ssoEnv) browser(t *testing.T) *ssoBrowser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &ssoBrowser{e: e, jar: jar, c: &http.Client{
		Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (b *ssoBrowser) do(t *testing.T, method, rawURL string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := b.c.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	return res, body
}

func (b *ssoBrowser) get(t *testing.T, rawURL string) (*http.Response, []byte) {
	t.Helper()
	return b.do(t, http.MethodGet, rawURL)
}

// login begins a sign-in and returns the provider's authorization URL.
func (b *ssoBrowser) login(t *testing.T) *url.URL {
	t.Helper()
	res, body := b.get(t, b.e.base+"/api/v1/sso/login")
	require.Equal(t, http.StatusFound, res.StatusCode, "%s", body)
	to, err := url.Parse(res.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, b.e.provider.AuthorizationEndpoint(), to.Scheme+"://"+to.Host+to.Path)
	return to
}

// authorize is the browser at the provider, which signs the queued user
// in at once; it returns the callback URL the provider sends it to.
func (b *ssoBrowser) authorize(t *testing.T, at *url.URL) *url.URL {
	t.Helper()
	res, body := b.get(t, at.String())
	require.Equal(t, http.StatusFound, res.StatusCode, "%s", body)
	back, err := url.Parse(res.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, b.e.base+"/api/v1/sso/callback", back.Scheme+"://"+back.Host+back.Path)
	return back
}

// callback returns where the callback sends the browser, and the cookies
// it sets.
func (b *ssoBrowser) callback(t *testing.T, back *url.URL) (string, []*http.Cookie) {
	t.Helper()
	res, body := b.get(t, back.String())
	require.Equal(t, http.StatusFound, res.StatusCode, "%s", body)
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	return res.Header.Get("Location"), res.Cookies()
}

// cookie is the jar's cookie of that name for path, or nil.
func (b *ssoBrowser) cookie(t *testing.T, path, name string) *http.Cookie {
	t.Helper()
	u, err := url.Parse(b.e.base + path)
	require.NoError(t, err)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func named(cookies []*http.Cookie, name string) *http.Cookie {
	for _, c := range cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

type auditLine struct {
	Kind     string `json:"kind"`
	UserID   string `json:"user_id"`
	Username string `json:"username"`
	Address  string `json:"address"`
	Detail   string `json:"detail"`
}

// audited is the access audit of one kind, as the district's admin reads
// it, newest first.
func audited(t *testing.T, a *apiEnv, kind string) []auditLine {
	t.Helper()
	var log struct {
		Entries []auditLine `json:"entries"`
	}
	a.call(t, "demo-admin", http.MethodGet, "/api/v1/audit?limit=200&kind="+kind, nil).ok(t, http.StatusOK, &log)
	return log.Entries
}

func testSSO(t *testing.T, a *apiEnv) {
	e := startSSO(t, a, false)
	queue := func(name string) {
		e.provider.QueueUser(&mockoidc.MockUser{Subject: "sub-" + name, PreferredUsername: name})
	}

	t.Run("200 sso says it is offered, with its label", func(t *testing.T) {
		var v struct {
			Enabled   bool   `json:"enabled"`
			Available bool   `json:"available"`
			Label     string `json:"label"`
		}
		res, body := e.browser(t).get(t, e.base+"/api/v1/sso")
		require.Equal(t, http.StatusOK, res.StatusCode)
		require.NoError(t, json.Unmarshal(body, &v))
		require.True(t, v.Enabled)
		require.True(t, v.Available)
		require.Equal(t, "政务单点登录", v.Label)
	})

	t.Run("302 the provider's user signs in as the Qilian user of that name", func(t *testing.T) {
		b := e.browser(t)
		queue("Demo-Grid") // user names match without regard to case
		res, body := b.get(t, e.base+"/api/v1/sso/login")
		require.Equal(t, http.StatusFound, res.StatusCode, "%s", body)
		require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
		at, err := url.Parse(res.Header.Get("Location"))
		require.NoError(t, err)
		q := at.Query()
		require.Equal(t, "S256", q.Get("code_challenge_method"))
		require.NotEmpty(t, q.Get("code_challenge"))
		require.NotEmpty(t, q.Get("nonce"))
		require.NotEmpty(t, q.Get("state"))
		require.Equal(t, e.provider.ClientID, q.Get("client_id"))
		pending := named(res.Cookies(), api.SSOCookie)
		require.NotNil(t, pending)
		require.True(t, pending.HttpOnly)
		require.Equal(t, http.SameSiteLaxMode, pending.SameSite)
		require.Equal(t, "/api/v1/sso", pending.Path)
		require.Equal(t, 600, pending.MaxAge, "ten minutes to sign in at the provider")
		for _, secret := range []string{q.Get("state"), q.Get("nonce"), q.Get("code_challenge")} {
			require.NotEqual(t, pending.Value, secret, "the cookie's secret never goes to the provider")
		}

		back := b.authorize(t, at)
		to, cookies := b.callback(t, back)
		require.Equal(t, "/dashboard/", to)
		session := named(cookies, api.SessionCookie)
		require.NotNil(t, session)
		require.True(t, session.HttpOnly)
		require.Equal(t, http.SameSiteLaxMode, session.SameSite)
		require.Nil(t, b.cookie(t, "/api/v1/sso/callback", api.SSOCookie), "the sign-in is over")

		// The dashboard's whoami: the same session a password gives.
		var me struct {
			User struct{ ID string } `json:"user"`
			CSRF string              `json:"csrf_token"`
		}
		res, body = b.get(t, e.base+"/api/v1/me")
		require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
		require.NoError(t, json.Unmarshal(body, &me))
		require.Equal(t, "demo-grid", me.User.ID)
		require.NotEmpty(t, me.CSRF)
		res, _ = b.do(t, http.MethodDelete, e.base+"/api/v1/sessions")
		require.Equal(t, http.StatusForbidden, res.StatusCode, "a write needs the CSRF token")
		res, _ = b.do(t, http.MethodDelete, e.base+"/api/v1/sessions", api.CSRFHeader, me.CSRF)
		require.Equal(t, http.StatusNoContent, res.StatusCode)
		res, _ = b.get(t, e.base+"/api/v1/me")
		require.Equal(t, http.StatusUnauthorized, res.StatusCode)

		lines := audited(t, a, "sign_in_sso")
		require.Len(t, lines, 1)
		require.Equal(t, auditLine{Kind: "sign_in_sso", UserID: "demo-grid", Username: "demo-grid", Address: "127.0.0.1"}, lines[0])
	})

	t.Run("302 sso=unknown for a name no user has: no session, audited", func(t *testing.T) {
		b := e.browser(t)
		queue("Nobody.Here")
		to, cookies := b.callback(t, b.authorize(t, b.login(t)))
		require.Equal(t, "/dashboard/#/signin?sso=unknown", to)
		require.Nil(t, named(cookies, api.SessionCookie))
		require.Nil(t, b.cookie(t, "/", api.SessionCookie))
		lines := audited(t, a, "sso_failed")
		require.NotEmpty(t, lines)
		require.Equal(t, `no user is named "Nobody.Here"`, lines[0].Detail)
		require.Empty(t, lines[0].UserID)
	})

	t.Run("302 sso=failed for a tampered state, which also spends the sign-in", func(t *testing.T) {
		b := e.browser(t)
		queue("demo-axis")
		back := b.authorize(t, b.login(t))
		tampered := *back
		q := tampered.Query()
		q.Set("state", q.Get("state")+"x")
		tampered.RawQuery = q.Encode()
		to, cookies := b.callback(t, &tampered)
		require.Equal(t, "/dashboard/#/signin?sso=failed", to)
		require.Nil(t, named(cookies, api.SessionCookie))
		require.Equal(t, "the state is not the sign-in's", audited(t, a, "sso_failed")[0].Detail)

		to, _ = b.callback(t, back)
		require.Equal(t, "/dashboard/#/signin?sso=failed", to, "the true state comes too late")
		require.Nil(t, b.cookie(t, "/", api.SessionCookie))
	})

	t.Run("302 sso=failed for a callback that comes twice", func(t *testing.T) {
		b := e.browser(t)
		queue("demo-unit")
		back := b.authorize(t, b.login(t))
		pending := b.cookie(t, "/api/v1/sso/callback", api.SSOCookie)
		require.NotNil(t, pending)
		to, _ := b.callback(t, back)
		require.Equal(t, "/dashboard/", to)

		// Someone who copied the callback and the cookie gets nothing.
		other := e.browser(t)
		u, err := url.Parse(e.base + "/api/v1/sso")
		require.NoError(t, err)
		other.jar.SetCookies(u, []*http.Cookie{{Name: api.SSOCookie, Value: pending.Value, Path: "/api/v1/sso"}})
		to, cookies := other.callback(t, back)
		require.Equal(t, "/dashboard/#/signin?sso=failed", to)
		require.Nil(t, named(cookies, api.SessionCookie))
		require.Equal(t, "no sign-in under way in this browser, or its callback came already", audited(t, a, "sso_failed")[0].Detail)
		// Nor does the browser itself, a second time.
		to, cookies = b.callback(t, back)
		require.Equal(t, "/dashboard/#/signin?sso=failed", to)
		require.Nil(t, named(cookies, api.SessionCookie))
		require.Equal(t, "no sign-in under way in this browser", audited(t, a, "sso_failed")[0].Detail)
	})

	t.Run("302 sso=failed when the provider says no", func(t *testing.T) {
		b := e.browser(t)
		at := b.login(t)
		back, err := url.Parse(e.base + "/api/v1/sso/callback?error=access_denied&state=" + url.QueryEscape(at.Query().Get("state")))
		require.NoError(t, err)
		to, cookies := b.callback(t, back)
		require.Equal(t, "/dashboard/#/signin?sso=failed", to)
		require.Nil(t, named(cookies, api.SessionCookie))
		require.Equal(t, `the provider answered "access_denied"`, audited(t, a, "sso_failed")[0].Detail)
	})

	t.Run("302 sso=failed after ten minutes at the provider", func(t *testing.T) {
		b := e.browser(t)
		queue("demo-axis")
		back := b.authorize(t, b.login(t))
		e.at(11 * time.Minute)
		defer e.at(0)
		to, _ := b.callback(t, back)
		require.Equal(t, "/dashboard/#/signin?sso=failed", to)
		require.Nil(t, b.cookie(t, "/", api.SessionCookie))
		require.Equal(t, "the sign-in took longer than ten minutes", audited(t, a, "sso_failed")[0].Detail)
	})

	t.Run("302 sso=locked for a user locked after failed passwords", func(t *testing.T) {
		a.call(t, "demo-admin", http.MethodPost, "/api/v1/users", map[string]any{
			"id": "sso-locked", "name": "锁定的单点登录", "role": "grid_worker", "locality_id": "dongzha-g2", "username": "sso-locked",
		}).ok(t, http.StatusCreated, nil)
		_, err := a.env.DB.FailedSignIn(context.Background(), "sso-locked", 1, time.Now().Add(time.Hour))
		require.NoError(t, err)
		b := e.browser(t)
		queue("SSO-Locked")
		to, cookies := b.callback(t, b.authorize(t, b.login(t)))
		require.Equal(t, "/dashboard/#/signin?sso=locked", to)
		require.Nil(t, named(cookies, api.SessionCookie))
		lines := audited(t, a, "sign_in_locked")
		require.NotEmpty(t, lines)
		require.Equal(t, "sso-locked", lines[0].UserID)
		for _, l := range audited(t, a, "sign_in_sso") {
			require.NotEqual(t, "sso-locked", l.UserID)
		}
	})

	t.Run("provider down at start: unavailable, then asked again", func(t *testing.T) {
		d := startSSO(t, a, true)
		available := func() bool {
			var v struct {
				Enabled   bool `json:"enabled"`
				Available bool `json:"available"`
			}
			res, body := d.browser(t).get(t, d.base+"/api/v1/sso")
			require.Equal(t, http.StatusOK, res.StatusCode)
			require.NoError(t, json.Unmarshal(body, &v))
			require.True(t, v.Enabled)
			return v.Available
		}
		require.False(t, available())
		b := d.browser(t)
		res, _ := b.get(t, d.base+"/api/v1/sso/login")
		require.Equal(t, http.StatusFound, res.StatusCode)
		require.Equal(t, "/dashboard/#/signin?sso=unavailable", res.Header.Get("Location"))
		require.Nil(t, named(res.Cookies(), api.SSOCookie), "no sign-in begun")

		d.down.Store(false)
		require.False(t, available(), "a provider that was down is not asked with every request")
		d.skew.Add(int64(openid.RetryEvery))
		require.True(t, available())
		d.provider.QueueUser(&mockoidc.MockUser{Subject: "sub-demo-supervisor", PreferredUsername: "demo-supervisor"})
		to, _ := b.callback(t, b.authorize(t, b.login(t)))
		require.Equal(t, "/dashboard/", to)
	})
}

// testSSOOff is the API without single sign-on: it says so, and its
// routes answer as if absent.
func testSSOOff(t *testing.T, a *apiEnv) {
	var v map[string]any
	a.call(t, "", http.MethodGet, "/api/v1/sso", nil).ok(t, http.StatusOK, &v)
	require.Equal(t, map[string]any{"enabled": false, "available": false}, v)
	a.call(t, "", http.MethodGet, "/api/v1/sso/login", nil).fails(t, http.StatusNotFound, "not_found")
	r := a.call(t, "", http.MethodGet, "/api/v1/sso/callback?code=c&state=s", nil, "Cookie", api.SSOCookie+"=x")
	r.fails(t, http.StatusNotFound, "not_found")
	require.False(t, strings.Contains(r.Header.Get("Set-Cookie"), api.SessionCookie))
}
