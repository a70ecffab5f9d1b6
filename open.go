package qilian

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Opening a case: the request checked, the kind's details set up.

// Open validates req and returns the new case in state triage with its
// "opened" event, already applied: the case is at revision 1 and the event
// has Seq 1, so applying it again changes nothing. Whether actor may open a
// case there is the caller's check.
// Fields the engine keeps itself (booking state, votes, sign-ups, hours,
// outcome) are reset whatever req says. The case keeps its own copy of
// policy, so a later change of configuration never moves its deadlines.
func Open(req OpenRequest, actor Actor, now time.Time, policy Policy) (Case, []Event, error) {
	f := map[string]string{}
	if strings.TrimSpace(req.ID) == "" {
		f["id"] = "required"
	}
	if !req.Kind.Valid() {
		f["kind"] = "must be one of the seven kinds"
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(req.Title)); n == 0 || n > MaxTitle {
		f["title"] = fmt.Sprintf("required, at most %d characters", MaxTitle)
	}
	if req.Category != "" && req.Kind.Valid() && !ValidCategory(req.Kind, req.Category) {
		f["category"] = fmt.Sprintf("not a category of %s", req.Kind)
	}
	if utf8.RuneCountInString(req.Description) > MaxDescription {
		f["description"] = fmt.Sprintf("at most %d characters", MaxDescription)
	}
	if !req.Priority.Valid() {
		f["priority"] = "must be one of emergency, urgent, normal, low"
	}
	if req.LocalityID == "" {
		f["locality_id"] = "required"
	}
	if req.LocalityPath == "" {
		f["locality_path"] = "required"
	}
	details := openDetails(req.Kind, req.Details, now, f)
	if len(f) > 0 {
		return Case{}, nil, Invalid(f)
	}
	c := Case{
		Rules:        CurrentRules,
		ID:           req.ID,
		Kind:         req.Kind,
		Category:     req.Category,
		Title:        strings.TrimSpace(req.Title),
		Description:  req.Description,
		Priority:     req.Priority,
		LocalityID:   req.LocalityID,
		LocalityPath: req.LocalityPath,
		GridID:       req.GridID,
		Location:     req.Location,
		Reporter:     req.Reporter,
		Attachments:  slices.Clone(req.Attachments),
		OpenedBy:     actor,
		OpenedAt:     now,
		State:        CaseSubmitted,
		Policy:       policy.clone(),
		Details:      details,
	}
	evs := []Event{{
		At: now, Actor: actor, Type: EventOpened,
		FromState: string(CaseSubmitted), ToState: string(CaseTriage),
		Payload: map[string]any{"kind": string(req.Kind), "priority": string(req.Priority), "locality_id": req.LocalityID},
	}}
	c.Apply(evs)
	return c, evs, nil
}

// openDetails checks the part of the details that belongs to kind, refuses
// the others and returns the details a new case starts with.
func openDetails(k Kind, in Details, now time.Time, f map[string]string) Details {
	if k.Valid() {
		for _, s := range kindTable {
			if s.kind != k && s.has(in) {
				f["details."+s.part] = fmt.Sprintf("not allowed for a %s case", k)
			}
		}
	}
	s := k.spec()
	if s.open == nil {
		return Details{}
	}
	return s.open(in, now, f)
}

func distinct(xs []string) bool {
	seen := map[string]bool{}
	for _, x := range xs {
		if strings.TrimSpace(x) == "" || seen[x] {
			return false
		}
		seen[x] = true
	}
	return true
}
