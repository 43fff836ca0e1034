package httpapi

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/release"
)

type channelView struct {
	Name      string `json:"name" example:"beta"`
	Resources int64  `json:"resources"`
	Pins      int64  `json:"pins"`
	// UpdateURL is the update URL devices of this channel use (the stock
	// SDK's update URL setting).
	UpdateURL   string     `json:"updateUrl" example:"https://hoist.example.com/api/basic/update?channel=beta"`
	CreatedTime *time.Time `json:"createdTime,omitempty"`
	// DeploymentKeys are the CodePush deployment keys of the channel
	// ("android", "ios"), created when first listed.
	DeploymentKeys map[release.Platform]string `json:"deploymentKeys,omitempty"`
}

func (s *Server) viewChannel(c *gin.Context, ch release.Channel) channelView {
	v := channelView{Name: ch.Name, Resources: ch.Resources, Pins: ch.Pins, UpdateURL: s.baseURL(c) + "/api/basic/update"}
	if ch.Name != release.DefaultChannel {
		v.UpdateURL += "?channel=" + url.QueryEscape(ch.Name)
		t := ch.CreatedTime
		v.CreatedTime = &t
	}
	return v
}

// handleChannelList godoc
//
//	@Summary		Release channels of a project
//	@Description	production first (every project has it), then the others by name, with their resource and pin counts and the update URL their devices use.
//	@Tags			channels
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"project id"
//	@Success		200	{object}	okEnvelope{data=[]channelView}
//	@Failure		404	{object}	errorEnvelope
//	@Router			/api/v1/projects/{id}/channels [get]
func (s *Server) handleChannelList(c *gin.Context) {
	chs, err := s.releases.Channels(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	keys, err := s.releases.DeploymentKeys(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := make([]channelView, len(chs))
	for i, ch := range chs {
		out[i] = s.viewChannel(c, ch)
		out[i].DeploymentKeys = keys[ch.Name]
	}
	respondOK(c, http.StatusOK, out)
}

type channelCreateRequest struct {
	Name string `json:"name,omitempty" example:"beta"`
}

// handleChannelCreate godoc
//
//	@Summary		Add a release channel (maintainers, owners)
//	@Description	Names match ^[a-z0-9][a-z0-9_-]{0,31}$ and are never changed. 409 when it exists.
//	@Tags			channels
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string					true	"project id"
//	@Param			body	body		channelCreateRequest	true	"channel"
//	@Success		201		{object}	okEnvelope{data=channelView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		403		{object}	errorEnvelope
//	@Failure		409		{object}	errorEnvelope
//	@Router			/api/v1/projects/{id}/channels [post]
func (s *Server) handleChannelCreate(c *gin.Context) {
	var req channelCreateRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	ch, err := s.releases.CreateChannel(c.Request.Context(), principal(c), c.Param("id"), req.Name)
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusCreated, s.viewChannel(c, ch))
}

// handleChannelDelete godoc
//
//	@Summary		Delete an empty release channel and its pins (maintainers, owners)
//	@Description	409 while the channel has resources; production cannot be deleted (400).
//	@Tags			channels
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string	true	"project id"
//	@Param			name	path		string	true	"channel"
//	@Success		200		{object}	okEnvelope
//	@Failure		400		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Failure		409		{object}	errorEnvelope
//	@Router			/api/v1/projects/{id}/channels/{name} [delete]
func (s *Server) handleChannelDelete(c *gin.Context) {
	if err := s.releases.DeleteChannel(c.Request.Context(), principal(c), c.Param("id"), c.Param("name")); err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, nil)
}

type pinView struct {
	DeviceKey   string    `json:"deviceKey" example:"5f1c9a7e-2b1d-4c55-9a1b-0c7d2e3f4a5b"`
	Channel     string    `json:"channel" example:"beta"`
	Note        string    `json:"note"`
	CreatedTime time.Time `json:"createdTime"`
}

func viewPin(p release.Pin) pinView {
	return pinView{DeviceKey: p.DeviceKey, Channel: p.Channel, Note: p.Note, CreatedTime: p.CreatedTime}
}

// handlePinList godoc
//
//	@Summary	Devices pinned to channels
//	@Tags		channels
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id		path		string	true	"project id"
//	@Param		channel	query		string	false	"only this channel's"
//	@Success	200		{object}	okEnvelope{data=[]pinView}
//	@Failure	404		{object}	errorEnvelope
//	@Router		/api/v1/projects/{id}/pins [get]
func (s *Server) handlePinList(c *gin.Context) {
	pins, err := s.releases.Pins(c.Request.Context(), principal(c), c.Param("id"), c.Query("channel"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, mapSlice(pins, viewPin))
}

type pinRequest struct {
	// DeviceKey is the device's systemInfo.uuid or deviceId (at most 128
	// characters).
	DeviceKey string `json:"deviceKey,omitempty"`
	Channel   string `json:"channel,omitempty" example:"beta"`
	Note      string `json:"note,omitempty"`
}

// handlePinCreate godoc
//
//	@Summary		Pin a device to a channel (maintainers, owners)
//	@Description	The device gets that channel whatever update URL it uses; a device pinned elsewhere moves. Takes effect at its next check.
//	@Tags			channels
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string		true	"project id"
//	@Param			body	body		pinRequest	true	"pin"
//	@Success		200		{object}	okEnvelope{data=pinView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope	"no such project or channel"
//	@Router			/api/v1/projects/{id}/pins [post]
func (s *Server) handlePinCreate(c *gin.Context) {
	var req pinRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	p, err := s.releases.PinDevice(c.Request.Context(), principal(c), c.Param("id"),
		release.Pin{DeviceKey: req.DeviceKey, Channel: req.Channel, Note: req.Note})
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewPin(p))
}

