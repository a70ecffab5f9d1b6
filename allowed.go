package qilian

import (
	"slices"
	"strings"
	"time"
)

// Allowed lists the actions actor may take on the case at now, in the
// action table's order: those whose guard (role, scope, relation, state
// and time window) passes, which is the guard Decide runs, so what is
// offered is what an action with good inputs does. A task action is
// listed when it is allowed on at least one task, an extension decision
// when on at least one pending request.
func (c *Case) Allowed(actor Actor, now time.Time) []ActionName {
	if c.State.Terminal() {
		return nil
	}
	var out []ActionName
	for _, s := range actionTable {
		if c.offers(s, actor, now) {
			out = append(out, s.Name)
		}
	}
	return out
}

// AllowedOn lists the actions actor may take now on one task of the
// case, in the table's order: the task's own actions (/tasks/{id}/…), a
// reminder or notice about it (the case's route with task_id), and the
// decision on its pending extension (/extensions/{id}/…). Each is what
// that route does with good inputs, by the same guard as Decide.
func (c *Case) AllowedOn(taskID string, actor Actor, now time.Time) []ActionName {
	i := c.taskIndex(taskID)
	if c.State.Terminal() || i < 0 {
		return nil
	}
	var out []ActionName
	for _, s := range actionTable {
		if a, ok := c.onTask(s, i, actor); ok {
			if _, err := c.guard(a, now); err == nil {
				out = append(out, s.Name)
			}
		}
	}
	return out
}

// onTask is the action s by actor on the task at index i: naming the
// task, or its pending extension. False when s cannot name that task (a
// case action, or an extension decision on a task without a request).
func (c *Case) onTask(s actionSpec, i int, actor Actor) (Action, bool) {
	a := Action{Name: s.Name, Actor: actor}
	switch s.On {
	case OnTask, OnCaseOrTask:
		a.TaskID = c.Tasks[i].ID
	case OnExtension:
		if c.Tasks[i].Extension == nil {
			return a, false
		}
		a.ExtensionID = c.Tasks[i].Extension.ID
	default:
		return a, false
	}
	return a, true
}

// offers reports whether the guard lets actor take the action now on the
// case, or on one of its tasks or pending extensions.
func (c *Case) offers(s actionSpec, actor Actor, now time.Time) bool {
	if s.On == OnTask || s.On == OnExtension {
		for i := range c.Tasks {
			if a, ok := c.onTask(s, i, actor); ok {
				if _, err := c.guard(a, now); err == nil {
					return true
				}
			}
		}
		return false
	}
	_, err := c.guard(Action{Name: s.Name, Actor: actor}, now)
	return err == nil
}

// relation is how an actor stands to a case; an actor may hold several.
type relation uint8

const (
	// inCharge: the role's current place covers the case. Axis, grid
	// workers and supervisors by their subtree; unit staff when their
	// unit has a task on the case (in any state), owns the booked
	// resource, is the member's home unit or was summoned by a whistle.
	inCharge relation = 1 << iota
	// participant: named in the consultation, to vote.
	participant
	// opener: opened the case, and is still the same role in the same
	// place. A user moved elsewhere leaves the cases of the old place
	// behind.
	opener
)

// relationTo says how a stands to the case.
func (c *Case) relationTo(a Actor) relation {
	var r relation
	switch a.Role {
	case RoleAxis, RoleGridWorker, RoleSupervisor:
		if Contains(a.LocalityPath, c.LocalityPath) {
			r |= inCharge
		}
	case RoleUnitStaff:
		if a.UnitID != "" && c.involves(a.UnitID) {
			r |= inCharge
		}
	}
	if con := c.Details.Consultation; con != nil && a.UserID != "" && slices.Contains(con.Participants, a.UserID) {
		r |= participant
	}
	o := c.OpenedBy
	if a.UserID != "" && a.UserID == o.UserID && a.Role == o.Role && a.UnitID == o.UnitID && a.LocalityID == o.LocalityID {
		r |= opener
	}
	return r
}

// bystanderMay is what a relation other than being in charge lets an
// actor do, besides reading: a participant votes; the opener answers the
// follow-up (回访) and, as the booking party, hands the resource back.
// Everything else needs the role and the place (inCharge): being named
// is not being in charge.
// (A list, not a map: workflow code must not range over a map.)
var bystanderMay = []struct {
	rel   relation
	names []ActionName
}{
	{participant, []ActionName{ActVote}},
	{opener, []ActionName{ActFollowUp, ActHandBack}},
}

// mayAs reports whether relation r lets its holder take the action.
func (r relation) mayAs(n ActionName) bool {
	if r&inCharge != 0 {
		return true
	}
	for _, b := range bystanderMay {
		if r&b.rel != 0 && slices.Contains(b.names, n) {
			return true
		}
	}
	return false
}

// visible reports whether the case exists as far as actor is concerned:
// any relation to it lets them read it. Outside it, Decide answers "not
// found", never "forbidden": a case out of scope must look like one that
// does not exist.
func (c *Case) visible(a Actor) bool { return c.relationTo(a) != 0 }

