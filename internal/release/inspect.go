package release

import (
	"archive/zip"
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// Bounds of a package inspection. A real wgt has hundreds of entries and an
// apk a few thousand; the central directory is walked and counted before
// archive/zip allocates anything per entry.
const (
	maxZipEntries   = 20_000
	maxZipDirectory = 8 << 20 // bytes of central directory records
	maxManifest     = 1 << 20 // manifest.json or AndroidManifest.xml, uncompressed
)

// Inspection is what reading an uploaded file found: its kind and, for a
// wgt (manifest.json version.name/code) or an apk (AndroidManifest.xml
// versionName/versionCode), the version it declares ("" and 0 when it
// declares none or it could not be read).
type Inspection struct {
	Kind        FileKind
	Version     string
	VersionCode int64
}

// inspectZip reads a file's structure within fixed memory bounds. A file
// that is not a zip is KindBinary; a zip whose central directory is over
// the bounds is Invalid, naming them.
func inspectZip(r io.ReaderAt, size int64) (Inspection, error) {
	dirStart, ok := centralDirectory(r, size)
	if !ok {
		return Inspection{Kind: KindBinary}, nil
	}
	if err := boundDirectory(r, size, dirStart); err != nil {
		return Inspection{}, err
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return Inspection{Kind: KindBinary}, nil
	}
	var manifest, android *zip.File
	for _, e := range zr.File {
		switch e.Name {
		case "AndroidManifest.xml":
			android = e
		case "manifest.json":
			manifest = e
		}
	}
	in := Inspection{Kind: KindZip}
	if android != nil {
		in.Kind = KindAPK
		if b := readEntry(android); b != nil {
			in.Version, in.VersionCode = apkVersion(b)
		}
	} else if manifest != nil {
		if b := readEntry(manifest); b != nil {
			in.Version, in.VersionCode = wgtVersion(b)
		}
	}
	return in, nil
}

// readEntry returns an entry's content, nil when it is larger than
// maxManifest or unreadable.
func readEntry(f *zip.File) []byte {
	if f.UncompressedSize64 > maxManifest {
		return nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxManifest+1))
	if err != nil || len(b) > maxManifest {
		return nil
	}
	return b
}

// wgtVersion reads version.name and version.code (a string or a number)
// from a uni-app manifest.json.
func wgtVersion(b []byte) (string, int64) {
	var m struct {
		Version struct {
			Name string          `json:"name"`
			Code json.RawMessage `json:"code"`
		} `json:"version"`
	}
	if json.Unmarshal(b, &m) != nil {
		return "", 0
	}
	code := strings.Trim(string(m.Version.Code), `"`)
	n, err := strconv.ParseInt(strings.TrimSpace(code), 10, 64)
	if err != nil || n < 0 {
		n = 0
	}
	return strings.TrimSpace(m.Version.Name), n
}

// centralDirectory finds where archive/zip will start reading directory
// records, following its rules (end record in the last 64 KiB, zip64
// locator, base offset of prepended data). ok is false when the file is
// not a zip.
func centralDirectory(r io.ReaderAt, size int64) (int64, bool) {
	const endLen = 22
	n := min(size, 65*1024)
	if n < endLen {
		return 0, false
	}
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, size-n); err != nil && !errors.Is(err, io.EOF) {
		return 0, false
	}
	p := -1
	for i := len(buf) - endLen; i >= 0; i-- {
		if buf[i] == 'P' && buf[i+1] == 'K' && buf[i+2] == 5 && buf[i+3] == 6 {
			if int(binary.LittleEndian.Uint16(buf[i+20:]))+endLen+i <= len(buf) {
				p = i
			}
			break
		}
	}
	if p < 0 {
		return 0, false
	}
	end := size - n + int64(p)
	records := uint64(binary.LittleEndian.Uint16(buf[p+10:]))
	dirSize := uint64(binary.LittleEndian.Uint32(buf[p+12:]))
	dirOff := uint64(binary.LittleEndian.Uint32(buf[p+16:]))
	if records == 0xffff || dirSize == 0xffff || dirOff == 0xffffffff {
		loc := make([]byte, 20)
		if end >= 20 {
			if _, err := r.ReadAt(loc, end-20); err == nil && binary.LittleEndian.Uint32(loc) == 0x07064b50 {
				p64 := int64(binary.LittleEndian.Uint64(loc[8:]))
				rec := make([]byte, 56)
				if p64 < 0 || p64 > size-56 {
					return 0, false
				}
				if _, err := r.ReadAt(rec, p64); err != nil || binary.LittleEndian.Uint32(rec) != 0x06064b50 {
					return 0, false
				}
				end = p64
				dirSize = binary.LittleEndian.Uint64(rec[40:])
				dirOff = binary.LittleEndian.Uint64(rec[48:])
			}
		}
	}
	if dirSize > 1<<62 || dirOff > 1<<62 {
		return 0, false
	}
	base := end - int64(dirSize) - int64(dirOff)
	if o := base + int64(dirOff); o < 0 || o >= size {
		return 0, false
	}
	if base > 0 && int64(dirOff) < size-4 {
		sig := make([]byte, 4)
		if _, err := r.ReadAt(sig, int64(dirOff)); err == nil && binary.LittleEndian.Uint32(sig) == 0x02014b50 {
			base = 0
		}
	}
	return base + int64(dirOff), true
}

// boundDirectory walks the directory records from start as archive/zip
// will (until the first that is not one), refusing more than maxZipEntries
// records or maxZipDirectory bytes. It holds one record at a time.
func boundDirectory(r io.ReaderAt, size, start int64) error {
	br := bufio.NewReaderSize(io.NewSectionReader(r, start, size-start), 32<<10)
	hdr := make([]byte, 46)
	var entries, bytes int64
	for {
		if _, err := io.ReadFull(br, hdr); err != nil || binary.LittleEndian.Uint32(hdr) != 0x02014b50 {
			return nil
		}
		skip := int64(binary.LittleEndian.Uint16(hdr[28:])) + int64(binary.LittleEndian.Uint16(hdr[30:])) + int64(binary.LittleEndian.Uint16(hdr[32:]))
		entries++
		bytes += 46 + skip
		if entries > maxZipEntries {
			return apperr.Fields(apperr.FieldError{Field: "file",
				Message: "the archive lists more than " + strconv.Itoa(maxZipEntries) + " entries; a wgt or apk has far fewer"})
		}
		if bytes > maxZipDirectory {
			return apperr.Fields(apperr.FieldError{Field: "file",
				Message: "the archive's directory is larger than " + strconv.Itoa(maxZipDirectory>>20) + " MiB; a wgt or apk has a far smaller one"})
		}
		if _, err := br.Discard(int(skip)); err != nil {
			return nil
		}
	}
}
