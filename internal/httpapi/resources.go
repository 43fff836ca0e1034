package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/release"
)

// resourceView is a resource in the upushy shape plus Hoist's fields.
type resourceView struct {
	ID                string `json:"id"`
	ProjectID         string `json:"projectId"`
	Type              int    `json:"type" enums:"1,2,3,4,5,6,7" example:"1"`
	Version           string `json:"version" example:"1.2.0"`
	VersionCode       int64  `json:"versionCode" example:"120"`
	NativeVersionCode int64  `json:"nativeVersionCode" example:"100"`
	// URL is absolute: the stable download link /d/{id}/{version}.{ext}
	// (it redirects to a freshly signed storage URL) or, for type 4 and
	// imported resources, the stored link.
	URL            string `json:"url"`
	UpdateType     int    `json:"updateType" enums:"1,2,3" example:"1"`
	Status         int    `json:"status" enums:"0,1" example:"1"`
	Changelog      string `json:"changelog"`
	Remark         string `json:"remark"`
	RolloutPercent int    `json:"rolloutPercent" example:"100"`
	Size           int64  `json:"size"`
	MD5            string `json:"md5"`
	SHA256         string `json:"sha256"`
	StorageKey     string `json:"storageKey,omitempty"`
	Product        string `json:"product,omitempty"`
	// Label, TargetBinaryRange and PackageHash are a CodePush release's
	// (types 6, 7).
	Label             string `json:"label,omitempty" example:"v3"`
	TargetBinaryRange string `json:"targetBinaryRange,omitempty" example:"^1.2.0"`
	PackageHash       string `json:"packageHash,omitempty"`
	// Channel is the release channel the resource is published to.
	Channel string `json:"channel" example:"production"`
	// Origin is "promoted" (copied from originId) or "rollback"
	// (re-publishes originId's file); absent for a plain publish.
	Origin      string    `json:"origin,omitempty" enums:"promoted,rollback"`
	OriginID    string    `json:"originId,omitempty"`
	CreatedBy   string    `json:"createdBy,omitempty"`
	CreatedTime time.Time `json:"createdTime"`
	UpdatedTime time.Time `json:"updatedTime"`
}

// absolute makes a storage path ("/files/...") absolute for this request.
func (s *Server) absolute(c *gin.Context, u string) string {
	if strings.HasPrefix(u, "/") {
		return s.baseURL(c) + u
	}
	return u
}

// viewResource renders a resource; its url is the same stable link the
// update check hands out (or the stored URL of a resource without a file).
func (s *Server) viewResource(c *gin.Context, r release.Resource) (resourceView, error) {
	u := r.DownloadPath()
	if u == "" {
		u = r.URL
	}
	return resourceView{ID: r.ID, ProjectID: r.ProjectID, Type: int(r.Type), Version: r.Version, VersionCode: r.VersionCode,
		NativeVersionCode: r.NativeVersionCode, URL: s.absolute(c, u), UpdateType: int(r.UpdateType), Status: int(r.Status),
		Changelog: r.Changelog, Remark: r.Remark, RolloutPercent: r.RolloutPercent, Size: r.Size, MD5: r.MD5, SHA256: r.SHA256,
		StorageKey: r.StorageKey, Product: r.Product, Channel: r.Channel, Origin: r.Origin, OriginID: r.OriginID,
		Label: r.Label, TargetBinaryRange: r.TargetBinaryRange, PackageHash: r.PackageHash,
		CreatedBy: r.CreatedBy, CreatedTime: r.CreatedTime, UpdatedTime: r.UpdatedTime}, nil
}

func (s *Server) respondResource(c *gin.Context, status int, r release.Resource) {
	v, err := s.viewResource(c, r)
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, status, v)
}

// queryInt parses an optional integer query parameter.
func queryInt(c *gin.Context, name string) (int, bool, error) {
	v := c.Query(name)
	if v == "" {
		return 0, false, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, false, apperr.Fields(apperr.FieldError{Field: name, Message: "must be a whole number"})
	}
	return n, true, nil
}

