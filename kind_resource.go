package qilian

import "time"

// KindResourceSharing is using a resource that a unit owns (资源联用).
const KindResourceSharing Kind = "resource_sharing"

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

var resourceSpec = kindSpec{
	kind: KindResourceSharing, nameZH: "资源联用", nameEN: "Resource sharing",
	description: "借用驻区单位的场地、车辆、设备或志愿者", keywords: []string{"资源", "借用", "共享"},
	subcategories: []Category{
		{Code: "resource_sharing.venue", Name: "场地借用", NameEN: "Venue booking",
			Description: "借用会议室、活动室、操场等场地", Keywords: []string{"场地", "会议室", "活动室", "借用"}},
		{Code: "resource_sharing.vehicle", Name: "车辆借用", NameEN: "Vehicle booking",
			Description: "借用驻区单位的车辆", Keywords: []string{"车辆", "用车", "借用"}},
		{Code: "resource_sharing.equipment", Name: "设备借用", NameEN: "Equipment booking",
			Description: "借用音响、帐篷、医疗器械等设备", Keywords: []string{"设备", "器材", "借用"}},
	},
	part: "booking",
	has:  func(d Details) bool { return d.Booking != nil },
	open: openBooking,
	clone: func(d *Details) {
		if b := d.Booking; b != nil {
			cp := *b
			d.Booking = &cp
		}
	},
	fields: []Field{
		{Code: "resource_id", Path: "details.booking.resource_id", Type: FieldString, Required: true,
			NameZH: "要借用的资源", NameEN: "The resource to book", HintZH: "资源编号", HintEN: "a resource ID"},
		{Code: "owner_unit_id", Path: "details.booking.owner_unit_id", Type: FieldString,
			NameZH: "资源所属的驻区单位", NameEN: "The unit that owns the resource",
			HintZH: "可不填：由资源登记确定，填写时须一致", HintEN: "may be left out: the registry says; when given it must agree"},
		{Code: "from", Path: "details.booking.from", Type: FieldTime, Required: true,
			NameZH: "开始使用时间", NameEN: "When the use starts",
			HintZH: "W3C 时间，如 2026-12-01T09:00:00+08:00", HintEN: "W3C time, as 2026-12-01T09:00:00+08:00"},
		{Code: "to", Path: "details.booking.to", Type: FieldTime, Required: true,
			NameZH: "归还时间", NameEN: "When the resource is handed back",
			HintZH: "W3C 时间，晚于开始时间", HintEN: "W3C time, after the start"},
		{Code: "purpose", Path: "details.booking.purpose", Type: FieldText,
			NameZH: "用途", NameEN: "What it is for", HintZH: "不超过 4000 字", HintEN: "at most 4000 characters"},
	},
	taskless: true,
}

// openBooking checks the booking asked for; a new booking is requested,
// whatever state the client sent.
func openBooking(in Details, now time.Time, f map[string]string) Details {
	b := in.Booking
	if b == nil {
		f["details.booking"] = "required"
		return Details{}
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
	return Details{Booking: &Booking{ResourceID: b.ResourceID, OwnerUnitID: b.OwnerUnitID, From: b.From, To: b.To, Purpose: b.Purpose, State: BookingRequested}}
}
