package qilian

import "time"

// Regional is a regional coordination case (区域联抓): many parallel unit
// tasks, each reporting progress periodically.
type Regional struct {
	// Reports counts progress reports per task ID.
	Reports map[string]int `json:"reports,omitempty"`
}

// BookingState is where a resource booking stands.
type BookingState string

// Booking states.
const (
	BookingRequested BookingState = "requested"
	BookingApproved  BookingState = "approved"
	BookingDeclined  BookingState = "declined"
	BookingInUse     BookingState = "in_use"
	BookingReturned  BookingState = "returned" // handed back, waiting for the owner
	BookingFulfilled BookingState = "fulfilled"
	BookingCancelled BookingState = "cancelled"
)

// Booking is a resource sharing case (资源联用): a unit's resource booked
// for a time window. Overlapping approved bookings of one resource are
// refused across cases, so the check lives in the read model's database,
// the one place every case meets.
type Booking struct {
	ResourceID  string       `json:"resource_id"`
	OwnerUnitID string       `json:"owner_unit_id"`
	From        time.Time    `json:"from"`
	To          time.Time    `json:"to"`
	Purpose     string       `json:"purpose,omitempty"`
	State       BookingState `json:"state"`
	DecidedBy   string       `json:"decided_by,omitempty"`
	Note        string       `json:"note,omitempty"`
}

// VoteRule is how a consultation decides.
type VoteRule string

// Vote rules.
const (
	RuleMajority  VoteRule = "majority"
	RuleTwoThirds VoteRule = "two_thirds"
	RuleUnanimity VoteRule = "unanimity"
)

// Consultation is a joint consultation case (事务联商): named participants
// vote on options before a deadline.
type Consultation struct {
	Question     string            `json:"question"`
	Options      []string          `json:"options"`
	Participants []string          `json:"participants"` // user IDs
	Quorum       int               `json:"quorum"`       // votes needed for a valid result
	Rule         VoteRule          `json:"rule"`
	Deadline     time.Time         `json:"deadline"`
	Votes        map[string]string `json:"votes,omitempty"`   // participant -> option
	Outcome      string            `json:"outcome,omitempty"` // winning option, "no_quorum" or "no_decision"
	DecidedAt    time.Time         `json:"decided_at,omitzero"`
	EndedEarly   bool              `json:"ended_early,omitempty"`
}

// Activity is a joint activity case (活动联办).
type Activity struct {
	Capacity  int             `json:"capacity"`
	StartsAt  time.Time       `json:"starts_at"`
	EndsAt    time.Time       `json:"ends_at"`
	Venue     string          `json:"venue,omitempty"`
	SignUps   []Participant   `json:"sign_ups,omitempty"`
	CheckedIn map[string]bool `json:"checked_in,omitempty"` // participant ID -> checked in
	Summary   string          `json:"summary,omitempty"`
}

// Participant is a person signed up for an activity.
type Participant struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Phone    string    `json:"phone,omitempty"`
	UnitID   string    `json:"unit_id,omitempty"`
	SignedAt time.Time `json:"signed_at"`
}

// Member is a member management case (党员联管): one Party member
// registered (报到) with the community where they live.
type Member struct {
	Name       string     `json:"name"`
	Phone      string     `json:"phone,omitempty"`
	HomeUnitID string     `json:"home_unit_id"`
	Post       string     `json:"post,omitempty"` // service post assigned by the community
	Hours      []HoursLog `json:"hours,omitempty"`
}

// HoursLog is service time a member logged.
type HoursLog struct {
	ID          string    `json:"id"`
	Date        string    `json:"date"` // YYYY-MM-DD, the day served
	Hours       float64   `json:"hours"`
	Note        string    `json:"note,omitempty"`
	LoggedAt    time.Time `json:"logged_at"`
	Confirmed   bool      `json:"confirmed"`
	ConfirmedBy string    `json:"confirmed_by,omitempty"`
}

// Service is a service linkage case (服务联动): the resident's follow-up.
type Service struct {
	Satisfied *bool  `json:"satisfied,omitempty"`
	Comment   string `json:"comment,omitempty"`
}

// Problem is a problem solving case (难题联破): whistles and meetings.
type Problem struct {
	Whistles []Whistle `json:"whistles,omitempty"`
	Meetings []Meeting `json:"meetings,omitempty"`
}

// Whistle is a 吹哨: summoned units must report (报到) before Due.
type Whistle struct {
	ID       string               `json:"id"`
	BlownBy  string               `json:"blown_by"`
	BlownAt  time.Time            `json:"blown_at"`
	Due      time.Time            `json:"due"`
	Units    []string             `json:"units"`
	Reported map[string]time.Time `json:"reported,omitempty"`
	Missed   bool                 `json:"missed,omitempty"` // Due passed with units unreported
}

// Meeting is the record of a joint meeting.
type Meeting struct {
	At        time.Time `json:"at"`
	Attendees []string  `json:"attendees"`
	Minutes   string    `json:"minutes"`
}
