package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"
)

// latency is a distribution in milliseconds.
type latency struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

func summarize(ds []time.Duration) latency {
	if len(ds) == 0 {
		return latency{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	q := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		i = max(0, min(i, len(s)-1))
		return ms(s[i])
	}
	return latency{N: len(s), P50: q(0.50), P95: q(0.95), P99: q(0.99), Max: ms(s[len(s)-1])}
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Microsecond)) / 1000 }

// arm is one side of a comparison, added up over its rounds.
type arm struct {
	OK        int     `json:"ok"`
	Errors    int     `json:"errors"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"per_second"`
	Latency   latency `json:"latency"`
	FirstErr  string  `json:"first_error,omitempty"`

	lat []time.Duration
}

func (a *arm) add(r arm) {
	a.OK += r.OK
	a.Errors += r.Errors
	a.Seconds += r.Seconds
	a.lat = append(a.lat, r.lat...)
	if a.FirstErr == "" {
		a.FirstErr = r.FirstErr
	}
}

func (a *arm) finish() {
	if a.Seconds > 0 {
		a.PerSecond = round2(float64(a.OK) / a.Seconds)
	}
	a.Seconds = round2(a.Seconds)
	a.Latency = summarize(a.lat)
}

func round2(f float64) float64   { return math.Round(f*100) / 100 }
func round3(f float64) float64   { return math.Round(f*1000) / 1000 }
func ratio(a, b float64) float64 { return map[bool]float64{true: round3(a / b), false: 0}[b > 0] }

