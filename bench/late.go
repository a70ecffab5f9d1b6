package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/temporalserver"
)

type latenessResult struct {
	Cases       int     `json:"cases"`
	SpanSeconds float64 `json:"accept_span_seconds"`
	StepSeconds float64 `json:"ladder_step_seconds"`
	// OpenSeconds and DispatchSeconds are how long opening and dispatching
	// the cases took; the deadlines are spread over DispatchSeconds.
	OpenSeconds     float64 `json:"open_seconds"`
	DispatchSeconds float64 `json:"dispatch_seconds"`
	Expected        int     `json:"expected_steps"`
	Fired           int     `json:"fired_steps"`
	// Lateness is how long after its scheduled instant each escalation
	// step was stamped by the case workflow (the event's time, which is
	// when the workflow task that handled the timer started).
	Lateness    latency            `json:"lateness"`
	ByRung      map[string]latency `json:"by_rung"`
	TargetP99MS float64            `json:"target_p99_ms"`
	Met         bool               `json:"met"`
}

// benchLateness opens and dispatches many emergency cases, whose accept
// deadlines then fall within the same minutes, waits for the escalation
// ladder to climb, and measures how late each rung fired.
func (st *benchStack) benchLateness(ctx context.Context) (latenessResult, error) {
	o := st.o
	res := latenessResult{
		Cases: o.LateCases, SpanSeconds: o.LateSpan.Seconds(), StepSeconds: o.LateStep.Seconds(),
		Expected: o.LateCases * len(st.stepGaps), TargetP99MS: 1000, ByRung: map[string]latency{},
	}
	conc := max(o.Concurrency, 8)
	ids := make([]string, o.LateCases)
	forEach := func(f func(ctx context.Context, i int) error) error {
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
					if i >= len(ids) || ctx.Err() != nil || first.Load() != nil {
						return
					}
					// A busy engine answers 503 while Temporal's shard
					// recovers from a persistence error; keep trying for a
					// minute before giving up.
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
	t0 := time.Now()
	err := forEach(func(ctx context.Context, i int) (err error) {
		if ids[i] == "" {
			ids[i], err = st.openCase(ctx, string(qilian.PriorityEmergency))
		}
		return err
	})
	if err != nil {
		return res, fmt.Errorf("open: %w", err)
	}
	res.OpenSeconds = round2(time.Since(t0).Seconds())
	st.log.Info("bench: lateness cases open", "cases", len(ids), "took", time.Since(t0).Round(time.Millisecond))

	axis := st.logins["demo-axis"].Token
	body := []byte(`{"assignments":[{"unit_id":"u-mingyuan-property","role":"lead","required":true}]}`)
	dispatched := make([]bool, len(ids))
	t1 := time.Now()
	err = forEach(func(ctx context.Context, i int) error {
		if dispatched[i] {
			return nil
		}
		err := st.call(ctx, http.MethodPost, st.apiURL+"/api/v1/cases/"+ids[i]+"/dispatch", axis, body, http.StatusOK, nil)
		if hasStatus(err, http.StatusConflict) {
			err = nil // an earlier try went through after all
		}
		dispatched[i] = err == nil
		return err
	})
	if err != nil {
		return res, fmt.Errorf("dispatch: %w", err)
	}
	lastDispatch := time.Now()
	res.DispatchSeconds = round2(lastDispatch.Sub(t1).Seconds())
	st.log.Info("bench: lateness cases dispatched", "took", lastDispatch.Sub(t1).Round(time.Millisecond),
		"first deadline", t1.Add(o.LateSpan).Format(time.TimeOnly))

	// Wait until every rung has fired, or well past the last one.
	give := max(2*time.Minute, lastDispatch.Sub(t1))
	if o.Quick {
		give = 30 * time.Second
	}
	until := lastDispatch.Add(o.LateSpan + st.stepGaps[len(st.stepGaps)-1] + give)
	for {
		var n int64
		if err := st.db.Gorm().WithContext(ctx).Table("case_events").Where("type = ?", qilian.EventEscalated).Count(&n).Error; err != nil {
			return res, err
		}
		res.Fired = int(n)
		if res.Fired >= res.Expected || time.Now().After(until) {
			break
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(time.Second):
		}
	}

	var rows []struct {
		At      time.Time
		Payload string
	}
	if err := st.db.Gorm().WithContext(ctx).Table("case_events").Select("at, payload").
		Where("type = ?", qilian.EventEscalated).Find(&rows).Error; err != nil {
		return res, err
	}
	var all []time.Duration
	byRung := map[string][]time.Duration{}
	for _, r := range rows {
		var p struct {
			At     time.Time `json:"at"`
			Action string    `json:"action"`
		}
		if err := json.Unmarshal([]byte(r.Payload), &p); err != nil || p.At.IsZero() {
			return res, fmt.Errorf("escalation event without its scheduled instant: %s", r.Payload)
		}
		late := r.At.Sub(p.At)
		all = append(all, late)
		byRung[p.Action] = append(byRung[p.Action], late)
	}
	res.Fired = len(rows)
	res.Lateness = summarize(all)
	for k, v := range byRung {
		res.ByRung[k] = summarize(v)
	}
	res.Met = res.Fired == res.Expected && res.Lateness.P99 <= res.TargetP99MS
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
