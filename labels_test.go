package qilian

import "testing"

// Every code a family can take has a label in both languages: a new
// state, role, reason or event without its label fails here.
func TestEveryCodeHasALabel(t *testing.T) {
	v := map[string]map[string]Label{}
	for family, terms := range Vocabulary() {
		v[family] = map[string]Label{}
		for _, term := range terms {
			if _, twice := v[family][term.Code]; twice {
				t.Errorf("%s %q is listed twice", family, term.Code)
			}
			v[family][term.Code] = term.Label
		}
	}
	want := map[string][]string{}
	add := func(family string, codes ...string) { want[family] = append(want[family], codes...) }
	for _, k := range Kinds() {
		add("kind", string(k))
	}
	for _, s := range CaseStates() {
		add("case_state", string(s))
	}
	for _, s := range TaskStates() {
		add("task_state", string(s))
	}
	for _, p := range Priorities() {
		add("priority", string(p))
	}
	for _, r := range Roles() {
		add("role", string(r))
	}
	add("role", string(System.Role))
	for _, n := range Actions() {
		add("action", string(n))
		add("event", string(EventOf(n)))
	}
	for _, e := range engineEvents {
		add("event", string(e))
	}
	for _, r := range []ReturnReason{ReturnNotOurDuty, ReturnWrongLocation, ReturnInsufficientInfo, ReturnDuplicate, ReturnBeyondCapacity, ReturnOther} {
		add("return_reason", string(r))
	}
	for _, a := range []EscalationAction{EscalateRemind, EscalateNotice, EscalateWhistle, EscalateCounty} {
		add("escalation", string(a))
	}
	for l := range allowedParents {
		add("level", string(l))
	}
	for _, d := range Duties() {
		add("duty", string(d))
	}
	for _, r := range []Resolution{ResolutionResolved, ResolutionInvalid, ResolutionDuplicate, ResolutionReferred, ResolutionDeclined} {
		add("resolution", string(r))
	}
	for _, u := range []UnitType{UnitAgency, UnitSOE, UnitCompany, UnitSchool, UnitHospital, UnitProperty, UnitSocialOrg, UnitInstitute} {
		add("unit_type", string(u))
	}
	for _, r := range []VoteRule{RuleMajority, RuleTwoThirds, RuleUnanimity} {
		add("vote_rule", string(r))
	}
	for _, b := range []BookingState{BookingRequested, BookingApproved, BookingDeclined, BookingInUse, BookingReturned, BookingFulfilled, BookingCancelled} {
		add("booking_state", string(b))
	}
	for _, c := range []Clock{ClockWall, ClockWorking} {
		add("clock", string(c))
	}
	for _, k := range PointsKinds() {
		add("points_kind", string(k))
	}
	for _, e := range EventTypes() {
		add("event", string(e))
	}
	for family, codes := range want {
		for _, c := range codes {
			l, ok := v[family][c]
			if !ok || l.ZH == "" || l.EN == "" {
				t.Errorf("%s %q has no label in both languages: %+v", family, c, l)
			}
		}
	}
}