// handlePinDelete godoc
//
//	@Summary	Unpin a device (maintainers, owners)
//	@Tags		channels
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id			path		string	true	"project id"
//	@Param		deviceKey	path		string	true	"the pinned uuid or deviceId (URL-escaped)"
//	@Success	200			{object}	okEnvelope
//	@Failure	404			{object}	errorEnvelope
//	@Router		/api/v1/projects/{id}/pins/{deviceKey} [delete]
func (s *Server) handlePinDelete(c *gin.Context) {
	if err := s.releases.UnpinDevice(c.Request.Context(), principal(c), c.Param("id"), c.Param("deviceKey")); err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, nil)
}

type promoteRequest struct {
	Channel string `json:"channel,omitempty" example:"production"`
	// RolloutPercent of the copy, 1..100 (default 100).
	RolloutPercent *int `json:"rolloutPercent,omitempty" example:"10"`
}

// handleResourcePromote godoc
//
//	@Summary		Promote a resource to another channel (maintainers, owners)
//	@Description	Copies it (same file, version and versionCode; no re-upload) into the channel, enabled, with origin "promoted" and originId. The target channel's version rules apply: its versionCode must be greater than the channel's. Firmware has no channels.
//	@Tags			channels
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string			true	"resource id"
//	@Param			body	body		promoteRequest	true	"target"
//	@Success		201		{object}	okEnvelope{data=resourceView}
//	@Failure		400		{object}	errorEnvelope	"same channel, firmware, bad percent"
//	@Failure		404		{object}	errorEnvelope	"no such resource or channel"
//	@Failure		409		{object}	errorEnvelope	"versionCode not greater than the channel's"
//	@Router			/api/v1/resources/{id}/promote [post]
func (s *Server) handleResourcePromote(c *gin.Context) {
	var req promoteRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	r, err := s.releases.Promote(c.Request.Context(), principal(c), c.Param("id"), req.Channel, req.RolloutPercent)
	if err != nil {
		s.respondError(c, err)
		return
	}
	s.respondResource(c, http.StatusCreated, r)
}

type rollbackView struct {
	// Withdrawn is the rolled-back resource, now disabled.
	Withdrawn resourceView `json:"withdrawn"`
	// Republished is, for a wgt, the previous release's file published
	// again under the next versionCode; null for native builds.
	Republished *resourceView `json:"republished" extensions:"x-nullable"`
}

