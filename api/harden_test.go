package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

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