// Units lists the units the case involves, each once, in the order they
// came in: those with a task, the owner of the booked resource, the
// member's home unit, the units summoned by a whistle. A unit's staff see
// the case (relationTo); the read model lists it for them.
func (c *Case) Units() []string {
	var out []string
	add := func(u string) {
		if u != "" && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	for _, t := range c.Tasks {
		add(t.UnitID)
	}
	d := c.Details
	if d.Booking != nil {
		add(d.Booking.OwnerUnitID)
	}
	if d.Member != nil {
		add(d.Member.HomeUnitID)
	}
	if d.Problem != nil {
		for _, w := range d.Problem.Whistles {
			for _, u := range w.Units {
				add(u)
			}
		}
	}
	return out
}

// involves reports whether unit takes part in the case.
func (c *Case) involves(unit string) bool { return slices.Contains(c.Units(), unit) }

func (c *Case) hasTaskOf(unit string) bool {
	for _, t := range c.Tasks {
		if t.UnitID == unit {
			return true
		}
	}
	return false
}

func (c *Case) taskIndex(id string) int {
	for i, t := range c.Tasks {
		if t.ID == id {
			return i
		}
	}
	return -1
}

// guard runs the checks of Decide that do not read the action's inputs,
// in Decide's order: the role may ever take the action (EFORBIDDEN), the
// actor can see the case (ENOTFOUND), their relation to it allows the
// action (EFORBIDDEN: see bystanderMay), their place covers the task
// (ENOTFOUND), and the action table's Allows for the case and the task
// (ECONFLICT). It returns the index of the task the action names, or -1.
func (c *Case) guard(a Action, now time.Time) (int, error) {
	if c.State.Terminal() {
		return -1, Errorf(ECONFLICT, "the case is %s", c.State)
	}
	spec, known := actionIndex[a.Name]
	if !known {
		return -1, Invalid(map[string]string{"name": "unknown action"})
	}
	if !slices.Contains(spec.Roles, a.Actor.Role) {
		return -1, Errorf(EFORBIDDEN, "role %q may not %s", a.Actor.Role, a.Name)
	}
	rel := c.relationTo(a.Actor)
	if rel == 0 {
		return -1, Errorf(ENOTFOUND, "case %s not found", c.ID)
	}
	if !rel.mayAs(a.Name) {
		return -1, Errorf(EFORBIDDEN, "%s may read case %s but not %s: that needs the role in the case's place", a.Actor.UserID, c.ID, a.Name)
	}
	ti := -1
	switch {
	case spec.On == OnTask || (spec.On == OnCaseOrTask && a.TaskID != ""):
		if a.TaskID == "" {
			return -1, Invalid(map[string]string{"task_id": "required"})
		}
		ti = c.taskIndex(a.TaskID)
		if ti < 0 || (a.Actor.Role == RoleUnitStaff && c.Tasks[ti].UnitID != a.Actor.UnitID) {
			return -1, Errorf(ENOTFOUND, "task %s not found", a.TaskID)
		}
	case spec.On == OnExtension:
		if a.ExtensionID == "" {
			return -1, Invalid(map[string]string{"extension_id": "required"})
		}
		for i, t := range c.Tasks {
			if t.Extension != nil && t.Extension.ID == a.ExtensionID {
				ti = i
			}
		}
		if ti < 0 {
			// Extension IDs are the task ID plus "-x" and a number, so a
			// decided request can be told from one that never existed.
			if i := strings.LastIndex(a.ExtensionID, "-x"); i > 0 && c.taskIndex(a.ExtensionID[:i]) >= 0 {
				return -1, Errorf(ECONFLICT, "extension %s is no longer pending", a.ExtensionID)
			}
			return -1, Errorf(ENOTFOUND, "extension %s not found", a.ExtensionID)
		}
	}
	if spec.Allows == nil {
		return ti, nil
	}
	var t *Task
	if ti >= 0 {
		t = &c.Tasks[ti]
	}
	return ti, spec.Allows(c, a, t, now)
}

func inState(st CaseState, name ActionName, allowed ...CaseState) error {
	if slices.Contains(allowed, st) {
		return nil
	}
	return Errorf(ECONFLICT, "cannot %s a case that is %s", name, st)
}

func taskIn(t *Task, name ActionName, allowed ...TaskState) error {
	if slices.Contains(allowed, t.State) {
		return nil
	}
	return Errorf(ECONFLICT, "cannot %s task %s: it is %s", name, t.ID, t.State)
}

// ofKind also guards the kind's details, which Open guarantees but a
// hand-built case may lack.
func ofKind(c *Case, name ActionName, k Kind) error {
	if s := k.spec(); c.Kind != k || (s.has != nil && !s.has(c.Details)) {
		return Errorf(ECONFLICT, "%s is only for %s cases", name, k)
	}
	return nil
}

// ownerActs checks that the booking's owner unit is the one acting.
func (c *Case) ownerActs(a Action) error {
	if err := ofKind(c, a.Name, KindResourceSharing); err != nil {
		return err
	}
	if a.Actor.UnitID != c.Details.Booking.OwnerUnitID {
		return Errorf(ECONFLICT, "only the owner unit of the resource may %s", a.Name)
	}
	return nil
}

// organiserActs checks that unit staff acting on an activity belong to a
// unit with a task on it.
func (c *Case) organiserActs(a Action) error {
	if err := ofKind(c, a.Name, KindJointActivity); err != nil {
		return err
	}
	if a.Actor.Role == RoleUnitStaff && !c.hasTaskOf(a.Actor.UnitID) {
		return Errorf(ECONFLICT, "only units organising the activity may %s", a.Name)
	}
	return nil
}

// pendingWhistles returns the indexes of the whistles that summoned unit
// and have no report from it yet.
func (c *Case) pendingWhistles(unit string) []int {
	if c.Details.Problem == nil || unit == "" {
		return nil
	}
	var out []int
	for i, w := range c.Details.Problem.Whistles {
		if _, done := w.Reported[unit]; slices.Contains(w.Units, unit) && !done {
			out = append(out, i)
		}
	}
	return out
}
