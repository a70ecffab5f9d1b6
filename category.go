package qilian

import "strings"

// Category is a subcategory of a kind: what a resident picks from a list
// ("a repair", "illegal building") before anyone decides which units act.
// Open311 calls categories services; their codes are the service codes.
//
// Every kind is a category of its own, coded by the kind's ID, for cases
// that fit none of its subcategories; a subcategory is coded
// "<kind>.<name>". A case keeps the code it was opened with, so lists can
// report and filter by it; a case opened without one has its kind's code.
type Category struct {
	Code        string
	Kind        Kind
	Name        string // Chinese, shown first
	NameEN      string
	Description string   // Chinese
	Keywords    []string // Chinese, for search boxes
}

// categories is the fixed catalogue, in the report's order of the kinds:
// each kind's own category, then its subcategories, from kindTable. It is
// code, not configuration: every code is a durable contract with the
// clients that post it and with the cases that keep it.
var categories = catalogue(kindTable)

func catalogue(table []*kindSpec) []Category {
	var out []Category
	for _, s := range table {
		out = append(out, Category{Code: string(s.kind), Kind: s.kind, Name: s.nameZH, NameEN: s.nameEN,
			Description: s.description, Keywords: s.keywords})
		for _, c := range s.subcategories {
			c.Kind = s.kind
			out = append(out, c)
		}
	}
	return out
}

// Categories lists the catalogue: each kind, then its subcategories.
func Categories() []Category {
	out := make([]Category, len(categories))
	for i, c := range categories {
		c.Keywords = append([]string(nil), c.Keywords...)
		out[i] = c
	}
	return out
}

// CategoryByCode finds a category by its code.
func CategoryByCode(code string) (Category, bool) {
	for _, c := range categories {
		if c.Code == code {
			c.Keywords = append([]string(nil), c.Keywords...)
			return c, true
		}
	}
	return Category{}, false
}

// ValidCategory reports whether code is a category of kind k.
func ValidCategory(k Kind, code string) bool {
	c, ok := CategoryByCode(code)
	return ok && c.Kind == k
}

// CategoryCode is the code a case reports: the one it was opened with, or
// its kind's.
func (c *Case) CategoryCode() string {
	if c.Category != "" {
		return c.Category
	}
	return string(c.Kind)
}

// CategoryName is the Chinese name of the case's category, or its kind's
// when the code is not in the catalogue.
func (c *Case) CategoryName() string {
	if cat, ok := CategoryByCode(c.CategoryCode()); ok {
		return cat.Name
	}
	return c.Kind.NameZH()
}

// categorySep separates the kind from the subcategory in a code.
const categorySep = "."

// KindOfCategory is the kind part of a category code.
func KindOfCategory(code string) Kind {
	k, _, _ := strings.Cut(code, categorySep)
	return Kind(k)
}
