package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/temporalserver"
)

type latenessResult struct {
	Cases       int     `json:"cases"`
	SpanSeconds float64 `json:"accept_span_seconds"`
	StepSeconds float64 `json:"ladder_step_seconds"`
	// SpreadSeconds is how long the dispatches, and so the deadlines, are
	// spread over: 0 is the burst, every case dispatched at once.
	SpreadSeconds float64 `json:"spread_seconds"`
	// OpenSeconds and DispatchSeconds are how long opening and dispatching
	// the cases took; the deadlines are spread over DispatchSeconds.
	OpenSeconds     float64 `json:"open_seconds"`
	DispatchSeconds float64 `json:"dispatch_seconds"`
	Expected        int     `json:"expected_steps"`
	Fired           int     `json:"fired_steps"`
	// Lateness is how long after its scheduled instant each escalation
	// step was stamped by the case workflow (the event's time, which is
	// when the workflow task that handled the timer started).
	Lateness latency            `json:"lateness"`
	ByRung   map[string]latency `json:"by_rung"`
	// DrainSeconds is how long after the last step was due the last one
	// fired: how long the engine took to work off the queue of due timers.
	DrainSeconds float64 `json:"drain_seconds"`
	TargetP99MS  float64 `json:"target_p99_ms"`
	Met          bool    `json:"met"`
}

// step is one escalation step as the read model recorded it: when it was
// due and when the case workflow stamped it.
type step struct {
	Due, At time.Time
	Action  string
}

func (s step) late() time.Duration { return s.At.Sub(s.Due) }

// forEach runs f for 0..n-1 on conc callers. A busy engine answers 503
// while Temporal's shard recovers from a persistence error, so each call is
// tried for a minute before the run gives up.
func forEach(ctx context.Context, n, conc int, f func(ctx context.Context, i int) error) error {
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		first atomic.Value
	)
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil || first.Load() != nil {
					return
				}
				var err error
				for try := 0; try < 30; try++ {
					if err = f(ctx, i); err == nil {
						break
					}
					time.Sleep(2 * time.Second)
				}
				if err != nil {
					first.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, _ := first.Load().(error); err != nil {
		return err
	}
	return ctx.Err()
}

// ladderCases opens n emergency cases titled title through the bench's
// own API (its policy gives them minute-scale deadlines and ladder) and
// dispatches case i at offset(i) after the first dispatch, so its accept
// deadline falls LateSpan after that. It returns when the last one is
// dispatched.
func (st *benchStack) ladderCases(ctx context.Context, title string, n int, offset func(i int) time.Duration) (opened, dispatched time.Duration, first time.Time, err error) {
	conc := max(st.o.Concurrency, 8)
	ids := make([]string, n)
	t0 := time.Now()
	err = forEach(ctx, n, conc, func(ctx context.Context, i int) (err error) {
		if ids[i] == "" {
			ids[i], err = st.openCase(ctx, st.apiURL, title, string(qilian.PriorityEmergency))
		}
		return err
	})
	if err != nil {
		return 0, 0, time.Time{}, fmt.Errorf("open: %w", err)
	}
	opened = time.Since(t0)
	st.log.Info("bench: ladder cases open", "title", title, "cases", n, "took", opened.Round(time.Millisecond))

	axis := st.logins["demo-axis"].Token
	body := []byte(`{"assignments":[{"unit_id":"u-mingyuan-property","role":"lead","required":true}]}`)
	done := make([]bool, n)
	first = time.Now()
	err = forEach(ctx, n, conc, func(ctx context.Context, i int) error {
		if done[i] {
			return nil
		}
		if wait := time.Until(first.Add(offset(i))); wait > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
		}
		err := st.call(ctx, http.MethodPost, st.apiURL+"/api/v1/cases/"+ids[i]+"/dispatch", axis, body, http.StatusOK, nil)
		if hasStatus(err, http.StatusConflict) {
			err = nil // an earlier try went through after all
		}
		done[i] = err == nil
		return err
	})
	if err != nil {
		return opened, 0, first, fmt.Errorf("dispatch: %w", err)
	}
	if err := st.checkPolicy(ctx, ids[0]); err != nil {
		return opened, 0, first, err
	}
	dispatched = time.Since(first)
	st.log.Info("bench: ladder cases dispatched", "title", title, "took", dispatched.Round(time.Millisecond),
		"first deadline", first.Add(st.o.LateSpan).Format(time.TimeOnly))
	return opened, dispatched, first, nil
}

