package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/qilian/qilian"
)

type areaRow struct {
	LocalityID string `gorm:"primaryKey"`
	Corners    string
	MinLat     float64
	MaxLat     float64
	MinLng     float64
	MaxLng     float64
	UpdatedAt  time.Time `gorm:"autoUpdateTime:false"`
}

func (areaRow) TableName() string { return "locality_areas" }

// SetArea sets (or replaces) the outline of a locality.
func (db *DB) SetArea(ctx context.Context, localityID string, a qilian.Area) error {
	fields := map[string]string{}
	if !validID(localityID) {
		fields["locality_id"] = "not a locality ID"
	}
	if problem := a.Problem(); problem != "" {
		fields["area"] = problem
	}
	if len(fields) > 0 {
		return qilian.Invalid(fields)
	}
	if _, err := db.Locality(ctx, localityID); err != nil {
		return err
	}
	corners := make([][2]float64, len(a))
	for i, p := range a {
		corners[i] = [2]float64{p.Lat, p.Lng}
	}
	js, err := json.Marshal(corners)
	if err != nil {
		return fmt.Errorf("encode area of %s: %w", localityID, err)
	}
	sw, ne := a.Bounds()
	r := areaRow{LocalityID: localityID, Corners: string(js), MinLat: sw.Lat, MaxLat: ne.Lat, MinLng: sw.Lng, MaxLng: ne.Lng, UpdatedAt: dbTime(time.Now())}
	err = db.gorm.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "locality_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"corners", "min_lat", "max_lat", "min_lng", "max_lng", "updated_at"}),
	}).Create(&r).Error
	return translate(err)
}

// Area returns the outline of a locality.
func (db *DB) Area(ctx context.Context, localityID string) (qilian.Area, error) {
	var r areaRow
	if err := db.gorm.WithContext(ctx).Take(&r, "locality_id = ?", localityID).Error; err != nil {
		return nil, translate(err)
	}
	return decodeArea(r)
}

func decodeArea(r areaRow) (qilian.Area, error) {
	var corners [][2]float64
	if err := json.Unmarshal([]byte(r.Corners), &corners); err != nil {
		return nil, fmt.Errorf("decode area of %s: %w", r.LocalityID, err)
	}
	a := make(qilian.Area, len(corners))
	for i, c := range corners {
		a[i] = qilian.Point{Lat: c[0], Lng: c[1]}
	}
	return a, nil
}

// outlineRow is a locality joined with its area.
type outlineRow struct {
	ID       string
	ParentID *string
	Level    string
	Name     string
	NameEN   string `gorm:"column:name_en"`
	Path     string
	Corners  string
}

// Areas returns the outlines of the localities in the subtree at
// scopePath that have one, parents first (by path).
func (db *DB) Areas(ctx context.Context, scopePath string) ([]qilian.Outline, error) {
	if !validScope(scopePath) {
		return nil, qilian.Invalid(map[string]string{"scope": "required: a locality path"})
	}
	var rows []outlineRow
	q := db.gorm.WithContext(ctx).Table("localities AS l").
		Select("l.id, l.parent_id, l.level, l.name, l.name_en, l.path, a.corners").
		Joins("JOIN locality_areas a ON a.locality_id = l.id")
	if err := db.scopeRange(q, "l.path", scopePath).Order("l.path").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]qilian.Outline, len(rows))
	for i, r := range rows {
		a, err := decodeArea(areaRow{LocalityID: r.ID, Corners: r.Corners})
		if err != nil {
			return nil, err
		}
		l := localityRow{ID: r.ID, ParentID: r.ParentID, Level: r.Level, Name: r.Name, NameEN: r.NameEN, Path: r.Path}
		out[i] = qilian.Outline{Locality: localityFromRow(l), Area: a}
	}
	return out, nil
}

// GridAt returns the grid inside the subtree at scopePath whose area holds
// p. Grids that share an edge both hold a point on it; the one first by
// path wins, so the answer never depends on the database's row order.
func (db *DB) GridAt(ctx context.Context, scopePath string, p qilian.Point) (qilian.Locality, error) {
	if !validScope(scopePath) || !p.Valid() {
		return qilian.Locality{}, qilian.ErrNotFound
	}
	var rows []areaRow
	q := db.gorm.WithContext(ctx).Table("locality_areas AS a").
		Select("a.locality_id, a.corners, a.min_lat, a.max_lat, a.min_lng, a.max_lng, a.updated_at").
		Joins("JOIN localities l ON l.id = a.locality_id").
		Where("l.level = ?", string(qilian.LevelGrid)).
		Where("a.min_lat <= ? AND a.max_lat >= ? AND a.min_lng <= ? AND a.max_lng >= ?", p.Lat, p.Lat, p.Lng, p.Lng)
	err := db.scopeRange(q, "l.path", scopePath).Order("l.path").Find(&rows).Error
	if err != nil {
		return qilian.Locality{}, translate(err)
	}
	for _, r := range rows {
		a, err := decodeArea(r)
		if err != nil {
			return qilian.Locality{}, err
		}
		if a.Contains(p) {
			return db.Locality(ctx, r.LocalityID)
		}
	}
	return qilian.Locality{}, qilian.ErrNotFound
}