// closedLoop runs n callers, each calling f again as soon as it returns,
// for d; operations still in flight at the end count when they finish.
func closedLoop(ctx context.Context, n int, d time.Duration, f func(ctx context.Context) error) arm {
	var (
		mu  sync.Mutex
		out arm
		wg  sync.WaitGroup
	)
	start := time.Now()
	end := start.Add(d)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			ok, bad, first := 0, 0, ""
			for time.Now().Before(end) && ctx.Err() == nil {
				t0 := time.Now()
				if err := f(ctx); err != nil {
					bad++
					if first == "" {
						first = err.Error()
					}
					continue
				}
				ok++
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			out.OK += ok
			out.Errors += bad
			out.lat = append(out.lat, lat...)
			if out.FirstErr == "" {
				out.FirstErr = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	out.Seconds = time.Since(start).Seconds()
	return out
}

// openLoop sends at a fixed offered rate for d, whatever the answers: each
// request has an intended send time, and its latency counts from then, so
// a stall shows as the latency of every request that waited behind it
// (no coordinated omission). Achieved throughput is what succeeded per
// second from the first intended send to the last answer.
func openLoop(ctx context.Context, rate int, d time.Duration, f func(ctx context.Context, i int) error) arm {
	n := int(float64(rate) * d.Seconds())
	interval := time.Second / time.Duration(rate)
	lat := make([]time.Duration, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	var last atomic.Int64
	start := time.Now()
	for i := range n {
		at := start.Add(time.Duration(i) * interval)
		if w := time.Until(at); w > 0 {
			time.Sleep(w)
		}
		if ctx.Err() != nil {
			n = i
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f(ctx, i)
			done := time.Now()
			lat[i] = done.Sub(at)
			for {
				l := last.Load()
				if done.UnixNano() <= l || last.CompareAndSwap(l, done.UnixNano()) {
					break
				}
			}
		}()
	}
	wg.Wait()
	var out arm
	for i := range n {
		if errs[i] != nil {
			out.Errors++
			if out.FirstErr == "" {
				out.FirstErr = errs[i].Error()
			}
			continue
		}
		out.OK++
		out.lat = append(out.lat, lat[i])
	}
	out.Seconds = time.Unix(0, last.Load()).Sub(start).Seconds()
	return out
}

// statusError is an answer with another status than the one wanted.
type statusError struct {
	Request string
	Status  int
	Body    string
}

func (e *statusError) Error() string { return fmt.Sprintf("%s: %d %s", e.Request, e.Status, e.Body) }

// hasStatus reports whether err is an answer with the status.
func hasStatus(err error, status int) bool {
	var se *statusError
	return errors.As(err, &se) && se.Status == status
}

// call sends one request and checks its status; the body is read and
// dropped, or decoded into into when it is not nil.
func (st *benchStack) call(ctx context.Context, method, url, token string, body []byte, want int, into any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := st.http.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != want {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return &statusError{Request: method + " " + url, Status: resp.StatusCode, Body: string(bytes.TrimSpace(b))}
	}
	if into != nil {
		return json.NewDecoder(resp.Body).Decode(into)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// nextBase is the next of the API processes cases are opened and read
// through, in turn.
func (st *benchStack) nextBase() string {
	return st.apis[int(st.nextAPI.Add(1))%len(st.apis)]
}

// openCase opens a case titled title over HTTP at base as the demo grid
// worker.
func (st *benchStack) openCase(ctx context.Context, base, title, priority string) (string, error) {
	body := fmt.Sprintf(`{"kind":"service_linkage","title":%q,"locality_id":"dongzha-g1","priority":%q}`, title, priority)
	var c struct {
		ID string `json:"id"`
	}
	err := st.call(ctx, http.MethodPost, base+"/api/v1/cases", st.logins["demo-grid"].Token, []byte(body), http.StatusCreated, &c)
	if err == nil && c.ID == "" {
		err = fmt.Errorf("open case: no id in the answer")
	}
	return c.ID, err
}

type openingResult struct {
	Concurrency  int     `json:"concurrency"`
	Rounds       int     `json:"rounds"`
	RoundSeconds float64 `json:"round_seconds"`
	// Qilian is POST /api/v1/cases through the API: validation, the
	// UpdateWithStart of the case workflow, its first workflow task and
	// the projection into the read model, answered with the case.
	Qilian arm `json:"qilian_http_open"`
	// Raw is client.ExecuteWorkflow of an empty workflow: the start is
	// acknowledged, nothing waits for it to run.
	Raw arm `json:"raw_start_workflow"`
	// RawCompleted also waits for the empty workflow to complete: one
	// workflow task, as the case's opening needs at least.
	RawCompleted arm `json:"raw_start_and_complete"`
	// DrainSeconds is how long, after the start-only turns, the worker
	// took to run the empty workflows they had started (not timed in Raw).
	DrainSeconds   float64 `json:"raw_backlog_drain_seconds"`
	Ratio          float64 `json:"ratio"`
	RatioCompleted float64 `json:"ratio_to_completed"`
	Target         float64 `json:"target"`
	Met            bool    `json:"met"`
}

// benchOpening alternates rounds of opening cases over HTTP with rounds
// of raw starts of an empty workflow on the same server, at the same
// concurrency.
func (st *benchStack) benchOpening(ctx context.Context) (openingResult, error) {
	o := st.o
	res := openingResult{Concurrency: o.Concurrency, Rounds: o.Rounds, RoundSeconds: o.Round.Seconds(), Target: 0.8}
	var (
		mu  sync.Mutex
		seq atomic.Int64
	)
	qilianOpen := func(ctx context.Context) error {
		id, err := st.openCase(ctx, st.nextBase(), "bench", "normal")
		if err == nil {
			mu.Lock()
			st.opened = append(st.opened, id)
			mu.Unlock()
		}
		return err
	}
	var started []client.WorkflowRun
	raw := func(wait bool) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			run, err := st.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
				ID:        fmt.Sprintf("bench-empty-%d", seq.Add(1)),
				TaskQueue: benchEmptyQueue,
			}, "qilian-bench-empty")
			if err != nil {
				return err
			}
			if !wait {
				mu.Lock()
				started = append(started, run)
				mu.Unlock()
				return nil
			}
			return run.Get(ctx, nil)
		}
	}
	// drain waits, untimed, for the empty workflows started without
	// waiting, so their backlog does not run into the next side's turn.
	drain := func() {
		t0 := time.Now()
		runs := started
		started = nil
		var wg sync.WaitGroup
		next := atomic.Int64{}
		for range o.Concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int(next.Add(1) - 1); i < len(runs); i = int(next.Add(1) - 1) {
					_ = runs[i].Get(ctx, nil)
				}
			}()
		}
		wg.Wait()
		res.DrainSeconds = round2(res.DrainSeconds + time.Since(t0).Seconds())
	}
	// A short warm-up of each, so neither side pays for first connections.
	_ = closedLoop(ctx, o.Concurrency, o.Round/5, qilianOpen)
	_ = closedLoop(ctx, o.Concurrency, o.Round/5, raw(true))
	res.DrainSeconds = 0
	for r := range o.Rounds {
		sides := []struct {
			into *arm
			f    func(context.Context) error
		}{{&res.Qilian, qilianOpen}, {&res.Raw, raw(false)}, {&res.RawCompleted, raw(true)}}
		if r%2 == 1 { // alternate which side goes first
			slices.Reverse(sides)
		}
		for _, s := range sides {
			s.into.add(closedLoop(ctx, o.Concurrency, o.Round, s.f))
			drain()
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
		}
	}
	for _, a := range []*arm{&res.Qilian, &res.Raw, &res.RawCompleted} {
		a.finish()
	}
	if res.Qilian.OK == 0 || res.Raw.OK == 0 {
		return res, fmt.Errorf("nothing succeeded: qilian %q, raw %q", res.Qilian.FirstErr, res.Raw.FirstErr)
	}
	res.Ratio = ratio(res.Qilian.PerSecond, res.Raw.PerSecond)
	res.RatioCompleted = ratio(res.Qilian.PerSecond, res.RawCompleted.PerSecond)
	res.Met = res.Ratio >= res.Target
	return res, nil
}

