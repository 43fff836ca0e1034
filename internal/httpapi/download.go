package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/release"
)

// handleDownload godoc
//
//	@Summary		Download a resource through its stable link (public)
//	@Description	The url of every resource in the update answer: /d/{resourceId}/{version}.wgt (.apk for Android builds), ending in the file's extension because the upushy SDK installs only URLs matching /\.wgt$/i. Answers 302 to a freshly signed storage URL (local /files/ or OSS) and counts the download. 404 when the resource is gone, disabled or has no file. The update check puts the asking device's segment before the name (/d/{resourceId}/{device}/{version}.wgt: 16 hex digits, a hash of its uuid, else deviceId) so the download counts in the release's adoption funnel; links without it still work. The rollout is applied when the update check offers the link; a client that names its device (uuid query, the same key as the check) outside a partial rollout gets 403. The name segment is not checked, nor is a device segment that is not 16 hex digits (not counted).
//	@Tags			public
//	@Param			id		path	string	true	"resource id"
//	@Param			name	path	string	true	"file name, e.g. 1.2.0.wgt; or the device segment the update check wrote, the file name then following"
//	@Param			file	path	string	false	"file name after a device segment"
//	@Param			uuid	query	string	false	"the device's rollout key"
//	@Success		302
//	@Failure		403	{object}	errorEnvelope
//	@Failure		404	{object}	errorEnvelope
//	@Router			/d/{id}/{name} [get]
//	@Router			/d/{id}/{name} [head]
//	@Router			/d/{id}/{name}/{file} [get]
//	@Router			/d/{id}/{name}/{file} [head]
func (s *Server) handleDownload(c *gin.Context) {
	r, u, err := s.releases.Download(c.Request.Context(), c.Param("id"), c.Query("uuid"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	if s.downloads != nil && c.Request.Method == http.MethodGet {
		s.downloads.Record(r.ProjectID, r.ID, s.now())
	}
	if h, ok := release.ParseDeviceToken(c.Param("name")); ok && c.Param("file") != "" && s.funnel != nil && c.Request.Method == http.MethodGet {
		s.funnel.Downloaded(r.ID, h, s.now())
	}
	// Each redirect carries a fresh signature: never cache it.
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusFound, s.absolute(c, u))
}
