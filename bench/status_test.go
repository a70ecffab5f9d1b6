package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// The bench tells a refused retry (409) from other failures by the
// answer's status, not by the text of the error.
func TestBenchCallStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusConflict)
		fmt.Fprint(w, `{"error":{"code":"conflict","message":"already dispatched: 409 "}}`)
	}))
	defer srv.Close()
	st := &benchStack{http: srv.Client()}
	err := st.call(context.Background(), http.MethodPost, srv.URL+"/x", "", []byte(`{}`), http.StatusOK, nil)
	require.True(t, hasStatus(err, http.StatusConflict), "%v", err)
	require.False(t, hasStatus(err, http.StatusServiceUnavailable))
	require.False(t, hasStatus(fmt.Errorf("POST /x: 409 conflict"), http.StatusConflict), "text is not a status")
	require.NoError(t, st.call(context.Background(), http.MethodPost, srv.URL+"/x", "", nil, http.StatusConflict, nil))
}