// checkPolicy makes sure a dispatched ladder case got the bench's accept
// deadline: a cluster's workers give a case the deadlines of their own
// configuration, and the bench must not measure another policy.
func (st *benchStack) checkPolicy(ctx context.Context, id string) error {
	var c struct {
		Tasks []struct {
			CreatedAt time.Time `json:"created_at"`
			AcceptBy  struct {
				Due time.Time `json:"due"`
			} `json:"accept_by"`
		} `json:"tasks"`
	}
	if err := st.call(ctx, http.MethodGet, st.apiURL+"/api/v1/cases/"+id, st.logins["demo-supervisor"].Token, nil, http.StatusOK, &c); err != nil {
		return err
	}
	if len(c.Tasks) == 0 {
		return fmt.Errorf("ladder case %s has no task after its dispatch", id)
	}
	if got := c.Tasks[0].AcceptBy.Due.Sub(c.Tasks[0].CreatedAt); got < st.o.LateSpan-time.Second || got > st.o.LateSpan+time.Second {
		return fmt.Errorf("the engine gave ladder case %s an accept deadline of %s, not --late-span %s: its workers run another policy; "+
			"start them with QILIAN_CONFIG naming the file `qilian bench --print-config` writes, with the same --late-span and --late-step", id, got, st.o.LateSpan)
	}
	return nil
}

// steps waits until the cases titled title have recorded expected
// escalation steps, or until, and returns the steps recorded.
func (st *benchStack) steps(ctx context.Context, title string, expected int, until time.Time) ([]step, error) {
	q := func() *gorm.DB {
		return st.db.Gorm().WithContext(ctx).Table("case_events AS e").Joins("JOIN cases AS c ON c.id = e.case_id").
			Where("e.type = ? AND c.title = ?", qilian.EventEscalated, title)
	}
	for {
		var n int64
		if err := q().Count(&n).Error; err != nil {
			return nil, err
		}
		if int(n) >= expected || time.Now().After(until) {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	var rows []struct {
		At      time.Time
		Payload string
	}
	if err := q().Select("e.at, e.payload").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]step, 0, len(rows))
	for _, r := range rows {
		var p struct {
			At     time.Time `json:"at"`
			Action string    `json:"action"`
		}
		if err := json.Unmarshal([]byte(r.Payload), &p); err != nil || p.At.IsZero() {
			return nil, fmt.Errorf("escalation event without its scheduled instant: %s", r.Payload)
		}
		out = append(out, step{Due: p.At, At: r.At, Action: p.Action})
	}
	return out, nil
}

// runTitle names the cases of one part of one run, so that its steps are
// told apart from any other's in a shared read model.
func runTitle(part string) string {
	return fmt.Sprintf("bench %s %d", part, time.Now().UnixNano())
}

