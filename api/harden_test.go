package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian/api"
)

// TestHeaders checks what every answer carries, whatever route, status
// or protocol: nosniff, and a request ID that is the client's only when it
// is a plain token.
func TestHeaders(t *testing.T) {
	r, token := startBodies(t)
	send := func(method, path, body string, headers ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		return w
	}
	bearer := "Bearer " + token
	t.Run("nosniff", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			status int
			w      *httptest.ResponseRecorder
		}{
			{"200 healthz", http.StatusOK, send(http.MethodGet, "/healthz", "")},
			{"200 openapi", http.StatusOK, send(http.MethodGet, "/api/v1/openapi.json", "")},
			{"200 me", http.StatusOK, send(http.MethodGet, "/api/v1/me", "", "Authorization", bearer)},
			{"400 bad body", http.StatusBadRequest, send(http.MethodPost, "/api/v1/cases", "{", "Authorization", bearer, "Content-Type", "application/json")},
			{"401 no token", http.StatusUnauthorized, send(http.MethodGet, "/api/v1/cases", "")},
			{"403 metrics", http.StatusForbidden, send(http.MethodGet, "/metrics", "")},
			{"404 no route", http.StatusNotFound, send(http.MethodGet, "/nothing", "")},
			{"405 wrong method", http.StatusMethodNotAllowed, send(http.MethodDelete, "/api/v1/cases", "")},
			{"415 form body", http.StatusUnsupportedMediaType, send(http.MethodPost, "/api/v1/cases", "a=b", "Authorization", bearer, "Content-Type", "application/x-www-form-urlencoded")},
			{"200 open311", http.StatusOK, send(http.MethodGet, "/open311/v2/services.json", "")},
		} {
			require.Equal(t, tc.status, tc.w.Code, "%s: %s", tc.name, tc.w.Body)
			require.Equal(t, "nosniff", tc.w.Header().Get("X-Content-Type-Options"), tc.name)
		}
	})
	t.Run("request ID", func(t *testing.T) {
		for _, tc := range []struct {
			name, id string
			kept     bool
		}{
			{"plain", "abc-123", true},
			{"every allowed character", "AZaz09._-", true},
			{"64 characters", strings.Repeat("x", 64), true},
			{"65 characters", strings.Repeat("x", 65), false},
			{"space", "abc 123", false},
			{"quote and angle brackets", `"><script>`, false},
			{"non-ASCII", "请求-1", false},
			{"control character", "abc\x01", false},
			{"empty", "", false},
		} {
			w := send(http.MethodGet, "/healthz", "", api.RequestIDHeader, tc.id)
			got := w.Header().Get(api.RequestIDHeader)
			if tc.kept {
				require.Equal(t, tc.id, got, tc.name)
				continue
			}
			require.NotEqual(t, tc.id, got, tc.name)
			require.Regexp(t, `^[0-9a-f]{16}$`, got, "%s: a generated ID", tc.name)
		}
	})
}

// TestMediaType checks that a body under /api/v1 is read only when it is
// JSON: 415 in the one error shape otherwise, whatever the length says.
func TestMediaType(t *testing.T) {
	r, token := startBodies(t)
	const body = `{"kind":"service_linkage"}`
	// chunked hides a body's length, as a chunked request does.
	chunked := func(s string) io.Reader { return io.MultiReader(strings.NewReader(s)) }
	for _, tc := range []struct {
		name        string
		method      string
		body        io.Reader
		contentType string
		status      int
		field       string // what a 400 names
	}{
		{"415 form", http.MethodPost, strings.NewReader(body), "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType, ""},
		{"415 text", http.MethodPost, strings.NewReader(body), "text/plain", http.StatusUnsupportedMediaType, ""},
		{"415 none", http.MethodPost, strings.NewReader(body), "", http.StatusUnsupportedMediaType, ""},
		{"415 malformed header", http.MethodPost, strings.NewReader(body), "application/json; charset", http.StatusUnsupportedMediaType, ""},
		{"415 another charset", http.MethodPost, strings.NewReader(body), "application/json; charset=gbk", http.StatusUnsupportedMediaType, ""},
		{"415 JSON-like type", http.MethodPost, strings.NewReader(body), "application/problem+json", http.StatusUnsupportedMediaType, ""},
		{"415 chunked, none", http.MethodPost, chunked(body), "", http.StatusUnsupportedMediaType, ""},
		{"415 body on a GET", http.MethodGet, strings.NewReader(body), "text/plain", http.StatusUnsupportedMediaType, ""},
		// Past the media type the body is read: it lacks a title.
		{"400 JSON", http.MethodPost, strings.NewReader(body), "application/json", http.StatusBadRequest, "title"},
		{"400 JSON in UTF-8", http.MethodPost, strings.NewReader(body), "Application/JSON; Charset=UTF-8", http.StatusBadRequest, "title"},
		{"400 chunked JSON", http.MethodPost, chunked(body), "application/json", http.StatusBadRequest, "title"},
		// No body needs no type: the 400 says the body is missing.
		{"400 empty, none", http.MethodPost, strings.NewReader(""), "", http.StatusBadRequest, "body"},
		{"400 chunked empty, none", http.MethodPost, chunked(""), "", http.StatusBadRequest, "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, "/api/v1/cases", tc.body)
			req.Header.Set("Authorization", "Bearer "+token)
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			w := httptest.NewRecorder()
			r.ServeHTTP(w, req)
			rep := reply{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
			if tc.status == http.StatusUnsupportedMediaType {
				require.Contains(t, rep.fails(t, tc.status, "unsupported").Message, "application/json")
				return
			}
			require.Contains(t, rep.fails(t, tc.status, "invalid").Fields, tc.field)
		})
	}
}

// TestBadQuery checks that a query Go cannot parse is refused, not read
// without the pair it dropped: kind=a;b would otherwise list every kind.
func TestBadQuery(t *testing.T) {
	r, token := startBodies(t)
	for _, tc := range []struct{ name, query, says string }{
		{"400 semicolon", "kind=service_linkage;state=triage", "semicolon"},
		{"400 semicolon alone", "limit=10&;", "semicolon"},
		{"400 bad escape", "q=%zz", "escape"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/cases?"+tc.query, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			w := httptest.NewRecorder()
			r.ServeHTTP(w, req)
			e := reply{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}.fails(t, http.StatusBadRequest, "invalid")
			require.Contains(t, e.Fields["query"], tc.says, "%v", e.Fields)
		})
	}
}

