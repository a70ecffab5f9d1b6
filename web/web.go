// Package web is the supervision dashboard: plain HTML, CSS and ES modules
// embedded in the binary and served at /dashboard/. The pages talk only to
// the JSON API, with the session cookie the user signs in for; nothing
// here reads the database or the engine.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed static
var files embed.FS

// Prefix is where the dashboard is served.
const Prefix = "/dashboard/"

// Static is the dashboard's files, rooted at its index.html.
func Static() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the directory is embedded above; it cannot be missing
	}
	return sub
}

// csp lets the pages load only their own scripts and talk only to their
// own origin. ECharts, Element Plus and Vant set element styles from
// script, hence the inline style allowance; Vant's icon font is a data:
// URL inside its stylesheet; no inline script is allowed. Map tiles are
// images from the configured tile server, the one other origin allowed.
func csp(tileOrigin string) string {
	img := "img-src 'self' data: blob:"
	if tileOrigin != "" {
		img += " " + tileOrigin
	}
	return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " + img +
		"; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
}

// Mount serves the dashboard at /dashboard/ on r and sends / there.
// tileOrigin is where the map tiles come from (configs.Map.TileOrigin), ""
// for none.
func Mount(r gin.IRoutes, tileOrigin string) {
	policy := csp(tileOrigin)
	root := Static()
	server := http.FileServer(http.FS(root))
	serve := func(c *gin.Context) {
		name := strings.TrimPrefix(path.Clean("/"+c.Param("file")), "/")
		if name == "" {
			name = "index.html"
		}
		if st, err := fs.Stat(root, name); err != nil || st.IsDir() {
			c.Header("Content-Type", "text/plain; charset=utf-8")
			c.String(http.StatusNotFound, "not found")
			return
		}
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", policy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if strings.HasPrefix(name, "vendor/") {
			h.Set("Cache-Control", "public, max-age=86400")
		} else {
			// The pages change with the binary: always revalidate.
			h.Set("Cache-Control", "no-cache")
		}
		req := c.Request.Clone(c.Request.Context())
		req.URL.Path = "/" + name
		if name == "index.html" {
			// http.FileServer redirects /index.html to ./; serve it as the directory.
			req.URL.Path = "/"
		}
		server.ServeHTTP(c.Writer, req)
	}
	r.GET("/dashboard/*file", serve)
	r.HEAD("/dashboard/*file", serve)
	r.GET("/dashboard", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, Prefix) })
	r.GET("/", func(c *gin.Context) { c.Redirect(http.StatusFound, Prefix) })
}
