package qilian

import "slices"

// Field is one value a client sends to open a case of a kind: a field of
// the kind's part of the details, as a form asks for it. Forms and other
// protocols (Open311 attributes) are built from the fields, so what they
// ask is what Open checks.
type Field struct {
	// Code names the field in a form. Codes are unique across all kinds.
	Code string
	// Path is the field's key in Open's errors: "details.booking.from".
	Path string
	Type FieldType
	// Required fields are refused by Open when missing.
	Required bool
	// NameZH and NameEN say what the field is; HintZH and HintEN how to
	// write it.
	NameZH, NameEN string
	HintZH, HintEN string
	// Choices are the values of a choice field.
	Choices []Choice
}

// FieldType is the kind of value a field takes.
type FieldType string

// Field types.
const (
	FieldString  FieldType = "string"  // a short line: an ID, a name
	FieldNumber  FieldType = "number"  // a whole number
	FieldTime    FieldType = "time"    // an instant, RFC 3339
	FieldText    FieldType = "text"    // free text, may run over several lines
	FieldChoice  FieldType = "choice"  // one of Choices
	FieldChoices FieldType = "choices" // any of Choices
)

// Choice is one value of a choice field.
type Choice struct {
	Key            string
	NameZH, NameEN string
}

// Fields lists what a client sends to open a case of kind k, in the order
// a form asks them; none for a kind whose details need nothing from the
// client.
func (k Kind) Fields() []Field {
	fs := k.spec().fields
	if fs == nil {
		return nil
	}
	out := make([]Field, len(fs))
	for i, f := range fs {
		f.Choices = slices.Clone(f.Choices)
		out[i] = f
	}
	return out
}
