package qilian

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestEveryKindHasItsSpec checks what a new kind's file must provide:
// names, a category of its own, a details part that is the part's JSON
// name, and form fields whose paths are the keys Open reports.
func TestEveryKindHasItsSpec(t *testing.T) {
	now := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	kinds := Kinds()
	if len(kinds) != len(kindTable) || len(kindIndex) != len(kindTable) {
		t.Fatalf("%d kinds, %d specs, %d indexed: a kind listed twice?", len(kinds), len(kindTable), len(kindIndex))
	}
	codes := map[string]Kind{}
	for _, k := range kinds {
		s := k.spec()
		if !k.Valid() || s == &noKind || s.kind != k {
			t.Errorf("%s: no spec", k)
			continue
		}
		if k.NameZH() == "" || k.NameEN() == "" {
			t.Errorf("%s: names %q, %q", k, k.NameZH(), k.NameEN())
		}
		var cats []Category
		for _, c := range Categories() {
			if c.Kind == k {
				cats = append(cats, c)
			}
		}
		if len(cats) == 0 || cats[0].Code != string(k) || cats[0].Name != k.NameZH() || cats[0].NameEN != k.NameEN() {
			t.Errorf("%s: its own category first, named as the kind: %+v", k, cats)
		}
		for _, c := range cats[1:] {
			if !strings.HasPrefix(c.Code, string(k)+categorySep) || c.Name == "" || c.NameEN == "" {
				t.Errorf("%s: subcategory %+v", k, c)
			}
		}
		if s.part == "" || s.has == nil || s.open == nil || s.clone == nil {
			t.Errorf("%s: part %q, has, open and clone are all needed", k, s.part)
			continue
		}

		// The part's name is its JSON name in Details, and only this
		// kind's part answers to it.
		var empty Details
		if err := json.Unmarshal([]byte(`{"`+s.part+`":{}}`), &empty); err != nil {
			t.Fatal(err)
		}
		for _, o := range kindTable {
			if o.has(empty) != (o == s) {
				t.Errorf("%s: {%q: {}} is taken for %s's part", k, s.part, o.kind)
			}
		}
		cp := empty
		if s.clone(&cp); !s.has(cp) {
			t.Errorf("%s: the copy lost the part", k)
		}

		// Open with the part present but empty reports every required
		// field under its path; without the part, the part itself.
		req := OpenRequest{ID: "c1", Kind: k, Title: "t", Priority: PriorityNormal,
			LocalityID: "g1", LocalityPath: "/county/g1/", Details: empty}
		_, _, err := Open(req, Actor{UserID: "u", Role: RoleGridWorker}, now, Policy{})
		fields := invalidFields(err)
		_, _, err = Open(OpenRequest{ID: "c1", Kind: k, Title: "t", Priority: PriorityNormal,
			LocalityID: "g1", LocalityPath: "/county/g1/"}, Actor{UserID: "u", Role: RoleGridWorker}, now, Policy{})
		partless := invalidFields(err)
		required := false
		for _, f := range k.Fields() {
			if f.Code == "" || f.NameZH == "" || f.NameEN == "" || !strings.HasPrefix(f.Path, "details."+s.part+".") {
				t.Errorf("%s: field %+v", k, f)
			}
			if other, dup := codes[f.Code]; dup {
				t.Errorf("%s: field code %s is also %s's", k, f.Code, other)
			}
			codes[f.Code] = k
			if !slices.Contains([]FieldType{FieldString, FieldNumber, FieldTime, FieldText, FieldChoice, FieldChoices}, f.Type) ||
				(f.Type == FieldChoice || f.Type == FieldChoices) != (len(f.Choices) > 0) {
				t.Errorf("%s: field %s has type %q and %d choices", k, f.Code, f.Type, len(f.Choices))
			}
			if f.Required {
				required = true
				if fields[f.Path] == "" {
					t.Errorf("%s: required field %s: Open does not report %s, only %v", k, f.Code, f.Path, fields)
				}
			}
		}
		if required && partless["details."+s.part] != "required" {
			t.Errorf("%s: Open without the part reports %v", k, partless)
		}
	}
}

// invalidFields are the fields of an EINVALID error, or none.
func invalidFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) && e.Code == EINVALID {
		return e.Fields
	}
	return nil
}
