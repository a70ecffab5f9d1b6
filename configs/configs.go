// Package configs holds Qilian's configuration files and reads them: the
// commented example that doubles as the built-in defaults (qilian.yaml), the
// official calendars, the example indicator set of the points assessment
// (indicators.yaml), and the loader that layers a file and environment
// variables over those defaults.
package configs

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/calendar"
	"github.com/qilian/qilian/points"
)

//go:embed qilian.yaml
var defaults []byte

//go:embed calendar/*.json
var calendars embed.FS

// Calendars is the directory of shipped calendar files.
func Calendars() fs.FS {
	sub, err := fs.Sub(calendars, "calendar")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}

// Calendar is the working-time calendar the engine counts on, in layers
// that each win year by year over the one before: lunar-go's official
// years, the files shipped in configs/calendar, and the files in
// calendar.dir (QILIAN_CALENDAR_DIR) when it is set; past them, years are
// provisional. The office hours are calendar.working_hours.
func (c Config) Calendar() (*calendar.Calendar, error) {
	shipped, err := calendar.ReadDir(Calendars(), ".", "configs/calendar")
	if err != nil {
		return nil, err
	}
	layers := [][]calendar.Year{shipped}
	if dir := c.CalendarSettings.Dir; dir != "" {
		own, err := calendar.ReadDir(os.DirFS(dir), ".", dir)
		if err != nil {
			return nil, fmt.Errorf("calendar.dir (QILIAN_CALENDAR_DIR): %w", err)
		}
		layers = append(layers, own)
	}
	cal, err := calendar.Standard(layers...)
	if err != nil {
		return nil, err
	}
	periods, err := c.WorkingHours()
	if err != nil {
		return nil, err
	}
	hours := calendar.Hours{}
	for _, p := range periods {
		hours.Periods = append(hours.Periods, calendar.Period{Start: p[0], End: p[1]})
	}
	if cal, err = cal.WithHours(hours); err != nil {
		return nil, fmt.Errorf("calendar.working_hours: %w", err)
	}
	return cal, nil
}

//go:embed indicators.yaml
var exampleIndicators []byte

// ExampleIndicators is the shipped example indicator set, as written.
func ExampleIndicators() []byte { return slices.Clone(exampleIndicators) }

// ParseIndicators reads an indicator file written in YAML (JSON is YAML
// too). The YAML library lives here, so the file becomes JSON here and
// points parses and validates that, unknown keys included.
func ParseIndicators(b []byte) (*points.Set, error) {
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("want a mapping with string keys: %w", err)
	}
	return points.Parse(j)
}

// Config is the whole configuration. Its field names mirror the YAML keys.
type Config struct {
	HTTPAddr    string   `yaml:"http_addr"`
	DataDir     string   `yaml:"data_dir"`
	DatabaseURL string   `yaml:"database_url"`
	Log         Log      `yaml:"log"`
	Temporal    Temporal `yaml:"temporal"`
	Deadlines   struct {
		Default map[qilian.Priority]Deadline                 `yaml:"default"`
		Kinds   map[qilian.Kind]map[qilian.Priority]Deadline `yaml:"kinds"`
	} `yaml:"deadlines"`
	Escalation struct {
		WarnAt float64 `yaml:"warn_at"`
		Steps  []struct {
			Action qilian.EscalationAction `yaml:"action"`
			After  qilian.Span             `yaml:"after"`
		} `yaml:"steps"`
	} `yaml:"escalation"`
	Engine struct {
		MaxReturns          int         `yaml:"max_returns"`
		WhistleReportWithin qilian.Span `yaml:"whistle_report_within"`
		ProgressEvery       qilian.Span `yaml:"progress_every"`
		WorkflowCache       int         `yaml:"workflow_cache"`
		MemoryLimitMiB      int         `yaml:"memory_limit_mib"`
	} `yaml:"engine"`
	CalendarSettings struct {
		Dir          string   `yaml:"dir"`
		WorkingHours []string `yaml:"working_hours"`
	} `yaml:"calendar"`
	Points struct {
		IndicatorsFile string `yaml:"indicators_file"`
	} `yaml:"points"`
	Metrics struct {
		Token string `yaml:"token"`
	} `yaml:"metrics"`
	Privacy struct {
		PersonalDataRetention qilian.Span `yaml:"personal_data_retention"`
	} `yaml:"privacy"`
	Sessions Sessions `yaml:"sessions"`
	SSO      SSO      `yaml:"sso"`
	// Duplicates says which cases a new one may duplicate.
	Duplicates struct {
		RadiusM float64     `yaml:"radius_m"`
		Window  qilian.Span `yaml:"window"`
	} `yaml:"duplicates"`
	Map Map `yaml:"map"`
}

