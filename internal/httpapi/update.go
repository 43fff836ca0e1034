package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/release"
)

// maxUpdateBody bounds an update-check request (systemInfo included).
const maxUpdateBody = 64 << 10

// renderedResource is a resource's JSON object split around its url value,
// which for local storage without a public base URL depends on the Host of
// each request.
type renderedResource struct {
	head []byte // up to and including `"url":"`
	// pre and post are the JSON-escaped URL around the place of the
	// device segment: "…/d/{id}/" and "{name}.wgt" for a stable download
	// link (device is then true), the whole URL and nothing otherwise.
	pre, post []byte
	tail      []byte // after the url value
	needHost  bool   // the URL is a path: the request's scheme and host go first
	device    bool
}

// writeJSONStringBody writes s escaped for the inside of a JSON string.
// Request bases are plain ASCII in practice; anything else is escaped.
func writeJSONStringBody(buf *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			b, _ := json.Marshal(s)
			buf.Write(b[1 : len(b)-1])
			return
		}
	}
	buf.WriteString(s)
}

// renderUpushy renders a resource for the upushy update check: its JSON
// split around the url value, which for local storage without a public
// base URL depends on the Host of each request (release.ViewFunc).
func (s *Server) renderUpushy(r release.Resource, url string) (any, error) {
	v := resourceView{ID: r.ID, ProjectID: r.ProjectID, Type: int(r.Type), Version: r.Version, VersionCode: r.VersionCode,
		NativeVersionCode: r.NativeVersionCode, UpdateType: int(r.UpdateType), Status: int(r.Status), Changelog: r.Changelog,
		Remark: r.Remark, RolloutPercent: r.RolloutPercent, Size: r.Size, MD5: r.MD5, SHA256: r.SHA256,
		CreatedTime: r.CreatedTime, UpdatedTime: r.UpdatedTime} // never createdBy: an internal user id
	relative := strings.HasPrefix(url, "/")
	if relative && s.publicBaseURL != "" {
		url, relative = strings.TrimRight(s.publicBaseURL, "/")+url, false
	}
	b, err := json.Marshal(v)
	if err != nil {
		return renderedResource{}, err
	}
	// A quote inside any JSON string value is escaped, so `"url":""` can
	// only be the url member itself.
	const marker = `"url":""`
	i := bytes.Index(b, []byte(marker))
	if i < 0 {
		return renderedResource{}, errors.New("httpapi: url member not found in rendered resource")
	}
	p, _ := json.Marshal(url)
	p = p[1 : len(p)-1]
	rr := renderedResource{head: b[:i+len(marker)-1], pre: p, tail: b[i+len(marker)-1:], needHost: relative}
	// The device segment goes before the file name of a stable link, so the
	// URL still ends in the file's extension (/\.wgt$/i).
	if dp := r.DownloadPath(); dp != "" && strings.HasSuffix(url, dp) {
		cut := bytes.LastIndexByte(p, '/') + 1
		rr.pre, rr.post, rr.device = p[:cut], p[cut:], true
	}
	return rr, nil
}

// updateRequest documents the upushy client's update-check body (the
// handler reads it with parseCheckRequest).
type updateRequest struct {
	ProjectID         string          `json:"projectId,omitempty" example:"866116d35b382bb6e1ae0cbb484b9950"`
	Platform          string          `json:"platform,omitempty" enums:"android,ios" example:"android"`
	WgtVersion        string          `json:"wgtVersion,omitempty" example:"1.0.0"`
	WgtVersionCode    flexInt         `json:"wgtVersionCode,omitempty" swaggertype:"integer" example:"100"`
	NativeVersion     string          `json:"nativeVersion,omitempty" example:"1.0.0"`
	NativeVersionCode flexInt         `json:"nativeVersionCode,omitempty" swaggertype:"integer" example:"100"`
	SystemInfo        json.RawMessage `json:"systemInfo,omitempty" swaggertype:"object"`
}

// flexInt is a non-negative integer sent as a JSON number or a numeric
// string ("100"), as uni-app clients do either.
type flexInt struct {
	v        int64
	set, bad bool
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	f.set = true
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	if len(b) == 0 || len(b) > 18 {
		f.bad = true
		return nil
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			f.bad = true
			return nil
		}
		n = n*10 + int64(c-'0')
	}
	f.v = n
	return nil
}