// handleResourceRollback godoc
//
//	@Summary		Roll a published resource back (maintainers, owners)
//	@Description	Disables it; for a wgt, also re-publishes the previous enabled wgt of the same channel and native build under the next versionCode (origin "rollback", changelog naming the withdrawn version), so devices that installed the bad one move back. Devices that report the previous versionCode are not offered the re-published copy. Native builds are only withdrawn. 400 when it is disabled already, is firmware, or (wgt) has no previous release.
//	@Tags			channels
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"resource id"
//	@Success		200	{object}	okEnvelope{data=rollbackView}
//	@Failure		400	{object}	errorEnvelope
//	@Failure		404	{object}	errorEnvelope
//	@Router			/api/v1/resources/{id}/rollback [post]
func (s *Server) handleResourceRollback(c *gin.Context) {
	out, err := s.releases.Rollback(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	var v rollbackView
	if v.Withdrawn, err = s.viewResource(c, out.Withdrawn); err != nil {
		s.respondError(c, err)
		return
	}
	if out.Republished != nil {
		r, err := s.viewResource(c, *out.Republished)
		if err != nil {
			s.respondError(c, err)
			return
		}
		v.Republished = &r
	}
	respondOK(c, http.StatusOK, v)
}

type traceStepView struct {
	ResourceID  string `json:"resourceId"`
	Type        int    `json:"type" enums:"1,2,3,4"`
	Version     string `json:"version"`
	VersionCode int64  `json:"versionCode"`
	Channel     string `json:"channel"`
	Verdict     string `json:"verdict" enums:"offered,skipped"`
	// Reason is why a skipped candidate was not offered.
	Reason string `json:"reason,omitempty" enums:"disabled,other_channel,native_mismatch,not_newer,outside_rollout,superseded"`
	// Bucket and Percent come with outside_rollout (bucket absent when the
	// device sent no key).
	Bucket  *int   `json:"bucket,omitempty"`
	Percent *int   `json:"percent,omitempty"`
	Message string `json:"message"`
}

type explainView struct {
	Channel string `json:"channel"`
	// Pinned is true when the device is pinned to the channel.
	Pinned bool          `json:"pinned"`
	Native *resourceView `json:"native" extensions:"x-nullable"`
	Wgt    *resourceView `json:"wgt" extensions:"x-nullable"`
	// Applies is what the stock client will do with the answer.
	Applies string          `json:"applies" enums:"none,wgt,native"`
	Trace   []traceStepView `json:"trace"`
}

// handleExplain godoc
//
//	@Summary		What would this device get, and why
//	@Description	Runs the update check's own decision (same compiled answer, channel choice and rollout buckets) for the device described, without counting it in the statistics, and lists every app resource of the platform with its verdict: offered, or skipped for one reason. uuid is the rollout key (deviceId when no uuid); pins match either.
//	@Tags			channels
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id					path		string	true	"project id"
//	@Param			platform			query		string	true	"android or ios"
//	@Param			nativeVersionCode	query		int		false	"the device's native build (absent: any native line)"
//	@Param			wgtVersionCode		query		int		false	"the device's installed wgt (default 0)"
//	@Param			uuid				query		string	false	"systemInfo.uuid"
//	@Param			deviceId			query		string	false	"systemInfo.deviceId"
//	@Param			channel				query		string	false	"the channel of the device's update URL"
//	@Success		200					{object}	okEnvelope{data=explainView}
//	@Failure		400					{object}	errorEnvelope
//	@Failure		404					{object}	errorEnvelope	"no such project or channel"
//	@Router			/api/v1/projects/{id}/explain [get]
func (s *Server) handleExplain(c *gin.Context) {
	req, err := explainRequest(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	all, err := s.releases.AppResources(c.Request.Context(), principal(c), req.ProjectID)
	if err != nil {
		s.respondError(c, err)
		return
	}
	ex, err := s.checker.Explain(c.Request.Context(), req, all)
	if err != nil {
		s.respondError(c, err)
		return
	}
	v := explainView{Channel: ex.Channel, Pinned: ex.Pinned, Applies: ex.Outcome.Result.String(), Trace: []traceStepView{}}
	for _, pair := range []struct {
		r   *release.Resource
		dst **resourceView
	}{{ex.Native, &v.Native}, {ex.Wgt, &v.Wgt}} {
		if pair.r == nil {
			continue
		}
		rv, err := s.viewResource(c, *pair.r)
		if err != nil {
			s.respondError(c, err)
			return
		}
		*pair.dst = &rv
	}
	for _, st := range ex.Trace {
		sv := traceStepView{ResourceID: st.ResourceID, Type: int(st.Type), Version: st.Version, VersionCode: st.VersionCode,
			Channel: st.Channel, Verdict: st.Verdict, Reason: string(st.Reason), Message: st.Message}
		if st.Reason == release.ReasonOutsideRollout {
			pct := st.Percent
			sv.Percent = &pct
			if req.UUID != "" {
				b := st.Bucket
				sv.Bucket = &b
			}
		}
		v.Trace = append(v.Trace, sv)
	}
	respondOK(c, http.StatusOK, v)
}

// explainRequest reads the device an explain call describes.
func explainRequest(c *gin.Context) (*release.Request, error) {
	var fs []apperr.FieldError
	bad := func(field, msg string) { fs = append(fs, apperr.FieldError{Field: field, Message: msg}) }
	code := func(name string) (int64, bool) {
		v := c.Query(name)
		if v == "" {
			return 0, false
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			bad(name, "must be a non-negative whole number")
		}
		return n, true
	}
	req := &release.Request{ProjectID: c.Param("id"), Channel: c.Query("channel")}
	switch p := c.Query("platform"); p {
	case "android", "ios":
		req.Platform = release.Platform(p)
	default:
		bad("platform", "must be android or ios")
	}
	req.NativeVersionCode, req.HasNativeVersionCode = code("nativeVersionCode")
	req.WgtVersionCode, _ = code("wgtVersionCode")
	uuid, deviceID := c.Query("uuid"), c.Query("deviceId")
	if len(uuid) > release.MaxDeviceKey {
		bad("uuid", "must be at most 128 characters")
	}
	if len(deviceID) > release.MaxDeviceKey {
		bad("deviceId", "must be at most 128 characters")
	}
	req.UUID, req.DeviceID = uuid, deviceID
	if req.UUID == "" {
		req.UUID = deviceID
	}
	if req.Channel != "" && !release.ValidChannel(req.Channel) {
		bad("channel", "must be at most 32 of a-z 0-9 _ -")
	}
	if len(fs) > 0 {
		return nil, apperr.Fields(fs...)
	}
	return req, nil
}