type readResult struct {
	OfferedRate  int     `json:"offered_rate"`
	Rounds       int     `json:"rounds"`
	RoundSeconds float64 `json:"round_seconds"`
	Cases        int     `json:"cases"`
	// Qilian is GET /api/v1/cases/{id} with a supervisor's token:
	// authentication, scope, the snapshot decoded and the allowed actions.
	Qilian arm `json:"qilian_get_case"`
	// Bare is a Gin handler doing one GORM read of the same row.
	Bare        arm     `json:"bare_gin_gorm"`
	Ratio       float64 `json:"ratio"`
	Target      float64 `json:"target"`
	P99TargetMS float64 `json:"p99_target_ms"`
	Met         bool    `json:"met"`
}

// benchRead offers the same fixed rate of single-case reads to the API
// and to the bare reader, in alternating rounds.
func (st *benchStack) benchRead(ctx context.Context) (readResult, error) {
	o := st.o
	ids := st.opened
	if len(ids) == 0 {
		return readResult{}, fmt.Errorf("no cases to read")
	}
	res := readResult{OfferedRate: o.ReadRate, Rounds: o.Rounds, RoundSeconds: o.Round.Seconds(), Cases: len(ids), Target: 0.5, P99TargetMS: 5}
	token := st.logins["demo-supervisor"].Token
	qilianGet := func(ctx context.Context, i int) error {
		return st.call(ctx, http.MethodGet, st.nextBase()+"/api/v1/cases/"+ids[i%len(ids)], token, nil, http.StatusOK, nil)
	}
	bareGet := func(ctx context.Context, i int) error {
		return st.call(ctx, http.MethodGet, st.bareURL+"/bare/cases/"+ids[i%len(ids)], "", nil, http.StatusOK, nil)
	}
	_ = openLoop(ctx, o.ReadRate, o.Round/5, qilianGet)
	_ = openLoop(ctx, o.ReadRate, o.Round/5, bareGet)
	for r := range o.Rounds {
		sides := []struct {
			into *arm
			f    func(context.Context, int) error
		}{{&res.Qilian, qilianGet}, {&res.Bare, bareGet}}
		if r%2 == 1 {
			slices.Reverse(sides)
		}
		for _, s := range sides {
			s.into.add(openLoop(ctx, o.ReadRate, o.Round, s.f))
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
		}
	}
	res.Qilian.finish()
	res.Bare.finish()
	if res.Qilian.OK == 0 || res.Bare.OK == 0 {
		return res, fmt.Errorf("nothing succeeded: qilian %q, bare %q", res.Qilian.FirstErr, res.Bare.FirstErr)
	}
	res.Ratio = ratio(res.Qilian.PerSecond, res.Bare.PerSecond)
	res.Met = res.Ratio >= res.Target && res.Qilian.Latency.P99 <= res.P99TargetMS
	return res, nil
}