// Map is what the pages draw the grid outlines over.
type Map struct {
	// Tiles is a tile URL template with {z}, {x} and {y} (and perhaps
	// {s}), as Leaflet takes it; empty for none: the outlines on a blank
	// map.
	Tiles       string `yaml:"tiles"`
	Attribution string `yaml:"attribution"`
	MaxZoom     int    `yaml:"max_zoom"`
	// Center, [lat, lng], and Zoom are where a map opens; without them a
	// page fits the outlines.
	Center []float64 `yaml:"center"`
	Zoom   int       `yaml:"zoom"`
}

// TileOrigin is where the tiles come from, as a Content-Security-Policy
// source for img-src: the scheme and host (with its port) of map.tiles,
// the host's first label "*" when it holds {s}
// (https://*.tile.openstreetmap.org); "" when there are no tiles. Tiles
// holds a valid template (Validate checks it).
func (m Map) TileOrigin() string {
	if m.Tiles == "" {
		return ""
	}
	u, err := url.Parse(fillTemplate(m.Tiles))
	if err != nil {
		return ""
	}
	host := u.Host
	if strings.Contains(tileHost(m.Tiles), "{s}") {
		_, rest, _ := strings.Cut(host, ".")
		host = "*." + rest
	}
	return u.Scheme + "://" + host
}

// tileHost is the host of a tile template, placeholders and all.
func tileHost(template string) string {
	_, rest, _ := strings.Cut(template, "://")
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// tilePlaceholders are what a tile template may hold, filled with values
// that make it a URL for parsing. {r} is Leaflet's "@2x" on a
// high-density screen.
var tilePlaceholders = strings.NewReplacer("{s}", "a", "{z}", "0", "{x}", "0", "{y}", "0", "{r}", "")

func fillTemplate(t string) string { return tilePlaceholders.Replace(t) }

// validate checks the map settings, naming the bad one.
func (m Map) validate() error {
	if m.Tiles != "" {
		const want = "map.tiles (QILIAN_MAP_TILES): want empty (no tiles) or an http(s) URL template with {z}, {x} and {y}, and {s} at most in the host's first label"
		filled := fillTemplate(m.Tiles)
		u, err := url.Parse(filled)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.Fragment != "":
			return fmt.Errorf("%s, got %q", want, m.Tiles)
		case !strings.Contains(m.Tiles, "{z}") || !strings.Contains(m.Tiles, "{x}") || !strings.Contains(m.Tiles, "{y}"):
			return fmt.Errorf("%s: %q lacks one of them", want, m.Tiles)
		case strings.ContainsAny(filled, "{}"):
			return fmt.Errorf("%s: %q holds another placeholder", want, m.Tiles)
		}
		// A subdomain is the host's first label, so that one source
		// (https://*.example.com) names every host for the dashboard.
		if _, rest, _ := strings.Cut(tileHost(m.Tiles), "."); strings.Contains(rest, "{s}") {
			return fmt.Errorf("%s: %q", want, m.Tiles)
		}
		if strings.HasSuffix(u.Hostname(), "tianditu.gov.cn") && u.Query().Get("tk") == "" {
			return fmt.Errorf("map.tiles (QILIAN_MAP_TILES): Tianditu serves tiles only with a key: add &tk=YOUR_KEY, got %q", m.Tiles)
		}
	}
	if len(m.Attribution) > 1000 || strings.ContainsFunc(m.Attribution, unicode.IsControl) {
		return errors.New("map.attribution (QILIAN_MAP_ATTRIBUTION): want at most 1000 bytes of text on one line")
	}
	if m.MaxZoom < 1 || m.MaxZoom > 22 {
		return fmt.Errorf("map.max_zoom (QILIAN_MAP_MAX_ZOOM): want 1 to 22, got %d", m.MaxZoom)
	}
	switch c := m.Center; {
	case len(c) == 0 && m.Zoom != 0:
		return errors.New("map.zoom (QILIAN_MAP_ZOOM): set with map.center only; without a center a page fits the outlines")
	case len(c) == 0:
	case len(c) != 2 || !(qilian.Point{Lat: c[0], Lng: c[1]}).Valid():
		return fmt.Errorf("map.center (QILIAN_MAP_CENTER): want [lat, lng], latitude from -90 to 90 and longitude from -180 to 180, got %v", c)
	case m.Zoom < 1 || m.Zoom > m.MaxZoom:
		return fmt.Errorf("map.zoom (QILIAN_MAP_ZOOM): want 1 to map.max_zoom (%d) with map.center, got %d", m.MaxZoom, m.Zoom)
	}
	return nil
}

