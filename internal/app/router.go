package app

import (
	"context"
	"log/slog"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/api"
	"github.com/qilian/qilian/api/open311"
	"github.com/qilian/qilian/configs"
	"github.com/qilian/qilian/openid"
	"github.com/qilian/qilian/points"
	"github.com/qilian/qilian/storage"
	"github.com/qilian/qilian/web"
	"github.com/qilian/qilian/workflows"
)

// NewAPIRouter wires the HTTP API for serve, api and the bench: the case
// API on the engine's client and the read model, with the operations
// endpoints, Open311 GeoReport v2 beside it on the same read model, and
// the dashboard at /dashboard/.
func NewAPIRouter(ops api.Ops, c client.Client, db *storage.DB, e Engine, indicators *points.Set, s SignIn, log *slog.Logger) *gin.Engine {
	r := api.New(api.Server{
		Ops:        ops,
		Engine:     &workflows.Client{Temporal: c, Policy: e.Policy},
		Indicators: indicators,
		Calendar:   e.Calendar,
		Log:        log,
		Sessions:   s.Sessions,
		Duplicates: e.Duplicates,
		Map:        mapSettings(e.Map),
		FileStore:  e.Files,
		SSO:        s.SSO,
		Protocols:  []api.Protocol{open311.Server{Log: log}.WithStore(db)},
	}.WithStore(db))
	web.Mount(r, e.Map.TileOrigin())
	return r
}

// mapSettings is the configured map as the API serves it.
func mapSettings(m configs.Map) api.MapSettings {
	s := api.MapSettings{Tiles: m.Tiles, Attribution: m.Attribution, MaxZoom: m.MaxZoom}
	if len(m.Center) == 2 {
		s.Center, s.Zoom = &qilian.Point{Lat: m.Center[0], Lng: m.Center[1]}, m.Zoom
	}
	return s
}

// SignIn is how people sign in: the session policy and, when configured,
// single sign-on. The zero value is the default session policy without
// single sign-on.
type SignIn struct {
	Sessions api.Sessions
	SSO      api.SSO // nil when off
}

// LoadSignIn reads the session policy and sets up single sign-on. Its
// provider is asked at once, so that the log says whether it answers; one
// that does not leaves single sign-on unavailable, to be asked again when
// someone uses it, and the process runs on.
func LoadSignIn(ctx context.Context, cfg configs.Config, log *slog.Logger) SignIn {
	s := SignIn{Sessions: api.Sessions{Idle: cfg.Sessions.Idle.Wall(), SecureCookie: cfg.Sessions.SecureCookie}}
	if !cfg.SSOEnabled() {
		return s
	}
	p := openid.New(openid.Config{
		Issuer: cfg.SSO.Issuer, ClientID: cfg.SSO.ClientID, ClientSecret: cfg.SSO.ClientSecret,
		RedirectURL: cfg.SSO.RedirectURL, Claim: cfg.SSO.Claim, Label: cfg.SSO.Label,
	})
	if err := p.Discover(ctx); err != nil {
		log.Warn("single sign-on is unavailable until its provider answers; it is asked again when someone signs in with it",
			"issuer", cfg.SSO.Issuer, "error", err)
	} else {
		log.Info("single sign-on ready", "issuer", cfg.SSO.Issuer, "claim", cfg.SSO.Claim)
	}
	s.SSO = p
	return s
}
