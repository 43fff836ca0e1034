package httpapi

import (
	"io"
	"io/fs"
	"net/http"
	"path"
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

// servePanelFile serves one file: hashed assets are cached for a year,
// everything else (index.html) is revalidated on every load.
func (s *Server) servePanelFile(c *gin.Context, name string) {
	if strings.HasPrefix(name, "assets/") {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "no-cache")
	}
	f, err := s.panel.Open(name)
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
	// http.ServeContent, not http.FileServer: the latter redirects
	// /index.html to / and would loop.
	http.ServeContent(c.Writer, c.Request, name, st.ModTime(), rs)
}
