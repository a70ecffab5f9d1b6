package open311_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/api"
	"github.com/qilian/qilian/api/open311"
)

// brokenStore authenticates everyone as an axis operator and then fails
// every read with err, as a database that went away would.
type brokenStore struct {
	open311.Store // any other call panics: the route must not make it
	err           error
}

func (brokenStore) Authenticate(context.Context, string) (qilian.User, error) {
	return qilian.User{ID: "axis-1", Role: qilian.RoleAxis, LocalityID: "s1"}, nil
}

func (brokenStore) Actor(_ context.Context, u qilian.User) (qilian.Actor, error) {
	return qilian.Actor{UserID: u.ID, Role: u.Role, LocalityID: u.LocalityID, LocalityPath: "/c/s1/"}, nil
}

func (s brokenStore) GridAt(context.Context, string, qilian.Point) (qilian.Locality, error) {
	return qilian.Locality{}, s.err
}

func (s brokenStore) Requests(context.Context, qilian.RequestFilter) ([]qilian.Case, error) {
	return nil, s.err
}

// TestFailuresNeverLeak checks that 5xx answers are the specification's
// error list with a fixed description, never the cause, and that the
// cause is logged with the request ID.
func TestFailuresNeverLeak(t *testing.T) {
	const secret = "10.1.2.3"
	down := brokenStore{err: qilian.Errorf(qilian.EUNAVAILABLE, "database unreachable: dial tcp %s:5432", secret)}
	broken := brokenStore{err: errors.New("pq: relation cases at " + secret + " is corrupt")}
	post := "api_key=qlt_x&service_code=service_linkage&lat=30.75&long=120.76"
	for _, tc := range []struct {
		name   string
		store  open311.Store
		method string
		path   string
		status int
		says   string
	}{
		{"503 grid lookup", down, http.MethodPost, "/open311/v2/requests.json", http.StatusServiceUnavailable, "service unavailable"},
		{"503 list xml", down, http.MethodGet, "/open311/v2/requests.xml?api_key=qlt_x", http.StatusServiceUnavailable, "service unavailable"},
		{"500 list", broken, http.MethodGet, "/open311/v2/requests.json?api_key=qlt_x", http.StatusInternalServerError, "internal error"},
		{"500 one request xml", broken, http.MethodGet, "/open311/v2/requests/C1.xml?api_key=qlt_x", http.StatusInternalServerError, "internal error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			o := open311.Server{Log: slog.New(slog.NewJSONHandler(&logs, nil))}.WithStore(tc.store)
			r := api.New(api.Server{Protocols: []api.Protocol{o}})
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(post))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set(api.RequestIDHeader, "req-311")
			w := answer{httptest.NewRecorder()}
			r.ServeHTTP(w, req)
			ext := strings.TrimPrefix(path.Ext(req.URL.Path), ".")
			require.Equal(t, []string{tc.says}, w.fails311(t, ext, tc.status))
			require.NotContains(t, w.Body.String(), secret)
			require.Contains(t, logs.String(), secret, "the cause is logged")
			require.Contains(t, logs.String(), "req-311", "with the request ID")
		})
	}
}
