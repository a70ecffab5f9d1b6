package qilian

import (
	"strings"
	"unicode/utf8"
)

// Personal data (个人信息) on a case is the reporter's name, phone and
// mail, and a member's phone. By PIPL's rule of the minimum necessary it
// goes in full only to whoever needs it to do the work: the opener (while
// still in the place they opened from), the axis in charge of the case's
// locality, and the unit leading it (for a member registration, the
// member's home unit). Everyone else who can see the case sees it masked,
// and may ask to reveal it with a reason, which adapters audit.

// SeesPersonalData reports whether a sees the case's personal data in
// full.
func (c *Case) SeesPersonalData(a Actor) bool {
	rel := c.relationTo(a)
	if rel&opener != 0 {
		return true
	}
	if rel&inCharge == 0 {
		return false
	}
	switch a.Role {
	case RoleAxis:
		return true
	case RoleUnitStaff:
		for _, t := range c.Tasks {
			if t.Role == TaskLead && t.UnitID == a.UnitID {
				return true
			}
		}
		return c.Details.Member != nil && c.Details.Member.HomeUnitID == a.UnitID
	}
	return false
}

// Masked returns the case with its personal data masked: names keep the
// first character (李**), phones the first three and last four digits
// (138****0000), mail the first character and the domain. The case
// itself is left alone.
func (c Case) Masked() Case {
	c.Reporter = Reporter{Name: MaskName(c.Reporter.Name), Phone: MaskPhone(c.Reporter.Phone), Email: MaskEmail(c.Reporter.Email)}
	if m := c.Details.Member; m != nil {
		cp := *m
		cp.Phone = MaskPhone(m.Phone)
		c.Details.Member = &cp
	}
	return c
}

// MaskName keeps the first character of a name and stars the rest, one
// star a character, at least two: "李阿姨" is "李**", "王" is "王**".
func MaskName(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	first, size := utf8.DecodeRuneInString(s)
	return string(first) + strings.Repeat("*", max(utf8.RuneCountInString(s[size:]), 2))
}

// MaskPhone keeps the first three and the last four digits of a phone
// number: "13800000000" is "138****0000". A number too short to keep
// both is all stars.
func MaskPhone(s string) string {
	var digits []rune
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits = append(digits, r)
		}
	}
	switch {
	case len(digits) == 0:
		return ""
	case len(digits) < 8:
		return strings.Repeat("*", len(digits))
	}
	return string(digits[:3]) + "****" + string(digits[len(digits)-4:])
}

// MaskEmail keeps the first character and the domain: "l***@example.cn".
func MaskEmail(s string) string {
	local, domain, ok := strings.Cut(strings.TrimSpace(s), "@")
	if !ok || local == "" {
		return MaskName(s)
	}
	first, _ := utf8.DecodeRuneInString(local)
	return string(first) + "***@" + domain
}