// DuplicateRule is the duplicates section as the API uses it.
func (c Config) DuplicateRule() qilian.DuplicateRule {
	return qilian.DuplicateRule{Radius: c.Duplicates.RadiusM, Window: c.Duplicates.Window.Wall()}
}

// Sessions is the sign-in policy of the dashboard's sessions.
type Sessions struct {
	Idle         qilian.Span `yaml:"idle"`
	SecureCookie bool        `yaml:"secure_cookie"`
}

// SSO is single sign-on at an OpenID Connect provider; it is on when
// Issuer is set.
type SSO struct {
	Issuer       string `yaml:"issuer"`
	ClientID     string `yaml:"client_id"`
	ClientSecret string `yaml:"client_secret"`
	RedirectURL  string `yaml:"redirect_url"`
	Claim        string `yaml:"claim"`
	Label        string `yaml:"label"`
}

// SSOEnabled reports whether single sign-on is configured.
func (c Config) SSOEnabled() bool { return c.SSO.Issuer != "" }

// Log configures the process log.
type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// Temporal says which Temporal to use and how to set up its namespace.
type Temporal struct {
	Address   string      `yaml:"address"`
	Namespace string      `yaml:"namespace"`
	Retention qilian.Span `yaml:"retention"`
	Embedded  struct {
		FrontendAddr  string `yaml:"frontend_addr"`
		UIAddr        string `yaml:"ui_addr"`
		DatabaseURL   string `yaml:"database_url"`
		HistoryShards int    `yaml:"history_shards"`
		HistoryCache  int    `yaml:"history_cache"`
	} `yaml:"embedded"`
}

// Deadline is one deadline rule as written in the file.
type Deadline struct {
	Accept  qilian.Span  `yaml:"accept"`
	Resolve qilian.Span  `yaml:"resolve"`
	Clock   qilian.Clock `yaml:"clock"`
}

// Embedded reports whether Temporal runs inside the process.
func (c Config) Embedded() bool { return c.Temporal.Address == "" }

// Postgres reports whether the read model lives in PostgreSQL.
func (c Config) Postgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// UIEnabled reports whether the embedded Temporal Web UI is served.
func (c Config) UIEnabled() bool {
	return c.Temporal.Embedded.UIAddr != "" && c.Temporal.Embedded.UIAddr != "off"
}

// whole sets the int field names from a variable's value.
func whole(field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("not a whole number: %q", v)
		}
		*field(c) = n
		return nil
	}
}

