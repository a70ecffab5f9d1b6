package openid_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"
	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/openid"
	"github.com/qilian/qilian/openid/openidtest"
)

const callback = "http://127.0.0.1:9/api/v1/sso/callback" // never called: the test reads the redirect

// provider is the real provider the tests sign in at (openidtest).
func provider(t *testing.T) (*mockoidc.MockOIDC, *atomic.Bool) { return openidtest.Provider(t) }

func client(m *mockoidc.MockOIDC, claim string) *openid.Provider {
	return openid.New(openid.Config{Issuer: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret,
		RedirectURL: callback, Claim: claim, Label: "政务单点登录"})
}

// authorize is the browser at the provider, which signs in the queued
// user at once; it returns the code and state sent back to the callback.
func authorize(t *testing.T, authURL string) (code, state string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(authURL)
	require.NoError(t, err)
	_ = res.Body.Close()
	require.Equal(t, http.StatusFound, res.StatusCode)
	to, err := url.Parse(res.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, "/api/v1/sso/callback", to.Path)
	return to.Query().Get("code"), to.Query().Get("state")
}

func TestSignInWithPKCEAndNonce(t *testing.T) {
	m, _ := provider(t)
	p := client(m, "")
	ctx := context.Background()
	const verifier = "a-verifier-of-at-least-forty-three-characters-0123"
	m.QueueUser(&mockoidc.MockUser{Subject: "s-1", PreferredUsername: "Demo-Grid"})
	to, err := p.AuthURL(ctx, "the-state", "the-nonce", verifier)
	require.NoError(t, err)
	u, err := url.Parse(to)
	require.NoError(t, err)
	require.Equal(t, m.AuthorizationEndpoint(), u.Scheme+"://"+u.Host+u.Path)
	q := u.Query()
	sum := sha256.Sum256([]byte(verifier))
	require.Equal(t, "S256", q.Get("code_challenge_method"))
	require.Equal(t, base64.RawURLEncoding.EncodeToString(sum[:]), q.Get("code_challenge"))
	require.Equal(t, "the-nonce", q.Get("nonce"))
	require.Equal(t, "openid profile", q.Get("scope"))
	require.Equal(t, m.ClientID, q.Get("client_id"))
	require.Equal(t, callback, q.Get("redirect_uri"))
	require.Empty(t, q.Get("code_verifier"), "the verifier never goes through the browser")

	code, state := authorize(t, to)
	require.Equal(t, "the-state", state)
	name, err := p.Identify(ctx, code, verifier, "the-nonce")
	require.NoError(t, err)
	require.Equal(t, "Demo-Grid", name, "the claim as the provider says it; matching folds case")

	_, err = p.Identify(ctx, code, verifier, "the-nonce")
	require.ErrorIs(t, err, qilian.ErrUnauthorized, "a code is good once")
	require.Equal(t, "the provider refused the code", qilian.ErrorMessage(err))
}

func TestIdentifyRefuses(t *testing.T) {
	m, _ := provider(t)
	ctx := context.Background()
	const verifier = "a-verifier-of-at-least-forty-three-characters-0123"
	for _, tc := range []struct {
		name     string
		claim    string
		user     *mockoidc.MockUser
		verifier string
		nonce    string
		before   func()
		want     string
	}{
		{name: "another verifier", verifier: "not-the-verifier-of-at-least-forty-three-characters", want: "the provider refused the code"},
		{name: "another nonce", nonce: "a-nonce-from-another-sign-in", want: "the ID token's nonce is not this sign-in's"},
		{name: "no such claim", claim: "employee_no", want: "the ID token has no employee_no"},
		{name: "unverified email", claim: "email", user: &mockoidc.MockUser{Subject: "s-2", Email: "li@example.com"},
			want: "the ID token's email is not verified"},
		{name: "expired token", before: func() { m.FastForward(-time.Hour) }, want: "the ID token does not verify"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := client(m, tc.claim)
			if tc.user == nil {
				tc.user = &mockoidc.MockUser{Subject: "s-1", PreferredUsername: "demo-grid"}
			}
			m.QueueUser(tc.user)
			if tc.before != nil {
				tc.before()
				defer m.FastForward(time.Hour)
			}
			to, err := p.AuthURL(ctx, "s", "the-nonce", verifier)
			require.NoError(t, err)
			code, _ := authorize(t, to)
			if tc.verifier == "" {
				tc.verifier = verifier
			}
			if tc.nonce == "" {
				tc.nonce = "the-nonce"
			}
			_, err = p.Identify(ctx, code, tc.verifier, tc.nonce)
			require.ErrorIs(t, err, qilian.ErrUnauthorized)
			require.Equal(t, tc.want, qilian.ErrorMessage(err), "%v", err)
		})
	}
	t.Run("verified email", func(t *testing.T) {
		p := client(m, "email")
		m.QueueUser(&mockoidc.MockUser{Subject: "s-3", Email: "li@example.com", EmailVerified: true})
		to, err := p.AuthURL(ctx, "s", "n", verifier)
		require.NoError(t, err)
		require.Contains(t, to, "scope=openid+profile+email")
		code, _ := authorize(t, to)
		name, err := p.Identify(ctx, code, verifier, "n")
		require.NoError(t, err)
		require.Equal(t, "li@example.com", name)
	})
}

// A provider that is down when the process starts leaves single sign-on
// unavailable, not the process dead; it is asked again on use, at most
// every RetryEvery.
func TestDiscoveryIsRetriedOnUse(t *testing.T) {
	m, down := provider(t)
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := openid.New(openid.Config{Issuer: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret,
		RedirectURL: callback, Now: func() time.Time { return now }})
	ctx := context.Background()

	down.Store(true)
	err := p.Discover(ctx)
	require.ErrorIs(t, err, qilian.ErrUnavailable)
	require.False(t, p.Available(ctx))
	_, err = p.AuthURL(ctx, "s", "n", "v")
	require.ErrorIs(t, err, qilian.ErrUnavailable)

	down.Store(false)
	require.False(t, p.Available(ctx), "not asked again before RetryEvery")
	now = now.Add(openid.RetryEvery)
	require.True(t, p.Available(ctx))
	to, err := p.AuthURL(ctx, "s", "n", "a-verifier-of-at-least-forty-three-characters-0123")
	require.NoError(t, err)
	require.Contains(t, to, m.AuthorizationEndpoint())

	// Once discovered, it stays so: the endpoints and keys are the
	// provider's for as long as it runs.
	down.Store(true)
	require.True(t, p.Available(ctx))
}

func TestAnIssuerThatIsNotTheProvidersIsRefused(t *testing.T) {
	m, _ := provider(t)
	p := openid.New(openid.Config{Issuer: m.Issuer() + "/", ClientID: m.ClientID, RedirectURL: callback})
	err := p.Discover(context.Background())
	require.ErrorIs(t, err, qilian.ErrUnavailable)
	require.Contains(t, err.Error(), "issuer did not match")
}