// TestMetricsAccess checks who may read /metrics, on the API's router and
// on the worker's: with a token, whoever bears it and no one else; without
// one, loopback clients by the connection's address only.
func TestMetricsAccess(t *testing.T) {
	const token = "metrics-token-0123456789"
	routers := map[string]func(string) *gin.Engine{
		"api": func(tok string) *gin.Engine {
			return api.New(api.Server{Ops: api.Ops{Registry: api.NewRegistry(), MetricsToken: tok}})
		},
		"worker": func(tok string) *gin.Engine {
			return api.NewOpsRouter(api.Ops{Registry: api.NewRegistry(), Log: slog.New(slog.DiscardHandler), MetricsToken: tok})
		},
	}
	for name, router := range routers {
		t.Run(name, func(t *testing.T) {
			for _, tc := range []struct {
				name      string
				token     string // configured
				remote    string
				headers   []string
				status    int
				challenge bool
			}{
				{"200 loopback, no token configured", "", "127.0.0.1:40000", nil, http.StatusOK, false},
				{"200 IPv6 loopback, no token configured", "", "[::1]:40000", nil, http.StatusOK, false},
				{"403 remote, no token configured", "", "192.0.2.1:40000", nil, http.StatusForbidden, false},
				{"403 remote claiming loopback", "", "192.0.2.1:40000", []string{"X-Forwarded-For", "127.0.0.1", "X-Real-IP", "127.0.0.1"}, http.StatusForbidden, false},
				{"200 remote with the token", token, "192.0.2.1:40000", []string{"Authorization", "Bearer " + token}, http.StatusOK, false},
				{"200 scheme in any case", token, "192.0.2.1:40000", []string{"Authorization", "bearer " + token}, http.StatusOK, false},
				{"401 loopback without the token", token, "127.0.0.1:40000", nil, http.StatusUnauthorized, true},
				{"401 wrong token", token, "192.0.2.1:40000", []string{"Authorization", "Bearer " + token + "x"}, http.StatusUnauthorized, true},
				{"401 token as basic", token, "192.0.2.1:40000", []string{"Authorization", "Basic " + token}, http.StatusUnauthorized, true},
				{"401 empty bearer", token, "192.0.2.1:40000", []string{"Authorization", "Bearer "}, http.StatusUnauthorized, true},
			} {
				t.Run(tc.name, func(t *testing.T) {
					req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
					req.RemoteAddr = tc.remote
					for i := 0; i+1 < len(tc.headers); i += 2 {
						req.Header.Set(tc.headers[i], tc.headers[i+1])
					}
					w := httptest.NewRecorder()
					router(tc.token).ServeHTTP(w, req)
					rep := reply{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
					if tc.status == http.StatusOK {
						require.Equal(t, http.StatusOK, w.Code, "%s", w.Body)
						require.Contains(t, w.Body.String(), "go_goroutines")
						return
					}
					rep.fails(t, tc.status, map[int]string{http.StatusUnauthorized: "unauthorized", http.StatusForbidden: "forbidden"}[tc.status])
					require.NotContains(t, w.Body.String(), "go_goroutines")
					require.NotContains(t, w.Body.String(), token)
					require.Equal(t, tc.challenge, w.Header().Get("WWW-Authenticate") != "")
				})
			}
		})
	}
}
