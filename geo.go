package qilian

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Point is a place on the map, in WGS 84 degrees.
type Point struct {
	Lat float64
	Lng float64
}

// Valid reports whether p is a place on Earth.
func (p Point) Valid() bool {
	return !math.IsNaN(p.Lat) && !math.IsNaN(p.Lng) && p.Lat >= -90 && p.Lat <= 90 && p.Lng >= -180 && p.Lng <= 180
}

// Area is the outline of a locality, usually a grid: a simple polygon,
// its corners in order, the last joined back to the first. Grids are a few
// hundred metres across, so their edges are straight lines in degrees and
// no projection is needed.
type Area []Point

// MaxCorners is the most corners an area may have: plenty for a grid
// drawn from a survey, and few enough that checking every pair of edges
// for a crossing stays cheap.
const MaxCorners = 2000

// Valid reports whether a is a simple polygon (Problem says why not).
func (a Area) Valid() bool { return a.Problem() == "" }

// Problem says what keeps a from being a simple polygon, or "" when
// nothing does: at least three and at most MaxCorners corners, each a
// valid point and none the same as the next, edges that meet only where
// neighbours share a corner, and a surface. Corners count from 0; the
// edge from corner i runs to the next one.
func (a Area) Problem() string {
	n := len(a)
	switch {
	case n < 3:
		return fmt.Sprintf("at least three corners, not counting a closing one; got %d", n)
	case n > MaxCorners:
		return fmt.Sprintf("at most %d corners; got %d", MaxCorners, n)
	}
	for i, p := range a {
		if !p.Valid() {
			return fmt.Sprintf("corner %d is not on Earth: latitude from -90 to 90, longitude from -180 to 180", i)
		}
		if p == a[(i+1)%n] {
			return fmt.Sprintf("corners %d and %d are the same point", i, (i+1)%n)
		}
	}
	for i := range n {
		u, v, w := a[i], a[(i+1)%n], a[(i+2)%n]
		// Neighbouring edges share a corner; folding back along the first
		// would make them share more.
		if orient(u, v, w) == 0 && (v.Lng-u.Lng)*(w.Lng-v.Lng)+(v.Lat-u.Lat)*(w.Lat-v.Lat) < 0 {
			return fmt.Sprintf("the outline folds back on itself at corner %d", (i+1)%n)
		}
		for j := i + 2; j < n; j++ {
			if i == 0 && j == n-1 {
				continue // the last edge ends where the first begins
			}
			if segmentsMeet(u, v, a[j], a[(j+1)%n]) {
				return fmt.Sprintf("the outline crosses itself: the edges from corner %d and from corner %d meet", i, j)
			}
		}
	}
	if a.doubleArea() == 0 {
		return "the outline encloses no surface"
	}
	return ""
}

// CounterClockwise reports whether a's corners run counterclockwise, seen
// with north up: the order GeoJSON writes an outline in.
func (a Area) CounterClockwise() bool { return a.doubleArea() > 0 }

// orient is the side of the line from u to v that w lies on: positive to
// the left, negative to the right, zero on it.
func orient(u, v, w Point) float64 {
	return (v.Lng-u.Lng)*(w.Lat-u.Lat) - (v.Lat-u.Lat)*(w.Lng-u.Lng)
}

// segmentsMeet reports whether the segments pq and rs have a point in
// common, touching included.
func segmentsMeet(p, q, r, s Point) bool {
	d1, d2, d3, d4 := orient(r, s, p), orient(r, s, q), orient(p, q, r), orient(p, q, s)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	within := func(u, v, w Point) bool { // w, on the line uv, lies between u and v
		return w.Lng >= math.Min(u.Lng, v.Lng) && w.Lng <= math.Max(u.Lng, v.Lng) &&
			w.Lat >= math.Min(u.Lat, v.Lat) && w.Lat <= math.Max(u.Lat, v.Lat)
	}
	return (d1 == 0 && within(r, s, p)) || (d2 == 0 && within(r, s, q)) ||
		(d3 == 0 && within(p, q, r)) || (d4 == 0 && within(p, q, s))
}

