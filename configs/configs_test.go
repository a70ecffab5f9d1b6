package configs_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/configs"
)

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaultsAreTheDocumentedValues(t *testing.T) {
	c, err := configs.Load("", lookup(nil))
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:8080", c.HTTPAddr)
	require.Equal(t, "./data", c.DataDir)
	require.True(t, c.Embedded())
	require.False(t, c.Postgres())
	require.Equal(t, "127.0.0.1:7233", c.Temporal.Embedded.FrontendAddr)
	require.Equal(t, "127.0.0.1:8233", c.Temporal.Embedded.UIAddr)
	require.Equal(t, qilian.DefaultNamespace, c.Temporal.Namespace)
	require.Equal(t, 30*24*time.Hour, c.Temporal.Retention.Wall())

	p, err := c.Policy()
	require.NoError(t, err)
	r, err := p.Deadline(qilian.KindServiceLinkage, qilian.PriorityNormal)
	require.NoError(t, err)
	require.Equal(t, qilian.DeadlineRule{Accept: qilian.Span{Days: 1}, Resolve: qilian.Span{Days: 7}, Clock: qilian.ClockWorking}, r)
	r, err = p.Deadline(qilian.KindProblemSolving, qilian.PriorityNormal)
	require.NoError(t, err)
	require.Equal(t, 15, r.Resolve.Days, "kind override wins over the default")
	r, err = p.Deadline(qilian.KindProblemSolving, qilian.PriorityEmergency)
	require.NoError(t, err)
	require.Equal(t, qilian.ClockWall, r.Clock, "a kind without an override for a priority falls back")
	require.Equal(t, []qilian.EscalationAction{"remind", "notice", "whistle", "county"}, actions(p.Ladder))
	require.Equal(t, 2, p.MaxReturns)
	require.Equal(t, 30*time.Minute, p.WhistleReportWithin.Wall())

	require.Equal(t, 30*time.Minute, c.Sessions.Idle.Wall())
	require.False(t, c.Sessions.SecureCookie)
	require.False(t, c.SSOEnabled())
	require.Equal(t, "preferred_username", c.SSO.Claim)
	require.Equal(t, "政务单点登录", c.SSO.Label)
}

func TestMapSettings(t *testing.T) {
	c, err := configs.Load("", lookup(nil))
	require.NoError(t, err)
	require.Equal(t, "", c.Map.Tiles, "no tiles by default: the outlines on a blank map")
	require.Equal(t, 18, c.Map.MaxZoom)
	require.Empty(t, c.Map.Center, "no center: the pages fit the outlines")
	require.Zero(t, c.Map.Zoom)
	require.Equal(t, "", c.Map.TileOrigin())

	c, err = configs.Load("", lookup(map[string]string{
		"QILIAN_MAP_TILES":       "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
		"QILIAN_MAP_ATTRIBUTION": "&copy; OpenStreetMap contributors",
		"QILIAN_MAP_MAX_ZOOM":    "19",
		"QILIAN_MAP_CENTER":      "30.75, 120.76",
		"QILIAN_MAP_ZOOM":        "15",
	}))
	require.NoError(t, err)
	require.Equal(t, configs.Map{Tiles: "https://tile.openstreetmap.org/{z}/{x}/{y}.png", Attribution: "&copy; OpenStreetMap contributors",
		MaxZoom: 19, Center: []float64{30.75, 120.76}, Zoom: 15}, c.Map)
	require.Equal(t, "https://tile.openstreetmap.org", c.Map.TileOrigin())

	file := filepath.Join(t.TempDir(), "q.yaml")
	require.NoError(t, os.WriteFile(file, []byte("map:\n  tiles: https://t{s}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=k3y\n  center: [30.75, 120.76]\n  zoom: 14\n"), 0o600))
	c, err = configs.Load(file, lookup(nil))
	require.NoError(t, err)
	require.Equal(t, []float64{30.75, 120.76}, c.Map.Center)
	require.Equal(t, "https://*.tianditu.gov.cn", c.Map.TileOrigin(), "a subdomain is any host under the rest")
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("config", "config", c)
	require.Contains(t, b.String(), "map_tiles=https://*.tianditu.gov.cn")
	require.NotContains(t, b.String(), "k3y", "the log names where the tiles come from, not the key")
	c, err = configs.Load(file, lookup(map[string]string{"QILIAN_MAP_CENTER": "", "QILIAN_MAP_ZOOM": "0"}))
	require.NoError(t, err)
	require.Empty(t, c.Map.Center, "the environment takes the file's center away")

	for template, origin := range map[string]string{
		"https://{s}.tile.openstreetmap.org/{z}/{x}/{y}{r}.png":                             "https://*.tile.openstreetmap.org",
		"http://127.0.0.1:8081/tiles/{z}/{x}/{y}.png":                                       "http://127.0.0.1:8081",
		"https://webrd01.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}":              "https://webrd01.is.autonavi.com",
		"https://tiles.example.com/{s}/{z}/{x}/{y}.png":                                     "https://tiles.example.com",
		"https://t0.tianditu.gov.cn/img_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=k": "https://t0.tianditu.gov.cn",
	} {
		c, err := configs.Load("", lookup(map[string]string{"QILIAN_MAP_TILES": template}))
		require.NoError(t, err, template)
		require.Equal(t, origin, c.Map.TileOrigin(), template)
	}
}

