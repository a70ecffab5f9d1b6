package qilian

import "fmt"

// DeadlineRule is how long a task may take to be accepted and resolved.
type DeadlineRule struct {
	Accept  Span
	Resolve Span
	Clock   Clock
}

// EscalationAction is a rung of the ladder that climbs when a deadline is
// breached.
type EscalationAction string

// The ladder's rungs, in the order DOMAIN.md gives them.
const (
	EscalateRemind  EscalationAction = "remind"  // 催办: reminder to the unit
	EscalateNotice  EscalationAction = "notice"  // 通报: notice to the community axis
	EscalateWhistle EscalationAction = "whistle" // 吹哨: escalation to the street axis
	EscalateCounty  EscalationAction = "county"  // escalation to the county
)

// Valid reports whether a is a known rung.
func (a EscalationAction) Valid() bool {
	switch a {
	case EscalateRemind, EscalateNotice, EscalateWhistle, EscalateCounty:
		return true
	}
	return false
}

// EscalationStep fires After the breach, measured on the deadline's clock.
type EscalationStep struct {
	Action EscalationAction
	After  Span
}

// Policy is the engine's configuration that cases depend on. A case copies
// the policy it was opened under, so changing configuration never moves the
// deadlines of cases already running.
type Policy struct {
	// Deadlines by kind then priority; Kind "" holds the defaults.
	Deadlines map[Kind]map[Priority]DeadlineRule
	// WarnAt is the fraction of the time after which a warning goes out.
	WarnAt float64
	// Ladder is climbed step by step after a breach.
	Ladder []EscalationStep
	// MaxReturns caps returns per case; after that the axis must assign.
	MaxReturns int
	// WhistleReportWithin is how long summoned units have to report (吹哨报到).
	WhistleReportWithin Span
	// ProgressEvery is the reporting period of regional coordination tasks.
	ProgressEvery Span
}

// Deadline returns the rule for a kind and priority, falling back to the
// defaults.
func (p Policy) Deadline(k Kind, pr Priority) (DeadlineRule, error) {
	if r, ok := p.Deadlines[k][pr]; ok {
		return r, nil
	}
	if r, ok := p.Deadlines[""][pr]; ok {
		return r, nil
	}
	return DeadlineRule{}, Errorf(EINVALID, "no deadline configured for kind %q, priority %q", k, pr)
}

// Validate reports the first thing wrong with the policy, naming the setting.
func (p Policy) Validate() error {
	for _, pr := range Priorities() {
		r, ok := p.Deadlines[""][pr]
		if !ok {
			return fmt.Errorf("deadlines.default.%s: missing", pr)
		}
		if r.Accept.IsZero() || r.Resolve.IsZero() {
			return fmt.Errorf("deadlines.default.%s: accept and resolve must be greater than zero", pr)
		}
	}
	for k, byPr := range p.Deadlines {
		if k != "" && !k.Valid() {
			return fmt.Errorf("deadlines.kinds.%s: unknown kind", k)
		}
		for pr, r := range byPr {
			if !pr.Valid() {
				return fmt.Errorf("deadlines: unknown priority %q", pr)
			}
			if !r.Clock.Valid() {
				return fmt.Errorf("deadlines: clock of %s/%s must be wall or working", k, pr)
			}
		}
	}
	if p.WarnAt <= 0 || p.WarnAt >= 1 {
		return fmt.Errorf("escalation.warn_at: must be between 0 and 1 (exclusive), got %v", p.WarnAt)
	}
	if len(p.Ladder) == 0 {
		return fmt.Errorf("escalation.steps: at least one step is required")
	}
	for i, s := range p.Ladder {
		if !s.Action.Valid() {
			return fmt.Errorf("escalation.steps[%d].action: %q is not one of remind, notice, whistle, county", i, s.Action)
		}
		if i > 0 && s.After.Wall() < p.Ladder[i-1].After.Wall() {
			return fmt.Errorf("escalation.steps[%d].after: steps must not go back in time", i)
		}
	}
	if p.MaxReturns < 0 {
		return fmt.Errorf("engine.max_returns: must not be negative")
	}
	if p.WhistleReportWithin.IsZero() {
		return fmt.Errorf("engine.whistle_report_within: must be greater than zero")
	}
	if p.ProgressEvery.IsZero() {
		return fmt.Errorf("engine.progress_every: must be greater than zero")
	}
	return nil
}