// benchLateness opens and dispatches many emergency cases, all at once
// (their accept deadlines then fall within the same minutes) or spread
// evenly over --late-spread, waits for the escalation ladder to climb,
// and measures how late each rung fired.
func (st *benchStack) benchLateness(ctx context.Context) (latenessResult, error) {
	o := st.o
	res := latenessResult{
		Cases: o.LateCases, SpanSeconds: o.LateSpan.Seconds(), StepSeconds: o.LateStep.Seconds(), SpreadSeconds: o.LateSpread.Seconds(),
		Expected: o.LateCases * len(st.stepGaps), TargetP99MS: 1000, ByRung: map[string]latency{},
	}
	title := runTitle("lateness")
	opened, dispatched, first, err := st.ladderCases(ctx, title, o.LateCases, func(i int) time.Duration {
		return time.Duration(int64(o.LateSpread) * int64(i) / int64(o.LateCases))
	})
	if err != nil {
		return res, err
	}
	res.OpenSeconds, res.DispatchSeconds = round2(opened.Seconds()), round2(dispatched.Seconds())

	// Wait until every rung has fired, or well past the last one: at least
	// as long as the queue takes to drain at 50 steps a second.
	give := max(2*time.Minute, dispatched-o.LateSpread, time.Duration(res.Expected)*20*time.Millisecond)
	if o.Quick {
		give = 30 * time.Second
	}
	until := first.Add(dispatched + o.LateSpan + st.stepGaps[len(st.stepGaps)-1] + give)
	steps, err := st.steps(ctx, title, res.Expected, until)
	if err != nil {
		return res, err
	}
	var all []time.Duration
	byRung := map[string][]time.Duration{}
	var lastDue, lastAt time.Time
	for _, s := range steps {
		all = append(all, s.late())
		byRung[s.Action] = append(byRung[s.Action], s.late())
		if s.Due.After(lastDue) {
			lastDue = s.Due
		}
		if s.At.After(lastAt) {
			lastAt = s.At
		}
	}
	res.Fired = len(steps)
	res.Lateness = summarize(all)
	for k, v := range byRung {
		res.ByRung[k] = summarize(v)
	}
	res.DrainSeconds = round2(max(0, lastAt.Sub(lastDue).Seconds()))
	res.Met = res.Fired == res.Expected && res.Lateness.P99 <= res.TargetP99MS
	return res, nil
}

// stepUpResult is the step-up run: stages of a rising offered rate of
// escalation steps, each measured on the steps that fell due within it.
type stepUpResult struct {
	StageSeconds float64       `json:"stage_seconds"`
	SpanSeconds  float64       `json:"accept_span_seconds"`
	StepSeconds  float64       `json:"ladder_step_seconds"`
	Cases        int           `json:"cases"`
	AllFired     bool          `json:"all_fired"`
	Stages       []stepUpStage `json:"stages"`
	// Held is the highest measured rate of a stage whose steps all fired
	// with p99 lateness within the target; 0 when none did.
	Held        float64 `json:"held_steps_per_second"`
	TargetP99MS float64 `json:"target_p99_ms"`
}

type stepUpStage struct {
	// Offered is the stage's rate of steps per second: cases are
	// dispatched at a quarter of it, and each climbs the four rungs.
	Offered float64 `json:"offered_steps_per_second"`
	// Rate is the steps that fell due within the stage's window, per
	// second of it (the rungs of the stage before overlap its start).
	Rate     float64 `json:"steps_per_second"`
	Expected int     `json:"expected_steps"`
	Fired    int     `json:"fired_steps"`
	Lateness latency `json:"lateness"`
	Held     bool    `json:"held"`
}

// stepUpRates parses --stepup-rates: positive, rising.
func stepUpRates(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || r <= 0 || (len(out) > 0 && r <= out[len(out)-1]) {
			return nil, fmt.Errorf("bench: --stepup-rates must be rising positive numbers of steps per second, as 8,16,32: %q", s)
		}
		out = append(out, r)
	}
	return out, nil
}