func TestSSOAndSessionsFromTheEnvironment(t *testing.T) {
	c, err := configs.Load("", lookup(map[string]string{
		"QILIAN_OIDC_ISSUER":        "https://sso.example.com/realms/gov",
		"QILIAN_OIDC_CLIENT_ID":     "qilian",
		"QILIAN_OIDC_CLIENT_SECRET": "s3cret-value",
		"QILIAN_OIDC_REDIRECT_URL":  "https://qilian.example.com/api/v1/sso/callback",
		"QILIAN_OIDC_CLAIM":         "employee_no",
		"QILIAN_OIDC_LABEL":         "统一身份认证",
		"QILIAN_SESSION_IDLE":       "2h",
		"QILIAN_SECURE_COOKIE":      "true",
	}))
	require.NoError(t, err)
	require.True(t, c.SSOEnabled())
	require.Equal(t, configs.SSO{
		Issuer: "https://sso.example.com/realms/gov", ClientID: "qilian", ClientSecret: "s3cret-value",
		RedirectURL: "https://qilian.example.com/api/v1/sso/callback", Claim: "employee_no", Label: "统一身份认证",
	}, c.SSO)
	require.Equal(t, 2*time.Hour, c.Sessions.Idle.Wall())
	require.True(t, c.Sessions.SecureCookie)

	// A provider on this machine may speak plain HTTP, for trying it out.
	c, err = configs.Load("", lookup(map[string]string{
		"QILIAN_OIDC_ISSUER": "http://127.0.0.1:5556/dex", "QILIAN_OIDC_CLIENT_ID": "qilian",
		"QILIAN_OIDC_REDIRECT_URL": "http://127.0.0.1:8080/api/v1/sso/callback",
	}))
	require.NoError(t, err)
	require.True(t, c.SSOEnabled())
	require.Empty(t, c.SSO.ClientSecret, "a public client needs none")
}

func actions(steps []qilian.EscalationStep) []qilian.EscalationAction {
	var out []qilian.EscalationAction
	for _, s := range steps {
		out = append(out, s.Action)
	}
	return out
}

func TestEnvironmentWinsOverFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "q.yaml")
	require.NoError(t, os.WriteFile(file, []byte("http_addr: 127.0.0.1:9000\ndata_dir: /srv/q\nengine:\n  max_returns: 5\n"), 0o600))
	c, err := configs.Load(file, lookup(map[string]string{
		"QILIAN_HTTP_ADDR":          "0.0.0.0:8081",
		"QILIAN_DATABASE_URL":       "postgres://q:secret@db:5432/qilian?sslmode=disable",
		"QILIAN_TEMPORAL_ADDRESS":   "temporal:7233",
		"QILIAN_TEMPORAL_NAMESPACE": "city",
		"QILIAN_TEMPORAL_RETENTION": "90d",
		"QILIAN_METRICS_TOKEN":      "scrape-0123456789abcdef",
	}))
	require.NoError(t, err)
	require.Equal(t, "scrape-0123456789abcdef", c.Metrics.Token)
	require.Equal(t, "0.0.0.0:8081", c.HTTPAddr)
	require.Equal(t, "/srv/q", c.DataDir, "the file applies where the environment is silent")
	require.Equal(t, 5, c.Engine.MaxReturns)
	require.True(t, c.Postgres())
	require.False(t, c.Embedded())
	require.Equal(t, "city", c.Temporal.Namespace)
	require.Equal(t, 90, c.Temporal.Retention.Days)
	require.InDelta(t, 0.8, c.Escalation.WarnAt, 1e-9, "untouched keys keep their defaults")
}