// doubleArea is twice the signed surface (shoelace formula).
func (a Area) doubleArea() float64 {
	var s float64
	for i := range a {
		j := (i + 1) % len(a)
		s += a[i].Lng*a[j].Lat - a[j].Lng*a[i].Lat
	}
	return s
}

// Bounds is the smallest box around a: its south-west and north-east
// corners.
func (a Area) Bounds() (sw, ne Point) {
	if len(a) == 0 {
		return Point{}, Point{}
	}
	sw, ne = a[0], a[0]
	for _, p := range a[1:] {
		sw.Lat, sw.Lng = math.Min(sw.Lat, p.Lat), math.Min(sw.Lng, p.Lng)
		ne.Lat, ne.Lng = math.Max(ne.Lat, p.Lat), math.Max(ne.Lng, p.Lng)
	}
	return sw, ne
}

// Contains reports whether p lies inside a or on its edge. Adjacent grids
// share edges, so a point on a shared edge is inside both; callers that
// need one grid pick by a fixed order.
func (a Area) Contains(p Point) bool {
	if len(a) < 3 || !p.Valid() {
		return false
	}
	inside := false
	for i := range a {
		u, v := a[i], a[(i+1)%len(a)]
		if onSegment(u, v, p) {
			return true
		}
		// Ray casting towards +Lng: count the edges the ray crosses.
		if (u.Lat > p.Lat) != (v.Lat > p.Lat) {
			x := u.Lng + (p.Lat-u.Lat)*(v.Lng-u.Lng)/(v.Lat-u.Lat)
			if p.Lng < x {
				inside = !inside
			}
		}
	}
	return inside
}

// onSegment reports whether p lies on the segment from u to v.
func onSegment(u, v, p Point) bool {
	cross := (v.Lng-u.Lng)*(p.Lat-u.Lat) - (v.Lat-u.Lat)*(p.Lng-u.Lng)
	if math.Abs(cross) > 1e-12 {
		return false
	}
	return p.Lng >= math.Min(u.Lng, v.Lng) && p.Lng <= math.Max(u.Lng, v.Lng) &&
		p.Lat >= math.Min(u.Lat, v.Lat) && p.Lat <= math.Max(u.Lat, v.Lat)
}

// Outline is a locality with its area.
type Outline struct {
	Locality Locality
	Area     Area
}

// AreaService keeps the outlines of localities and finds the grid a point
// lies in.
type AreaService interface {
	SetArea(ctx context.Context, localityID string, a Area) error
	// Areas lists the outlines of the localities in the subtree at
	// scopePath that have one, parents first.
	Areas(ctx context.Context, scopePath string) ([]Outline, error)
	// GridAt returns the grid inside the subtree at scopePath whose area
	// contains p, and ErrNotFound when there is none.
	GridAt(ctx context.Context, scopePath string, p Point) (Locality, error)
}

// earthRadius is the mean radius of the Earth, in metres.
const earthRadius = 6371008.8

// Distance is how far apart a and b are along the Earth's surface, in
// metres (haversine; exact enough at the scale of a street).
func Distance(a, b Point) float64 {
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	dLat, dLng := rad(b.Lat-a.Lat), rad(b.Lng-a.Lng)
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(rad(a.Lat))*math.Cos(rad(b.Lat))*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

// DuplicateRule says which cases may be the same matter as a new one: of
// the same kind and category, within Radius metres and opened within
// Window before it.
type DuplicateRule struct {
	Radius float64
	Window time.Duration
}

// DefaultDuplicateRule is 50 metres and 30 days.
var DefaultDuplicateRule = DuplicateRule{Radius: 50, Window: 30 * 24 * time.Hour}

// Nearby is a case that may be the same matter, and how far it is.
type Nearby struct {
	CaseSummary
	Distance float64 // metres
}

// NearbyQuery asks for the cases that may duplicate one at At.
type NearbyQuery struct {
	ScopePath string // the caller's subtree
	Kind      Kind
	Category  string // "" for any
	At        Point
	Radius    float64   // metres
	Since     time.Time // opened at or after
	Exclude   string    // a case ID to leave out (the new case itself)
	Limit     int
}