// env lists the environment variables and where each lands. Every one is
// a plain string here; Validate checks the values and names the variable.
var env = []struct {
	name string
	set  func(*Config, string) error
}{
	{"QILIAN_HTTP_ADDR", func(c *Config, v string) error { c.HTTPAddr = v; return nil }},
	{"QILIAN_DATA_DIR", func(c *Config, v string) error { c.DataDir = v; return nil }},
	{"QILIAN_DATABASE_URL", func(c *Config, v string) error { c.DatabaseURL = v; return nil }},
	{"QILIAN_LOG_LEVEL", func(c *Config, v string) error { c.Log.Level = v; return nil }},
	{"QILIAN_LOG_FORMAT", func(c *Config, v string) error { c.Log.Format = v; return nil }},
	{"QILIAN_TEMPORAL_ADDRESS", func(c *Config, v string) error { c.Temporal.Address = v; return nil }},
	{"QILIAN_TEMPORAL_NAMESPACE", func(c *Config, v string) error { c.Temporal.Namespace = v; return nil }},
	{"QILIAN_TEMPORAL_RETENTION", func(c *Config, v string) error { return c.Temporal.Retention.UnmarshalText([]byte(v)) }},
	{"QILIAN_TEMPORAL_FRONTEND_ADDR", func(c *Config, v string) error { c.Temporal.Embedded.FrontendAddr = v; return nil }},
	{"QILIAN_TEMPORAL_UI_ADDR", func(c *Config, v string) error { c.Temporal.Embedded.UIAddr = v; return nil }},
	{"QILIAN_TEMPORAL_DATABASE_URL", func(c *Config, v string) error { c.Temporal.Embedded.DatabaseURL = v; return nil }},
	{"QILIAN_WORKFLOW_CACHE", whole(func(c *Config) *int { return &c.Engine.WorkflowCache })},
	{"QILIAN_MEMORY_LIMIT_MIB", whole(func(c *Config) *int { return &c.Engine.MemoryLimitMiB })},
	{"QILIAN_TEMPORAL_HISTORY_CACHE", whole(func(c *Config) *int { return &c.Temporal.Embedded.HistoryCache })},
	{"QILIAN_TEMPORAL_HISTORY_SHARDS", whole(func(c *Config) *int { return &c.Temporal.Embedded.HistoryShards })},
	{"QILIAN_MAX_RETURNS", whole(func(c *Config) *int { return &c.Engine.MaxReturns })},
	{"QILIAN_CALENDAR_DIR", func(c *Config, v string) error { c.CalendarSettings.Dir = v; return nil }},
	{"QILIAN_INDICATORS_FILE", func(c *Config, v string) error { c.Points.IndicatorsFile = v; return nil }},
	{"QILIAN_METRICS_TOKEN", func(c *Config, v string) error { c.Metrics.Token = v; return nil }},
	{"QILIAN_PERSONAL_DATA_RETENTION", func(c *Config, v string) error {
		return c.Privacy.PersonalDataRetention.UnmarshalText([]byte(v))
	}},
	{"QILIAN_DUPLICATE_RADIUS_M", func(c *Config, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("want metres, got %q", v)
		}
		c.Duplicates.RadiusM = f
		return nil
	}},
	{"QILIAN_DUPLICATE_WINDOW", func(c *Config, v string) error { return c.Duplicates.Window.UnmarshalText([]byte(v)) }},
	{"QILIAN_SESSION_IDLE", func(c *Config, v string) error { return c.Sessions.Idle.UnmarshalText([]byte(v)) }},
	{"QILIAN_SECURE_COOKIE", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("want true or false, got %q", v)
		}
		c.Sessions.SecureCookie = b
		return nil
	}},
	{"QILIAN_MAP_TILES", func(c *Config, v string) error { c.Map.Tiles = v; return nil }},
	{"QILIAN_MAP_ATTRIBUTION", func(c *Config, v string) error { c.Map.Attribution = v; return nil }},
	{"QILIAN_MAP_MAX_ZOOM", func(c *Config, v string) error { return wholeNumber(v, &c.Map.MaxZoom) }},
	{"QILIAN_MAP_CENTER", func(c *Config, v string) error {
		if v == "" {
			c.Map.Center = nil
			return nil
		}
		lat, lng, ok := strings.Cut(v, ",")
		a, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
		b, err2 := strconv.ParseFloat(strings.TrimSpace(lng), 64)
		if !ok || err1 != nil || err2 != nil {
			return fmt.Errorf("want lat,lng such as 30.75,120.76, or empty, got %q", v)
		}
		c.Map.Center = []float64{a, b}
		return nil
	}},
	{"QILIAN_MAP_ZOOM", func(c *Config, v string) error { return wholeNumber(v, &c.Map.Zoom) }},
	{"QILIAN_OIDC_ISSUER", func(c *Config, v string) error { c.SSO.Issuer = v; return nil }},
	{"QILIAN_OIDC_CLIENT_ID", func(c *Config, v string) error { c.SSO.ClientID = v; return nil }},
	{"QILIAN_OIDC_CLIENT_SECRET", func(c *Config, v string) error { c.SSO.ClientSecret = v; return nil }},
	{"QILIAN_OIDC_REDIRECT_URL", func(c *Config, v string) error { c.SSO.RedirectURL = v; return nil }},
	{"QILIAN_OIDC_CLAIM", func(c *Config, v string) error { c.SSO.Claim = v; return nil }},
	{"QILIAN_OIDC_LABEL", func(c *Config, v string) error { c.SSO.Label = v; return nil }},
}

