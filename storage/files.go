package storage

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/qilian/qilian/files"
)

type fileRow struct {
	ID          string `gorm:"primaryKey"`
	UploadedBy  string
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

// RecordFile notes a kept file and who sent it. The same file sent again
// keeps its first record: its sender is whoever sent it first.
func (db *DB) RecordFile(ctx context.Context, r files.Record) error {
	row := fileRow{ID: r.ID, UploadedBy: r.UploadedBy, ContentType: r.ContentType, Size: r.Size, HasThumb: r.HasThumb, CreatedAt: dbTime(r.CreatedAt)}
	return translate(db.gorm.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error)
}

// File returns a kept file's record, qilian.ErrNotFound for one unknown.
func (db *DB) File(ctx context.Context, id string) (files.Record, error) {
	var r fileRow
	if err := db.gorm.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return files.Record{}, translate(err)
	}
	return files.Record{ID: r.ID, UploadedBy: r.UploadedBy, ContentType: r.ContentType, Size: r.Size, HasThumb: r.HasThumb, CreatedAt: r.CreatedAt.UTC()}, nil
}

// FileCases lists the cases that name the file among their attachments.
func (db *DB) FileCases(ctx context.Context, id string) ([]string, error) {
	var ids []string
	err := db.gorm.WithContext(ctx).Table("case_files").Where("file_id = ?", id).Order("case_id").Pluck("case_id", &ids).Error
	return ids, translate(err)
}
