package httpapi

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"testing"
	"testing/fstest"
)

// compressedPanel is a built panel with the precompressed variants the Vite
// build writes: both for the script and index.html, gzip only for the
// stylesheet, none for the image.
func compressedPanel(t *testing.T) (fstest.MapFS, map[string][]byte) {
	t.Helper()
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		_, _ = w.Write([]byte(s))
		_ = w.Close()
		return b.Bytes()
	}
	files := map[string][]byte{
		"index.html":           []byte("<html>panel</html>"),
		"index.html.br":        []byte("BR(index)"),
		"index.html.gz":        gz("<html>panel</html>"),
		"assets/app-1a.js":     []byte("console.log(1)"),
		"assets/app-1a.js.br":  []byte("BR(app)"),
		"assets/app-1a.js.gz":  gz("console.log(1)"),
		"assets/app-1a.css":    []byte("body{}"),
		"assets/app-1a.css.gz": gz("body{}"),
		"assets/logo-1a.png":   []byte("\x89PNG\r\n\x1a\n"),
	}
	panel := fstest.MapFS{}
	for name, data := range files {
		panel[name] = &fstest.MapFile{Data: data}
	}
	return panel, files
}

func TestPanelServesPrecompressedVariants(t *testing.T) {
	panel, files := compressedPanel(t)
	ts := mustServer(t, func(o *testSetup) { o.Panel = panel })

	cases := []struct {
		method, target, accept, acceptEncoding string
		file, coding, ctype                    string
	}{
		{"GET", "/assets/app-1a.js", "", "gzip, deflate, br, zstd", "assets/app-1a.js.br", "br", "text/javascript; charset=utf-8"},
		{"GET", "/assets/app-1a.js", "", "gzip", "assets/app-1a.js.gz", "gzip", "text/javascript; charset=utf-8"},
		{"GET", "/assets/app-1a.js", "", "br;q=0, gzip;q=0.5", "assets/app-1a.js.gz", "gzip", "text/javascript; charset=utf-8"},
		{"GET", "/assets/app-1a.js", "", "*", "assets/app-1a.js.br", "br", "text/javascript; charset=utf-8"},
		{"GET", "/assets/app-1a.js", "", "*;q=1, br;q=0", "assets/app-1a.js.gz", "gzip", "text/javascript; charset=utf-8"},
		{"GET", "/assets/app-1a.js", "", "identity", "assets/app-1a.js", "", "text/javascript; charset=utf-8"},
		{"GET", "/assets/app-1a.js", "", "", "assets/app-1a.js", "", "text/javascript; charset=utf-8"},
		{"GET", "/assets/app-1a.js", "", "gzip;q=0, br;q=0", "assets/app-1a.js", "", "text/javascript; charset=utf-8"},
		{"GET", "/assets/app-1a.css", "", "br, gzip", "assets/app-1a.css.gz", "gzip", "text/css; charset=utf-8"},
		{"GET", "/assets/app-1a.css", "", "br", "assets/app-1a.css", "", "text/css; charset=utf-8"},
		{"GET", "/", "", "br", "index.html.br", "br", "text/html; charset=utf-8"},
		{"GET", "/projects/42", "text/html", "gzip", "index.html.gz", "gzip", "text/html; charset=utf-8"},
		{"GET", "/assets/logo-1a.png", "", "br, gzip", "assets/logo-1a.png", "", "image/png"},
		{"HEAD", "/assets/app-1a.js", "", "br", "assets/app-1a.js.br", "br", "text/javascript; charset=utf-8"},
		{"HEAD", "/", "", "gzip", "index.html.gz", "gzip", "text/html; charset=utf-8"},
	}
	for _, tc := range cases {
		name := tc.method + " " + tc.target + " Accept-Encoding: " + tc.acceptEncoding
		rec, _ := ts.do(t, tc.method, tc.target, nil, "Accept", tc.accept, "Accept-Encoding", tc.acceptEncoding)
		h := rec.Header()
		if rec.Code != http.StatusOK {
			t.Errorf("%s: HTTP %d", name, rec.Code)
			continue
		}
		if got := h.Get("Content-Encoding"); got != tc.coding {
			t.Errorf("%s: Content-Encoding %q, want %q", name, got, tc.coding)
		}
		if got := h.Get("Content-Type"); got != tc.ctype {
			t.Errorf("%s: Content-Type %q, want %q", name, got, tc.ctype)
		}
		hasVariants := tc.file != "assets/logo-1a.png"
		if got := h.Get("Vary") == "Accept-Encoding"; got != hasVariants {
			t.Errorf("%s: Vary %q", name, h.Get("Vary"))
		}
		want := files[tc.file]
		if got := h.Get("Content-Length"); got != strconv.Itoa(len(want)) {
			t.Errorf("%s: Content-Length %s, want %d (%s)", name, got, len(want), tc.file)
		}
		if tc.method == "HEAD" {
			want = nil
		}
		if !bytes.Equal(rec.Body.Bytes(), want) {
			t.Errorf("%s: body %q, want %s as stored (%q)", name, rec.Body.Bytes(), tc.file, want)
		}
	}

	// The gzip variant decodes to the file, once: no second encoding on top.
	rec, _ := ts.do(t, "GET", "/assets/app-1a.js", nil, "Accept-Encoding", "gzip")
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := io.ReadAll(zr); err != nil || string(plain) != "console.log(1)" {
		t.Fatalf("decoded: %q %v", plain, err)
	}

	// A range of a compressed answer is ignored: the whole variant comes back.
	rec, _ = ts.do(t, "GET", "/assets/app-1a.js", nil, "Accept-Encoding", "br", "Range", "bytes=0-1")
	if rec.Code != http.StatusOK || rec.Body.String() != "BR(app)" {
		t.Fatalf("range on br: %d %q", rec.Code, rec.Body)
	}
	// A client route under a prefix the API also uses (/ota/) is still the
	// panel, with the panel's policy: the API's would block its scripts.
	rec, _ = ts.do(t, "GET", "/ota/1382f768", nil, "Accept", "text/html")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Security-Policy") != cspPanel {
		t.Fatalf("/ota/ client route: %d CSP %q", rec.Code, rec.Header().Get("Content-Security-Policy"))
	}
	// Uncompressed, ranges still work as before.
	rec, _ = ts.do(t, "GET", "/assets/app-1a.js", nil, "Range", "bytes=0-6")
	if rec.Code != http.StatusPartialContent || rec.Body.String() != "console" {
		t.Fatalf("range: %d %q", rec.Code, rec.Body)
	}
}

func TestAcceptsEncoding(t *testing.T) {
	cases := []struct {
		header, coding string
		want           bool
	}{
		{"", "br", false},
		{"gzip, deflate, br", "br", true},
		{"gzip, deflate", "br", false},
		{"GZIP", "gzip", true},
		{"br;q=0", "br", false},
		{"br; q=0.0", "br", false},
		{"br;q=0.001", "br", true},
		{"*", "gzip", true},
		{"*;q=0", "gzip", false},
		{"*;q=0, gzip", "gzip", true},
		{"gzip;q=0, *", "gzip", false},
		{"br;q=bogus", "br", false},
		{"brotli", "br", false},
	}
	for _, tc := range cases {
		if got := acceptsEncoding(tc.header, tc.coding); got != tc.want {
			t.Errorf("acceptsEncoding(%q, %q) = %v, want %v", tc.header, tc.coding, got, tc.want)
		}
	}
}
