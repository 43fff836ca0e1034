package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/release"
	"github.com/hoist-ota/hoist/internal/storage"
)

// fileView describes an uploaded file.
type fileView struct {
	Key    string `json:"key" example:"866116d35b382bb6e1ae0cbb484b9950/2026-11/3f9a...c2.wgt"`
	URL    string `json:"url"`
	Name   string `json:"name" example:"app.wgt"`
	Size   int64  `json:"size"`
	MD5    string `json:"md5"`
	SHA256 string `json:"sha256"`
	Kind   string `json:"kind" enums:"zip,apk,binary"`
	// StorageKey repeats key under the name the resource takes.
	StorageKey string `json:"storageKey"`
	// Version and VersionCode are what the package declares (wgt
	// manifest.json version.name/code; apk versionName/versionCode),
	// absent when it declares nothing. A resource made from this file must
	// use them unless it sets force.
	Version     string `json:"version,omitempty" example:"1.2.0"`
	VersionCode int64  `json:"versionCode,omitempty" example:"120"`
}

func (s *Server) respondFile(c *gin.Context, f release.File) {
	u, err := s.releases.DownloadURL(c.Request.Context(), release.Resource{StorageKey: f.Key})
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusCreated, fileView{Key: f.Key, URL: s.absolute(c, u), Name: f.Name, Size: f.Size,
		MD5: f.MD5, SHA256: f.SHA256, Kind: string(f.Kind), StorageKey: f.Key, Version: f.Version, VersionCode: f.VersionCode})
}

// handleFileUpload godoc
//
//	@Summary		Upload a file for a resource (maintainers, owners)
//	@Description	multipart/form-data with the file in field "file", streamed to storage. The content is checked against the resource type (query type, or the .wgt/.apk extension): a wgt must be a zip, an apk a zip with AndroidManifest.xml. Then create the resource with the returned key.
//	@Tags			files
//	@Accept			mpfd
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string	true	"project id"
//	@Param			type	query		int		false	"resource type the file is for (1, 2, 3 or 5)"
//	@Param			file	formData	file	true	"the file"
//	@Success		201		{object}	okEnvelope{data=fileView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		403		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Failure		413		{object}	errorEnvelope
//	@Router			/api/v1/projects/{id}/files [post]
func (s *Server) handleFileUpload(c *gin.Context) {
	typ, _, err := queryInt(c, "type")
	if err != nil {
		s.respondError(c, err)
		return
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		s.respondError(c, apperr.New(apperr.Invalid, "send the file as multipart/form-data in field \"file\""))
		return
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			s.respondError(c, apperr.Fields(apperr.FieldError{Field: "file", Message: "is required"}))
			return
		}
		if err != nil {
			s.respondError(c, apperr.Wrap(err, apperr.Invalid, "malformed multipart body"))
			return
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		f, err := s.releases.Upload(c.Request.Context(), principal(c), c.Param("id"), part.FileName(), part, release.Type(typ))
		part.Close()
		if err != nil {
			s.respondError(c, err)
			return
		}
		s.respondFile(c, f)
		return
	}
}

type registerFileRequest struct {
	Key    string `json:"key,omitempty"`
	Name   string `json:"name,omitempty" example:"app.wgt"`
	SHA256 string `json:"sha256,omitempty"`
	Type   int    `json:"type,omitempty" enums:"1,2,3,5"`
}

// handleFileRegister godoc
//
//	@Summary		Register a file uploaded straight to OSS
//	@Description	After uploading with the credentials of upload-credentials, record the object: Hoist checks it exists (HEAD) under the project's prefix and reads its size and md5; sha256 as supplied.
//	@Tags			files
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"project id"
//	@Param			body	body		registerFileRequest	true	"object key"
//	@Success		201		{object}	okEnvelope{data=fileView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Router			/api/v1/projects/{id}/files/register [post]
func (s *Server) handleFileRegister(c *gin.Context) {
	var req registerFileRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	f, err := s.releases.RegisterUpload(c.Request.Context(), principal(c), c.Param("id"), req.Key, req.Name, req.SHA256, release.Type(req.Type))
	if err != nil {
		s.respondError(c, err)
		return
	}
	s.respondFile(c, f)
}

