package qilian_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
)

// everyAction is every action name, for the matrix below.
var everyAction = []qilian.ActionName{
	qilian.ActDispatch, qilian.ActVerify, qilian.ActFollowUp, qilian.ActReopen, qilian.ActCancel, qilian.ActClose,
	qilian.ActWhistle, qilian.ActRemind, qilian.ActNotice, qilian.ActMeeting, qilian.ActApproveExtension,
	qilian.ActRejectExtension, qilian.ActAccept, qilian.ActReturn, qilian.ActProgress, qilian.ActResolve,
	qilian.ActRequestExtension, qilian.ActReassign, qilian.ActWithdraw, qilian.ActReport,
	qilian.ActApproveBooking, qilian.ActDeclineBooking, qilian.ActHandBack, qilian.ActConfirmHandBack,
	qilian.ActOpenVoting, qilian.ActVote, qilian.ActSignUp, qilian.ActCheckIn, qilian.ActSummary, qilian.ActAssignPost,
	qilian.ActLogHours, qilian.ActConfirmHours,
}

// TestAuthorityByRoleAndPlace is the matrix of role × place × relation ×
// action. Whoever has no relation to a case gets "not found" for every
// action their role may take; a consultation participant from elsewhere
// may vote and nothing else; the opener, while still in the place they
// opened from, may answer the follow-up and hand a booking back; a user
// moved to another place has lost the old place's cases. The expected
// answer is written from those rules, not read from the code.
func TestAuthorityByRoleAndPlace(t *testing.T) {
	farAxis := qilian.Actor{UserID: "axis-s2", Role: qilian.RoleAxis, LocalityID: "s2", LocalityPath: "/c1/s2/"}
	farGrid := qilian.Actor{UserID: "grid-s2", Role: qilian.RoleGridWorker, LocalityID: "s2g", LocalityPath: "/c1/s2/s2g/"}
	movedGrid := grid // opened the case in g1, then moved by the admin to g2
	movedGrid.LocalityID, movedGrid.LocalityPath = "g2", "/c1/s1/m1/g2/"
	movedAxis := axis // opened in m1, moved to m2
	movedAxis.LocalityID, movedAxis.LocalityPath = "m2", "/c1/s1/m2/"
	farSupervisor := qilian.Actor{UserID: "sup-s2", Role: qilian.RoleSupervisor, LocalityID: "s2", LocalityPath: "/c1/s2/"}

	type want int
	const (
		notFound  want = iota // the case does not exist for them
		forbidden             // they see it, but may not do this
		decided               // the guard lets it through to the state checks
	)
	type actor struct {
		name string
		a    qilian.Actor
		// may is what this relation alone allows; nil means nothing.
		may    []qilian.ActionName
		sees   bool
		charge bool // in charge: the role decides
	}
	for _, kind := range qilian.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			req := request(kind)
			var by qilian.Actor
			switch kind {
			case qilian.KindJointConsultation, qilian.KindMemberManagement, qilian.KindJointActivity:
				by = axis
			default:
				by = grid
			}
			if c := req.Details.Consultation; c != nil {
				c.Participants = []string{farAxis.UserID, farGrid.UserID, movedGrid.UserID}
			}
			c := open(t, req, by)
			participantOnly := func(a qilian.Actor) []qilian.ActionName {
				if kind == qilian.KindJointConsultation {
					return []qilian.ActionName{qilian.ActVote}
				}
				return nil
			}
			actors := []actor{
				{name: "axis of the case's community (opener)", a: axis, sees: true, charge: true},
				{name: "grid worker of the grid", a: grid, sees: true, charge: true},
				{name: "supervisor of the street", a: supervisor, sees: true, charge: true},
				{name: "axis of another street", a: farAxis, sees: kind == qilian.KindJointConsultation, may: participantOnly(farAxis)},
				{name: "grid worker of another street", a: farGrid, sees: kind == qilian.KindJointConsultation, may: participantOnly(farGrid)},
				{name: "supervisor of another street", a: farSupervisor},
				{name: "axis of a sibling community", a: otherAxis},
				{name: "unit with no part", a: staff(unitB)},
				{name: "admin", a: admin},
			}
			if by == grid {
				actors = append(actors, actor{name: "opener moved to another grid", a: movedGrid})
			} else {
				actors = append(actors, actor{name: "opener moved to another community", a: movedAxis})
				// Named in the consultation, the moved grid worker may
				// still vote: participation is by name, not by place.
				actors = append(actors, actor{name: "moved participant", a: movedGrid, sees: kind == qilian.KindJointConsultation, may: participantOnly(movedGrid)})
			}
			for _, ac := range actors {
				t.Run(ac.name, func(t *testing.T) {
					require.Equal(t, ac.sees || ac.charge, c.VisibleTo(ac.a))
					allowed := c.Allowed(ac.a, t0)
					for _, n := range everyAction {
						var expect want
						switch {
						case !ac.a.Role.May(n):
							expect = forbidden
						case !ac.sees && !ac.charge:
							expect = notFound
						case ac.charge || slices.Contains(ac.may, n):
							expect = decided
						default:
							expect = forbidden
						}
						_, err := c.Decide(qilian.Action{Name: n, Actor: ac.a}, t0, sched)
						var code string
						if e, ok := err.(*qilian.Error); ok {
							code = e.Code
						}
						switch expect {
						case notFound:
							require.Equal(t, qilian.ENOTFOUND, code, "%s: %v", n, err)
						case forbidden:
							require.Equal(t, qilian.EFORBIDDEN, code, "%s: %v", n, err)
							require.NotContains(t, allowed, n)
						case decided:
							require.NotEqual(t, qilian.EFORBIDDEN, code, "%s: %v", n, err)
							if code == qilian.ENOTFOUND {
								// Only a task or an extension can be missing for
								// someone who sees the case.
								require.Regexp(t, `^(task|extension) `, err.(*qilian.Error).Message, "%s", n)
							}
						}
						if !ac.charge && slices.Contains(allowed, n) {
							require.Contains(t, ac.may, n, "listed for a bystander")
						}
					}
				})
			}
		})
	}
}

// A participant from another street is offered the vote and nothing
// else, and cannot cancel: the hole the issue found.
func TestParticipantFromElsewhereOnlyVotes(t *testing.T) {
	far := qilian.Actor{UserID: "axis-s2", Role: qilian.RoleAxis, LocalityID: "s2", LocalityPath: "/c1/s2/"}
	req := request(qilian.KindJointConsultation)
	req.Details.Consultation.Participants = []string{far.UserID, "p2"}
	c := voting(t, req)
	require.Equal(t, []qilian.ActionName{qilian.ActVote}, c.Allowed(far, t0))
	e := refuse(t, c, qilian.Action{Name: qilian.ActCancel, Actor: far, Reason: "x"}, t0)
	require.Equal(t, qilian.EFORBIDDEN, e.Code)
	step(t, c, qilian.Action{Name: qilian.ActVote, Actor: far, Option: "A"}, t0)
}
