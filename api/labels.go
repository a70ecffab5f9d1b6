package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/points"
)

// labels answers the domain's vocabulary, with the sources of scorecard
// lines beside it. It changes only with a release, so browsers may keep
// it a while.
func (h *handler) labels(c *gin.Context) {
	v := qilian.Vocabulary()
	v["line_source"] = points.SourceTerms()
	c.Header("Cache-Control", "public, max-age=300")
	respond(c, http.StatusOK, v)
}