// wholeNumber parses v into n.
func wholeNumber(v string, n *int) error {
	i, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("not a whole number: %q", v)
	}
	*n = i
	return nil
}

// EnvNames lists the environment variables Load reads, for documentation.
func EnvNames() []string {
	names := []string{"QILIAN_CONFIG"}
	for _, e := range env {
		names = append(names, e.name)
	}
	return names
}

// Load builds the configuration: the embedded defaults, then the file at
// path (if not empty), then the environment as lookup reports it. The
// result is validated; an error names the offending setting.
func Load(path string, lookup func(string) (string, bool)) (Config, error) {
	var c Config
	if err := decode(defaults, &c); err != nil {
		return Config{}, fmt.Errorf("built-in defaults: %w", err)
	}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("config file: %w", err)
		}
		if err := decode(b, &c); err != nil {
			return Config{}, fmt.Errorf("config file %s: %w", path, err)
		}
	}
	for _, e := range env {
		if v, ok := lookup(e.name); ok {
			if err := e.set(&c, strings.TrimSpace(v)); err != nil {
				return Config{}, fmt.Errorf("%s: %w", e.name, err)
			}
		}
	}
	return c, c.Validate()
}

// decode overlays YAML onto c, refusing unknown keys so a typo never passes
// silently.
func decode(b []byte, c *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// Validate checks every value and names the first bad one.
func (c Config) Validate() error {
	if err := checkAddr("http_addr (QILIAN_HTTP_ADDR)", c.HTTPAddr); err != nil {
		return err
	}
	if c.DataDir == "" {
		return errors.New("data_dir (QILIAN_DATA_DIR): must not be empty")
	}
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || !c.Postgres() || u.Host == "" {
			return fmt.Errorf("database_url (QILIAN_DATABASE_URL): must be empty (SQLite in data_dir) or postgres://user:password@host:port/database, got %q", maskURL(c.DatabaseURL))
		}
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log.level (QILIAN_LOG_LEVEL): must be debug, info, warn or error, got %q", c.Log.Level)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		return fmt.Errorf("log.format (QILIAN_LOG_FORMAT): must be text or json, got %q", c.Log.Format)
	}
	if c.Temporal.Address != "" {
		if err := checkAddr("temporal.address (QILIAN_TEMPORAL_ADDRESS)", c.Temporal.Address); err != nil {
			return err
		}
	}
	if c.Temporal.Namespace == "" {
		return errors.New("temporal.namespace (QILIAN_TEMPORAL_NAMESPACE): must not be empty")
	}
	if r := c.Temporal.Retention.Wall(); r < 24*time.Hour {
		return fmt.Errorf("temporal.retention (QILIAN_TEMPORAL_RETENTION): must be at least 1d, got %s", c.Temporal.Retention)
	}
	if err := checkAddr("temporal.embedded.frontend_addr (QILIAN_TEMPORAL_FRONTEND_ADDR)", c.Temporal.Embedded.FrontendAddr); err != nil {
		return err
	}
	if c.UIEnabled() {
		if err := checkAddr("temporal.embedded.ui_addr (QILIAN_TEMPORAL_UI_ADDR)", c.Temporal.Embedded.UIAddr); err != nil {
			return err
		}
	}
	e := c.Temporal.Embedded
	if e.DatabaseURL != "" {
		u, err := url.Parse(e.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" || strings.Trim(u.Path, "/") == "" {
			return fmt.Errorf("temporal.embedded.database_url (QILIAN_TEMPORAL_DATABASE_URL): must be empty (SQLite in data_dir) or postgres://user:password@host:port/database, got %q", maskURL(e.DatabaseURL))
		}
	}
	switch {
	case e.HistoryShards < 0 || e.HistoryShards > 16384:
		return fmt.Errorf("temporal.embedded.history_shards (QILIAN_TEMPORAL_HISTORY_SHARDS): must be 0 (the default) to 16384, got %d", e.HistoryShards)
	case e.HistoryShards > 1 && e.DatabaseURL == "":
		return fmt.Errorf("temporal.embedded.history_shards (QILIAN_TEMPORAL_HISTORY_SHARDS): %d shards need Temporal on PostgreSQL (QILIAN_TEMPORAL_DATABASE_URL); SQLite takes 1", e.HistoryShards)
	}
	if c.Engine.WorkflowCache < 1 {
		return fmt.Errorf("engine.workflow_cache (QILIAN_WORKFLOW_CACHE): must be at least 1, got %d", c.Engine.WorkflowCache)
	}
	if c.Engine.MemoryLimitMiB < 0 {
		return fmt.Errorf("engine.memory_limit_mib (QILIAN_MEMORY_LIMIT_MIB): must be 0 (no limit) or more, got %d", c.Engine.MemoryLimitMiB)
	}
	if c.Temporal.Embedded.HistoryCache < 1 {
		return fmt.Errorf("temporal.embedded.history_cache (QILIAN_TEMPORAL_HISTORY_CACHE): must be at least 1, got %d", c.Temporal.Embedded.HistoryCache)
	}
	if c.Engine.MaxReturns < 0 {
		return fmt.Errorf("engine.max_returns (QILIAN_MAX_RETURNS): must not be negative, got %d", c.Engine.MaxReturns)
	}
	if r := c.Privacy.PersonalDataRetention; r.Wall() < 24*time.Hour {
		return fmt.Errorf("privacy.personal_data_retention (QILIAN_PERSONAL_DATA_RETENTION): must be at least 1d, got %s", r)
	}
	if t := c.Metrics.Token; t != "" && !metricsToken(t) {
		return errors.New("metrics.token (QILIAN_METRICS_TOKEN): want 16 to 256 printable ASCII characters without spaces, or empty")
	}
	if r := c.Duplicates.RadiusM; !(r >= 1 && r <= 5000) {
		return fmt.Errorf("duplicates.radius_m (QILIAN_DUPLICATE_RADIUS_M): want 1 to 5000 metres, got %v", r)
	}
	if w := c.Duplicates.Window.Wall(); w < time.Hour || w > 366*24*time.Hour {
		return fmt.Errorf("duplicates.window (QILIAN_DUPLICATE_WINDOW): want 1h to 366d, got %s", c.Duplicates.Window)
	}
	if d := c.Sessions.Idle.Wall(); d < time.Minute || d > 12*time.Hour {
		return fmt.Errorf("sessions.idle (QILIAN_SESSION_IDLE): want 1m to 12h (a session ends 12 hours after sign-in whatever its use), got %s", c.Sessions.Idle)
	}
	if err := c.SSO.validate(); err != nil {
		return err
	}
	if err := c.Map.validate(); err != nil {
		return err
	}
	if _, err := c.WorkingHours(); err != nil {
		return err
	}
	if _, err := c.Policy(); err != nil {
		return err
	}
	return nil
}

