package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian/api"
	"github.com/qilian/qilian/api/open311"
	"github.com/qilian/qilian/demo"
	"github.com/qilian/qilian/storage/storagetest"
)

// hostileBody is a body of POST /api/v1/cases of nearly MaxBody bytes
// that nests or repeats what the validation walks, and the one field the
// 400 names.
type hostileBody struct {
	name, body, field, problem string
}

// hostileBodies are the shapes that once cost seconds of CPU and
// gigabytes before their 400: the validation rebuilt each node's path and
// walked on past the first problem.
func hostileBodies() []hostileBody {
	// fill repeats unit, comma-separated, to fill the body up to MaxBody
	// less room bytes.
	fill := func(unit string, room int) (string, int) {
		n := (api.MaxBody - room) / (len(unit) + 1)
		return strings.TrimSuffix(strings.Repeat(unit+",", n), ","), n
	}
	nest := func(depth int, inner string) string {
		return strings.Repeat("[", depth) + inner + strings.Repeat("]", depth)
	}
	deep, _ := fill(nest(5000, ""), 100)
	wide, _ := fill(nest(60, ""), 100)
	wideNUL, n := fill(nest(60, ""), 300)
	return []hostileBody{
		{"deep arrays under an unknown key",
			`{"kind":"service_linkage","title":"x","zz":[` + deep + `]}`,
			"body", "nests arrays and objects deeper than 64 levels"},
		{"wide arrays under an unknown key",
			`{"zz":[` + wide + `],"kind":"service_linkage","title":"x"}`,
			"zz", "unknown field"},
		{"control character at the end of arrays under a known string field",
			`{"kind":"service_linkage","title":[` + wideNUL + `,` + nest(60, `"\u0000"`) + `]}`,
			fmt.Sprintf("title[%d]", n) + strings.Repeat("[0]", 60), "must not hold control characters"},
	}
}

// startBodies is the router on a read model with the demo district but no
// engine: every body here is refused before a case would be opened.
func startBodies(t testing.TB) (*gin.Engine, string) {
	db := storagetest.Open(t, "postgres")
	logins, err := demo.Seed(context.Background(), db, time.Now())
	require.NoError(t, err)
	o311 := open311.Server{}.WithStore(db)
	return api.New(api.Server{Protocols: []api.Protocol{o311}}.WithStore(db)), logins["demo-grid"].Token
}

func postCase(r *gin.Engine, token string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/api/v1/cases", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	return w
}

// TestHostileBodiesCostTheirSize sends each hostile body and requires its
// 400 to name the field, and the request to allocate less than 20 times
// the body's size (the least of three runs, as other goroutines allocate
// too). Before validation was one pass that stops at the first problem,
// these took from 90 times the body to thousands.
func TestHostileBodiesCostTheirSize(t *testing.T) {
	r, token := startBodies(t)
	for _, hb := range hostileBodies() {
		t.Run("400 "+hb.name, func(t *testing.T) {
			body := []byte(hb.body)
			require.LessOrEqual(t, len(body), api.MaxBody)
			require.Greater(t, len(body), api.MaxBody*9/10)
			least := ^uint64(0)
			for range 3 {
				var w *httptest.ResponseRecorder
				n := allocated(func() { w = postCase(r, token, body) })
				rep := reply{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
				e := rep.fails(t, http.StatusBadRequest, "invalid")
				require.Equal(t, map[string]string{hb.field: hb.problem}, e.Fields)
				least = min(least, n)
			}
			t.Logf("allocated %d bytes, %.1f times the body", least, float64(least)/float64(len(body)))
			require.Less(t, least, uint64(20*len(body)), "allocated %d bytes for a body of %d", least, len(body))
		})
	}
}

// allocated is how many bytes the process allocated on the heap while f
// ran.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// BenchmarkHostileBody measures the refusal of each hostile body through
// the router, authentication included.
func BenchmarkHostileBody(b *testing.B) {
	r, token := startBodies(b)
	for _, hb := range hostileBodies() {
		body := []byte(hb.body)
		b.Run(strings.ReplaceAll(hb.name, " ", "_"), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if w := postCase(r, token, body); w.Code != http.StatusBadRequest {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}
