// Package api is Qilian's HTTP interface: the case API under /api/v1 and
// the operations endpoints (/healthz, /readyz, /metrics), on a router that
// other protocols mount beside them (Protocol; Open311 GeoReport v2 is
// package api/open311) and, later, the dashboard. Handlers are thin: bind,
// convert, one call, respond.
package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/qilian/qilian"
)

// Check is one dependency readiness depends on; it returns nil when the
// dependency answers.
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// Ops serves the operations endpoints.
type Ops struct {
	Checks   []Check
	Registry *prometheus.Registry
	Log      *slog.Logger
	// MetricsToken is the bearer token /metrics requires. Without one,
	// /metrics answers clients on the loopback interface only.
	MetricsToken string
}

// NewRegistry returns a registry with the Go runtime and process collectors.
func NewRegistry() *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r
}

// Mount adds /healthz, /readyz and /metrics to r.
func (o Ops) Mount(r *gin.Engine) {
	for _, rt := range o.routes() {
		r.Handle(rt.Method, rt.Path, rt.Handle)
	}
}

// routes are the operations endpoints, as entries of the route table.
func (o Ops) routes() []route {
	metrics := gin.WrapH(promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{Registry: o.Registry}))
	return []route{
		{Method: http.MethodGet, Path: "/healthz", ID: "healthz", Tag: "operations", Summary: "The process is up",
			Public: true, Status: http.StatusOK, Resp: health{}, Handle: func(c *gin.Context) { c.JSON(http.StatusOK, health{Status: "ok"}) }},
		{Method: http.MethodGet, Path: "/readyz", ID: "readyz", Tag: "operations", Summary: "Temporal and the database answer",
			Public: true, Status: http.StatusOK, Resp: readiness{}, Errors: []int{http.StatusServiceUnavailable}, Handle: o.ready},
		{Method: http.MethodGet, Path: "/metrics", ID: "metrics", Tag: "operations",
			Summary: "Prometheus metrics: with the metrics token as bearer when one is configured, else to loopback clients only",
			Public:  true, Status: http.StatusOK, Content: "text/plain",
			Errors: []int{http.StatusUnauthorized, http.StatusForbidden}, Handle: o.metricsGate(metrics)},
	}
}

// metricsGate admits a scrape of /metrics. With a metrics token, only a
// request bearing it passes, compared in constant time; without one, only
// a client on the loopback interface, as the connection says (never
// X-Forwarded-For, which any client may write). A proxy on the same host
// is such a client: behind one, configure a token.
func (o Ops) metricsGate(next gin.HandlerFunc) gin.HandlerFunc {
	want := sha256.Sum256([]byte(o.MetricsToken))
	return func(c *gin.Context) {
		if o.MetricsToken != "" {
			token, _ := bearer(c.GetHeader("Authorization"))
			got := sha256.Sum256([]byte(token))
			if token == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
				fail(c, o.Log, qilian.Errorf(qilian.EUNAUTHORIZED, "the metrics token is required"))
				return
			}
		} else if !loopback(c.Request.RemoteAddr) {
			fail(c, o.Log, qilian.Errorf(qilian.EFORBIDDEN, "metrics answer loopback clients only while no metrics token is configured"))
			return
		}
		next(c)
	}
}

// loopback reports whether a connection's remote address is a loopback
// address.
func loopback(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// health is the answer of /healthz.
type health struct {
	Status string `json:"status" required:"true"`
}

// readiness is the answer of /readyz, also when it is 503.
type readiness struct {
	Status string            `json:"status" required:"true" doc:"ready or unavailable"`
	Checks map[string]string `json:"checks" required:"true" doc:"ok or unreachable, by dependency"`
}

// ready runs every check concurrently with a short timeout. A failed check
// answers 503 naming the dependency; the error itself goes to the log only.
func (o Ops) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	type result struct {
		name string
		err  error
	}
	results := make(chan result, len(o.Checks))
	for _, ch := range o.Checks {
		go func() { results <- result{ch.Name, ch.Run(ctx)} }()
	}
	status, checks := http.StatusOK, map[string]string{}
	for range o.Checks {
		r := <-results
		if r.err != nil {
			status = http.StatusServiceUnavailable
			checks[r.name] = "unreachable"
			o.Log.Warn("readiness check failed", "check", r.name, "error", r.err)
			continue
		}
		checks[r.name] = "ok"
	}
	body := readiness{Status: "ready", Checks: checks}
	if status != http.StatusOK {
		body.Status = "unavailable"
	}
	c.JSON(status, body)
}

// metrics counts requests by route template (never the raw path, which
// would explode the label set) and status.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "qilian_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "qilian_http_request_duration_seconds", Help: "HTTP request latency by method and route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *metrics) middleware(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(c.Request.Method, route, strconv.Itoa(c.Writer.Status())).Inc()
	m.duration.WithLabelValues(c.Request.Method, route).Observe(time.Since(start).Seconds())
}
