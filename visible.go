package qilian

import "slices"

// VisibleTo reports whether the case exists as far as actor is concerned,
// by the rules of visible. Adapters ask it before they answer, so that what
// lies outside a caller's scope looks exactly like what does not exist.
func (c *Case) VisibleTo(a Actor) bool { return c.visible(a) }

// May reports whether role r may ever take the action, whatever the case:
// the check Decide answers with EFORBIDDEN. Adapters ask it first, as it
// reveals nothing about any case.
func (r Role) May(n ActionName) bool {
	s, ok := actionIndex[n]
	return ok && slices.Contains(s.Roles, r)
}
