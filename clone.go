package qilian

import (
	"maps"
	"slices"
)

// clone copies the case deeply enough that applying events to the copy
// never reaches the original. The policy is shared: nothing changes it
// after Open.
func (c *Case) clone() *Case {
	cp := *c
	cp.Attachments = slices.Clone(c.Attachments)
	if c.Tasks != nil {
		cp.Tasks = make([]Task, len(c.Tasks))
		for i, t := range c.Tasks {
			cp.Tasks[i] = t.clone()
		}
	}
	cp.Details = c.Details.clone()
	return &cp
}

func (t Task) clone() Task {
	t.AcceptBy = t.AcceptBy.clone()
	t.ResolveBy = t.ResolveBy.clone()
	if t.Extension != nil {
		ext := *t.Extension
		t.Extension = &ext
	}
	return t
}

func (d Deadline) clone() Deadline {
	d.Steps = slices.Clone(d.Steps)
	return d
}

func (w Whistle) clone() Whistle {
	w.Units = slices.Clone(w.Units)
	w.Reported = maps.Clone(w.Reported)
	return w
}

func (d Details) clone() Details {
	if r := d.Regional; r != nil {
		d.Regional = &Regional{Reports: maps.Clone(r.Reports)}
	}
	if b := d.Booking; b != nil {
		cp := *b
		d.Booking = &cp
	}
	if con := d.Consultation; con != nil {
		cp := *con
		cp.Options = slices.Clone(con.Options)
		cp.Participants = slices.Clone(con.Participants)
		cp.Votes = maps.Clone(con.Votes)
		d.Consultation = &cp
	}
	if act := d.Activity; act != nil {
		cp := *act
		cp.SignUps = slices.Clone(act.SignUps)
		cp.CheckedIn = maps.Clone(act.CheckedIn)
		d.Activity = &cp
	}
	if m := d.Member; m != nil {
		cp := *m
		cp.Hours = slices.Clone(m.Hours)
		d.Member = &cp
	}
	if s := d.Service; s != nil {
		cp := *s
		if s.Satisfied != nil {
			cp.Satisfied = new(*s.Satisfied)
		}
		d.Service = &cp
	}
	if p := d.Problem; p != nil {
		cp := Problem{Whistles: slices.Clone(p.Whistles), Meetings: slices.Clone(p.Meetings)}
		for i := range cp.Whistles {
			cp.Whistles[i] = cp.Whistles[i].clone()
		}
		for i := range cp.Meetings {
			cp.Meetings[i].Attendees = slices.Clone(cp.Meetings[i].Attendees)
		}
		d.Problem = &cp
	}
	return d
}

// clone copies the policy's maps and ladder, so a case keeps the policy it
// was opened under whatever the caller does with its own.
func (p Policy) clone() Policy {
	if p.Deadlines != nil {
		dl := make(map[Kind]map[Priority]DeadlineRule, len(p.Deadlines))
		for k, byPr := range p.Deadlines {
			dl[k] = maps.Clone(byPr)
		}
		p.Deadlines = dl
	}
	p.Ladder = slices.Clone(p.Ladder)
	return p
}
