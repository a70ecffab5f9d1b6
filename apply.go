package qilian

import (
	"slices"
	"time"
)

// Apply records evs on the case: in order, numbering each event with the
// case's next Seq (written back into evs), then bumps Revision once, since
// one call records one action or one tick. It recomputes Level (the
// highest rung any open task has climbed) and Overdue (an open task is
// past its current deadline, or a whistle was missed and some summoned
// unit has still not reported). Apply reads only the events' state fields
// and their typed fields, never Payload, and needs no clock or calendar.
//
// An event that already has a Seq no later than the case's is recorded on
// the case already and is skipped, so applying Open's event or a trail the
// case has seen is harmless. Applying nothing new changes nothing.
func (c *Case) Apply(evs []Event) {
	applied := false
	for i := range evs {
		if evs[i].Seq != 0 && evs[i].Seq <= c.Seq {
			continue
		}
		c.Seq++
		evs[i].Seq = c.Seq
		c.apply(&evs[i])
		c.UpdatedAt = evs[i].At
		applied = true
	}
	if applied {
		c.Revision++
	}
}

// apply records one event. It copies what it keeps from the event, so the
// case never shares memory with the trail.
func (c *Case) apply(ev *Event) {
	if ev.TaskID != "" {
		c.applyTask(ev)
	} else {
		c.applyCase(ev)
	}
	c.recompute()
}

func (c *Case) applyTask(ev *Event) {
	if ev.Task != nil {
		c.Tasks = append(c.Tasks, ev.Task.clone())
		return
	}
	i := c.taskIndex(ev.TaskID)
	if i < 0 {
		return
	}
	t := &c.Tasks[i]
	t.UpdatedAt = ev.At
	if ev.ToState != "" {
		t.State = TaskState(ev.ToState)
		if !t.working() {
			t.Extension = nil // moot once the task is no longer being worked
		}
	}
	// The task keeps the photos of its work, from progress reports and the
	// result; what other actions carry stays on their events.
	switch ev.Type {
	case EventOf(ActAccept):
		t.AcceptedAt = ev.At
		t.resetDeadline()
		t.setReportDue(ev)
	case EventOf(ActReturn):
		c.Returns++
	case EventOf(ActProgress):
		if r := c.Details.Regional; r != nil {
			if r.Reports == nil {
				r.Reports = map[string]int{}
			}
			r.Reports[t.ID]++
		}
		t.setReportDue(ev)
		t.Attachments = append(t.Attachments, ev.Attachments...)
	case EventOf(ActResolve):
		t.Result, t.ResolvedAt = ev.Note, ev.At
		t.Attachments = append(t.Attachments, ev.Attachments...)
	case EventOf(ActRequestExtension):
		ext := *ev.Extension
		t.Extension = &ext
		t.Extensions++
	case EventOf(ActApproveExtension):
		t.ResolveBy = ev.Deadline.clone()
		t.Extension = nil
		t.resetDeadline()
	case EventOf(ActRejectExtension):
		t.Extension = nil
	case EventWarning:
		if ev.Ref == refNextReport {
			t.ReportWarned = true
		} else {
			t.Warned = true
		}
	case EventOverdue:
		t.Overdue = true
	case EventEscalated:
		if ev.Ref != refNextReport { // a missed report climbs by ReportMisses
			t.Level++
		}
	case EventReportMissing:
		t.NextReportDue = ev.NextReportDue
		t.ReportWarnAt, t.ReportWarned = ev.ReportWarnAt, false
		if t.ReportMisses == 0 {
			t.ReportMissedAt = ev.At
		}
		t.ReportMisses++
	case EventRetimed:
		nd := ev.Deadline.clone()
		if ev.Ref == "accept_by" {
			t.AcceptBy = nd
		} else {
			t.ResolveBy = nd
		}
		// What has already fired stays fired only if it is still due on
		// the new deadline; whatever is now due and was not is left for
		// Tick, so nothing is said twice and nothing is skipped.
		if cur, which, ok := t.current(); ok && which == ev.Ref {
			t.Warned = t.Warned && reached(cur.WarnAt, ev.At)
			t.Overdue = t.Overdue && reached(cur.Due, ev.At)
			n := 0
			for n < t.Level && n < len(cur.Steps) && reached(cur.Steps[n], ev.At) {
				n++
			}
			t.Level = n
		}
	}
}

// resetDeadline starts the warning and the ladder afresh on a new current
// deadline.
func (t *Task) resetDeadline() { t.Warned, t.Level, t.Overdue = false, 0, false }

func (t *Task) setReportDue(ev *Event) {
	if !ev.NextReportDue.IsZero() {
		t.NextReportDue = ev.NextReportDue
		t.ReportEvery = ev.NextReportDue.Sub(ev.At)
		t.ReportWarnAt, t.ReportWarned, t.ReportMisses, t.ReportMissedAt = ev.ReportWarnAt, false, 0, time.Time{}
	}
}

// refNextReport names the progress report as the deadline a warning or an
// escalation is about.
const refNextReport = "next_report"

