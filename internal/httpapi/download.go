package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// handleDownload godoc
//
//	@Summary		Download a resource through its stable link (public)
//	@Description	The url of every resource in the update answer: /d/{resourceId}/{version}.wgt (.apk for Android builds), ending in the file's extension because the upushy SDK installs only URLs matching /\.wgt$/i. Answers 302 to a freshly signed storage URL (local /files/ or OSS) and counts the download. 404 when the resource is gone, disabled or has no file. The rollout is applied when the update check offers the link; a client that names its device (uuid query, the same key as the check: systemInfo.uuid, else deviceId) outside a partial rollout gets 403. The name segment is not checked.
//	@Tags			public
//	@Param			id		path	string	true	"resource id"
//	@Param			name	path	string	true	"file name, e.g. 1.2.0.wgt"
//	@Param			uuid	query	string	false	"the device's rollout key"
//	@Success		302
//	@Failure		403	{object}	errorEnvelope
//	@Failure		404	{object}	errorEnvelope
//	@Router			/d/{id}/{name} [get]
//	@Router			/d/{id}/{name} [head]
func (s *Server) handleDownload(c *gin.Context) {
	r, u, err := s.releases.Download(c.Request.Context(), c.Param("id"), c.Query("uuid"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	if s.downloads != nil && c.Request.Method == http.MethodGet {
		s.downloads.Record(r.ProjectID, r.ID, s.now())
	}
	// Each redirect carries a fresh signature: never cache it.
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusFound, s.absolute(c, u))
}
