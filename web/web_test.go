package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian/web"
)

func get(r http.Handler, path string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	return w
}

func TestServesTheEmbeddedFiles(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	web.Mount(r, "")

	w := get(r, "/")
	require.Equal(t, http.StatusFound, w.Code)
	require.Equal(t, "/dashboard/", w.Header().Get("Location"))

	w = get(r, "/dashboard/")
	require.Equal(t, http.StatusOK, w.Code)
	require.Contains(t, w.Header().Get("Content-Type"), "text/html")
	require.Contains(t, w.Body.String(), `<script type="module" src="js/app.js">`)
	csp := w.Header().Get("Content-Security-Policy")
	require.Contains(t, csp, "script-src 'self'")
	require.NotContains(t, csp, "unsafe-eval")
	require.Equal(t, "no-cache", w.Header().Get("Cache-Control"))

	w = get(r, "/dashboard/js/app.js")
	require.Equal(t, http.StatusOK, w.Code)
	require.Contains(t, w.Header().Get("Content-Type"), "javascript")

	w = get(r, "/dashboard/vendor/echarts/echarts.min.js")
	require.Equal(t, http.StatusOK, w.Code)
	require.Greater(t, w.Body.Len(), 500_000)
	require.Contains(t, w.Header().Get("Cache-Control"), "max-age")

	for _, p := range []string{"/dashboard/nope.js", "/dashboard/../web.go", "/dashboard/js/"} {
		w = get(r, p)
		require.Equal(t, http.StatusNotFound, w.Code, p)
		require.False(t, strings.Contains(w.Body.String(), "<"), "no listing for %s", p)
	}
}

// Every script the page loads is a file of the dashboard: no inline
// script, nothing from another origin.
func TestNoInlineOrForeignScripts(t *testing.T) {
	r := gin.New()
	web.Mount(r, "")
	body := get(r, "/dashboard/").Body.String()
	require.NotContains(t, body, "<script>")
	require.NotContains(t, body, "http://")
	require.NotContains(t, body, "https://")
}

// The configured tile server is the one foreign origin a page may load,
// and only as images: a map draws its tiles, nothing else comes from there.
func TestTileOriginIsAllowedForImagesOnly(t *testing.T) {
	r := gin.New()
	web.Mount(r, "https://*.tile.openstreetmap.org")
	csp := get(r, "/dashboard/").Header().Get("Content-Security-Policy")
	require.Contains(t, csp, "img-src 'self' data: blob: https://*.tile.openstreetmap.org;")
	require.Contains(t, csp, "script-src 'self';")
	require.Contains(t, csp, "connect-src 'self';")
	require.Equal(t, 1, strings.Count(csp, "openstreetmap"))

	r = gin.New()
	web.Mount(r, "")
	require.Contains(t, get(r, "/dashboard/").Header().Get("Content-Security-Policy"), "img-src 'self' data: blob:;")
}