func checkAddr(name, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s: want host:port, got %q", name, addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%s: bad port in %q", name, addr)
	}
	_ = host // empty host means all interfaces, which is allowed
	return nil
}

// validate checks the single sign-on settings when the issuer is set.
func (s SSO) validate() error {
	if s.Issuer == "" {
		return nil
	}
	u, err := url.Parse(s.Issuer)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || !(u.Scheme == "https" || u.Scheme == "http" && loopbackHost(u.Hostname())) {
		return fmt.Errorf("sso.issuer (QILIAN_OIDC_ISSUER): want the provider's https:// URL exactly as its ID tokens name it (http:// only on a loopback address), got %q", s.Issuer)
	}
	if s.ClientID == "" {
		return errors.New("sso.client_id (QILIAN_OIDC_CLIENT_ID): required when sso.issuer is set: the client ID the provider registered for Qilian")
	}
	if s.RedirectURL == "" {
		return errors.New("sso.redirect_url (QILIAN_OIDC_REDIRECT_URL): required when sso.issuer is set: Qilian's callback as the browser reaches it, such as https://HOST" + SSOCallbackPath)
	}
	r, err := url.Parse(s.RedirectURL)
	if err != nil || r.Host == "" || (r.Scheme != "https" && r.Scheme != "http") || !strings.HasSuffix(r.Path, SSOCallbackPath) || r.RawQuery != "" || r.Fragment != "" {
		return fmt.Errorf("sso.redirect_url (QILIAN_OIDC_REDIRECT_URL): want an http(s) URL ending in %s, as registered at the provider, got %q", SSOCallbackPath, s.RedirectURL)
	}
	if strings.TrimSpace(s.Claim) == "" {
		return errors.New("sso.claim (QILIAN_OIDC_CLAIM): must not be empty: the ID token claim that holds the user name")
	}
	if strings.TrimSpace(s.Label) == "" {
		return errors.New("sso.label (QILIAN_OIDC_LABEL): must not be empty: the sign-in button's text")
	}
	return nil
}