// benchStepUp offers a rising rate of escalation steps, one stage per
// rate, and reports the lateness of the steps due in each stage's window:
// the highest rate held within the target is what the engine sustains.
func (st *benchStack) benchStepUp(ctx context.Context, rates []float64) (stepUpResult, error) {
	o := st.o
	rungs := len(st.stepGaps)
	res := stepUpResult{StageSeconds: o.StepUpStage.Seconds(), SpanSeconds: o.LateSpan.Seconds(), StepSeconds: o.LateStep.Seconds(), TargetP99MS: 1000}
	// Case i's dispatch offset: stage k dispatches rate/rungs cases a
	// second, evenly, during [k·stage, (k+1)·stage).
	var offsets []time.Duration
	for k, r := range rates {
		n := int(math.Round(r / float64(rungs) * o.StepUpStage.Seconds()))
		for j := range n {
			offsets = append(offsets, time.Duration(k)*o.StepUpStage+time.Duration(int64(o.StepUpStage)*int64(j)/int64(n)))
		}
	}
	res.Cases = len(offsets)
	title := runTitle("stepup")
	_, dispatched, first, err := st.ladderCases(ctx, title, len(offsets), func(i int) time.Duration { return offsets[i] })
	if err != nil {
		return res, err
	}
	total := time.Duration(len(rates)) * o.StepUpStage
	until := first.Add(max(dispatched, total) + o.LateSpan + st.stepGaps[rungs-1] + 2*time.Minute)
	steps, err := st.steps(ctx, title, len(offsets)*rungs, until)
	if err != nil {
		return res, err
	}
	// Steps due at each stage's window (dispatch window + span), and those
	// expected there from the schedule.
	window := func(due time.Duration) int { return int((due - o.LateSpan) / o.StepUpStage) }
	expected := make([]int, len(rates))
	for _, off := range offsets {
		for _, g := range st.stepGaps {
			if k := window(off + o.LateSpan + g); k < len(rates) {
				expected[k]++
			}
		}
	}
	lat := make([][]time.Duration, len(rates))
	for _, s := range steps {
		if k := window(s.Due.Sub(first)); k >= 0 && k < len(rates) {
			lat[k] = append(lat[k], s.late())
		}
	}
	res.AllFired = len(steps) == len(offsets)*rungs
	for k, r := range rates {
		s := stepUpStage{Offered: r, Expected: expected[k], Fired: len(lat[k]), Lateness: summarize(lat[k]),
			Rate: round2(float64(len(lat[k])) / o.StepUpStage.Seconds())}
		// A dispatch that ran late moves its steps into the next window, so a
		// stage's own count is checked only when some steps never fired.
		s.Held = s.Fired > 0 && s.Lateness.P99 <= res.TargetP99MS && (res.AllFired || s.Fired >= s.Expected)
		if s.Held && s.Rate > res.Held {
			res.Held = s.Rate
		}
		res.Stages = append(res.Stages, s)
	}
	return res, nil
}

type memoryResult struct {
	OpenCases     int     `json:"open_cases"`
	RSSMiB        float64 `json:"rss_mib"`
	PeakRSSMiB    float64 `json:"peak_rss_mib"`
	HeapInuseMiB  float64 `json:"go_heap_inuse_mib"`
	HeapAllocMiB  float64 `json:"go_heap_alloc_mib"`
	GoSysMiB      float64 `json:"go_sys_mib"`
	Goroutines    int     `json:"goroutines"`
	TemporalDBMiB float64 `json:"temporal_db_mib"`
}

// benchMemory measures the whole process (embedded Temporal, worker, API
// and read model in one) with the lateness cases still open.
func (st *benchStack) benchMemory(ctx context.Context) (memoryResult, error) {
	var res memoryResult
	var n int64
	if err := st.db.Gorm().WithContext(ctx).Table("cases").Where("closed_at IS NULL").Count(&n).Error; err != nil {
		return res, err
	}
	res.OpenCases = int(n)
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	mib := func(b uint64) float64 { return round2(float64(b) / (1 << 20)) }
	res.HeapInuseMiB, res.HeapAllocMiB, res.GoSysMiB = mib(m.HeapInuse), mib(m.HeapAlloc), mib(m.Sys)
	res.Goroutines = runtime.NumGoroutine()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return res, fmt.Errorf("process status: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseUint(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			res.RSSMiB = mib(kb << 10)
		case "VmHWM:":
			res.PeakRSSMiB = mib(kb << 10)
		}
	}
	var size int64
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if fi, err := os.Stat(filepath.Join(st.dir, temporalserver.DBFile+suffix)); err == nil {
			size += fi.Size()
		}
	}
	res.TemporalDBMiB = mib(uint64(size))
	return res, nil
}
