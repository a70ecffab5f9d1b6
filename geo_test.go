package qilian

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestAreaContains(t *testing.T) {
	square := Area{{0, 0}, {0, 10}, {10, 10}, {10, 0}}
	// An L shape: the notch at the top right is outside.
	ell := Area{{0, 0}, {0, 10}, {5, 10}, {5, 5}, {10, 5}, {10, 0}}
	for _, tc := range []struct {
		name string
		a    Area
		p    Point
		want bool
	}{
		{"inside", square, Point{5, 5}, true},
		{"outside", square, Point{11, 5}, false},
		{"on an edge", square, Point{0, 5}, true},
		{"on a corner", square, Point{10, 10}, true},
		{"in the L", ell, Point{2, 8}, true},
		{"in the notch", ell, Point{8, 8}, false},
		{"on the notch's edge", ell, Point{5, 8}, true},
		{"level with a vertex", ell, Point{5, 2}, true},
		{"NaN", square, Point{math.NaN(), 5}, false},
		{"too few corners", Area{{0, 0}, {1, 1}}, Point{0.5, 0.5}, false},
	} {
		if got := tc.a.Contains(tc.p); got != tc.want {
			t.Errorf("%s: Contains(%v) = %v, want %v", tc.name, tc.p, got, tc.want)
		}
	}
}

func TestAreaValid(t *testing.T) {
	if !(Area{{0, 0}, {0, 1}, {1, 0}}).Valid() {
		t.Error("a triangle is an area")
	}
	for _, a := range []Area{nil, {{0, 0}, {1, 1}}, {{0, 0}, {1, 1}, {2, 2}}, {{0, 0}, {0, 1}, {91, 0}}} {
		if a.Valid() {
			t.Errorf("%v is not an area", a)
		}
	}
	square := Area{{0, 0}, {0, 10}, {10, 10}, {10, 0}}
	many := make(Area, MaxCorners+1)
	for i := range many {
		angle := 2 * math.Pi * float64(i) / float64(len(many))
		many[i] = Point{Lat: math.Sin(angle), Lng: math.Cos(angle)}
	}
	for _, tc := range []struct {
		name string
		a    Area
		want string // in the problem; "" for none
	}{
		{"a square", square, ""},
		{"the L", Area{{0, 0}, {0, 10}, {5, 10}, {5, 5}, {10, 5}, {10, 0}}, ""},
		{"as many corners as allowed", many[:MaxCorners], ""},
		{"two corners", Area{{0, 0}, {1, 1}}, "at least three corners"},
		{"too many corners", many, "at most 2000 corners"},
		{"off Earth", Area{{0, 0}, {0, 1}, {91, 0}}, "corner 2 is not on Earth"},
		{"a bow tie", Area{{0, 0}, {10, 10}, {10, 0}, {0, 10}}, "crosses itself: the edges from corner 0 and from corner 2 meet"},
		{"an unequal bow tie, with a surface", Area{{0, 0}, {10, 10}, {10, 0}, {0, 20}}, "crosses itself"},
		{"a corner on another edge", Area{{0, 0}, {0, 10}, {10, 10}, {10, 0}, {5, 10}, {5, 5}}, "crosses itself"},
		{"a corner twice in a row", Area{{0, 0}, {0, 10}, {0, 10}, {10, 0}}, "corners 1 and 2 are the same point"},
		{"the last corner the first", Area{{0, 0}, {0, 10}, {10, 10}, {0, 0}}, "corners 3 and 0 are the same point"},
		{"a spike", Area{{0, 0}, {0, 10}, {0, 5}, {5, 5}}, "folds back on itself at corner 1"},
		{"a line", Area{{0, 0}, {1, 1}, {2, 2}}, "folds back"},
	} {
		got := tc.a.Problem()
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) || tc.a.Valid() != (got == "") {
			t.Errorf("%s: Problem() = %q, want %q", tc.name, got, tc.want)
		}
	}
	if !(Area{{0, 0}, {0, 1}, {1, 1}}).CounterClockwise() || (Area{{0, 0}, {1, 1}, {0, 1}}).CounterClockwise() {
		t.Error("east, then north is counterclockwise")
	}

	sw, ne := Area{{1, 5}, {3, 2}, {2, 9}}.Bounds()
	if sw != (Point{1, 2}) || ne != (Point{3, 9}) {
		t.Errorf("bounds %v %v", sw, ne)
	}
}

func TestCategories(t *testing.T) {
	seen := map[string]bool{}
	kinds := map[Kind]bool{}
	for _, c := range Categories() {
		if seen[c.Code] {
			t.Errorf("code %s twice", c.Code)
		}
		seen[c.Code] = true
		if !c.Kind.Valid() || KindOfCategory(c.Code) != c.Kind || c.Name == "" || len(c.Keywords) == 0 {
			t.Errorf("bad category %+v", c)
		}
		if c.Code == string(c.Kind) {
			kinds[c.Kind] = true
		}
	}
	for _, k := range Kinds() {
		if !kinds[k] {
			t.Errorf("kind %s is not a category of its own", k)
		}
	}
	if !ValidCategory(KindServiceLinkage, "service_linkage.repair") || ValidCategory(KindProblemSolving, "service_linkage.repair") || ValidCategory(KindServiceLinkage, "nope") {
		t.Error("ValidCategory")
	}
	c := Case{Kind: KindServiceLinkage}
	if c.CategoryCode() != "service_linkage" || c.CategoryName() != "服务联动" {
		t.Errorf("a case without a category: %s %s", c.CategoryCode(), c.CategoryName())
	}
	c.Category = "service_linkage.repair"
	if c.CategoryCode() != "service_linkage.repair" || c.CategoryName() != "维修服务" {
		t.Errorf("a case with one: %s %s", c.CategoryCode(), c.CategoryName())
	}
}

func TestOpenKeepsItsCategory(t *testing.T) {
	req := OpenRequest{ID: "c1", Kind: KindServiceLinkage, Category: "service_linkage.repair", Title: "灯坏了",
		Priority: PriorityNormal, LocalityID: "g1", LocalityPath: "/county/g1/", Details: Details{Service: &Service{}}}
	c, _, err := Open(req, Actor{UserID: "u", Role: RoleGridWorker}, time.Now(), Policy{})
	if err != nil || c.Category != "service_linkage.repair" {
		t.Fatalf("open: %v, category %q", err, c.Category)
	}
	req.Category = "problem_solving.parking"
	_, _, err = Open(req, Actor{UserID: "u", Role: RoleGridWorker}, time.Now(), Policy{})
	var e *Error
	if !errors.As(err, &e) || e.Fields["category"] == "" {
		t.Fatalf("another kind's category: %v", err)
	}
}