func (r *checkRequest) validate() error {
	var fs []apperr.FieldError
	if n := len(r.ProjectID); n == 0 || n > 64 {
		fs = append(fs, apperr.FieldError{Field: "projectId", Message: "is required"})
	}
	if r.Platform != "android" && r.Platform != "ios" {
		fs = append(fs, apperr.FieldError{Field: "platform", Message: "must be android or ios"})
	}
	if r.WgtVersionCode.bad {
		fs = append(fs, apperr.FieldError{Field: "wgtVersionCode", Message: "must be a non-negative whole number"})
	}
	if r.NativeVersionCode.bad {
		fs = append(fs, apperr.FieldError{Field: "nativeVersionCode", Message: "must be a non-negative whole number"})
	}
	if len(fs) > 0 {
		return apperr.Fields(fs...)
	}
	return nil
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// handleUpdateCheck godoc
//
//	@Summary		Update check (upushy-compatible, public)
//	@Description	What the uni-app client asks at every launch. data.native is the newest enabled native build of the platform; data.wgt the newest enabled hot update built for the device's nativeVersionCode (any, when the device sends none). Resources rolled out to less than 100% are offered only to devices whose bucket fnv32a(resourceId+":"+deviceKey)%100 is below the percent, where deviceKey is systemInfo.uuid, else systemInfo.deviceId (the same key counts devices in the statistics). Version codes may be numbers or numeric strings. Served from memory: no database access per request.
//	@Tags			public
//	@Accept			json
//	@Produce		json
//	@Param			channel	query		string			false	"release channel (default production); a device pinned to a channel gets that one whatever this says"
//	@Param			body	body		updateRequest	true	"the device"
//	@Success		200		{object}	okEnvelope{data=updateView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope	"unknown project or channel"
//	@Router			/api/update [post]
//	@Router			/api/basic/update [post]
func (s *Server) handleUpdateCheck(c *gin.Context) {
	in := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(in)
	in.Reset()
	if err := readBounded(in, c.Request, maxUpdateBody); err != nil {
		s.respondError(c, err)
		return
	}
	req, err := parseCheckRequest(in.Bytes())
	if err != nil && !hasFieldErrors(err) {
		err = notJSON(c.ContentType(), err)
	}
	if err == nil {
		err = req.validate()
	}
	if err != nil {
		s.respondError(c, err)
		return
	}
	channel := c.Query("channel")
	if channel != "" && !release.ValidChannel(channel) {
		s.respondError(c, apperr.Fields(apperr.FieldError{Field: "channel", Message: "must be at most 32 of a-z 0-9 _ -"}))
		return
	}
	a, err := s.checker.Check(c.Request.Context(), &release.Request{ProjectID: req.ProjectID, Channel: channel,
		Query: release.Query{Platform: release.Platform(req.Platform), NativeVersionCode: req.NativeVersionCode.v,
			HasNativeVersionCode: req.NativeVersionCode.set, UUID: req.UUID, WgtVersionCode: req.WgtVersionCode.v},
		DeviceID: req.DeviceID, SystemInfo: req.SystemInfo,
		ClientIP: c.ClientIP()}) // bounds how many new devices one address adds
	if err != nil {
		s.respondError(c, err)
		return
	}

	out := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(out)
	out.Reset()
	out.WriteString(`{"success":true,"statusCode":200,"message":"ok","data":{"wgt":`)
	s.writeOffer(out, c, &a, a.Wgt)
	out.WriteString(`,"native":`)
	s.writeOffer(out, c, &a, a.Native)
	out.WriteString("}}")
	h := c.Writer.Header()
	h["Content-Type"] = jsonContentType
	c.Writer.WriteHeader(http.StatusOK)
	c.Writer.Write(out.Bytes())
}

// notJSON explains a body that is not JSON when its Content-Type says it
// is a form, the usual mistake of hand-written clients.
func notJSON(contentType string, err error) error {
	switch contentType {
	case "application/x-www-form-urlencoded", "multipart/form-data":
		return apperr.New(apperr.Invalid, "the update check takes a JSON body (Content-Type: application/json), not a form (%s)", contentType)
	}
	return err
}

func hasFieldErrors(err error) bool {
	var ae *apperr.Error
	return errors.As(err, &ae) && len(ae.Fields) > 0
}

// jsonContentType is shared by every answer (header values are not
// modified once set).
var jsonContentType = []string{"application/json; charset=utf-8"}

func (s *Server) writeOffer(out *bytes.Buffer, c *gin.Context, a *release.Answer, r *release.Resource) {
	rr, ok := a.View(s.upushyView, r).(renderedResource)
	if !ok {
		out.WriteString("null")
		return
	}
	out.Write(rr.head)
	if rr.needHost {
		if c.Request.TLS != nil {
			out.WriteString("https://")
		} else {
			out.WriteString("http://")
		}
		writeJSONStringBody(out, c.Request.Host)
	}
	out.Write(rr.pre)
	if rr.device && a.Outcome.DeviceHash != 0 {
		// The device's hash, for the adoption funnel's "downloaded".
		var seg [17]byte
		out.Write(append(release.AppendDeviceToken(seg[:0], a.Outcome.DeviceHash), '/'))
	}
	out.Write(rr.post)
	out.Write(rr.tail)
}

// readBounded reads the request body into buf, failing with TooLarge
// beyond limit bytes, without the allocations of http.MaxBytesReader.
func readBounded(buf *bytes.Buffer, r *http.Request, limit int64) error {
	if r.ContentLength > limit {
		return apperr.New(apperr.TooLarge, "request body is larger than %d bytes", limit)
	}
	for {
		if buf.Available() < 512 {
			buf.Grow(4096)
		}
		b := buf.AvailableBuffer()
		n, err := r.Body.Read(b[:cap(b)])
		buf.Write(b[:n])
		if int64(buf.Len()) > limit {
			return apperr.New(apperr.TooLarge, "request body is larger than %d bytes", limit)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return apperr.Wrap(err, apperr.Invalid, "could not read the request body")
		}
	}
}

// updateView documents the update-check answer.
type updateView struct {
	Wgt    *resourceView `json:"wgt" extensions:"x-nullable"`
	Native *resourceView `json:"native" extensions:"x-nullable"`
}