func (c *Case) applyCase(ev *Event) {
	d := c.Details
	switch ev.Type {
	case EventOf(ActWhistle):
		w := ev.Whistle.clone()
		d.Problem.Whistles = append(d.Problem.Whistles, w)
	case EventOf(ActReport):
		if r := d.Regional; r != nil {
			r.CaseReports++
			r.LastReportAt, r.LastReport = ev.At, ev.Note
		} else if w := d.Problem.whistle(ev.Ref); w != nil {
			if w.Reported == nil {
				w.Reported = map[string]time.Time{}
			}
			w.Reported[ev.Actor.UnitID] = ev.At
		}
	case EventWhistleMissed:
		if w := d.Problem.whistle(ev.Ref); w != nil {
			w.Missed = true
		}
	case EventOf(ActMeeting):
		m := *ev.Meeting
		m.Attendees = slices.Clone(m.Attendees)
		d.Problem.Meetings = append(d.Problem.Meetings, m)
	case EventOf(ActApproveBooking):
		d.Booking.State, d.Booking.DecidedBy = BookingApproved, ev.Actor.UserID
		if ev.Note != "" {
			d.Booking.Note = ev.Note
		}
	case EventOf(ActDeclineBooking):
		d.Booking.State, d.Booking.DecidedBy, d.Booking.Note = BookingDeclined, ev.Actor.UserID, ev.Note
	case EventOf(ActHandBack):
		d.Booking.State = BookingReturned
	case EventOf(ActConfirmHandBack):
		d.Booking.State = BookingFulfilled
	case EventOf(ActVote):
		if d.Consultation.Votes == nil {
			d.Consultation.Votes = map[string]string{}
		}
		d.Consultation.Votes[ev.Actor.UserID] = ev.Option
	case EventDecided:
		con := d.Consultation
		con.Outcome, con.DecidedAt, con.EndedEarly = ev.Option, ev.At, ev.At.Before(con.Deadline)
	case EventOf(ActSignUp):
		d.Activity.SignUps = append(d.Activity.SignUps, *ev.Participant)
	case EventOf(ActCheckIn):
		if d.Activity.CheckedIn == nil {
			d.Activity.CheckedIn = map[string]bool{}
		}
		d.Activity.CheckedIn[ev.Ref] = true
		for i := range d.Activity.SignUps {
			if d.Activity.SignUps[i].ID == ev.Ref {
				d.Activity.SignUps[i].CheckedInAt = ev.At
			}
		}
	case EventOf(ActSummary):
		d.Activity.Summary = ev.Note
	case EventOf(ActAssignPost):
		d.Member.Post = ev.Note
	case EventOf(ActLogHours):
		d.Member.Hours = append(d.Member.Hours, *ev.Hours)
		d.Member.total()
	case EventOf(ActConfirmHours):
		for i := range d.Member.Hours {
			if h := &d.Member.Hours[i]; h.ID == ev.Ref {
				h.Confirmed, h.ConfirmedBy = true, ev.Actor.UserID
			}
		}
		d.Member.total()
	case EventOf(ActFollowUp):
		if d.Service != nil && ev.Satisfied != nil {
			d.Service.Satisfied = new(*ev.Satisfied)
			d.Service.Comment = ev.Note
		}
	}
	if ev.ToState == "" {
		return
	}
	c.State = CaseState(ev.ToState)
	if ev.Resolution != "" {
		c.Resolution = ev.Resolution
	}
	if ev.Resolution == ResolutionDuplicate {
		c.DuplicateOf = ev.Ref // empty for a case closed before duplicates were named
	}
	if c.State.Terminal() {
		c.ClosedAt = ev.At
		// A booking the case no longer carries is off, unless it already
		// ended on its own terms.
		if b := d.Booking; b != nil && b.State != BookingDeclined && b.State != BookingFulfilled {
			b.State = BookingCancelled
		}
	}
}

func (p *Problem) whistle(id string) *Whistle {
	if p == nil {
		return nil
	}
	for i := range p.Whistles {
		if p.Whistles[i].ID == id {
			return &p.Whistles[i]
		}
	}
	return nil
}

// recompute derives the case's escalation level and overdue flag.
func (c *Case) recompute() {
	c.Level, c.Overdue = 0, false
	for _, t := range c.Tasks {
		if !t.State.Open() {
			continue
		}
		c.Level = max(c.Level, t.Level)
		c.Overdue = c.Overdue || t.Overdue
		if c.Rules >= 1 && t.ReportMisses > 0 && c.reporting(&t) {
			c.Level = max(c.Level, min(t.ReportMisses, len(c.Policy.Ladder)))
			c.Overdue = true
		}
	}
	if p := c.Details.Problem; p != nil && !c.State.Terminal() {
		for _, w := range p.Whistles {
			if w.Missed && len(w.unreported()) > 0 {
				c.Overdue = true
			}
		}
	}
}

// unreported lists the summoned units that have not reported, in the
// order they were summoned.
func (w Whistle) unreported() []string {
	var out []string
	for _, u := range w.Units {
		if _, ok := w.Reported[u]; !ok {
			out = append(out, u)
		}
	}
	return out
}
