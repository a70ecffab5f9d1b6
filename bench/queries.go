package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/demo"
)

type queryFigure struct {
	Name    string  `json:"name"`
	Latency latency `json:"latency"`
	Met     bool    `json:"met"`
}

type queryPlan struct {
	Scope   string   `json:"scope"`
	Query   string   `json:"query"`
	Plan    string   `json:"plan"`
	Indexes []string `json:"indexes"`
	// FullScans names the tables read whole.
	FullScans []string `json:"full_scans"`
}

type queriesResult struct {
	Rows         int           `json:"rows"`
	Tasks        int           `json:"tasks"`
	OverdueTasks int           `json:"overdue_tasks"`
	TotalCases   int           `json:"total_cases"`
	SeedSeconds  float64       `json:"seed_seconds"`
	Repetitions  int           `json:"repetitions"`
	Figures      []queryFigure `json:"figures"`
	Plans        []queryPlan   `json:"plans"`
	TargetP95MS  float64       `json:"target_p95_ms"`
	Met          bool          `json:"met"`
}

// benchQueries writes Rows cases, with their tasks, straight into the read
// model, spread over the demo district's localities, kinds and states with
// a share of their tasks overdue; then it times the supervisor's overdue
// list and case counts, in storage and through the API, and records the
// plans.
func (st *benchStack) benchQueries(ctx context.Context) (queriesResult, error) {
	o := st.o
	res := queriesResult{Rows: o.Rows, Repetitions: o.Queries, TargetP95MS: 20}
	t0 := time.Now()
	tasks, overdue, err := st.seedCases(ctx, o.Rows)
	if err != nil {
		return res, fmt.Errorf("seed: %w", err)
	}
	res.Tasks, res.OverdueTasks = tasks, overdue
	res.SeedSeconds = round2(time.Since(t0).Seconds())
	var n int64
	if err := st.db.Gorm().WithContext(ctx).Table("cases").Count(&n).Error; err != nil {
		return res, err
	}
	res.TotalCases = int(n)
	if st.db.Postgres() {
		// What autovacuum does to a table after a bulk load: statistics,
		// and the visibility map that lets index-only scans skip the heap.
		if err := st.db.Gorm().WithContext(ctx).Exec("VACUUM ANALYZE cases").Error; err != nil {
			return res, err
		}
		if err := st.db.Gorm().WithContext(ctx).Exec("VACUUM ANALYZE tasks").Error; err != nil {
			return res, err
		}
	}

	scopes := []struct{ name, locality string }{{"district", "nanhu"}, {"street", "jianshe"}, {"community", "dongzha"}}
	paths := map[string]string{}
	for _, s := range scopes {
		l, err := st.db.Locality(ctx, s.locality)
		if err != nil {
			return res, err
		}
		paths[s.name] = l.Path
	}
	type timed struct {
		name string
		f    func(ctx context.Context) error
	}
	var runs []timed
	for _, s := range scopes {
		path := paths[s.name]
		runs = append(runs,
			timed{"storage.Overdue " + s.name, func(ctx context.Context) error {
				_, err := st.db.Overdue(ctx, path, time.Now(), 0)
				return err
			}},
			timed{"storage.CaseCounts " + s.name, func(ctx context.Context) error {
				_, _, err := st.db.CaseCounts(ctx, path)
				return err
			}})
	}
	for _, u := range []struct{ name, user string }{{"district", "demo-supervisor"}, {"street", "demo-supervisor-jianshe"}} {
		token := st.logins[u.user].Token
		runs = append(runs, timed{"GET /api/v1/overdue " + u.name + " supervisor", func(ctx context.Context) error {
			return st.call(ctx, http.MethodGet, st.apiURL+"/api/v1/overdue", token, nil, http.StatusOK, nil)
		}})
	}
	res.Met = true
	for _, r := range runs {
		if err := r.f(ctx); err != nil { // warm-up, and a check that it works
			return res, fmt.Errorf("%s: %w", r.name, err)
		}
		lat := make([]time.Duration, 0, o.Queries)
		for range o.Queries {
			t := time.Now()
			if err := r.f(ctx); err != nil {
				return res, fmt.Errorf("%s: %w", r.name, err)
			}
			lat = append(lat, time.Since(t))
		}
		f := queryFigure{Name: r.name, Latency: summarize(lat)}
		f.Met = f.Latency.P95 <= res.TargetP95MS
		res.Met = res.Met && f.Met
		res.Figures = append(res.Figures, f)
	}

	for _, s := range scopes {
		plans, err := st.db.QueryPlans(ctx, paths[s.name], time.Now())
		if err != nil {
			return res, err
		}
		names := make([]string, 0, len(plans))
		for k := range plans {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			p := queryPlan{Scope: s.name, Query: k, Plan: plans[k]}
			p.Indexes, p.FullScans = planUses(plans[k])
			res.Plans = append(res.Plans, p)
		}
	}
	return res, nil
}

var (
	indexUse = regexp.MustCompile(`(?:USING (?:COVERING )?INDEX|Index (?:Only )?Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)`)
	// A SQLite SCAN reads a whole table or index (SEARCH is a range); a
	// PostgreSQL Seq Scan reads a whole table.
	fullScan = regexp.MustCompile(`(?m)^\s*(?:->\s*)?(?:SCAN|Seq Scan on) (\w+)`)
)

// planUses lists the indexes a plan reads and the tables (or their
// indexes) it reads whole.
func planUses(plan string) (indexes, full []string) {
	indexes, full = []string{}, []string{}
	for _, m := range indexUse.FindAllStringSubmatch(plan, -1) {
		if !slices.Contains(indexes, m[1]) {
			indexes = append(indexes, m[1])
		}
	}
	for _, m := range fullScan.FindAllStringSubmatch(plan, -1) {
		if !slices.Contains(full, m[1]) {
			full = append(full, m[1])
		}
	}
	return indexes, full
}