// SSOCallbackPath is the path of the single sign-on callback, which
// sso.redirect_url must end in.
const SSOCallbackPath = "/api/v1/sso/callback"

func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// metricsToken reports whether t can be sent as a bearer token and is
// long enough not to be guessed.
func metricsToken(t string) bool {
	if len(t) < 16 || len(t) > 256 {
		return false
	}
	for i := range len(t) {
		if t[i] <= ' ' || t[i] > '~' {
			return false
		}
	}
	return true
}

// WorkingHours parses calendar.working_hours into offsets from midnight.
func (c Config) WorkingHours() ([][2]time.Duration, error) {
	var out [][2]time.Duration
	var last time.Duration
	for i, p := range c.CalendarSettings.WorkingHours {
		from, to, ok := strings.Cut(p, "-")
		a, err1 := clockTime(from)
		b, err2 := clockTime(to)
		if !ok || err1 != nil || err2 != nil || b <= a || a < last {
			return nil, fmt.Errorf("calendar.working_hours[%d]: want ascending, non-overlapping HH:MM-HH:MM, got %q", i, p)
		}
		last = b
		out = append(out, [2]time.Duration{a, b})
	}
	if len(out) == 0 {
		return nil, errors.New("calendar.working_hours: at least one period is required")
	}
	return out, nil
}

