// Package files keeps what people attach to cases: photos of a problem
// and of the work done, and documents. A file is checked by its content,
// never by its name or the type its sender claims; a photo is decoded and
// encoded again, which drops its metadata (EXIF, with the place it was
// taken), and gets a thumbnail; a file is named by the SHA-256 of what is
// kept, so the same photo sent twice is kept once. Where the bytes live is
// a Store: a directory by default, anything with the same two methods (an
// S3-compatible bucket) in production.
package files

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // decodes WebP, which phones send

	"github.com/qilian/qilian"
)

// Limits of what is kept.
const (
	MaxSize   = 10 << 20   // bytes a file may have as sent
	MaxPixels = 50_000_000 // a photo's width × height, checked before decoding
	ThumbSide = 320        // a thumbnail's longer side, in pixels
)

// Types are the content types kept, as http.DetectContentType names them.
var Types = []string{"image/jpeg", "image/png", "image/webp", "application/pdf"}

// Prepared is a file ready to keep: its name, type and bytes, and for a
// photo its thumbnail (JPEG).
type Prepared struct {
	ID          string
	ContentType string
	Data        []byte
	Thumb       []byte
}

// Prepare checks raw by its content and makes what is kept of it. Bad
// input is an EINVALID naming what is wrong.
func Prepare(raw []byte) (Prepared, error) {
	if len(raw) == 0 {
		return Prepared{}, qilian.Invalid(map[string]string{"file": "required: the file's bytes"})
	}
	if len(raw) > MaxSize {
		return Prepared{}, qilian.Errorf(qilian.ETOOLARGE, "a file is at most %d MiB", MaxSize>>20)
	}
	ct := http.DetectContentType(raw)
	p := Prepared{ContentType: ct}
	switch ct {
	case "application/pdf":
		p.Data = raw
	case "image/jpeg", "image/png", "image/webp":
		cfg, _, err := image.DecodeConfig(bytes.NewReader(raw))
		if err != nil {
			return Prepared{}, qilian.Invalid(map[string]string{"file": "not a readable image"})
		}
		if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxPixels {
			return Prepared{}, qilian.Invalid(map[string]string{"file": fmt.Sprintf("an image of at most %d megapixels", MaxPixels/1_000_000)})
		}
		img, _, err := image.Decode(bytes.NewReader(raw))
		if err != nil {
			return Prepared{}, qilian.Invalid(map[string]string{"file": "not a readable image"})
		}
		// Encoded again: nothing of the original's metadata survives.
		var buf bytes.Buffer
		if ct == "image/png" {
			err = png.Encode(&buf, img)
		} else {
			p.ContentType = "image/jpeg"
			err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
		}
		if err != nil {
			return Prepared{}, fmt.Errorf("encode image: %w", err)
		}
		p.Data = buf.Bytes()
		if p.Thumb, err = thumbnail(img); err != nil {
			return Prepared{}, err
		}
	default:
		return Prepared{}, qilian.Errorf(qilian.EUNSUPPORTED, "a %s file is not kept: send a JPEG, PNG or WebP photo or a PDF", ct)
	}
	sum := sha256.Sum256(p.Data)
	p.ID = hex.EncodeToString(sum[:])
	return p, nil
}

// thumbnail scales img so that its longer side is ThumbSide at most.
func thumbnail(img image.Image) ([]byte, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > ThumbSide || h > ThumbSide {
		if w >= h {
			w, h = ThumbSide, max(1, h*ThumbSide/b.Dx())
		} else {
			w, h = max(1, w*ThumbSide/b.Dy()), ThumbSide
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80}); err != nil {
		return nil, fmt.Errorf("encode thumbnail: %w", err)
	}
	return buf.Bytes(), nil
}

// idShape is a file's name: a SHA-256 in hex.
var idShape = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidID reports whether id can name a file.
func ValidID(id string) bool { return idShape.MatchString(id) }

// Store keeps files' bytes under their names.
type Store interface {
	Put(ctx context.Context, name string, data []byte) error
	// Get returns qilian.ErrNotFound for a name it does not keep.
	Get(ctx context.Context, name string) ([]byte, error)
}

// Dir is a Store in a local directory, two hex digits of fan-out deep.
type Dir string

func (d Dir) path(name string) (string, error) {
	if len(name) < 3 || filepath.Base(name) != name {
		return "", qilian.Errorf(qilian.EINVALID, "bad file name %q", name)
	}
	return filepath.Join(string(d), name[:2], name), nil
}

// Put writes data under name, through a temporary file renamed into
// place, so a reader never sees half a file.
func (d Dir) Put(_ context.Context, name string, data []byte) error {
	p, err := d.path(name)
	if err != nil {
		return err
	}
	if _, err := os.Stat(p); err == nil {
		return nil // content-addressed: the same name is the same bytes
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".part-*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// Get reads the file of name.
func (d Dir) Get(_ context.Context, name string) ([]byte, error) {
	p, err := d.path(name)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, qilian.ErrNotFound
	}
	return b, err
}

// ThumbName is the name a file's thumbnail is kept under.
func ThumbName(id string) string { return id + "-thumb" }

// URLPrefix is where the API serves a file; a case names a kept file
// among its attachments by this path and the file's ID.
const URLPrefix = "/api/v1/files/"

// IDOf returns the kept file an attachment names, and false for any other
// attachment (an http or https URL elsewhere).
func IDOf(attachment string) (string, bool) {
	id, ok := strings.CutPrefix(attachment, URLPrefix)
	return id, ok && ValidID(id)
}

// Record is what the read model keeps of a file: who sent it and what it
// is.
type Record struct {
	ID          string
	UploadedBy  string
	ContentType string
	Size        int64
	HasThumb    bool
	CreatedAt   time.Time
}
