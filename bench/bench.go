// Package bench is the harness behind qilian bench: it starts Qilian on
// loopback (an embedded Temporal, the case worker, the HTTP API and the
// read model, wired as serve wires them, by package app) beside bare
// baselines, and measures them side by side. BENCHMARKS.md has the runs
// and how to read them.
//
// Only cmd/qilian imports it; Main is its one entry point.
package bench

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/api"
	"github.com/qilian/qilian/configs"
	"github.com/qilian/qilian/demo"
	"github.com/qilian/qilian/internal/app"
	"github.com/qilian/qilian/storage"
	"github.com/qilian/qilian/temporalserver"
	"github.com/qilian/qilian/workflows"
)

// benchOptions are the bench command's flags.
type benchOptions struct {
	Postgres    string
	TemporalPG  string
	Temporal    string
	APIs        string
	PrintConfig bool
	JSON        string
	Quick       bool
	Concurrency int
	Rounds      int
	Round       time.Duration
	ReadRate    int
	LateCases   int
	LateSpan    time.Duration
	LateStep    time.Duration
	LateSpread  time.Duration
	StepUp      string
	StepUpStage time.Duration
	Rows        int
	Queries     int
	CPUProfile  string
	MemProfile  string
	Keep        bool
	Only        string
}

// fullScale and quickScale are the defaults of a full run and of --quick.
func (o *benchOptions) applyQuick(set map[string]bool) {
	if !o.Quick {
		return
	}
	def := func(name string, apply func()) {
		if !set[name] {
			apply()
		}
	}
	def("concurrency", func() { o.Concurrency = 4 })
	def("rounds", func() { o.Rounds = 1 })
	def("round", func() { o.Round = time.Second })
	def("read-rate", func() { o.ReadRate = 100 })
	def("late-cases", func() { o.LateCases = 20 })
	def("late-span", func() { o.LateSpan = 4 * time.Second })
	def("late-step", func() { o.LateStep = time.Second })
	def("stepup-rates", func() { o.StepUp = "4,8" })
	def("stepup-stage", func() { o.StepUpStage = 3 * time.Second })
	def("rows", func() { o.Rows = 1000 })
	def("queries", func() { o.Queries = 10 })
}

const benchUsage = `usage: qilian bench [flags]

Runs Qilian against itself on loopback and prints a table of side-by-side
ratios; --json writes every figure. It starts what it measures: an
embedded Temporal in a temporary directory, a worker, the HTTP API, and the
read model on SQLite (or in a fresh schema of --postgres).

Against a running cluster (scripts/cluster up, then source its
cluster.env), --temporal-address and --api point it at the cluster's
Temporal and API processes, and QILIAN_DATABASE_URL at its read model: the
cluster's workers run the cases, and the bench starts only the empty
workflow's worker for the raw baselines, and an API of its own through
which it opens the lateness cases under its minute-scale policy.

`

