// Package openidtest starts a real OpenID Connect provider (mockoidc) on
// loopback for the tests of every package that signs in through one.
package openidtest

import (
	"net"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/oauth2-proxy/mockoidc"
)

// Provider starts the provider and stops it when the test ends. While
// the returned switch is on, it answers 503 to everything, as a provider
// being restarted.
func Provider(t testing.TB) (*mockoidc.MockOIDC, *atomic.Bool) {
	t.Helper()
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatalf("mockoidc: %v", err)
	}
	down := &atomic.Bool{}
	if err := m.AddMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if down.Load() {
				http.Error(w, "restarting", http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, r)
		})
	}); err != nil {
		t.Fatalf("mockoidc middleware: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	if err := m.Start(ln, nil); err != nil {
		t.Fatalf("mockoidc start: %v", err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	return m, down
}
