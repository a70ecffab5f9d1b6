package files_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/files"
)

func photo(t *testing.T, w, h int) image.Image {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	return img
}

// withEXIF puts an APP1 segment that says where the photo was taken right
// after the JPEG's start marker, as a phone's camera does.
func withEXIF(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, img, nil))
	b := buf.Bytes()
	payload := append([]byte("Exif\x00\x00"), []byte("GPSLatitude=30.7521;GPSLongitude=120.7623")...)
	seg := append([]byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

func TestAPhotoLosesItsPlaceAndGetsAThumbnail(t *testing.T) {
	raw := withEXIF(t, photo(t, 800, 600))
	require.Contains(t, string(raw), "GPSLatitude")
	p, err := files.Prepare(raw)
	require.NoError(t, err)
	require.Equal(t, "image/jpeg", p.ContentType)
	require.NotContains(t, string(p.Data), "GPSLatitude", "the place the photo was taken is gone")
	require.True(t, files.ValidID(p.ID))
	thumb, err := jpeg.DecodeConfig(bytes.NewReader(p.Thumb))
	require.NoError(t, err)
	require.Equal(t, [2]int{files.ThumbSide, 240}, [2]int{thumb.Width, thumb.Height})

	again, err := files.Prepare(raw)
	require.NoError(t, err)
	require.Equal(t, p.ID, again.ID, "the same photo is the same file")

	var pngBuf bytes.Buffer
	require.NoError(t, png.Encode(&pngBuf, photo(t, 20, 40)))
	q, err := files.Prepare(pngBuf.Bytes())
	require.NoError(t, err)
	require.Equal(t, "image/png", q.ContentType)
	small, err := jpeg.DecodeConfig(bytes.NewReader(q.Thumb))
	require.NoError(t, err)
	require.Equal(t, [2]int{20, 40}, [2]int{small.Width, small.Height}, "a small photo is not enlarged")
}

func TestWhatIsNotAPhotoOrAPDFIsRefused(t *testing.T) {
	pdf, err := files.Prepare([]byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"))
	require.NoError(t, err)
	require.Equal(t, "application/pdf", pdf.ContentType)
	require.Empty(t, pdf.Thumb)

	for name, tc := range map[string]struct {
		raw  []byte
		code string
	}{
		"empty":             {nil, qilian.EINVALID},
		"text":              {[]byte("<html><script>alert(1)</script></html>"), qilian.EUNSUPPORTED},
		"a broken JPEG":     {[]byte("\xFF\xD8\xFF\xE0 not really"), qilian.EINVALID},
		"over the size cap": {bytes.Repeat([]byte{0}, files.MaxSize+1), qilian.ETOOLARGE},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := files.Prepare(tc.raw)
			require.Equal(t, tc.code, qilian.ErrorCode(err), "%v", err)
		})
	}
}

func TestDirKeepsFilesUnderTheirNames(t *testing.T) {
	ctx := context.Background()
	d := files.Dir(t.TempDir())
	name := "ab" + string(bytes.Repeat([]byte("c"), 62))
	_, err := d.Get(ctx, name)
	require.ErrorIs(t, err, qilian.ErrNotFound)
	require.NoError(t, d.Put(ctx, name, []byte("one")))
	require.NoError(t, d.Put(ctx, name, []byte("one")), "putting the same file again is a no-op")
	got, err := d.Get(ctx, name)
	require.NoError(t, err)
	require.Equal(t, []byte("one"), got)
	require.Error(t, d.Put(ctx, "../escape", []byte("x")))
}