type uploadCredentialsView struct {
	AccessKeyID     string    `json:"accessKeyId"`
	AccessKeySecret string    `json:"accessKeySecret"`
	SecurityToken   string    `json:"securityToken"`
	Expiration      time.Time `json:"expiration"`
	Region          string    `json:"region"`
	Bucket          string    `json:"bucket"`
	Endpoint        string    `json:"endpoint"`
	KeyPrefix       string    `json:"keyPrefix"`
}

// handleUploadCredentials godoc
//
//	@Summary		Temporary OSS credentials for a direct browser upload (maintainers, owners)
//	@Description	STS credentials allowing only PutObject (and multipart upload) under the project's key prefix. 409 when storage is not OSS.
//	@Tags			files
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"project id"
//	@Success		200	{object}	okEnvelope{data=uploadCredentialsView}
//	@Failure		403	{object}	errorEnvelope
//	@Failure		404	{object}	errorEnvelope
//	@Failure		409	{object}	errorEnvelope
//	@Router			/api/v1/projects/{id}/upload-credentials [get]
func (s *Server) handleUploadCredentials(c *gin.Context) {
	d, err := s.releases.UploadCredentials(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	respondOK(c, http.StatusOK, uploadCredentialsView{AccessKeyID: d.Credentials.AccessKeyID,
		AccessKeySecret: d.Credentials.AccessKeySecret, SecurityToken: d.Credentials.SecurityToken,
		Expiration: d.Credentials.Expiration, Region: d.Region, Bucket: d.Bucket, Endpoint: d.Endpoint, KeyPrefix: d.KeyPrefix})
}

// handleFileDownload godoc
//
//	@Summary		Download a file (local storage)
//	@Description	Public, with Range and ETag support. When signed URLs are on, expires and sig must be those of the URL Hoist handed out.
//	@Tags			files
//	@Produce		octet-stream
//	@Param			key		path		string	true	"storage key"
//	@Param			expires	query		int		false	"signed URL expiry (unix seconds)"
//	@Param			sig		query		string	false	"signed URL signature"
//	@Success		200		{file}		binary
//	@Success		206		{file}		binary
//	@Failure		403		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Failure		503		{object}	errorEnvelope	"too many downloads at once (Retry-After)"
//	@Router			/files/{key} [get]
//	@Router			/files/{key} [head]
func (s *Server) handleFileDownload(c *gin.Context) {
	key := strings.TrimPrefix(c.Param("key"), "/")
	if err := storage.ValidKey(key); err != nil {
		s.respondError(c, apperr.New(apperr.NotFound, "file not found"))
		return
	}
	if s.localFiles.Signed() {
		if err := s.localFiles.VerifySignature(key, c.Query("expires"), c.Query("sig"), s.now()); err != nil {
			s.respondError(c, err)
			return
		}
	}
	if !s.takeFileSlot(c) {
		return
	}
	defer s.fileSlots.Release()
	f, rec, err := s.releases.Open(c.Request.Context(), key)
	if err != nil {
		s.respondError(c, err)
		return
	}
	defer f.Close()
	if rec.MD5 != "" {
		c.Header("ETag", `"`+rec.MD5+`"`)
	}
	if s.localFiles.Signed() {
		c.Header("Cache-Control", "private, max-age=300")
	} else {
		// Keys are random and files never change: cache for good.
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	}
	if rec.ContentType != "" {
		c.Header("Content-Type", rec.ContentType)
	}
	if rec.Name != "" {
		c.Header("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(rec.Name, `"`, "")+`"`)
	}
	http.ServeContent(c.Writer, c.Request, "", rec.CreatedTime, f)
}

// fileSlotWait is how long a download waits for a descriptor to open its
// file (Options.FileSlots) before it is answered 503.
const fileSlotWait = 30 * time.Second

// takeFileSlot takes a slot for serving a file, waiting up to
// fileSlotWait; when none frees up it answers 503 (with Retry-After) and
// reports false.
func (s *Server) takeFileSlot(c *gin.Context) bool {
	ctx, cancel := context.WithTimeout(c.Request.Context(), fileSlotWait)
	defer cancel()
	if err := s.fileSlots.Acquire(ctx); err != nil {
		s.respondError(c, apperr.New(apperr.Unavailable, "too many downloads at once: try again shortly"))
		return false
	}
	return true
}
