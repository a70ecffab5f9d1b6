package fuzz_test

import (
	"context"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/api"
	"github.com/qilian/qilian/api/open311"
	"github.com/qilian/qilian/demo"
	"github.com/qilian/qilian/storage/storagetest"
)

// domainEngine opens cases by the domain's own rules without Temporal, so
// that the fuzzers can throw thousands of bodies a second at the real
// parsers, handlers and read model. The api package's tests cover the
// same paths on the real engine.
type domainEngine struct{ api.Engine }

func (domainEngine) Open(_ context.Context, req qilian.OpenRequest, a qilian.Actor) (qilian.Case, error) {
	c, _, err := qilian.Open(req, a, time.Now(), qilian.Policy{})
	return c, err
}

// gridWorkerRouter is the router, with Open311 beside the case API, on a
// fresh SQLite read model holding the demo district, and the demo grid
// worker's token.
func gridWorkerRouter(f *testing.F) (*gin.Engine, string) {
	db := storagetest.Open(f, "sqlite")
	logins, err := demo.Seed(context.Background(), db, time.Now())
	if err != nil {
		f.Fatal(err)
	}
	o311 := open311.Server{}.WithStore(db)
	return api.New(api.Server{Engine: domainEngine{}, Protocols: []api.Protocol{o311}}.WithStore(db)), logins["demo-grid"].Token
}