// Main runs qilian bench with its flags (args without the command's
// name): the table goes to stdout, the log and usage to stderr.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o benchOptions
	cfg, log, fs, err := app.Flags("bench", args, stderr, func(fs *flag.FlagSet) {
		fs.Usage = func() {
			fmt.Fprint(fs.Output(), benchUsage)
			fs.PrintDefaults()
		}
		fs.StringVar(&o.Postgres, "postgres", "", "PostgreSQL URL: run the read model in a fresh schema there (dropped afterwards) instead of SQLite")
		fs.StringVar(&o.TemporalPG, "temporal-postgres", "", "PostgreSQL URL: run the embedded Temporal's store in a fresh database on that server (dropped afterwards) instead of SQLite")
		fs.StringVar(&o.Temporal, "temporal-address", "", "host:port of a running Temporal to use instead of starting an embedded one")
		fs.StringVar(&o.APIs, "api", "", "comma-separated base URLs of running qilian api processes (a cluster's) to open and read cases through; needs --temporal-address and QILIAN_DATABASE_URL")
		fs.BoolVar(&o.PrintConfig, "print-config", false, "print the configuration file a cluster must run for the lateness and step-up parts (their --late-span and --late-step), and exit")
		fs.StringVar(&o.JSON, "json", "", "write every figure to this file as JSON")
		fs.BoolVar(&o.Quick, "quick", false, "a small smoke run (seconds): every figure, none of them meaningful")
		fs.IntVar(&o.Concurrency, "concurrency", 16, "callers in flight when opening cases (both sides)")
		fs.IntVar(&o.Rounds, "rounds", 3, "alternating rounds per side-by-side comparison")
		fs.DurationVar(&o.Round, "round", 10*time.Second, "length of one side's turn in a round")
		fs.IntVar(&o.ReadRate, "read-rate", 2000, "offered rate of GET requests per second (open loop)")
		fs.IntVar(&o.LateCases, "late-cases", 10000, "open cases whose deadlines fall within the same minutes")
		fs.DurationVar(&o.LateSpan, "late-span", 5*time.Minute, "accept deadline of the lateness cases, counted from their dispatch (wall clock)")
		fs.DurationVar(&o.LateStep, "late-step", 30*time.Second, "gap between the escalation ladder's rungs in the lateness run")
		fs.DurationVar(&o.LateSpread, "late-spread", 0, "dispatch the lateness cases evenly over this long, so their deadlines are spread over it (0: all at once, the burst)")
		fs.StringVar(&o.StepUp, "stepup-rates", "8,16,32,64,128", "escalation steps per second offered in the step-up run's stages, rising")
		fs.DurationVar(&o.StepUpStage, "stepup-stage", time.Minute, "length of one step-up stage")
		fs.IntVar(&o.Rows, "rows", 100000, "cases written into the read model for the overdue and counts queries")
		fs.IntVar(&o.Queries, "queries", 200, "timed repetitions of each read-model query")
		fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
		fs.StringVar(&o.MemProfile, "memprofile", "", "write an allocation profile at the end of the run to this file")
		fs.BoolVar(&o.Keep, "keep", false, "keep the temporary data directory")
		fs.StringVar(&o.Only, "only", "", "run only these parts, comma-separated: opening, read, lateness, stepup, memory, queries (read needs opening; stepup runs when named)")
	})
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	o.applyQuick(set)
	if o.Concurrency < 1 || o.Rounds < 1 || o.Round <= 0 || o.ReadRate < 1 || o.LateCases < 1 ||
		o.LateSpan <= 0 || o.LateStep <= 0 || o.LateSpread < 0 || o.StepUpStage <= 0 || o.Rows < 1 || o.Queries < 1 {
		return fmt.Errorf("bench: scales must be positive")
	}
	if o.PrintConfig {
		_, err := fmt.Fprint(stdout, ladderConfig(o))
		return err
	}
	rates, err := stepUpRates(o.StepUp)
	if err != nil {
		return err
	}
	if o.APIs != "" && o.Temporal == "" {
		return fmt.Errorf("bench: --api needs --temporal-address, the Temporal those API processes use")
	}
	if o.APIs != "" && cfg.DatabaseURL == "" {
		return fmt.Errorf("bench: --api needs the read model of those API processes: set QILIAN_DATABASE_URL (scripts/cluster writes it to cluster.env)")
	}
	if o.Temporal != "" && o.TemporalPG != "" {
		return fmt.Errorf("bench: --temporal-address and --temporal-postgres exclude each other")
	}
	if o.CPUProfile != "" {
		f, err := os.Create(o.CPUProfile)
		if err != nil {
			return err
		}
		defer func() { _ = f.Close() }()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	res := &benchResult{
		Command:   "qilian bench " + strings.Join(args, " "),
		Build:     app.BuildInfo(),
		Machine:   machineInfo(),
		StartedAt: time.Now().UTC(),
		LoadStart: loadAverage(),
		Options:   o,
	}
	st, err := startBench(ctx, cfg, o, log)
	if err != nil {
		return err
	}
	defer st.close()
	res.ReadModel = "sqlite"
	if st.db.Postgres() {
		res.ReadModel = "postgresql"
	}
	res.Temporal = "embedded, SQLite"
	switch {
	case o.APIs != "":
		res.Temporal = "cluster at " + o.Temporal + ", API processes " + o.APIs
	case o.Temporal != "":
		res.Temporal = "external at " + o.Temporal
	case o.TemporalPG != "":
		res.Temporal = "embedded, PostgreSQL"
	}

	steps := []struct {
		name string
		run  func() error
	}{
		{"opening", func() (err error) { res.Opening, err = st.benchOpening(ctx); return }},
		{"read", func() (err error) { res.Read, err = st.benchRead(ctx); return }},
		{"lateness", func() (err error) { res.Lateness, err = st.benchLateness(ctx); return }},
		{"memory", func() (err error) { res.Memory, err = st.benchMemory(ctx); return }},
		{"queries", func() (err error) { res.Queries, err = st.benchQueries(ctx); return }},
		{"stepup", func() (err error) { res.StepUp, err = st.benchStepUp(ctx, rates); return }},
	}
	only := map[string]bool{}
	for _, p := range strings.Split(o.Only, ",") {
		if p = strings.TrimSpace(p); p != "" {
			only[p] = true
		}
	}
	for _, s := range steps {
		if (len(only) > 0 && !only[s.name]) || (len(only) == 0 && s.name == "stepup") {
			continue
		}
		if o.APIs != "" && (s.name == "memory" || s.name == "queries") {
			if len(only) > 0 {
				return fmt.Errorf("bench: %s measures the bench's own process and read model, not a cluster's; leave it out with --api", s.name)
			}
			continue
		}
		res.Parts = append(res.Parts, s.name)
		log.Info("bench: running", "part", s.name)
		t0 := time.Now()
		if err := s.run(); err != nil {
			return fmt.Errorf("bench %s: %w", s.name, err)
		}
		log.Info("bench: done", "part", s.name, "took", time.Since(t0).Round(time.Millisecond))
		// Each part's figures as soon as they exist, in case a later part fails.
		if b, err := json.Marshal(res); err == nil {
			log.Info("bench: figures so far", "json", string(b))
		}
	}
	res.FinishedAt = time.Now().UTC()
	res.LoadEnd = loadAverage()
	if o.MemProfile != "" {
		f, err := os.Create(o.MemProfile)
		if err != nil {
			return err
		}
		runtime.GC()
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		_ = f.Close()
		if err != nil {
			return err
		}
	}
	res.check()
	printBench(stdout, res)
	if o.JSON != "" {
		b, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.JSON, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// benchStack is everything the bench starts: an embedded Temporal, the
// case worker and a worker of an empty workflow on its own task queue, the
// read model, the HTTP API and a bare Gin + GORM reader beside it.
type benchStack struct {
	o        benchOptions
	log      *slog.Logger
	dir      string
	schema   func() // drops the PostgreSQL schema
	store    func() // drops the Temporal store's databases
	srv      *temporalserver.Server
	c        client.Client
	workers  []worker.Worker
	db       *storage.DB
	engine   *workflows.Client
	logins   map[string]demo.Login
	api      *http.Server
	apiURL   string   // the bench's own API, under the bench's policy
	apis     []string // where cases are opened and read: apiURL, or --api
	nextAPI  atomic.Int64
	bare     *http.Server
	bareURL  string
	http     *http.Client
	opened   []string // case IDs opened over HTTP in the opening run
	stepGaps []time.Duration
}

// ladderPolicy is p with minute-scale wall-clock deadlines for the
// lateness and step-up runs: emergency cases are accepted within LateSpan,
// and the ladder climbs every LateStep after the breach. No working-time
// calendar is involved, so nights and holidays do not move them. gaps are
// the rungs' offsets from the breach.
func ladderPolicy(p qilian.Policy, o benchOptions) (_ qilian.Policy, gaps []time.Duration) {
	deadlines := map[qilian.Kind]map[qilian.Priority]qilian.DeadlineRule{}
	for k, byPr := range p.Deadlines {
		deadlines[k] = map[qilian.Priority]qilian.DeadlineRule{}
		for pr, r := range byPr {
			deadlines[k][pr] = r
		}
	}
	deadlines[""][qilian.PriorityEmergency] = qilian.DeadlineRule{
		Accept: qilian.Span{Time: o.LateSpan}, Resolve: qilian.Span{Days: 1}, Clock: qilian.ClockWall,
	}
	p.Deadlines = deadlines
	p.Ladder = nil
	for i, a := range []qilian.EscalationAction{qilian.EscalateRemind, qilian.EscalateNotice, qilian.EscalateWhistle, qilian.EscalateCounty} {
		gap := time.Duration(i) * o.LateStep
		p.Ladder = append(p.Ladder, qilian.EscalationStep{Action: a, After: qilian.Span{Time: gap}})
		gaps = append(gaps, gap)
	}
	return p, gaps
}

// ladderConfig is ladderPolicy as a configuration file: a cluster's
// processes started with it (QILIAN_CONFIG) run the bench's lateness and
// step-up cases as the bench's own engine would, since the worker that
// opens a case gives it its deadlines.
func ladderConfig(o benchOptions) string {
	p, _ := ladderPolicy(qilian.Policy{Deadlines: map[qilian.Kind]map[qilian.Priority]qilian.DeadlineRule{"": {}}}, o)
	r := p.Deadlines[""][qilian.PriorityEmergency]
	var b strings.Builder
	fmt.Fprintf(&b, "# qilian bench's policy for its lateness and step-up runs (--late-span %s, --late-step %s):\n", o.LateSpan, o.LateStep)
	b.WriteString("# start the cluster with QILIAN_CONFIG naming this file to bench it with --api.\n")
	fmt.Fprintf(&b, "deadlines:\n  default:\n    emergency: {accept: %q, resolve: %q, clock: %s}\n", r.Accept, r.Resolve, r.Clock)
	b.WriteString("escalation:\n  steps:\n")
	for _, s := range p.Ladder {
		fmt.Fprintf(&b, "    - {action: %s, after: %q}\n", s.Action, s.After)
	}
	return b.String()
}

// benchEmptyQueue is the task queue of the empty workflow that raw
// Temporal starts are measured with.
const benchEmptyQueue = "qilian-bench-empty"

// benchEmpty is the empty workflow.
func benchEmpty(workflow.Context) error { return nil }

func startBench(ctx context.Context, cfg configs.Config, o benchOptions, log *slog.Logger) (st *benchStack, err error) {
	st = &benchStack{o: o, log: log}
	defer func() {
		if err != nil {
			st.close()
		}
	}()
	if st.dir, err = os.MkdirTemp("", "qilian-bench-"); err != nil {
		return nil, err
	}
	cfg.DataDir = st.dir
	if o.APIs == "" {
		cfg.DatabaseURL = "" // a read model of the bench's own
	}
	if o.Postgres != "" && o.APIs != "" {
		return nil, fmt.Errorf("--postgres and --api exclude each other: the cluster's read model is QILIAN_DATABASE_URL")
	}
	if o.Postgres != "" {
		url, drop, err := freshSchema(ctx, o.Postgres)
		if err != nil {
			return nil, err
		}
		cfg.DatabaseURL, st.schema = url, drop
	}
	engine, err := app.LoadEngine(cfg)
	if err != nil {
		return nil, err
	}
	engine.Policy, st.stepGaps = ladderPolicy(engine.Policy, o)
	if err := engine.Policy.Validate(); err != nil {
		return nil, fmt.Errorf("bench policy: %w", err)
	}

	if st.db, err = app.OpenReadModel(ctx, cfg, quietLog(log)); err != nil {
		return nil, err
	}
	storeURL := ""
	if o.TemporalPG != "" {
		if storeURL, err = temporalserver.PostgresStoreURL(o.TemporalPG, fmt.Sprintf("qilian_bench_temporal_%d", time.Now().UnixNano())); err != nil {
			return nil, err
		}
		st.store = func() { _ = temporalserver.DropPostgresStore(storeURL) }
	}
	address := o.Temporal
	if address == "" {
		st.srv, err = temporalserver.Start(temporalserver.Options{
			DatabaseURL:      storeURL,
			HistoryCache:     cfg.Temporal.Embedded.HistoryCache,
			DataDir:          st.dir,
			FrontendAddr:     "127.0.0.1:0",
			Namespace:        cfg.Temporal.Namespace,
			Retention:        cfg.Temporal.Retention.Wall(),
			SearchAttributes: workflows.SearchAttributes(),
			Log:              app.AtLeast(log, slog.LevelError),
		})
		if err != nil {
			return nil, err
		}
		address = st.srv.FrontendAddr()
	}
	dialCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	st.c, err = temporalserver.Dial(dialCtx, client.Options{
		HostPort:  address,
		Namespace: cfg.Temporal.Namespace,
		Logger:    sdklog.NewStructuredLogger(quietLog(log).With("component", "temporal-sdk")),
	}, log)
	if err != nil {
		return nil, err
	}
	if err := temporalserver.Ensure(dialCtx, st.c, cfg.Temporal.Namespace, cfg.Temporal.Retention.Wall(), workflows.SearchAttributes(), quietLog(log)); err != nil {
		return nil, err
	}
	worker.SetStickyWorkflowCacheSize(cfg.Engine.WorkflowCache) // as serve does
	app.LimitMemory(cfg, log)
	empty := worker.New(st.c, benchEmptyQueue, worker.Options{})
	empty.RegisterWorkflowWithOptions(benchEmpty, workflow.RegisterOptions{Name: "qilian-bench-empty"})
	workers := []worker.Worker{empty}
	if o.APIs == "" { // a cluster's own workers run its cases
		w := worker.New(st.c, qilian.TaskQueue, worker.Options{})
		engine.Register(w, st.db, log)
		workers = append(workers, w)
	}
	for _, w := range workers {
		if err := w.Start(); err != nil {
			return nil, fmt.Errorf("start worker: %w", err)
		}
		st.workers = append(st.workers, w)
	}
	st.engine = &workflows.Client{Temporal: st.c, Policy: engine.Policy}

	if st.logins, err = demo.Seed(ctx, st.db, time.Now()); err != nil {
		return nil, fmt.Errorf("demo district: %w", err)
	}

	indicators, err := cfg.Indicators()
	if err != nil {
		return nil, err
	}
	ops := api.Ops{Registry: api.NewRegistry(), Log: quietLog(log)}
	// The bench signs in with tokens: the default session policy, no SSO.
	handler := app.NewAPIRouter(ops, st.c, st.db, engine, indicators, app.SignIn{}, quietLog(log))
	if st.api, st.apiURL, err = serveLoopback(handler); err != nil {
		return nil, err
	}
	st.apis = []string{st.apiURL}
	if o.APIs != "" {
		st.apis = nil
		for _, u := range strings.Split(o.APIs, ",") {
			if u = strings.TrimRight(strings.TrimSpace(u), "/"); u != "" {
				st.apis = append(st.apis, u)
			}
		}
	}
	if st.bare, st.bareURL, err = serveLoopback(bareRouter(st.db)); err != nil {
		return nil, err
	}
	st.http = &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        1024,
			MaxIdleConnsPerHost: 1024,
			IdleConnTimeout:     time.Minute,
		},
	}
	return st, nil
}

