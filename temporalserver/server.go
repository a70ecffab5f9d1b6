// Package temporalserver runs Temporal inside the Qilian process for the
// all-in-one shape, and prepares any Temporal (embedded or a cluster) for
// Qilian: its namespace, the retention of closed cases and the search
// attributes the engine sets.
package temporalserver

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiserveroptions "github.com/temporalio/ui-server/v2/server/server_options"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/headers"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Files the embedded server keeps in the data directory.
const (
	DBFile      = "temporal.db"
	VersionFile = "temporal.version"
	clusterName = "active"
	// clusterID is fixed so every start of a data directory agrees with the
	// cluster metadata it wrote the first time.
	clusterID = "6f1c1a7e-5b0c-4a57-9e0a-7a11a7e0c0de"
)

// Version is the Temporal server version this binary embeds. Temporal does
// not migrate its SQLite file between versions, so it is part of the data
// directory's format.
const Version = headers.ServerVersion

// Options configure the embedded server.
type Options struct {
	DataDir      string
	FrontendAddr string // host:port for SDK clients and the temporal CLI
	UIAddr       string // host:port of the Web UI; empty for none
	Namespace    string
	// ExtraNamespaces are created beside Namespace, with the same
	// retention and search attributes, before the server starts; tests use
	// them to isolate from each other without waiting on the server's
	// namespace cache.
	ExtraNamespaces  []string
	Retention        time.Duration
	SearchAttributes map[string]enumspb.IndexedValueType
	Log              *slog.Logger
	// DynamicConfig overrides server settings by key, for tests.
	DynamicConfig map[string]any
	// DatabaseURL, when set (postgres://…), keeps Temporal's stores in
	// PostgreSQL instead of SQLite in DataDir.
	DatabaseURL string
	// HistoryCache is how many workflows' state the history service keeps
	// in memory (its host-level cache); 0 is 8192.
	HistoryCache int
	// HistoryShards is the number of history shards; 0 is 1 on SQLite
	// (one file has one writer: more shards only contend) and
	// DefaultPostgresShards on PostgreSQL. Fixed once the store exists.
	HistoryShards int32
}

// Server is a running embedded Temporal.
type Server struct {
	server   temporal.Server
	ui       *uiserver.Server
	log      *slog.Logger
	frontend string
}

// FrontendAddr is where SDK clients reach the server.
func (s *Server) FrontendAddr() string { return s.frontend }