func clockTime(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// Indicators reads the indicator set of the points assessment: the file
// points.indicators_file names or, when that is empty, the shipped example.
func (c Config) Indicators() (*points.Set, error) {
	b, name := exampleIndicators, "built-in indicators.yaml"
	if c.Points.IndicatorsFile != "" {
		var err error
		if b, err = os.ReadFile(c.Points.IndicatorsFile); err != nil {
			return nil, fmt.Errorf("points.indicators_file (QILIAN_INDICATORS_FILE): %w", err)
		}
		name = c.Points.IndicatorsFile
	}
	set, err := ParseIndicators(b)
	if err != nil {
		return nil, fmt.Errorf("points.indicators_file (QILIAN_INDICATORS_FILE) %s: %w", name, err)
	}
	return set, nil
}

// Policy converts the deadline, escalation and engine settings into the
// domain policy.
func (c Config) Policy() (qilian.Policy, error) {
	p := qilian.Policy{
		Deadlines:           map[qilian.Kind]map[qilian.Priority]qilian.DeadlineRule{"": {}},
		WarnAt:              c.Escalation.WarnAt,
		MaxReturns:          c.Engine.MaxReturns,
		WhistleReportWithin: c.Engine.WhistleReportWithin,
		ProgressEvery:       c.Engine.ProgressEvery,
	}
	for pr, d := range c.Deadlines.Default {
		p.Deadlines[""][pr] = qilian.DeadlineRule(d)
	}
	for k, byPr := range c.Deadlines.Kinds {
		p.Deadlines[k] = map[qilian.Priority]qilian.DeadlineRule{}
		for pr, d := range byPr {
			if d.Clock == "" {
				d.Clock = c.Deadlines.Default[pr].Clock
			}
			p.Deadlines[k][pr] = qilian.DeadlineRule(d)
		}
	}
	for _, s := range c.Escalation.Steps {
		p.Ladder = append(p.Ladder, qilian.EscalationStep{Action: s.Action, After: s.After})
	}
	if err := p.Validate(); err != nil {
		return qilian.Policy{}, err
	}
	return p, nil
}

// LogValue logs the effective configuration with secrets masked.
func (c Config) LogValue() slog.Value {
	temporal := c.Temporal.Address
	if temporal == "" {
		temporal = "embedded at " + c.Temporal.Embedded.FrontendAddr + ", store sqlite in " + c.DataDir
		if u := c.Temporal.Embedded.DatabaseURL; u != "" {
			temporal = "embedded at " + c.Temporal.Embedded.FrontendAddr + ", store " + maskURL(u)
		}
	}
	db := "sqlite in " + c.DataDir
	if c.DatabaseURL != "" {
		db = maskURL(c.DatabaseURL)
	}
	ui := "off"
	if c.UIEnabled() {
		ui = c.Temporal.Embedded.UIAddr
	}
	return slog.GroupValue(
		slog.String("http_addr", c.HTTPAddr),
		slog.String("data_dir", c.DataDir),
		slog.String("database", db),
		slog.String("temporal", temporal),
		slog.String("namespace", c.Temporal.Namespace),
		slog.String("retention", c.Temporal.Retention.String()),
		slog.String("temporal_ui", ui),
		slog.Int("max_returns", c.Engine.MaxReturns),
		slog.Int("memory_limit_mib", c.Engine.MemoryLimitMiB),
		slog.Int("escalation_steps", len(c.Escalation.Steps)),
		slog.String("calendar_dir", orDefault(c.CalendarSettings.Dir, "built-in")),
		slog.String("indicators_file", orDefault(c.Points.IndicatorsFile, "built-in")),
		slog.String("metrics", metricsAccess(c.Metrics.Token)),
		slog.String("personal_data_retention", c.Privacy.PersonalDataRetention.String()),
		slog.Float64("duplicate_radius_m", c.Duplicates.RadiusM),
		slog.String("duplicate_window", c.Duplicates.Window.String()),
		slog.String("session_idle", c.Sessions.Idle.String()),
		slog.Bool("secure_cookie", c.Sessions.SecureCookie),
		slog.String("sso", ssoSummary(c.SSO)),
		slog.String("map_tiles", orDefault(c.Map.TileOrigin(), "none")),
		slog.String("log_level", c.Log.Level),
	)
}

// metricsAccess says who may read /metrics, never the token itself.
func metricsAccess(token string) string {
	if token == "" {
		return "loopback clients"
	}
	return "bearer token"
}

// ssoSummary says where single sign-on goes and how users are matched,
// and whether there is a client secret, never the secret itself.
func ssoSummary(s SSO) string {
	if s.Issuer == "" {
		return "off"
	}
	secret := "no client secret (PKCE only)"
	if s.ClientSecret != "" {
		secret = "client secret set"
	}
	return fmt.Sprintf("%s as client %s, users by claim %s, %s", s.Issuer, s.ClientID, s.Claim, secret)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// maskURL hides the password of a URL; a string that does not parse is
// hidden whole, as it may be a password pasted in the wrong place.
func maskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparseable, hidden)"
	}
	return u.Redacted()
}
