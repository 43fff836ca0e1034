// Package web embeds the admin panel. The Vite build writes it to
// web/dist/app; a Go build without that build still works and serves a page
// that explains how to build the panel.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Panel returns the built panel (index.html at its root), or nil when the
// panel has not been built into this binary.
func Panel() fs.FS {
	sub, err := fs.Sub(dist, "dist/app")
	if err != nil {
		return nil
	}
	if _, err := fs.Stat(sub, "index.html"); err != nil {
		return nil
	}
	return sub
}