// handleResourceList godoc
//
//	@Summary	Resources of a project
//	@Tags		resources
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id			path		string	true	"project id"
//	@Param		type		query		int		false	"1 wgt-android, 2 wgt-ios, 3 android, 4 ios, 5 firmware, 6 codepush-android, 7 codepush-ios"
//	@Param		status		query		int		false	"0 disabled, 1 enabled"
//	@Param		channel		query		string	false	"only this release channel"
//	@Param		pageNum		query		int		false	"page, from 1"
//	@Param		pageSize	query		int		false	"records per page (max 100)"
//	@Param		sortKey		query		string	false	"createdTime or versionCode"
//	@Param		order		query		string	false	"ASC or DESC"
//	@Success	200			{object}	okEnvelope{data=listView[resourceView]}
//	@Failure	400			{object}	errorEnvelope
//	@Failure	404			{object}	errorEnvelope
//	@Router		/api/v1/projects/{id}/resources [get]
func (s *Server) handleResourceList(c *gin.Context) {
	pg, err := parsePage(c, release.SortKeys)
	if err != nil {
		s.respondError(c, err)
		return
	}
	var f release.Filter
	typ, _, err1 := queryInt(c, "type")
	st, hasStatus, err2 := queryInt(c, "status")
	if err := firstErr(err1, err2); err != nil {
		s.respondError(c, err)
		return
	}
	f.Type, f.Channel = release.Type(typ), c.Query("channel")
	if hasStatus {
		status := release.Status(st)
		f.Status = &status
	}
	items, total, err := s.releases.List(c.Request.Context(), principal(c), c.Param("id"), f, pg)
	if err != nil {
		s.respondError(c, err)
		return
	}
	views := make([]resourceView, len(items))
	for i, r := range items {
		if views[i], err = s.viewResource(c, r); err != nil {
			s.respondError(c, err)
			return
		}
	}
	respondOK(c, http.StatusOK, listView[resourceView]{Total: total, Records: views, PageNum: pg.Num, PageSz: pg.Size})
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

type resourceCreateRequest struct {
	Type              int    `json:"type,omitempty" enums:"1,2,3,4,5,6,7" example:"1"`
	Version           string `json:"version,omitempty" example:"1.2.0"`
	VersionCode       int64  `json:"versionCode,omitempty" example:"120"`
	NativeVersionCode int64  `json:"nativeVersionCode,omitempty" example:"100"`
	// StorageKey is the key returned by the file upload (types 1, 2, 3, 5).
	StorageKey string `json:"storageKey,omitempty"`
	// URL is the App Store link (type 4 only).
	URL            string `json:"url,omitempty"`
	UpdateType     int    `json:"updateType,omitempty" enums:"1,2,3" example:"1"`
	Status         *int   `json:"status,omitempty" enums:"0,1"`
	Changelog      string `json:"changelog,omitempty"`
	Remark         string `json:"remark,omitempty"`
	RolloutPercent *int   `json:"rolloutPercent,omitempty" example:"100"`
	// Product is the device product of a firmware (type 5).
	Product string `json:"product,omitempty"`
	// TargetBinaryRange is the npm semver range of binary versions a
	// CodePush bundle (types 6, 7) runs on; its versionCode may be 0 (the
	// deployment's next), and its label is "v" + versionCode.
	TargetBinaryRange string `json:"targetBinaryRange,omitempty" example:"^1.2.0"`
	// Channel is the release channel (default production); firmware has
	// no other.
	Channel string `json:"channel,omitempty" example:"production"`
	// Force publishes even when version or versionCode differ from what
	// the uploaded package declares (its upload answer's version and
	// versionCode); otherwise that is a 400.
	Force bool `json:"force,omitempty"`
}

// handleResourceCreate godoc
//
//	@Summary		Publish a resource (maintainers, owners)
//	@Description	versionCode must exceed every versionCode of the project's resources of the same channel and type; a wgt's nativeVersionCode must be an existing native build of its platform in its channel or in production. Upload the file first (types 1, 2, 3, 5). channel defaults to production and must exist.
//	@Tags			resources
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string					true	"project id"
//	@Param			body	body		resourceCreateRequest	true	"resource"
//	@Success		201		{object}	okEnvelope{data=resourceView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		403		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Failure		409		{object}	errorEnvelope	"versionCode not greater than the latest"
//	@Router			/api/v1/projects/{id}/resources [post]
func (s *Server) handleResourceCreate(c *gin.Context) {
	var req resourceCreateRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	n := release.NewResource{Type: release.Type(req.Type), Version: req.Version, VersionCode: req.VersionCode,
		NativeVersionCode: req.NativeVersionCode, URL: req.URL, StorageKey: req.StorageKey,
		UpdateType: release.UpdateType(req.UpdateType), Changelog: req.Changelog, Remark: req.Remark,
		RolloutPercent: req.RolloutPercent, Product: req.Product, Channel: req.Channel, Force: req.Force,
		TargetBinaryRange: req.TargetBinaryRange}
	if req.Status != nil {
		st := release.Status(*req.Status)
		n.Status = &st
	}
	r, err := s.releases.Create(c.Request.Context(), principal(c), c.Param("id"), n)
	if err != nil {
		s.respondError(c, err)
		return
	}
	s.respondResource(c, http.StatusCreated, r)
}

// handleResourceGet godoc
//
//	@Summary	A resource
//	@Tags		resources
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"resource id"
//	@Success	200	{object}	okEnvelope{data=resourceView}
//	@Failure	404	{object}	errorEnvelope
//	@Router		/api/v1/resources/{id} [get]
func (s *Server) handleResourceGet(c *gin.Context) {
	r, err := s.releases.Get(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	s.respondResource(c, http.StatusOK, r)
}

type resourcePatchRequest struct {
	Version        *string `json:"version,omitempty"`
	Changelog      *string `json:"changelog,omitempty"`
	Remark         *string `json:"remark,omitempty"`
	UpdateType     *int    `json:"updateType,omitempty" enums:"1,2,3"`
	Status         *int    `json:"status,omitempty" enums:"0,1"`
	RolloutPercent *int    `json:"rolloutPercent,omitempty"`
	// TargetBinaryRange is a CodePush release's (types 6, 7 only; 400 for
	// the others): the npm semver range of binary versions it runs on.
	TargetBinaryRange *string `json:"targetBinaryRange,omitempty" example:"^1.2.0"`
}

// handleResourceUpdate godoc
//
//	@Summary		Change a resource (maintainers, owners)
//	@Description	Editable: version, changelog, remark, updateType, status, rolloutPercent, and for CodePush releases (types 6, 7) targetBinaryRange (checked as at publish; 400 for other types). Type and file are fixed. The update check answers with the change at once. A CodePush rollout only grows.
//	@Tags			resources
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string					true	"resource id"
//	@Param			body	body		resourcePatchRequest	true	"fields to change"
//	@Success		200		{object}	okEnvelope{data=resourceView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		403		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Router			/api/v1/resources/{id} [patch]
func (s *Server) handleResourceUpdate(c *gin.Context) {
	var req resourcePatchRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	patch := release.Patch{Version: req.Version, Changelog: req.Changelog, Remark: req.Remark, RolloutPercent: req.RolloutPercent,
		TargetBinaryRange: req.TargetBinaryRange}
	if req.UpdateType != nil {
		ut := release.UpdateType(*req.UpdateType)
		patch.UpdateType = &ut
	}
	if req.Status != nil {
		st := release.Status(*req.Status)
		patch.Status = &st
	}
	r, err := s.releases.Update(c.Request.Context(), principal(c), c.Param("id"), patch)
	if err != nil {
		s.respondError(c, err)
		return
	}
	s.respondResource(c, http.StatusOK, r)
}

// handleResourceDelete godoc
//
//	@Summary		Delete a resource and, unless shared, its file (maintainers, owners)
//	@Description	A native resource that enabled wgt resources are built on cannot be deleted (409 naming them).
//	@Tags			resources
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"resource id"
//	@Success		200	{object}	okEnvelope
//	@Failure		403	{object}	errorEnvelope
//	@Failure		404	{object}	errorEnvelope
//	@Failure		409	{object}	errorEnvelope
//	@Router			/api/v1/resources/{id} [delete]
func (s *Server) handleResourceDelete(c *gin.Context) {
	if err := s.releases.Delete(c.Request.Context(), principal(c), c.Param("id")); err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, nil)
}

type nativeLatestView struct {
	// Android is the highest enabled android versionCode, null when none.
	Android *int64 `json:"android" example:"120" extensions:"x-nullable"`
	IOS     *int64 `json:"ios" example:"118" extensions:"x-nullable"`
}

// handleNativeLatest godoc
//
//	@Summary	Highest enabled native versionCodes per platform
//	@Tags		resources
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"project id"
//	@Success	200	{object}	okEnvelope{data=nativeLatestView}
//	@Failure	404	{object}	errorEnvelope
//	@Router		/api/v1/projects/{id}/resources/native/latest [get]
func (s *Server) handleNativeLatest(c *gin.Context) {
	a, i, err := s.releases.NativeLatest(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	var v nativeLatestView
	if a > 0 {
		v.Android = &a
	}
	if i > 0 {
		v.IOS = &i
	}
	respondOK(c, http.StatusOK, v)
}
