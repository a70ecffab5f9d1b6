package storage

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/qilian/qilian"
)

type resourceRow struct {
	ID        string `gorm:"primaryKey"`
	UnitID    string
	Name      string
	NameEN    string `gorm:"column:name_en"`
	Kind      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (resourceRow) TableName() string { return "resources" }

func resourceFromRow(r resourceRow) qilian.Resource {
	return qilian.Resource{ID: r.ID, UnitID: r.UnitID, Name: r.Name, NameEN: r.NameEN, Kind: r.Kind}
}

type reservationRow struct {
	CaseID     string `gorm:"primaryKey"`
	ResourceID string
	FromAt     time.Time
	ToAt       time.Time
	CreatedAt  time.Time
	ReleasedAt *time.Time
}

func (reservationRow) TableName() string { return "reservations" }

// UpsertResource inserts or updates a unit's resource.
func (db *DB) UpsertResource(ctx context.Context, r qilian.Resource) error {
	fields := map[string]string{}
	if !validID(r.ID) || r.ID == "" {
		fields["id"] = "required: letters, digits, '-' and '_'"
	}
	if r.Name == "" {
		fields["name"] = "required"
	}
	if _, err := db.Unit(ctx, r.UnitID); err != nil {
		fields["unit_id"] = "no such unit"
	}
	if len(fields) > 0 {
		return qilian.Invalid(fields)
	}
	now := time.Now().UTC()
	row := resourceRow{ID: r.ID, UnitID: r.UnitID, Name: r.Name, NameEN: r.NameEN, Kind: r.Kind, CreatedAt: now, UpdatedAt: now}
	return translate(db.gorm.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"unit_id", "name", "name_en", "kind", "updated_at"}),
	}).Create(&row).Error)
}

// Resource returns one resource.
func (db *DB) Resource(ctx context.Context, id string) (qilian.Resource, error) {
	var r resourceRow
	if err := db.gorm.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return qilian.Resource{}, translate(err)
	}
	return resourceFromRow(r), nil
}

// Resources lists resources, of one unit or (unitID "") all, by ID.
func (db *DB) Resources(ctx context.Context, unitID string) ([]qilian.Resource, error) {
	var rows []resourceRow
	q := db.gorm.WithContext(ctx).Order("id")
	if unitID != "" {
		q = q.Where("unit_id = ?", unitID)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]qilian.Resource, len(rows))
	for i, r := range rows {
		out[i] = resourceFromRow(r)
	}
	return out, nil
}

// Reserve holds [from, to) of a resource for a booking case. It refuses
// with ECONFLICT when another case holds an overlapping window, and it is
// the one place where bookings of different cases meet: the resource row
// is locked (PostgreSQL) or the write lock taken at BEGIN (SQLite), so two
// approvals at the same instant are decided one after the other. Reserving
// again for the same case is a no-op.
func (db *DB) Reserve(ctx context.Context, caseID, resourceID string, from, to time.Time) error {
	from, to = from.UTC().Truncate(time.Microsecond), to.UTC().Truncate(time.Microsecond)
	if !to.After(from) {
		return qilian.Invalid(map[string]string{"to": "must be after from"})
	}
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Model(&resourceRow{})
		if db.postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var res resourceRow
		if err := q.Take(&res, "id = ?", resourceID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return qilian.Errorf(qilian.EINVALID, "resource %s does not exist", resourceID)
			}
			return err
		}
		var n int64
		err := tx.Model(&reservationRow{}).
			Where("resource_id = ? AND released_at IS NULL AND case_id <> ? AND from_at < ? AND to_at > ?", resourceID, caseID, to, from).
			Count(&n).Error
		if err != nil {
			return err
		}
		if n > 0 {
			return qilian.Errorf(qilian.ECONFLICT, "the resource is already booked for an overlapping time")
		}
		row := reservationRow{CaseID: caseID, ResourceID: resourceID, FromAt: from, ToAt: to, CreatedAt: time.Now().UTC()}
		return tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "case_id"}},
			DoUpdates: clause.Assignments(map[string]any{"resource_id": resourceID, "from_at": from, "to_at": to, "released_at": nil}),
		}).Create(&row).Error
	})
	return translate(err)
}

// Release frees a booking case's window; releasing twice is harmless.
func (db *DB) Release(ctx context.Context, caseID string) error {
	return translate(db.gorm.WithContext(ctx).Model(&reservationRow{}).
		Where("case_id = ? AND released_at IS NULL", caseID).
		Update("released_at", time.Now().UTC()).Error)
}