// Start starts Temporal with SQLite persistence in a file under DataDir,
// creating the schema and the namespace on first start, and the Web UI if
// asked. Open workflows survive a restart on the same directory.
func Start(o Options) (*Server, error) {
	host, port, err := splitAddr(o.FrontendAddr)
	if err != nil {
		return nil, fmt.Errorf("temporal frontend address: %w", err)
	}
	if err := os.MkdirAll(o.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	if o.DatabaseURL == "" {
		// On PostgreSQL, Temporal's schema tool brings the store up to
		// this version; SQLite has no such path.
		if err := checkVersion(o.DataDir); err != nil {
			return nil, err
		}
	}
	// The frontend port is the one people know; the internal services take
	// whatever is free on the same interface, but never a port named for the
	// frontend or the Web UI: those are bound later, and the kernel may hand
	// out a port that is free only because nobody has bound it yet.
	reserved := []int{port}
	if o.UIAddr != "" {
		if _, uiPort, err := splitAddr(o.UIAddr); err == nil {
			reserved = append(reserved, uiPort)
		}
	}
	ports, err := freePorts(host, 5, reserved...)
	if err != nil {
		return nil, err
	}
	httpPort, historyPort, matchingPort, workerPort := ports[0], ports[1], ports[2], ports[3]
	if port == 0 { // tests ask for any free port
		port = ports[4]
	}
	hostPort := net.JoinHostPort(host, strconv.Itoa(port))

	logger := serverLog{l: o.Log.With("component", "temporal")}
	cfg := &config.Config{}
	cfg.Global.Membership.MaxJoinDuration = 30 * time.Second
	cfg.Global.Membership.BroadcastAddress = host
	if o.DatabaseURL != "" {
		shards := o.HistoryShards
		if shards == 0 {
			shards = DefaultPostgresShards
		}
		if len(o.ExtraNamespaces) > 0 {
			return nil, errors.New("extra namespaces are created in the SQLite store only")
		}
		main, vis, err := preparePostgres(o.DatabaseURL, shards, logger)
		if err != nil {
			return nil, err
		}
		cfg.Persistence.DefaultStore = "default"
		cfg.Persistence.VisibilityStore = "visibility"
		cfg.Persistence.NumHistoryShards = shards
		cfg.Persistence.DataStores = map[string]config.DataStore{"default": {SQL: main}, "visibility": {SQL: vis}}
	} else {
		if o.HistoryShards > 1 {
			return nil, fmt.Errorf("%d history shards need Temporal on PostgreSQL (temporal.embedded.database_url): one SQLite file has one writer", o.HistoryShards)
		}
		sqlCfg, err := prepareDB(o)
		if err != nil {
			return nil, err
		}
		cfg.Persistence.DefaultStore = "sqlite"
		cfg.Persistence.VisibilityStore = "sqlite"
		cfg.Persistence.NumHistoryShards = 1
		cfg.Persistence.DataStores = map[string]config.DataStore{"sqlite": {SQL: sqlCfg}}
	}
	cfg.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{clusterName: {
			Enabled:                true,
			InitialFailoverVersion: 1,
			RPCAddress:             hostPort,
			HTTPAddress:            net.JoinHostPort(host, strconv.Itoa(httpPort)),
			ClusterID:              clusterID,
		}},
	}
	cfg.DCRedirectionPolicy.Policy = "noop"
	svc := func(grpcPort, httpPort int) config.Service {
		var s config.Service
		s.RPC.GRPCPort = grpcPort
		s.RPC.HTTPPort = httpPort
		s.RPC.BindOnIP = host
		return s
	}
	cfg.Services = map[string]config.Service{
		"frontend": svc(port, httpPort),
		"history":  svc(historyPort, 0),
		"matching": svc(matchingPort, 0),
		"worker":   svc(workerPort, 0),
	}
	cfg.Archival.History.State = "disabled"
	cfg.Archival.Visibility.State = "disabled"
	cfg.NamespaceDefaults.Archival.History.State = "disabled"
	cfg.NamespaceDefaults.Archival.Visibility.State = "disabled"
	cfg.PublicClient.HostPort = hostPort

	authorizer, err := authorization.GetAuthorizerFromConfig(&cfg.Global.Authorization)
	if err != nil {
		return nil, err
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&cfg.Global.Authorization, logger)
	if err != nil {
		return nil, err
	}
	local := func(p int) static.Hosts { return static.SingleLocalHost(net.JoinHostPort(host, strconv.Itoa(p))) }
	historyCache := o.HistoryCache
	if historyCache <= 0 {
		historyCache = 8192
	}
	dyn := dynamicconfig.StaticClient{
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key():                 historyCache,
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		// A namespace and search attributes that Ensure adds at start are
		// usable within a second rather than the default ten.
		dynamicconfig.NamespaceCacheRefreshInterval.Key(): time.Second,
	}
	for k, v := range o.DynamicConfig {
		dyn[dynamicconfig.MakeKey(k)] = v
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(map[primitives.ServiceName]static.Hosts{
			primitives.FrontendService: local(port),
			primitives.HistoryService:  local(historyPort),
			primitives.MatchingService: local(matchingPort),
			primitives.WorkerService:   local(workerPort),
		}),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dyn),
	)
	if err != nil {
		return nil, fmt.Errorf("build embedded temporal: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("start embedded temporal: %w", err)
	}
	s := &Server{server: srv, log: o.Log, frontend: hostPort}
	if o.UIAddr != "" {
		uiHost, uiPort, err := splitAddr(o.UIAddr)
		if err != nil {
			srv.Stop()
			return nil, fmt.Errorf("temporal UI address: %w", err)
		}
		// Bind first so a taken port is an error at start, not a panic later.
		ln, err := net.Listen("tcp", o.UIAddr)
		if err != nil {
			srv.Stop()
			return nil, fmt.Errorf("temporal UI address %s: %w", o.UIAddr, err)
		}
		_ = ln.Close()
		s.ui = uiserver.NewServer(uiserveroptions.WithConfigProvider(&uiconfig.Config{
			Host:                uiHost,
			Port:                uiPort,
			TemporalGRPCAddress: hostPort,
			EnableUI:            true,
			DefaultNamespace:    o.Namespace,
			CORS:                uiconfig.CORS{CookieInsecure: true},
			HideLogs:            true,
			DisableNewsFetch:    true,
		}))
		go func() {
			if err := s.ui.Start(); err != nil {
				o.Log.Error("temporal web UI stopped", "error", err)
			}
		}()
	}
	store := cfg.Persistence.DataStores[cfg.Persistence.DefaultStore].SQL
	o.Log.Info("embedded temporal started", "version", Version, "frontend", hostPort, "ui", o.UIAddr,
		"store", store.PluginName, "db", store.DatabaseName, "history_shards", cfg.Persistence.NumHistoryShards)
	return s, nil
}

