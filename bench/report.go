package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// benchResult is every figure of one run; --json writes it as is.
type benchResult struct {
	Command    string            `json:"command"`
	Build      string            `json:"build"`
	Machine    map[string]string `json:"machine"`
	ReadModel  string            `json:"read_model"`
	Temporal   string            `json:"temporal"`
	StartedAt  time.Time         `json:"started_at"`
	FinishedAt time.Time         `json:"finished_at"`
	LoadStart  string            `json:"load_average_start"`
	LoadEnd    string            `json:"load_average_end"`
	Options    benchOptions      `json:"options"`
	// Parts are the parts this run ran (all but for --only).
	Parts    []string       `json:"parts"`
	Opening  openingResult  `json:"opening"`
	Read     readResult     `json:"read"`
	Lateness latenessResult `json:"lateness"`
	Memory   memoryResult   `json:"memory"`
	Queries  queriesResult  `json:"queries"`
	StepUp   stepUpResult   `json:"stepup"`
	// Missed names the targets this run did not meet.
	Missed []string `json:"missed"`
}

func (r *benchResult) check() {
	r.Missed = []string{}
	for _, p := range []struct {
		name string
		met  bool
	}{{"opening", r.Opening.Met}, {"read", r.Read.Met}, {"lateness", r.Lateness.Met}, {"queries", r.Queries.Met}, {"stepup", r.StepUp.Held > 0}} {
		if r.ran(p.name) && !p.met {
			r.Missed = append(r.Missed, p.name)
		}
	}
}

func (r *benchResult) ran(part string) bool {
	for _, p := range r.Parts {
		if p == part {
			return true
		}
	}
	return false
}

func verdict(met bool) string {
	if met {
		return "met"
	}
	return "MISSED"
}

func printBench(w io.Writer, r *benchResult) {
	fmt.Fprintf(w, "qilian bench — Temporal %s, read model %s, %s CPUs, %s, load %s → %s\n\n",
		r.Temporal, r.ReadModel, r.Machine["cpus"], r.Machine["go"], r.LoadStart, r.LoadEnd)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	row := func(cells ...any) {
		s := make([]string, len(cells))
		for i, c := range cells {
			s[i] = fmt.Sprint(c)
		}
		fmt.Fprintln(tw, strings.Join(s, "\t"))
	}
	row("figure", "qilian", "baseline", "ratio", "target", "")
	if o := r.Opening; r.ran("opening") {
		row("case opening /s (c="+fmt.Sprint(o.Concurrency)+")", o.Qilian.PerSecond, o.Raw.PerSecond, o.Ratio, "≥ 0.8", verdict(o.Met))
		row("  vs start+complete empty wf", "", o.RawCompleted.PerSecond, o.RatioCompleted, "", "")
		row("  latency p50/p99 ms", fmt.Sprintf("%.1f/%.1f", o.Qilian.Latency.P50, o.Qilian.Latency.P99),
			fmt.Sprintf("%.1f/%.1f", o.Raw.Latency.P50, o.Raw.Latency.P99), "", "", "")
		row("  errors", o.Qilian.Errors, o.Raw.Errors, "", "", "")
	}
	if rd := r.Read; r.ran("read") {
		row(fmt.Sprintf("GET case /s at %d/s offered", rd.OfferedRate), rd.Qilian.PerSecond, rd.Bare.PerSecond, rd.Ratio, "≥ 0.5, p99 ≤ 5 ms", verdict(rd.Met))
		row("  latency p50/p99 ms", fmt.Sprintf("%.2f/%.2f", rd.Qilian.Latency.P50, rd.Qilian.Latency.P99),
			fmt.Sprintf("%.2f/%.2f", rd.Bare.Latency.P50, rd.Bare.Latency.P99), "", "", "")
		row("  errors", rd.Qilian.Errors, rd.Bare.Errors, "", "", "")
	}
	if l := r.Lateness; r.ran("lateness") {
		spread := "in the same minutes"
		if l.SpreadSeconds > 0 {
			spread = fmt.Sprintf("spread over %.0f s", l.SpreadSeconds)
		}
		row(fmt.Sprintf("deadline lateness ms, %d cases %s (%d/%d steps)", l.Cases, spread, l.Fired, l.Expected),
			fmt.Sprintf("p50 %.0f p99 %.0f max %.0f", l.Lateness.P50, l.Lateness.P99, l.Lateness.Max), "", "", "p99 ≤ 1000", verdict(l.Met))
		row("  queue drained, s after the last step was due", l.DrainSeconds, "", "", "", "")
	}
	if u := r.StepUp; r.ran("stepup") {
		for _, s := range u.Stages {
			row(fmt.Sprintf("step-up: %g steps/s offered (%d/%d fired)", s.Offered, s.Fired, s.Expected),
				fmt.Sprintf("%.1f/s, p99 %.0f ms", s.Rate, s.Lateness.P99), "", "", "p99 ≤ 1000", verdict(s.Held))
		}
		row("  highest rate held, escalation steps/s", u.Held, "", "", "", "")
	}
	if m := r.Memory; r.ran("memory") {
		row(fmt.Sprintf("memory, %d open cases", m.OpenCases),
			fmt.Sprintf("RSS %.0f MiB (peak %.0f), Go heap %.0f MiB", m.RSSMiB, m.PeakRSSMiB, m.HeapInuseMiB), "", "", "", "")
	}
	q := r.Queries
	for _, f := range q.Figures {
		row(fmt.Sprintf("%s, %d cases", f.Name, q.TotalCases), fmt.Sprintf("p50 %.2f p95 %.2f ms", f.Latency.P50, f.Latency.P95), "", "", "p95 ≤ 20 ms", verdict(f.Met))
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
	for _, p := range q.Plans {
		fmt.Fprintf(w, "plan %s/%s: indexes %v, full scans %v\n", p.Scope, p.Query, p.Indexes, p.FullScans)
	}
}