// seedCases writes n cases and their tasks in multi-row inserts and
// returns how many tasks it wrote and how many of them are overdue.
func (st *benchStack) seedCases(ctx context.Context, n int) (tasks, overdue int, err error) {
	type place struct{ id, path string }
	var places []place
	for _, l := range demo.Localities {
		if l.ParentID == "" {
			continue
		}
		loc, err := st.db.Locality(ctx, l.ID)
		if err != nil {
			return 0, 0, err
		}
		places = append(places, place{loc.ID, loc.Path})
	}
	var units []string
	for _, u := range demo.Units {
		units = append(units, u.ID)
	}
	kinds := qilian.Kinds()
	// A district's case book: a third closed, a tenth in triage, most of
	// the rest at work, a few being verified.
	states := []qilian.CaseState{
		qilian.CaseClosed, qilian.CaseClosed, qilian.CaseClosed, qilian.CaseCancelled,
		qilian.CaseTriage, qilian.CaseDispatching,
		qilian.CaseInProgress, qilian.CaseInProgress, qilian.CaseInProgress, qilian.CaseInProgress,
		qilian.CaseVerifying, qilian.CaseFollowUp,
	}
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now().UTC().Truncate(time.Microsecond)
	const batch = 200
	var caseRows, taskRows []map[string]any
	flush := func() error {
		tx := st.db.Gorm().WithContext(ctx)
		if len(caseRows) > 0 {
			if err := tx.Table("cases").Create(caseRows).Error; err != nil {
				return err
			}
		}
		for i := 0; i < len(taskRows); i += batch {
			if err := tx.Table("tasks").Create(taskRows[i:min(i+batch, len(taskRows))]).Error; err != nil {
				return err
			}
		}
		caseRows, taskRows = caseRows[:0], taskRows[:0]
		return nil
	}
	for i := range n {
		p := places[rng.IntN(len(places))]
		kind := kinds[rng.IntN(len(kinds))]
		state := states[rng.IntN(len(states))]
		opened := now.Add(-time.Duration(rng.Int64N(int64(90 * 24 * time.Hour))))
		id := fmt.Sprintf("BENCH-%07d", i)
		c := qilian.Case{ID: id, Kind: kind, State: state, Title: "bench " + id, Priority: qilian.PriorityNormal,
			LocalityID: p.id, LocalityPath: p.path, OpenedAt: opened, UpdatedAt: opened}
		var closedAt, caseDue any
		terminal := state == qilian.CaseClosed || state == qilian.CaseCancelled
		if terminal {
			closedAt = opened.Add(time.Duration(rng.Int64N(int64(15 * 24 * time.Hour))))
		}
		caseOverdue := false
		if state != qilian.CaseTriage {
			k := 1 + rng.IntN(3)/2 // one task, sometimes two
			for j := range k {
				tid := fmt.Sprintf("%s-t%d", id, j+1)
				role := qilian.TaskLead
				if j > 0 {
					role = qilian.TaskCo
				}
				tstate := qilian.TaskInProgress
				var due any
				isOverdue := false
				if terminal || state == qilian.CaseVerifying || state == qilian.CaseFollowUp {
					tstate = qilian.TaskCompleted
				} else {
					// A quarter of the open tasks are past their deadline,
					// by up to ten days; the rest are due within a fortnight.
					d := now.Add(time.Duration(rng.Int64N(int64(14*24*time.Hour))) + time.Minute)
					if rng.IntN(4) == 0 {
						d = now.Add(-time.Duration(rng.Int64N(int64(10*24*time.Hour))) - time.Minute)
						isOverdue = true
						overdue++
						caseOverdue = true
					}
					due = d
					if caseDue == nil || d.Before(caseDue.(time.Time)) {
						caseDue = d
					}
				}
				unit := units[rng.IntN(len(units))]
				taskRows = append(taskRows, map[string]any{
					"id": tid, "case_id": id, "unit_id": unit, "role": string(role),
					"required": true, "state": string(tstate), "accept_by": opened.Add(24 * time.Hour),
					"resolve_by": opened.Add(7 * 24 * time.Hour), "level": map[bool]int{true: 1, false: 0}[isOverdue],
					"overdue": isOverdue, "due_at": due, "locality_path": p.path, "created_at": opened,
					"updated_at": opened, "revision": 2,
				})
				c.Tasks = append(c.Tasks, qilian.Task{ID: tid, UnitID: unit, Role: role, State: tstate})
				tasks++
			}
		}
		c.Overdue = caseOverdue
		snap, err := json.Marshal(c)
		if err != nil {
			return 0, 0, err
		}
		caseRows = append(caseRows, map[string]any{
			"id": id, "kind": string(kind), "state": string(state), "resolution": "", "title": c.Title,
			"description": "", "priority": string(c.Priority), "locality_id": p.id, "locality_path": p.path,
			"grid_id": "", "lat": 0.0, "lng": 0.0, "address": "", "reporter_name": "", "reporter_phone": "",
			"opened_by": "demo-grid", "opened_at": opened, "updated_at": opened, "closed_at": closedAt,
			"level": 0, "overdue": caseOverdue, "due_at": caseDue, "returns": 0, "revision": 2, "snapshot": string(snap),
		})
		if len(caseRows) == batch {
			if err := flush(); err != nil {
				return 0, 0, err
			}
		}
	}
	return tasks, overdue, flush()
}
