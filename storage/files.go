package storage

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/files"
)

type fileRow struct {
	ID          string `gorm:"primaryKey"`
	UploadedBy  string `gorm:"primaryKey"`
	ContentType string
	Size        int64
	HasThumb    bool
	CreatedAt   time.Time
}

func (fileRow) TableName() string { return "files" }

// caseFileRow is one kept file a case names among its attachments.
type caseFileRow struct {
	CaseID string `gorm:"primaryKey"`
	FileID string `gorm:"primaryKey"`
}

func (caseFileRow) TableName() string { return "case_files" }

// RecordFile notes a kept file and who sent it; the same file sent by
// another is noted for them too.
func (db *DB) RecordFile(ctx context.Context, r files.Record) error {
	row := fileRow{ID: r.ID, UploadedBy: r.UploadedBy, ContentType: r.ContentType, Size: r.Size, HasThumb: r.HasThumb, CreatedAt: dbTime(r.CreatedAt)}
	return translate(db.gorm.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error)
}

// File returns a kept file's record as sender sent it, or as its first
// sender did when sender did not; qilian.ErrNotFound for one unknown.
func (db *DB) File(ctx context.Context, id, sender string) (files.Record, error) {
	var rows []fileRow
	if err := db.gorm.WithContext(ctx).Where("id = ?", id).Order("created_at, uploaded_by").Find(&rows).Error; err != nil {
		return files.Record{}, translate(err)
	}
	if len(rows) == 0 {
		return files.Record{}, qilian.ErrNotFound
	}
	r := rows[0]
	for _, x := range rows {
		if x.UploadedBy == sender {
			r = x
		}
	}
	return files.Record{ID: r.ID, UploadedBy: r.UploadedBy, ContentType: r.ContentType, Size: r.Size, HasThumb: r.HasThumb, CreatedAt: r.CreatedAt.UTC()}, nil
}

// FileCases lists the cases that name the file among their attachments.
func (db *DB) FileCases(ctx context.Context, id string) ([]string, error) {
	var ids []string
	err := db.gorm.WithContext(ctx).Table("case_files").Where("file_id = ?", id).Order("case_id").Pluck("case_id", &ids).Error
	return ids, translate(err)
}