func TestBadValuesNameTheSetting(t *testing.T) {
	cases := map[string]struct {
		env  map[string]string
		file string
		want string
	}{
		"http addr":       {env: map[string]string{"QILIAN_HTTP_ADDR": "8080"}, want: "QILIAN_HTTP_ADDR"},
		"database url":    {env: map[string]string{"QILIAN_DATABASE_URL": "mysql://x:pw@h/db"}, want: "QILIAN_DATABASE_URL"},
		"retention":       {env: map[string]string{"QILIAN_TEMPORAL_RETENTION": "soon"}, want: "QILIAN_TEMPORAL_RETENTION"},
		"short retention": {env: map[string]string{"QILIAN_TEMPORAL_RETENTION": "2h"}, want: "temporal.retention"},
		"max returns":     {env: map[string]string{"QILIAN_MAX_RETURNS": "two"}, want: "QILIAN_MAX_RETURNS"},
		"temporal store":  {env: map[string]string{"QILIAN_TEMPORAL_DATABASE_URL": "sqlite:///x.db"}, want: "QILIAN_TEMPORAL_DATABASE_URL"},
		"store no db":     {env: map[string]string{"QILIAN_TEMPORAL_DATABASE_URL": "postgres://u@h:5432/"}, want: "QILIAN_TEMPORAL_DATABASE_URL"},
		"shards word":     {env: map[string]string{"QILIAN_TEMPORAL_HISTORY_SHARDS": "many"}, want: "QILIAN_TEMPORAL_HISTORY_SHARDS"},
		"shards sqlite":   {env: map[string]string{"QILIAN_TEMPORAL_HISTORY_SHARDS": "4"}, want: "need Temporal on PostgreSQL"},
		"shards negative": {env: map[string]string{"QILIAN_TEMPORAL_HISTORY_SHARDS": "-1", "QILIAN_TEMPORAL_DATABASE_URL": "postgres://u@h:5432/t"}, want: "temporal.embedded.history_shards"},
		"log level":       {env: map[string]string{"QILIAN_LOG_LEVEL": "loud"}, want: "QILIAN_LOG_LEVEL"},
		"temporal addr":   {env: map[string]string{"QILIAN_TEMPORAL_ADDRESS": "temporal"}, want: "QILIAN_TEMPORAL_ADDRESS"},
		"short token":     {env: map[string]string{"QILIAN_METRICS_TOKEN": "secret"}, want: "QILIAN_METRICS_TOKEN"},
		"spaced token":    {env: map[string]string{"QILIAN_METRICS_TOKEN": "a token with spaces in it"}, want: "QILIAN_METRICS_TOKEN"},
		"unknown key":     {file: "htp_addr: 1.2.3.4:80\n", want: "htp_addr"},
		"bad ladder":      {file: "escalation:\n  steps:\n    - {action: shout, after: 1h}\n", want: "escalation.steps[0].action"},
		"bad warn":        {file: "escalation:\n  warn_at: 1.5\n", want: "escalation.warn_at"},
		"bad kind":        {file: "deadlines:\n  kinds:\n    karaoke:\n      normal: {accept: 1d, resolve: 2d}\n", want: "deadlines.kinds.karaoke"},
		"bad hours":       {file: "calendar:\n  working_hours: [\"17:00-09:00\"]\n", want: "calendar.working_hours[0]"},
		"bad span":        {file: "engine:\n  whistle_report_within: half an hour\n", want: "half an hour"},
		"idle":            {env: map[string]string{"QILIAN_SESSION_IDLE": "a while"}, want: "QILIAN_SESSION_IDLE"},
		"idle too long":   {env: map[string]string{"QILIAN_SESSION_IDLE": "1d"}, want: "sessions.idle (QILIAN_SESSION_IDLE)"},
		"idle too short":  {file: "sessions:\n  idle: 10s\n", want: "sessions.idle"},
		"secure cookie":   {env: map[string]string{"QILIAN_SECURE_COOKIE": "maybe"}, want: "QILIAN_SECURE_COOKIE"},
		"sso no client":   {env: map[string]string{"QILIAN_OIDC_ISSUER": "https://sso.example.com", "QILIAN_OIDC_REDIRECT_URL": "https://q.example.com/api/v1/sso/callback"}, want: "sso.client_id (QILIAN_OIDC_CLIENT_ID): required"},
		"sso no redirect": {env: map[string]string{"QILIAN_OIDC_ISSUER": "https://sso.example.com", "QILIAN_OIDC_CLIENT_ID": "qilian"}, want: "sso.redirect_url (QILIAN_OIDC_REDIRECT_URL): required"},
		"sso redirect elsewhere": {env: map[string]string{"QILIAN_OIDC_ISSUER": "https://sso.example.com", "QILIAN_OIDC_CLIENT_ID": "qilian",
			"QILIAN_OIDC_REDIRECT_URL": "https://q.example.com/dashboard/"}, want: "QILIAN_OIDC_REDIRECT_URL"},
		"sso plain http issuer": {env: map[string]string{"QILIAN_OIDC_ISSUER": "http://sso.example.com", "QILIAN_OIDC_CLIENT_ID": "qilian",
			"QILIAN_OIDC_REDIRECT_URL": "https://q.example.com/api/v1/sso/callback"}, want: "QILIAN_OIDC_ISSUER"},
		"sso no claim":    {file: "sso:\n  issuer: https://sso.example.com\n  client_id: q\n  redirect_url: https://q.example.com/api/v1/sso/callback\n  claim: \"\"\n", want: "sso.claim"},
		"sso unknown key": {file: "sso:\n  issuer_url: https://sso.example.com\n", want: "issuer_url"},
		"tiles not http":  {env: map[string]string{"QILIAN_MAP_TILES": "ftp://tiles.example.com/{z}/{x}/{y}.png"}, want: "map.tiles (QILIAN_MAP_TILES)"},
		"tiles not a URL": {env: map[string]string{"QILIAN_MAP_TILES": "tiles/{z}/{x}/{y}.png"}, want: "map.tiles (QILIAN_MAP_TILES)"},
		"tiles without y": {env: map[string]string{"QILIAN_MAP_TILES": "https://tiles.example.com/{z}/{x}.png"}, want: "lacks one of them"},
		"tiles other placeholder": {env: map[string]string{"QILIAN_MAP_TILES": "https://tiles.example.com/{z}/{x}/{y}.png?key={key}"},
			want: "holds another placeholder"},
		"tiles subdomain deeper": {env: map[string]string{"QILIAN_MAP_TILES": "https://tiles.{s}.example.com/{z}/{x}/{y}.png"}, want: "map.tiles"},
		"tianditu without key": {env: map[string]string{"QILIAN_MAP_TILES": "https://t0.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"},
			want: "tk=YOUR_KEY"},
		"attribution two lines": {file: "map:\n  attribution: \"a\\nb\"\n", want: "map.attribution"},
		"max zoom":              {env: map[string]string{"QILIAN_MAP_MAX_ZOOM": "30"}, want: "map.max_zoom (QILIAN_MAP_MAX_ZOOM): want 1 to 22"},
		"max zoom not a number": {env: map[string]string{"QILIAN_MAP_MAX_ZOOM": "high"}, want: "QILIAN_MAP_MAX_ZOOM"},
		"center not a point":    {env: map[string]string{"QILIAN_MAP_CENTER": "north"}, want: "QILIAN_MAP_CENTER: want lat,lng"},
		"center off Earth":      {env: map[string]string{"QILIAN_MAP_CENTER": "120.76,30.75", "QILIAN_MAP_ZOOM": "12"}, want: "map.center"},
		"center of three":       {file: "map:\n  center: [30, 120, 5]\n  zoom: 12\n", want: "map.center"},
		"center without zoom":   {env: map[string]string{"QILIAN_MAP_CENTER": "30.75,120.76"}, want: "map.zoom (QILIAN_MAP_ZOOM): want 1 to map.max_zoom"},
		"zoom without center":   {env: map[string]string{"QILIAN_MAP_ZOOM": "12"}, want: "map.zoom (QILIAN_MAP_ZOOM): set with map.center only"},
		"zoom past max":         {env: map[string]string{"QILIAN_MAP_CENTER": "30.75,120.76", "QILIAN_MAP_ZOOM": "19"}, want: "map.zoom"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			path := ""
			if tc.file != "" {
				path = filepath.Join(t.TempDir(), "q.yaml")
				require.NoError(t, os.WriteFile(path, []byte(tc.file), 0o600))
			}
			_, err := configs.Load(path, lookup(tc.env))
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestLogValueMasksThePassword(t *testing.T) {
	c, err := configs.Load("", lookup(map[string]string{"QILIAN_DATABASE_URL": "postgres://qilian:hunter2@db:5432/qilian"}))
	require.NoError(t, err)
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("config", "config", c)
	require.NotContains(t, b.String(), "hunter2")
	require.Contains(t, b.String(), "qilian:xxxxx@db:5432")
}

func TestLogValueHidesTheMetricsToken(t *testing.T) {
	c, err := configs.Load("", lookup(map[string]string{"QILIAN_METRICS_TOKEN": "scrape-0123456789abcdef"}))
	require.NoError(t, err)
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("config", "config", c)
	require.NotContains(t, b.String(), "scrape-0123456789abcdef")
	require.Contains(t, b.String(), "metrics=\"bearer token\"")
}

func TestLogValueHidesTheClientSecret(t *testing.T) {
	c, err := configs.Load("", lookup(map[string]string{
		"QILIAN_OIDC_ISSUER": "https://sso.example.com", "QILIAN_OIDC_CLIENT_ID": "qilian",
		"QILIAN_OIDC_REDIRECT_URL": "https://q.example.com/api/v1/sso/callback", "QILIAN_OIDC_CLIENT_SECRET": "do-not-log-this-secret",
	}))
	require.NoError(t, err)
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("config", "config", c)
	require.NotContains(t, b.String(), "do-not-log-this-secret")
	require.Contains(t, b.String(), "https://sso.example.com as client qilian, users by claim preferred_username, client secret set")
}

func TestShippedCalendarsAreEmbedded(t *testing.T) {
	f, err := configs.Calendars().Open("2026.json")
	require.NoError(t, err)
	require.NoError(t, f.Close())
}