func (st *benchStack) close() {
	if st.api != nil {
		_ = st.api.Close()
	}
	if st.bare != nil {
		_ = st.bare.Close()
	}
	for _, w := range st.workers {
		w.Stop()
	}
	if st.c != nil {
		st.c.Close()
	}
	if st.srv != nil {
		st.srv.Stop()
	}
	if st.db != nil {
		_ = st.db.Close()
	}
	if st.schema != nil {
		st.schema()
	}
	if st.store != nil {
		st.store()
	}
	if st.dir != "" && !st.o.Keep {
		_ = os.RemoveAll(st.dir)
	}
}

// quietLog keeps the bench's own output readable: the stack it starts
// logs warnings and errors only.
func quietLog(log *slog.Logger) *slog.Logger {
	return app.AtLeast(log, slog.LevelWarn)
}

func serveLoopback(h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() { _ = srv.Serve(ln) }()
	return srv, "http://" + ln.Addr().String(), nil
}

// bareRow is what the bare reader returns: the cases row as it is.
type bareRow struct {
	ID           string    `json:"id"`
	Kind         string    `json:"kind"`
	State        string    `json:"state"`
	Title        string    `json:"title"`
	Priority     string    `json:"priority"`
	LocalityID   string    `json:"locality_id"`
	LocalityPath string    `json:"locality_path"`
	OpenedAt     time.Time `json:"opened_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	Revision     int64     `json:"revision"`
	Snapshot     string    `json:"snapshot"`
}

// bareRouter is the baseline of the read comparison: Gin and one GORM
// single-row read of the same cases table, no authentication, no scope
// check, no decoding of the snapshot.
func bareRouter(db *storage.DB) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/bare/cases/:id", func(c *gin.Context) {
		var row bareRow
		err := db.Gorm().WithContext(c.Request.Context()).Table("cases").
			Where("id = ?", c.Param("id")).Take(&row).Error
		if err != nil {
			c.JSON(http.StatusNotFound, gin.H{"error": "not found"})
			return
		}
		c.JSON(http.StatusOK, row)
	})
	return r
}

// freshSchema creates an empty schema in the PostgreSQL at url and returns
// a URL whose search_path points at it, and a function that drops it.
func freshSchema(ctx context.Context, url string) (string, func(), error) {
	db, err := storage.Open(ctx, url, "")
	if err != nil {
		return "", nil, fmt.Errorf("--postgres: %w", err)
	}
	defer func() { _ = db.Close() }()
	schema := fmt.Sprintf("qilian_bench_%d", time.Now().UnixNano())
	if err := db.Gorm().WithContext(ctx).Exec("CREATE SCHEMA " + schema).Error; err != nil {
		return "", nil, fmt.Errorf("--postgres: create schema: %w", err)
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	drop := func() {
		db, err := storage.Open(context.Background(), url, "")
		if err != nil {
			return
		}
		defer func() { _ = db.Close() }()
		_ = db.Gorm().Exec("DROP SCHEMA " + schema + " CASCADE").Error
	}
	return url + sep + "search_path=" + schema, drop, nil
}

// machineInfo describes where the run happened.
func machineInfo() map[string]string {
	m := map[string]string{
		"go":      runtime.Version(),
		"os":      runtime.GOOS + "/" + runtime.GOARCH,
		"cpus":    fmt.Sprint(runtime.NumCPU()),
		"cpu":     firstMatch("/proc/cpuinfo", "model name"),
		"memory":  firstMatch("/proc/meminfo", "MemTotal"),
		"kernel":  "",
		"release": firstMatch("/etc/os-release", "PRETTY_NAME"),
	}
	if b, err := exec.Command("uname", "-r").Output(); err == nil {
		m["kernel"] = strings.TrimSpace(string(b))
	}
	return m
}

func firstMatch(file, prefix string) string {
	b, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, prefix) {
			v := strings.TrimPrefix(line, prefix)
			v = strings.TrimLeft(v, " \t:=")
			return strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return ""
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
