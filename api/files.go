package api

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/files"
)

// Files keeps the records of attached files (the bytes are in the file
// store, Server.Files).
type Files interface {
	RecordFile(ctx context.Context, r files.Record) error
	// File is the record as sender sent it, or as its first sender did.
	File(ctx context.Context, id, sender string) (files.Record, error)
	FileCases(ctx context.Context, id string) ([]string, error)
}

type fileView struct {
	ID           string `json:"id" required:"true"`
	URL          string `json:"url" required:"true" doc:"name it among a case's attachments"`
	ThumbnailURL string `json:"thumbnail_url,omitempty" doc:"photos: 320 pixels on the longer side"`
	ContentType  string `json:"content_type" required:"true"`
	Size         int64  `json:"size" required:"true" doc:"bytes as kept (a photo is encoded again, without its metadata)"`
}

func viewFile(r files.Record) fileView {
	v := fileView{ID: r.ID, URL: files.URLPrefix + r.ID, ContentType: r.ContentType, Size: r.Size}
	if r.HasThumb {
		v.ThumbnailURL = v.URL + "/thumbnail"
	}
	return v
}

// uploadFile keeps one file sent as the "file" part of a multipart form
// (what a browser's FormData sends): checked by its content, a photo
// stripped of its metadata, named by its hash.
func (h *handler) uploadFile(c *gin.Context) {
	ctx, a := c.Request.Context(), actorOf(c)
	if h.FileStore == nil {
		h.fail(c, qilian.Errorf(qilian.ENOTFOUND, "files are not kept here"))
		return
	}
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "multipart/form-data" {
		h.fail(c, qilian.Errorf(qilian.EUNSUPPORTED, "a file is sent as multipart/form-data, in a part named file"))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, files.MaxSize+1<<20)
	part, _, err := c.Request.FormFile("file")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		h.fail(c, qilian.Errorf(qilian.ETOOLARGE, "a file is at most %d MiB", files.MaxSize>>20))
		return
	case err != nil:
		h.fail(c, qilian.Invalid(map[string]string{"file": "required: a multipart/form-data part named file"}))
		return
	}
	defer func() { _ = part.Close() }()
	raw, err := io.ReadAll(io.LimitReader(part, files.MaxSize+1))
	if err != nil {
		h.fail(c, qilian.Invalid(map[string]string{"file": "could not be read"}))
		return
	}
	p, err := files.Prepare(raw)
	if err != nil {
		h.fail(c, err)
		return
	}
	if err := h.FileStore.Put(ctx, p.ID, p.Data); err != nil {
		h.fail(c, err)
		return
	}
	if p.Thumb != nil {
		if err := h.FileStore.Put(ctx, files.ThumbName(p.ID), p.Thumb); err != nil {
			h.fail(c, err)
			return
		}
	}
	rec := files.Record{ID: p.ID, UploadedBy: a.UserID, ContentType: p.ContentType, Size: int64(len(p.Data)), HasThumb: p.Thumb != nil, CreatedAt: h.Now()}
	if err := h.Files.RecordFile(ctx, rec); err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Location", files.URLPrefix+p.ID)
	respond(c, http.StatusCreated, viewFile(rec))
}

// readableFile returns the file's record if the caller may read it: they
// sent it, or they see a case that names it. Otherwise it is not found.
func (h *handler) readableFile(ctx context.Context, id string, a qilian.Actor) (files.Record, error) {
	missing := qilian.Errorf(qilian.ENOTFOUND, "file %s not found", id)
	if h.FileStore == nil || !files.ValidID(id) {
		return files.Record{}, missing
	}
	rec, err := h.Files.File(ctx, id, a.UserID)
	switch {
	case errors.Is(err, qilian.ErrNotFound):
		return files.Record{}, missing
	case err != nil:
		return files.Record{}, err
	case rec.UploadedBy == a.UserID:
		return rec, nil
	}
	cases, err := h.Files.FileCases(ctx, id)
	if err != nil {
		return files.Record{}, err
	}
	for _, caseID := range cases {
		if _, err := h.visibleCase(ctx, caseID, a); err == nil {
			return rec, nil
		} else if !errors.Is(err, qilian.ErrNotFound) {
			return files.Record{}, err
		}
	}
	return files.Record{}, missing
}

// getFile serves a file, or its thumbnail, to those who may read it.
func (h *handler) getFile(thumb bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, a := c.Request.Context(), actorOf(c)
		rec, err := h.readableFile(ctx, c.Param("id"), a)
		if err != nil {
			h.fail(c, err)
			return
		}
		name, ct := rec.ID, rec.ContentType
		if thumb {
			if !rec.HasThumb {
				h.fail(c, qilian.Errorf(qilian.ENOTFOUND, "file %s has no thumbnail", rec.ID))
				return
			}
			name, ct = files.ThumbName(rec.ID), "image/jpeg"
		}
		b, err := h.FileStore.Get(ctx, name)
		if err != nil {
			h.fail(c, err)
			return
		}
		hd := c.Writer.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Cache-Control", "private, max-age=86400, immutable") // named by its content
		hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
		if ct == "application/pdf" {
			hd.Set("Content-Disposition", `attachment; filename="`+rec.ID[:12]+`.pdf"`)
		}
		c.Data(http.StatusOK, ct, b)
	}
}

// checkAttachments refuses a kept file the caller did not send: naming a
// file in a case would otherwise give its readers a file they never had.
func (h *handler) checkAttachments(ctx context.Context, attachments []string, a qilian.Actor, f fieldCheck) error {
	for i, att := range attachments {
		id, ok := files.IDOf(att)
		if !ok {
			continue
		}
		rec, err := h.Files.File(ctx, id, a.UserID) // the caller's own record, if they sent it
		switch {
		case errors.Is(err, qilian.ErrNotFound) || (err == nil && rec.UploadedBy != a.UserID):
			f[attachmentField(i)] = "no file " + id + " sent by you"
		case err != nil:
			return err
		}
	}
	return nil
}
