package httpapi

import (
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// notBuiltPage is served at / when the binary was built without the panel.
const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hoist</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto">
<h1>Hoist is running</h1>
<p>This binary was built without the admin panel. Build it with
<code>make web</code> (needs Node.js 20 and npm), then rebuild or run
<code>make run</code>, which does both.</p>
<p>The API is up: see <a href="/docs/index.html">/docs</a> and
<a href="/api/basic/config">/api/basic/config</a>.</p>
</body></html>`

// handlePanelIndex serves the panel's entry page, or a page that says how to
// build the panel.
func (s *Server) handlePanelIndex(c *gin.Context) {
	if s.panel == nil {
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(notBuiltPage))
		return
	}
	s.servePanelFile(c, "index.html")
}

// servePanel serves a panel asset, or index.html for a browser navigating
// to a client-side route. It reports whether it answered.
func (s *Server) servePanel(c *gin.Context) bool {
	if s.panel == nil || (c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead) {
		return false
	}
	p := strings.TrimPrefix(path.Clean(c.Request.URL.Path), "/")
	if strings.HasPrefix(p, "api/") {
		return false
	}
	if st, err := fs.Stat(s.panel, p); err == nil && !st.IsDir() {
		s.servePanelFile(c, p)
		return true
	}
	if path.Ext(p) == "" && strings.Contains(c.GetHeader("Accept"), "text/html") {
		s.servePanelFile(c, "index.html")
		return true
	}
	return false
}

// panelEncodings are the precompressed variants the panel build writes next
// to its files (web/vite.config.ts), in order of preference.
var panelEncodings = []struct{ coding, ext string }{{"br", ".br"}, {"gzip", ".gz"}}

// servePanelFile serves one file: hashed assets are cached for a year,
// everything else (index.html) is revalidated on every load. When the build
// wrote a brotli or gzip variant and the client accepts it, that variant is
// sent as is (Content-Encoding, the original's Content-Type, no ranges).
func (s *Server) servePanelFile(c *gin.Context, name string) {
	// The panel's policy whatever the path: a client route such as
	// /ota/<campaign> shares its prefix with device endpoints, whose policy
	// (securityHeaders) would block the panel's own scripts.
	c.Header("Content-Security-Policy", cspPanel)
	if strings.HasPrefix(name, "assets/") {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "no-cache")
	}
	file, coding := name, ""
	for _, e := range panelEncodings {
		if _, err := fs.Stat(s.panel, name+e.ext); err == nil {
			// The answer depends on Accept-Encoding whenever a variant exists.
			c.Header("Vary", "Accept-Encoding")
			if coding == "" && acceptsEncoding(c.GetHeader("Accept-Encoding"), e.coding) {
				file, coding = name+e.ext, e.coding
			}
		}
	}
	f, err := s.panel.Open(file)
	if err != nil {
		c.Status(http.StatusNotFound)
		return
	}
	defer f.Close()
	rs, ok := f.(io.ReadSeeker)
	st, err := f.Stat()
	if !ok || err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	if coding != "" {
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		c.Header("Content-Type", ctype)
		c.Header("Content-Encoding", coding)
		// A range of the compressed bytes is of no use to anyone; without
		// one the whole variant goes out, and ServeContent leaves the length
		// of an encoded body to the handler.
		c.Request.Header.Del("Range")
		c.Header("Content-Length", strconv.FormatInt(st.Size(), 10))
	}
	// http.ServeContent, not http.FileServer: the latter redirects
	// /index.html to / and would loop.
	http.ServeContent(c.Writer, c.Request, name, st.ModTime(), rs)
}

// acceptsEncoding reports whether an Accept-Encoding header accepts coding
// (by name or "*") with a non-zero quality.
func acceptsEncoding(header, coding string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != coding && name != "*" {
			continue
		}
		ok := true
		for _, p := range strings.Split(params, ";") {
			k, v, found := strings.Cut(strings.TrimSpace(p), "=")
			if found && strings.EqualFold(strings.TrimSpace(k), "q") {
				q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				ok = err == nil && q > 0
			}
		}
		if name == coding {
			return ok // an explicit entry overrides "*"
		}
		star = ok
	}
	return star
}
