package api_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/api"
)

// brokenStore authenticates everyone as an axis operator and then fails
// every read with err, as a database that went away would.
type brokenStore struct {
	api.Store
	err error
}

func (brokenStore) Authenticate(context.Context, string) (qilian.User, error) {
	return qilian.User{ID: "axis-1", Role: qilian.RoleAxis, LocalityID: "s1"}, nil
}

func (brokenStore) Actor(_ context.Context, u qilian.User) (qilian.Actor, error) {
	return qilian.Actor{UserID: u.ID, Role: u.Role, LocalityID: u.LocalityID, LocalityPath: "/c/s1/"}, nil
}

func (s brokenStore) CaseSnapshot(_ context.Context, id string) (qilian.Case, error) {
	if s.err == nil {
		return qilian.Case{ID: id, Kind: qilian.KindServiceLinkage, State: qilian.CaseTriage, LocalityPath: "/c/s1/"}, nil
	}
	return qilian.Case{}, s.err
}

func (s brokenStore) ListCases(context.Context, qilian.CaseFilter) (qilian.CasePage, error) {
	return qilian.CasePage{}, s.err
}

// brokenEngine fails or panics on every action.
type brokenEngine struct {
	api.Engine
	err error
}

func (e brokenEngine) Act(context.Context, string, qilian.Action) (qilian.Case, error) {
	if e.err == nil {
		panic("the engine blew up at 10.1.2.3")
	}
	return qilian.Case{}, e.err
}

// TestFailuresNeverLeak checks that 5xx answers carry a fixed message in
// the error shape, never the cause, and that the cause is logged with the
// request ID.
func TestFailuresNeverLeak(t *testing.T) {
	const secret = "10.1.2.3"
	for _, tc := range []struct {
		name   string
		store  api.Store
		engine api.Engine
		method string
		path   string
		status int
		code   string
	}{
		{"503 database down", brokenStore{err: qilian.Errorf(qilian.EUNAVAILABLE, "database unreachable: dial tcp %s:5432", secret)}, nil,
			http.MethodGet, "/api/v1/cases/C1", http.StatusServiceUnavailable, "unavailable"},
		{"503 temporal down", brokenStore{}, brokenEngine{err: qilian.Errorf(qilian.EUNAVAILABLE, "temporal at %s did not answer", secret)},
			http.MethodPost, "/api/v1/cases/C1/remind", http.StatusServiceUnavailable, "unavailable"},
		{"500 unexpected error", brokenStore{err: errors.New("pq: relation cases at " + secret + " is corrupt")}, nil,
			http.MethodGet, "/api/v1/cases", http.StatusInternalServerError, "internal"},
		{"500 unknown code", brokenStore{err: qilian.Errorf("weird", "code from %s", secret)}, nil,
			http.MethodGet, "/api/v1/cases/C1/events", http.StatusInternalServerError, "internal"},
		{"500 panic", brokenStore{}, brokenEngine{},
			http.MethodPost, "/api/v1/cases/C1/remind", http.StatusInternalServerError, "internal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			r := api.New(api.Server{Engine: tc.engine, Log: slog.New(slog.NewJSONHandler(&logs, nil))}.WithStore(tc.store))
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader("{}"))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer qlt_x")
			req.Header.Set(api.RequestIDHeader, "req-42")
			w := httptest.NewRecorder()
			r.ServeHTTP(w, req)
			rep := reply{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
			e := rep.fails(t, tc.status, tc.code)
			require.Empty(t, e.Fields)
			require.NotContains(t, string(rep.Body), secret)
			require.Contains(t, logs.String(), secret, "the cause is logged")
			require.Contains(t, logs.String(), "req-42", "with the request ID")
		})
	}
}
