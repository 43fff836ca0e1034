package release

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"runtime"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/apperr"
)

func zipWith(tb testing.TB, files map[string]string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// hugeDirectory is a zip whose central directory lists n one-letter
// entries (47 bytes each) and no data: what an attacker sends.
func hugeDirectory(n int) []byte {
	rec := make([]byte, 46+1)
	binary.LittleEndian.PutUint32(rec, 0x02014b50)
	binary.LittleEndian.PutUint16(rec[28:], 1) // name length
	rec[46] = 'a'
	b := bytes.Repeat(rec, n)
	end := make([]byte, 22)
	binary.LittleEndian.PutUint32(end, 0x06054b50)
	binary.LittleEndian.PutUint16(end[8:], uint16(n))
	binary.LittleEndian.PutUint16(end[10:], uint16(n))
	binary.LittleEndian.PutUint32(end[12:], uint32(len(b)))
	binary.LittleEndian.PutUint32(end[16:], 0)
	return append(b, end...)
}

func TestInspectRefusesAMillionEntriesWithoutAllocatingForThem(t *testing.T) {
	data := hugeDirectory(1_000_000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := inspectZip(bytes.NewReader(data), int64(len(data)))
	runtime.ReadMemStats(&after)
	if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "entries") {
		t.Fatalf("err %v, want invalid naming the entries", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
		t.Fatalf("inspection allocated %d bytes", grew)
	}
}

func TestInspectReadsTheWgtVersion(t *testing.T) {
	for _, tc := range []struct {
		manifest string
		name     string
		code     int64
	}{
		{`{"name":"demo","version":{"name":"1.2.3","code":"123"}}`, "1.2.3", 123},
		{`{"version":{"name":"2.0.0","code":200}}`, "2.0.0", 200},
		{`{"version":{"name":"2.0.0"}}`, "2.0.0", 0},
		{`not json`, "", 0},
	} {
		z := zipWith(t, map[string]string{"manifest.json": tc.manifest, "www/index.html": "x"})
		in, err := inspectZip(bytes.NewReader(z), int64(len(z)))
		if err != nil || in.Kind != KindZip || in.Version != tc.name || in.VersionCode != tc.code {
			t.Errorf("%s: %+v %v", tc.manifest, in, err)
		}
	}
	data := []byte("not a zip at all")
	if in, err := inspectZip(bytes.NewReader(data), int64(len(data))); err != nil || in.Kind != KindBinary {
		t.Fatalf("binary: %+v %v", in, err)
	}
}

func TestInspectBoundsTheManifest(t *testing.T) {
	big := `{"version":{"name":"1.0.0","code":"1"},"pad":"` + strings.Repeat("x", 2<<20) + `"}`
	data := zipWith(t, map[string]string{"manifest.json": big})
	in, err := inspectZip(bytes.NewReader(data), int64(len(data)))
	if err != nil || in.Kind != KindZip || in.Version != "" {
		t.Fatalf("an oversized manifest is not read: %+v %v", in, err)
	}
}
