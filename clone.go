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
	t.Attachments = slices.Clone(t.Attachments)
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

func (d Details) clone() Details {
	for _, s := range kindTable {
		s.clone(&d)
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
