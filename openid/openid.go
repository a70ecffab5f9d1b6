// Package openid signs people in at an OpenID Connect provider, with
// github.com/coreos/go-oidc and golang.org/x/oauth2: it discovers the
// provider, writes the authorization URL with a nonce and a PKCE (S256)
// challenge, and trades the code the provider sends back for an ID token
// it verifies, answering the value of the claim that names the user.
package openid

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/qilian/qilian"
)

// Config is a client registered at one provider.
type Config struct {
	Issuer       string
	ClientID     string
	ClientSecret string // empty for a public client
	RedirectURL  string
	// Claim names the user: preferred_username when empty. With "email"
	// the token must also say email_verified.
	Claim string
	// Label is the sign-in button's text.
	Label string
	// Client sends the requests to the provider; one with a 10-second
	// timeout when nil.
	Client *http.Client
	// Now is the clock that spaces out discovery attempts; time.Now when
	// nil.
	Now func() time.Time
}

// RetryEvery is how long a failed discovery stands before the next
// sign-in asks the provider again, so that a provider that is down is
// not asked with every click.
const RetryEvery = 10 * time.Second

const defaultClaim = "preferred_username"

// Provider is one OpenID Connect provider. It discovers the provider's
// endpoints and keys on first use (or at Discover) and, while that
// fails, again on use at most every RetryEvery; until then it is
// unavailable, and a process that has it still runs.
type Provider struct {
	cfg    Config
	client *http.Client
	now    func() time.Time

	mu      sync.Mutex // held while discovering: callers wait for one attempt
	ready   *endpoints
	tried   time.Time
	lastErr error
}

type endpoints struct {
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
}

// New returns the provider; nothing is fetched yet.
func New(cfg Config) *Provider {
	if cfg.Claim == "" {
		cfg.Claim = defaultClaim
	}
	p := &Provider{cfg: cfg, client: cfg.Client, now: cfg.Now}
	if p.client == nil {
		p.client = &http.Client{Timeout: 10 * time.Second}
	}
	if p.now == nil {
		p.now = time.Now
	}
	return p
}

// Label is the sign-in button's text.
func (p *Provider) Label() string { return p.cfg.Label }

// Discover fetches the provider's configuration now, whenever it was last
// tried; the process start calls it, so that the log says at once whether
// single sign-on works.
func (p *Provider) Discover(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ready != nil {
		return nil
	}
	_, err := p.discover(ctx)
	return err
}

// Available reports whether the provider's configuration is at hand,
// asking the provider again if it is not and RetryEvery has passed.
func (p *Provider) Available(ctx context.Context) bool {
	_, err := p.endpoints(ctx)
	return err == nil
}

func (p *Provider) endpoints(ctx context.Context) (*endpoints, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ready != nil {
		return p.ready, nil
	}
	if !p.tried.IsZero() && p.now().Sub(p.tried) < RetryEvery {
		return nil, p.lastErr
	}
	return p.discover(ctx)
}

// discover runs with p.mu held.
func (p *Provider) discover(ctx context.Context) (*endpoints, error) {
	p.tried = p.now()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// The provider keeps the client for fetching its keys later.
	op, err := oidc.NewProvider(oidc.ClientContext(ctx, p.client), p.cfg.Issuer)
	if err != nil {
		p.lastErr = fmt.Errorf("%w: %v", qilian.Errorf(qilian.EUNAVAILABLE, "the single sign-on provider cannot be reached"), err)
		return nil, p.lastErr
	}
	scopes := []string{oidc.ScopeOpenID, "profile"}
	if p.cfg.Claim == "email" {
		scopes = append(scopes, "email")
	}
	p.ready = &endpoints{
		oauth: oauth2.Config{
			ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret, RedirectURL: p.cfg.RedirectURL,
			Endpoint: op.Endpoint(), Scopes: scopes,
		},
		verifier: op.Verifier(&oidc.Config{ClientID: p.cfg.ClientID}),
	}
	p.lastErr = nil
	return p.ready, nil
}

// AuthURL is where the browser signs in: the provider's authorization
// endpoint with state, nonce and the S256 challenge of verifier.
func (p *Provider) AuthURL(ctx context.Context, state, nonce, verifier string) (string, error) {
	e, err := p.endpoints(ctx)
	if err != nil {
		return "", err
	}
	return e.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), nil
}

// Identify trades the code for the provider's tokens with the PKCE
// verifier, verifies the ID token (signature, issuer, audience, expiry)
// and its nonce, and returns the value of the configured claim. Its
// errors are *qilian.Error inside: unavailable when the provider cannot
// be reached, unauthorized when its answer does not hold; the message
// says which step failed, the wrapped text why.
func (p *Provider) Identify(ctx context.Context, code, verifier, nonce string) (string, error) {
	e, err := p.endpoints(ctx)
	if err != nil {
		return "", err
	}
	ctx = oidc.ClientContext(ctx, p.client)
	tok, err := e.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		var refused *oauth2.RetrieveError
		if errors.As(err, &refused) {
			return "", unauthorized("the provider refused the code", err)
		}
		return "", fmt.Errorf("%w: %v", qilian.Errorf(qilian.EUNAVAILABLE, "the single sign-on provider cannot be reached"), err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", unauthorized("the provider answered no ID token", nil)
	}
	idt, err := e.verifier.Verify(ctx, raw)
	if err != nil {
		return "", unauthorized("the ID token does not verify", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return "", unauthorized("the ID token's nonce is not this sign-in's", nil)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return "", unauthorized("the ID token's claims do not decode", err)
	}
	value, _ := claims[p.cfg.Claim].(string)
	if value == "" {
		return "", unauthorized(fmt.Sprintf("the ID token has no %s", p.cfg.Claim), nil)
	}
	// A provider that lets people type any address must not let them
	// choose whom they sign in as.
	if p.cfg.Claim == "email" && claims["email_verified"] != true {
		return "", unauthorized("the ID token's email is not verified", nil)
	}
	return value, nil
}

func unauthorized(msg string, cause error) error {
	e := qilian.Errorf(qilian.EUNAUTHORIZED, "%s", msg)
	if cause == nil {
		return e
	}
	return fmt.Errorf("%w: %v", e, cause)
}
