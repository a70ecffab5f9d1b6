package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestBenchQuick runs the whole bench at smoke scale and checks that its
// JSON holds every figure BENCHMARKS.md quotes (not their values: they
// mean nothing at this scale and on a shared machine).
func TestBenchQuick(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out := filepath.Join(t.TempDir(), "bench.json")
	var stdout, stderr bytes.Buffer
	err := Main(ctx, []string{"--quick", "--json", out}, &stdout, &stderr)
	require.NoError(t, err, stderr.String())
	require.Contains(t, stdout.String(), "case opening")

	b, err := os.ReadFile(out)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	get := func(path string) any {
		var v any = doc
		for _, k := range strings.Split(path, ".") {
			m, ok := v.(map[string]any)
			require.True(t, ok, "%s: %s is not an object", path, k)
			v, ok = m[k]
			require.True(t, ok, "%s: no %s", path, k)
		}
		return v
	}
	number := func(path string) float64 {
		f, ok := get(path).(float64)
		require.True(t, ok, "%s is not a number", path)
		return f
	}
	for _, p := range []string{"command", "build", "machine.cpus", "machine.memory", "machine.go", "read_model", "load_average_start", "load_average_end"} {
		require.NotEmpty(t, get(p), p)
	}
	require.Equal(t, []any{"opening", "read", "lateness", "memory", "queries"}, get("parts"))
	require.NotNil(t, get("missed"))

	for _, side := range []string{"qilian_http_open", "raw_start_workflow", "raw_start_and_complete"} {
		require.Positive(t, number("opening."+side+".ok"), side)
		number("opening." + side + ".per_second")
		for _, q := range []string{"p50_ms", "p99_ms"} {
			number("opening." + side + ".latency." + q)
		}
	}
	number("opening.ratio")
	number("opening.ratio_to_completed")
	number("opening.raw_backlog_drain_seconds")

	for _, side := range []string{"qilian_get_case", "bare_gin_gorm"} {
		require.Positive(t, number("read."+side+".ok"), side)
		require.Zero(t, number("read."+side+".errors"), side)
		number("read." + side + ".per_second")
		for _, q := range []string{"p50_ms", "p99_ms"} {
			number("read." + side + ".latency." + q)
		}
	}
	number("read.ratio")

	require.Positive(t, number("lateness.expected_steps"))
	require.Equal(t, number("lateness.expected_steps"), number("lateness.fired_steps"), "every escalation step fired")
	for _, q := range []string{"p50_ms", "p99_ms", "max_ms"} {
		number("lateness.lateness." + q)
	}
	for _, rung := range []string{"remind", "notice", "whistle", "county"} {
		number("lateness.by_rung." + rung + ".p99_ms")
	}

	require.Positive(t, number("memory.open_cases"))
	for _, f := range []string{"rss_mib", "peak_rss_mib", "go_heap_inuse_mib", "temporal_db_mib"} {
		require.Positive(t, number("memory."+f), f)
	}

	figures, ok := get("queries.figures").([]any)
	require.True(t, ok)
	var names []string
	for _, f := range figures {
		m := f.(map[string]any)
		names = append(names, m["name"].(string))
		require.Contains(t, m["latency"], "p95_ms")
	}
	for _, want := range []string{
		"storage.Overdue district", "storage.CaseCounts district", "storage.Overdue street",
		"storage.CaseCounts street", "GET /api/v1/overdue district supervisor", "GET /api/v1/overdue street supervisor",
	} {
		require.Contains(t, names, want)
	}
	plans, ok := get("queries.plans").([]any)
	require.True(t, ok)
	require.Len(t, plans, 6, "overdue and counts in three scopes")
	for _, p := range plans {
		m := p.(map[string]any)
		require.NotEmpty(t, m["plan"], m["query"])
		require.NotEmpty(t, m["indexes"], "%s reads an index: %s", m["query"], m["plan"])
	}
}

// The lateness run with its deadlines spread out, and the step-up run,
// at smoke scale: every step fires and each stage reports its rate.
func TestBenchSpreadAndStepUp(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out := filepath.Join(t.TempDir(), "bench.json")
	var stdout, stderr bytes.Buffer
	err := Main(ctx, []string{"--quick", "--only", "lateness,stepup", "--late-spread", "3s", "--json", out}, &stdout, &stderr)
	require.NoError(t, err, stderr.String())
	require.Contains(t, stdout.String(), "spread over 3 s")
	require.Contains(t, stdout.String(), "highest rate held")

	b, err := os.ReadFile(out)
	require.NoError(t, err)
	var doc struct {
		Parts    []string `json:"parts"`
		Lateness struct {
			Spread   float64 `json:"spread_seconds"`
			Expected int     `json:"expected_steps"`
			Fired    int     `json:"fired_steps"`
			Dispatch float64 `json:"dispatch_seconds"`
		} `json:"lateness"`
		StepUp struct {
			Cases    int  `json:"cases"`
			AllFired bool `json:"all_fired"`
			Stages   []struct {
				Offered  float64 `json:"offered_steps_per_second"`
				Expected int     `json:"expected_steps"`
				Fired    int     `json:"fired_steps"`
			} `json:"stages"`
		} `json:"stepup"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	require.Equal(t, []string{"lateness", "stepup"}, doc.Parts)
	require.Equal(t, 3.0, doc.Lateness.Spread)
	require.Equal(t, doc.Lateness.Expected, doc.Lateness.Fired, "every escalation step fired")
	require.GreaterOrEqual(t, doc.Lateness.Dispatch, 2.5, "the dispatches were spread over the span asked for")
	require.Contains(t, string(b), `"drain_seconds"`)

	// --quick offers 4 then 8 steps/s for 3 s each: 3 and 6 cases.
	require.Equal(t, 9, doc.StepUp.Cases)
	require.True(t, doc.StepUp.AllFired)
	require.Len(t, doc.StepUp.Stages, 2)
	require.Equal(t, []float64{4, 8}, []float64{doc.StepUp.Stages[0].Offered, doc.StepUp.Stages[1].Offered})
	for _, s := range doc.StepUp.Stages {
		require.Positive(t, s.Fired)
	}
}

func TestBenchFlagsThatDoNotGoTogether(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--api", "http://127.0.0.1:1"}, "--api needs --temporal-address"},
		{[]string{"--stepup-rates", "8,4"}, "--stepup-rates must be rising"},
		{[]string{"--temporal-address", "127.0.0.1:1", "--temporal-postgres", "postgres://x/y"}, "exclude each other"},
	} {
		t.Setenv("QILIAN_DATABASE_URL", "")
		err := Main(context.Background(), c.args, io.Discard, io.Discard)
		require.ErrorContains(t, err, c.want, c.args)
	}
	var stdout bytes.Buffer
	require.NoError(t, Main(context.Background(), []string{"--print-config", "--late-span", "90s", "--late-step", "15s"}, &stdout, io.Discard))
	require.Contains(t, stdout.String(), `emergency: {accept: "1m30s", resolve: "1d", clock: wall}`)
	require.Contains(t, stdout.String(), `- {action: county, after: "45s"}`)
}