// Stop stops the UI and the server; call it after every client is done.
func (s *Server) Stop() {
	if s.ui != nil {
		s.ui.Stop()
	}
	if err := s.server.Stop(); err != nil {
		s.log.Warn("stopping embedded temporal", "error", err)
	}
}

// prepareDB creates the SQLite schema on first start and the namespace if
// it is missing. WAL roughly quintuples workflow throughput over the
// rollback journal; with it several connections may read while one writes.
func prepareDB(o Options) (*config.SQL, error) {
	path := filepath.Join(o.DataDir, DBFile)
	cfg := &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: path,
		ConnectAttributes: map[string]string{
			"mode":         "rwc",
			"journal_mode": "wal",
			"synchronous":  "normal",
			"busy_timeout": "10000",
		},
		MaxConns:     8,
		MaxIdleConns: 8,
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := sqliteschema.SetupSchema(cfg); err != nil {
			return nil, fmt.Errorf("set up temporal schema: %w", err)
		}
		if err := os.WriteFile(filepath.Join(o.DataDir, VersionFile), []byte(Version+"\n"), 0o640); err != nil {
			return nil, err
		}
	}
	var all []*sqliteschema.NamespaceConfig
	for _, name := range append([]string{o.Namespace}, o.ExtraNamespaces...) {
		ns, err := sqliteschema.NewNamespaceConfig(clusterName, name, false, o.SearchAttributes)
		if err != nil {
			return nil, fmt.Errorf("namespace config: %w", err)
		}
		ns.Detail.Config.Retention = durationpb.New(o.Retention)
		all = append(all, ns)
	}
	if err := sqliteschema.CreateNamespaces(cfg, all...); err != nil {
		return nil, fmt.Errorf("create namespace: %w", err)
	}
	return cfg, nil
}

// checkVersion refuses a data directory written by another Temporal
// version: starting on it could corrupt open cases.
func checkVersion(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, VersionFile))
	if errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir, DBFile)); err == nil {
			return fmt.Errorf("%s exists but %s does not: cannot tell which Temporal version wrote it; move it away or restore the version file",
				filepath.Join(dir, DBFile), VersionFile)
		}
		return nil
	}
	if err != nil {
		return err
	}
	if got := strings.TrimSpace(string(b)); got != Version {
		return fmt.Errorf("data directory %s was written by Temporal server %s but this binary embeds %s; "+
			"Temporal does not migrate its SQLite file between versions: use a binary built with %s, or a new data directory",
			dir, got, Version, got)
	}
	return nil
}

func splitAddr(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return "", 0, fmt.Errorf("bad port %q", p)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return host, port, nil
}

// freePorts asks the kernel for n distinct free ports on host, holding them
// all open until every one is chosen so none is handed out twice, and
// passing over the reserved ones.
func freePorts(host string, n int, reserved ...int) ([]int, error) {
	var lns []net.Listener
	defer func() {
		for _, l := range lns {
			_ = l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for len(ports) < n {
		l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		lns = append(lns, l) // held, so a passed-over port is not offered again
		if p := l.Addr().(*net.TCPAddr).Port; !slices.Contains(reserved, p) {
			ports = append(ports, p)
		}
	}
	return ports, nil
}
