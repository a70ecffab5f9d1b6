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
	parts := map[Kind]struct {
		name string
		set  bool
	}{
		KindRegionalCoordination: {"regional", in.Regional != nil},
		KindResourceSharing:      {"booking", in.Booking != nil},
		KindJointConsultation:    {"consultation", in.Consultation != nil},
		KindJointActivity:        {"activity", in.Activity != nil},
		KindMemberManagement:     {"member", in.Member != nil},
		KindServiceLinkage:       {"service", in.Service != nil},
		KindProblemSolving:       {"problem", in.Problem != nil},
	}
	for pk, p := range parts {
		if p.set && pk != k && k.Valid() {
			f["details."+p.name] = fmt.Sprintf("not allowed for a %s case", k)
		}
	}
	var out Details
	switch k {
	case KindRegionalCoordination:
		out.Regional = &Regional{}
	case KindServiceLinkage:
		out.Service = &Service{}
	case KindProblemSolving:
		out.Problem = &Problem{}
	case KindResourceSharing:
		b := in.Booking
		if b == nil {
			f["details.booking"] = "required"
			break
		}
		if b.ResourceID == "" {
			f["details.booking.resource_id"] = "required"
		}
		if b.OwnerUnitID == "" {
			f["details.booking.owner_unit_id"] = "required"
		}
		if b.From.IsZero() || b.From.Before(now.Add(-time.Minute)) {
			f["details.booking.from"] = "required, not in the past"
		}
		if !b.To.After(b.From) {
			f["details.booking.to"] = "must be after from"
		}
		out.Booking = &Booking{ResourceID: b.ResourceID, OwnerUnitID: b.OwnerUnitID, From: b.From, To: b.To, Purpose: b.Purpose, State: BookingRequested}
	case KindJointConsultation:
		con := in.Consultation
		if con == nil {
			f["details.consultation"] = "required"
			break
		}
		if strings.TrimSpace(con.Question) == "" {
			f["details.consultation.question"] = "required"
		}
		if len(con.Options) < 2 || !distinct(con.Options) {
			f["details.consultation.options"] = "at least two distinct, non-empty options"
		}
		if len(con.Participants) < 1 || !distinct(con.Participants) {
			f["details.consultation.participants"] = "at least one participant, each named once"
		}
		if con.Quorum < 1 || con.Quorum > len(con.Participants) {
			f["details.consultation.quorum"] = "between 1 and the number of participants"
		}
		switch con.Rule {
		case RuleMajority, RuleTwoThirds, RuleUnanimity:
		default:
			f["details.consultation.rule"] = "must be majority, two_thirds or unanimity"
		}
		if !con.Deadline.After(now) {
			f["details.consultation.deadline"] = "must be in the future"
		}
		out.Consultation = &Consultation{
			Question: con.Question, Options: slices.Clone(con.Options), Participants: slices.Clone(con.Participants),
			Quorum: con.Quorum, Rule: con.Rule, Deadline: con.Deadline,
		}
	case KindJointActivity:
		act := in.Activity
		if act == nil {
			f["details.activity"] = "required"
			break
		}
		if act.Capacity < 1 {
			f["details.activity.capacity"] = "at least 1"
		}
		if act.StartsAt.IsZero() {
			f["details.activity.starts_at"] = "required"
		}
		if !act.EndsAt.After(act.StartsAt) {
			f["details.activity.ends_at"] = "must be after starts_at"
		}
		out.Activity = &Activity{Capacity: act.Capacity, StartsAt: act.StartsAt, EndsAt: act.EndsAt, Venue: act.Venue}
	case KindMemberManagement:
		m := in.Member
		if m == nil {
			f["details.member"] = "required"
			break
		}
		if strings.TrimSpace(m.Name) == "" {
			f["details.member.name"] = "required"
		}
		if m.HomeUnitID == "" {
			f["details.member.home_unit_id"] = "required"
		}
		out.Member = &Member{Name: m.Name, Phone: m.Phone, HomeUnitID: m.HomeUnitID}
	}
	return out
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
