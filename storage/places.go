package storage

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/qilian/qilian"
)

type localityRow struct {
	ID        string  `gorm:"primaryKey"`
	ParentID  *string `gorm:"column:parent_id"`
	Level     string
	Name      string
	NameEN    string `gorm:"column:name_en"`
	Path      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (localityRow) TableName() string { return "localities" }

func localityFromRow(r localityRow) qilian.Locality {
	return qilian.Locality{ID: r.ID, ParentID: deref(r.ParentID), Level: qilian.Level(r.Level), Name: r.Name, NameEN: r.NameEN, Path: r.Path}
}

type unitRow struct {
	ID         string `gorm:"primaryKey"`
	Name       string
	NameEN     string `gorm:"column:name_en"`
	Type       string
	LocalityID string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (unitRow) TableName() string { return "units" }

func unitFromRow(r unitRow) qilian.Unit {
	return qilian.Unit{ID: r.ID, Name: r.Name, NameEN: r.NameEN, Type: qilian.UnitType(r.Type), LocalityID: r.LocalityID}
}

// Locality returns one locality.
func (db *DB) Locality(ctx context.Context, id string) (qilian.Locality, error) {
	var r localityRow
	if err := db.gorm.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return qilian.Locality{}, translate(err)
	}
	return localityFromRow(r), nil
}

// Localities returns the subtree under the locality with path root
// (everything when root is ""), ordered by path so parents come first.
func (db *DB) Localities(ctx context.Context, root string) ([]qilian.Locality, error) {
	var rows []localityRow
	q := db.gorm.WithContext(ctx).Order("path")
	if root != "" {
		q = db.scopeRange(q, "path", root)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]qilian.Locality, len(rows))
	for i, r := range rows {
		out[i] = localityFromRow(r)
	}
	return out, nil
}

// UpsertLocality inserts or updates a locality, computing its path from its
// parent and checking the level may hang there. The tree's shape is fixed
// once written: moving a node to another parent is refused, as it would
// silently move every case below it into another scope.
func (db *DB) UpsertLocality(ctx context.Context, l qilian.Locality) (qilian.Locality, error) {
	fields := map[string]string{}
	if l.ID == "" || !validID(l.ID) {
		fields["id"] = "required: letters, digits, '-' and '_'"
	}
	if !l.Level.Valid() {
		fields["level"] = "unknown level"
	}
	if l.Name == "" {
		fields["name"] = "required"
	}
	if len(fields) > 0 {
		return qilian.Locality{}, qilian.Invalid(fields)
	}
	parentPath := ""
	if l.ParentID == "" {
		if l.Level != qilian.LevelCounty {
			return qilian.Locality{}, qilian.Invalid(map[string]string{"parent_id": "required below the county level"})
		}
	} else {
		parent, err := db.Locality(ctx, l.ParentID)
		if err != nil {
			return qilian.Locality{}, qilian.Invalid(map[string]string{"parent_id": "no such locality"})
		}
		if !l.Level.CanHangUnder(parent.Level) {
			return qilian.Locality{}, qilian.Invalid(map[string]string{"level": string(l.Level) + " cannot hang under " + string(parent.Level)})
		}
		parentPath = parent.Path
	}
	l.Path = qilian.ChildPath(parentPath, l.ID)
	if old, err := db.Locality(ctx, l.ID); err == nil && old.Path != l.Path {
		return qilian.Locality{}, qilian.Errorf(qilian.ECONFLICT, "locality %s already hangs elsewhere in the tree", l.ID)
	}
	now := time.Now().UTC()
	r := localityRow{ID: l.ID, ParentID: ptr(l.ParentID), Level: string(l.Level), Name: l.Name, NameEN: l.NameEN, Path: l.Path, CreatedAt: now, UpdatedAt: now}
	err := db.gorm.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"level", "name", "name_en", "updated_at"}),
	}).Create(&r).Error
	return l, translate(err)
}

// Unit returns one unit.
func (db *DB) Unit(ctx context.Context, id string) (qilian.Unit, error) {
	var r unitRow
	if err := db.gorm.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return qilian.Unit{}, translate(err)
	}
	return unitFromRow(r), nil
}

// Units returns the units sitting inside the subtree at root ("" for all).
func (db *DB) Units(ctx context.Context, root string) ([]qilian.Unit, error) {
	var rows []unitRow
	q := db.gorm.WithContext(ctx).Order("units.id")
	if root != "" {
		q = db.scopeRange(q.Joins("JOIN localities ON localities.id = units.locality_id"), "localities.path", root)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]qilian.Unit, len(rows))
	for i, r := range rows {
		out[i] = unitFromRow(r)
	}
	return out, nil
}

// UpsertUnit inserts or updates a unit.
func (db *DB) UpsertUnit(ctx context.Context, u qilian.Unit) error {
	fields := map[string]string{}
	if u.ID == "" || !validID(u.ID) {
		fields["id"] = "required: letters, digits, '-' and '_'"
	}
	if u.Name == "" {
		fields["name"] = "required"
	}
	if !u.Type.Valid() {
		fields["type"] = "unknown unit type"
	}
	if _, err := db.Locality(ctx, u.LocalityID); err != nil {
		fields["locality_id"] = "no such locality"
	}
	if len(fields) > 0 {
		return qilian.Invalid(fields)
	}
	now := time.Now().UTC()
	r := unitRow{ID: u.ID, Name: u.Name, NameEN: u.NameEN, Type: string(u.Type), LocalityID: u.LocalityID, CreatedAt: now, UpdatedAt: now}
	return translate(db.gorm.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "name_en", "type", "locality_id", "updated_at"}),
	}).Create(&r).Error)
}

func validID(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, c := range s {
		ok := c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !ok {
			return false
		}
	}
	return true
}

// likePrefix escapes s for a LIKE prefix match ('%', '_' and '\\' are
// LIKE's own). Only text search uses LIKE; subtrees are byte ranges
// (scopeRange), since LIKE ignores case on SQLite.
func likePrefix(path string) string {
	r := []rune{}
	for _, c := range path {
		if c == '%' || c == '_' || c == '\\' {
			r = append(r, '\\')
		}
		r = append(r, c)
	}
	return string(r) + "%"
}

func ptr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
