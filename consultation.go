package qilian

import (
	"time"
)

// Joint consultation (议事协商): the vote and its outcome.

// decide records the consultation's outcome and sends the case to the
// axis for verification.
func (d *decision) decide(outcome string) {
	con := d.c.Details.Consultation
	d.moveCase(CaseVerifying, Event{Type: EventDecided, Option: outcome, Reason: outcome, Payload: con.tally(outcome, d.now)})
}

// need is how many votes an option needs to win under the rule, counted
// over all participants, not over the votes cast: majority is more than
// half, two thirds at least two thirds, unanimity everyone.
func (con *Consultation) need() int {
	n := len(con.Participants)
	switch con.Rule {
	case RuleTwoThirds:
		return (2*n + 2) / 3
	case RuleUnanimity:
		return n
	default:
		return n/2 + 1
	}
}

func (con *Consultation) counts() map[string]int {
	out := make(map[string]int, len(con.Options))
	for _, o := range con.Options {
		out[o] = 0
	}
	// Walk the participants, not the votes map, so nothing here depends on
	// map order (workflowcheck holds the workflow to that).
	for _, p := range con.Participants {
		if o, ok := con.Votes[p]; ok {
			out[o]++
		}
	}
	return out
}

// winner is the option that reached the threshold, if any; the thresholds
// are all above half, so there is at most one.
func (con *Consultation) winner() (string, bool) {
	counts := con.counts()
	for _, o := range con.Options {
		if counts[o] >= con.need() {
			return o, true
		}
	}
	return "", false
}

// early reports whether the vote is settled before the deadline: an option
// reached the threshold with the quorum present, or no option can reach it
// any more with the votes still to come.
func (con *Consultation) early() (string, bool) {
	if o, ok := con.winner(); ok && len(con.Votes) >= con.Quorum {
		return o, true
	}
	left := len(con.Participants) - len(con.Votes)
	counts := con.counts()
	for _, o := range con.Options {
		if counts[o]+left >= con.need() {
			return "", false
		}
	}
	return OutcomeNoDecision, true
}

// atDeadline is the outcome once voting has closed.
func (con *Consultation) atDeadline() string {
	if len(con.Votes) < con.Quorum {
		return OutcomeNoQuorum
	}
	if o, ok := con.winner(); ok {
		return o
	}
	return OutcomeNoDecision
}

func (con *Consultation) tally(outcome string, at time.Time) map[string]any {
	counts := map[string]any{}
	cs := con.counts()
	for _, o := range con.Options {
		counts[o] = cs[o]
	}
	return map[string]any{
		"outcome": outcome, "counts": counts, "votes": len(con.Votes), "participants": len(con.Participants),
		"quorum": con.Quorum, "rule": string(con.Rule), "ended_early": at.Before(con.Deadline),
	}
}
