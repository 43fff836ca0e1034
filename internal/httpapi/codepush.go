package httpapi

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/release"
)

// renderCodePushURL is the CodePush view of a release: its stable download
// link (release.ViewFunc); nil for other types.
func renderCodePushURL(r release.Resource, url string) (any, error) {
	if !r.Type.IsCodePush() {
		return nil, nil
	}
	return url, nil
}

// codePushUpdateInfo is update_info on the new path (snake_case).
type codePushUpdateInfo struct {
	DownloadURL            string `json:"download_url"`
	Description            string `json:"description"`
	IsAvailable            bool   `json:"is_available"`
	IsMandatory            bool   `json:"is_mandatory"`
	AppVersion             string `json:"app_version"`
	PackageHash            string `json:"package_hash"`
	Label                  string `json:"label"`
	PackageSize            int64  `json:"package_size"`
	UpdateAppVersion       bool   `json:"update_app_version"`
	ShouldRunBinaryVersion bool   `json:"should_run_binary_version"`
	TargetBinaryRange      string `json:"target_binary_range"`
}

// codePushUpdateInfoLegacy is updateInfo on the legacy path (camelCase).
type codePushUpdateInfoLegacy struct {
	DownloadURL            string `json:"downloadURL"`
	Description            string `json:"description"`
	IsAvailable            bool   `json:"isAvailable"`
	IsMandatory            bool   `json:"isMandatory"`
	AppVersion             string `json:"appVersion"`
	PackageHash            string `json:"packageHash"`
	Label                  string `json:"label"`
	PackageSize            int64  `json:"packageSize"`
	UpdateAppVersion       bool   `json:"updateAppVersion"`
	ShouldRunBinaryVersion bool   `json:"shouldRunBinaryVersion"`
	TargetBinaryRange      string `json:"target_binary_range"`
}

// either returns the first non-empty query value of the two spellings.
func either(c *gin.Context, a, b string) string {
	if v := c.Query(a); v != "" {
		return v
	}
	return c.Query(b)
}

// handleCodePushCheck godoc
//
//	@Summary		CodePush update check (public)
//	@Description	What the CodePush acquisition SDK (react-native-code-push and forks) asks (PROTOCOLS §6): the deployment key names a project's channel and platform. Both spellings of every parameter are accepted on both paths; the new path answers {"update_info":{…}} in snake_case, /updateCheck {"updateInfo":{…}} in camelCase. Selection, transitive mandatory, rollout hash and app-version normalisation are the reference server's. When package_hash names an earlier release of the deployment, download_url is a diff package (built on the first such request). Served from memory.
//	@Tags			public
//	@Produce		json
//	@Param			deployment_key		query		string	true	"deployment key (or deploymentKey)"
//	@Param			app_version			query		string	true	"binary version (or appVersion): semver, or 1 / 2.0 / 2.0-beta"
//	@Param			package_hash		query		string	false	"hash of the running package (or packageHash)"
//	@Param			label				query		string	false	"label of the running package"
//	@Param			is_companion		query		bool	false	"ignore the binary version (or isCompanion)"
//	@Param			client_unique_id	query		string	false	"device id, the rollout key (or clientUniqueId)"
//	@Success		200					{object}	object{update_info=codePushUpdateInfo}
//	@Failure		400					{object}	errorEnvelope	"missing or unknown deployment key, app version not semver"
//	@Router			/v0.1/public/codepush/update_check [get]
//	@Router			/updateCheck [get]
func (s *Server) handleCodePushCheck(c *gin.Context) {
	q := release.CodePushQuery{AppVersion: either(c, "app_version", "appVersion"), PackageHash: either(c, "package_hash", "packageHash"),
		Label: c.Query("label"), IsCompanion: strings.EqualFold(either(c, "is_companion", "isCompanion"), "true"),
		ClientUniqueID: either(c, "client_unique_id", "clientUniqueId")}
	ctx := c.Request.Context()
	a, err := s.checker.CheckCodePush(ctx, either(c, "deployment_key", "deploymentKey"), q)
	if err != nil {
		s.respondError(c, err)
		return
	}
	info := codePushUpdateInfo{IsAvailable: a.IsAvailable, IsMandatory: a.IsMandatory, AppVersion: a.AppVersion,
		UpdateAppVersion: a.UpdateAppVersion, ShouldRunBinaryVersion: a.ShouldRunBinaryVersion, TargetBinaryRange: a.AppVersion}
	if r := a.Release; r != nil {
		info.Description, info.PackageHash, info.Label, info.PackageSize = r.Changelog, r.PackageHash, r.Label, r.Size
		u, _ := a.View(s.codePushView, r).(string)
		info.DownloadURL = s.absolute(c, u)
		if a.DiffBase != nil {
			if d, err := s.releases.CodePushDiff(ctx, r, a.DiffBase); err == nil {
				info.DownloadURL = s.baseURL(c) + "/codepush/diff/" + r.ID + "/" + d.BaseHash + ".zip"
				info.PackageSize = d.Size
			} else {
				// The full package works too: log and serve it.
				s.log.Warn("codepush diff not built", "resource", r.ID, "base", a.DiffBase.ID, "error", err)
			}
		}
	}
	out := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(out)
	out.Reset()
	writeUpdateInfo(out, &info, strings.HasPrefix(c.Request.URL.Path, "/v0.1/"))
	c.Writer.Header()["Content-Type"] = jsonContentType
	c.Writer.WriteHeader(http.StatusOK)
	c.Writer.Write(out.Bytes())
}

// writeUpdateInfo writes {"update_info":{…}} (snake) or the legacy
// {"updateInfo":{…}} without reflection: the answer of every launch.
func writeUpdateInfo(out *bytes.Buffer, in *codePushUpdateInfo, snake bool) {
	names := &legacyNames
	if snake {
		names = &snakeNames
	}
	str := func(i int, v string, comma bool) {
		out.WriteString(names[i])
		out.WriteByte('"')
		writeJSONStringBody(out, v)
		out.WriteByte('"')
		if comma {
			out.WriteByte(',')
		}
	}
	boolean := func(i int, v bool) {
		out.WriteString(names[i])
		out.WriteString(strconv.FormatBool(v))
		out.WriteByte(',')
	}
	str(0, in.DownloadURL, true)
	str(1, in.Description, true)
	boolean(2, in.IsAvailable)
	boolean(3, in.IsMandatory)
	str(4, in.AppVersion, true)
	str(5, in.PackageHash, true)
	str(6, in.Label, true)
	out.WriteString(names[7])
	out.Write(strconv.AppendInt(out.AvailableBuffer(), in.PackageSize, 10))
	out.WriteByte(',')
	boolean(8, in.UpdateAppVersion)
	boolean(9, in.ShouldRunBinaryVersion)
	str(10, in.TargetBinaryRange, false)
	out.WriteString("}}")
}

var snakeNames = [...]string{`{"update_info":{"download_url":`, `"description":`, `"is_available":`, `"is_mandatory":`,
	`"app_version":`, `"package_hash":`, `"label":`, `"package_size":`, `"update_app_version":`,
	`"should_run_binary_version":`, `"target_binary_range":`}

var legacyNames = [...]string{`{"updateInfo":{"downloadURL":`, `"description":`, `"isAvailable":`, `"isMandatory":`,
	`"appVersion":`, `"packageHash":`, `"label":`, `"packageSize":`, `"updateAppVersion":`,
	`"shouldRunBinaryVersion":`, `"target_binary_range":`}

// codePushReport is a deploy or download report in either spelling.
type codePushReport struct {
	DeploymentKey          string `json:"deployment_key"`
	DeploymentKeyC         string `json:"deploymentKey"`
	AppVersion             string `json:"app_version"`
	AppVersionC            string `json:"appVersion"`
	ClientUniqueID         string `json:"client_unique_id"`
	ClientUniqueIDC        string `json:"clientUniqueId"`
	Label                  string `json:"label"`
	Status                 string `json:"status"`
	PreviousLabelOrVersion string `json:"previous_label_or_app_version"`
	PreviousLabelC         string `json:"previousLabelOrAppVersion"`
	PreviousDeploymentKey  string `json:"previous_deployment_key"`
	PreviousDeploymentC    string `json:"previousDeploymentKey"`
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// handleCodePushDeployReport godoc
//
//	@Summary		CodePush deploy report (public)
//	@Description	A client installed (status DeploymentSucceeded) or failed to install (DeploymentFailed) a label, or runs its binary (no label, no status). Counted per label (GET /api/v1/resources/{id}/codepush-metrics). Both spellings on both paths. 400 without a deployment key or app version, or with a label and no valid status; an unknown key is acknowledged and not counted, as on the reference server. Acknowledged (200) only once committed; 503 while the database is unreachable (the SDK sends the report again).
//	@Tags			public
//	@Accept			json
//	@Success		200
//	@Failure		400	{object}	errorEnvelope
//	@Failure		503	{object}	errorEnvelope
//	@Router			/v0.1/public/codepush/report_status/deploy [post]
//	@Router			/reportStatus/deploy [post]
func (s *Server) handleCodePushDeployReport(c *gin.Context) {
	var in codePushReport
	if err := c.ShouldBindJSON(&in); err != nil {
		s.respondError(c, apperr.New(apperr.Invalid, "the report must be a JSON object"))
		return
	}
	key, appVersion := or(in.DeploymentKey, in.DeploymentKeyC), or(in.AppVersion, in.AppVersionC)
	switch {
	case key == "" || appVersion == "":
		s.respondError(c, apperr.New(apperr.Invalid, "A deploy status report must contain a valid appVersion and deploymentKey."))
		return
	case in.Label != "" && in.Status != "DeploymentSucceeded" && in.Status != "DeploymentFailed":
		s.respondError(c, apperr.New(apperr.Invalid, "A deploy status report for a labelled package must contain a valid status."))
		return
	}
	d, err := s.checker.Deployment(c.Request.Context(), key)
	if err != nil {
		s.respondError(c, err) // 503: the SDK sends the report again
		return
	}
	if d == nil {
		// As the reference server: the report is acknowledged (the SDK
		// only looks at the status), an unknown key counts nothing.
		c.Status(http.StatusOK)
		return
	}
	prevKey := or(in.PreviousDeploymentKey, in.PreviousDeploymentC)
	prev := d
	if prevKey != "" && prevKey != key {
		if prev, _ = s.checker.Deployment(c.Request.Context(), prevKey); prev == nil {
			prev = d
		}
	}
	if err := s.codePushMetrics.Deployed(c.Request.Context(), d, or(in.Label, appVersion), in.Status == "DeploymentFailed", prev,
		or(in.PreviousLabelOrVersion, in.PreviousLabelC)); err != nil {
		s.respondError(c, err)
		return
	}
	if id, h := d.ReleaseID(in.Label), release.DeviceHash(or(in.ClientUniqueID, in.ClientUniqueIDC)); id != "" && h != 0 && s.funnel != nil {
		if in.Status == "DeploymentFailed" {
			s.funnel.InstallFailed(id, h, s.now())
		} else {
			s.funnel.Installed(id, h, s.now())
		}
	}
	c.Status(http.StatusOK)
}

// handleCodePushDownloadReport godoc
//
//	@Summary		CodePush download report (public)
//	@Tags			public
//	@Accept			json
//	@Success		200
//	@Description	Acknowledged (200) only once committed; 503 while the database is unreachable (the SDK sends the report again).
//	@Failure		400	{object}	errorEnvelope
//	@Failure		503	{object}	errorEnvelope
//	@Router			/v0.1/public/codepush/report_status/download [post]
//	@Router			/reportStatus/download [post]
func (s *Server) handleCodePushDownloadReport(c *gin.Context) {
	var in codePushReport
	if err := c.ShouldBindJSON(&in); err != nil || or(in.DeploymentKey, in.DeploymentKeyC) == "" || in.Label == "" {
		s.respondError(c, apperr.New(apperr.Invalid, "A download status report must contain a valid deploymentKey and package label."))
		return
	}
	d, err := s.checker.Deployment(c.Request.Context(), or(in.DeploymentKey, in.DeploymentKeyC))
	if err == nil && d != nil {
		err = s.codePushMetrics.Downloaded(c.Request.Context(), d, in.Label)
	}
	if err != nil {
		s.respondError(c, err) // 503: the SDK sends the report again
		return
	}
	if id, h := d.ReleaseID(in.Label), release.DeviceHash(or(in.ClientUniqueID, in.ClientUniqueIDC)); id != "" && h != 0 && s.funnel != nil {
		s.funnel.Downloaded(id, h, s.now())
	}
	c.Status(http.StatusOK)
}

// handleCodePushDiffDownload godoc
//
//	@Summary		CodePush diff package download (public)
//	@Description	The download_url of a diff answer: 302 to a freshly signed storage URL; 404 when the diff was never built or its release is disabled.
//	@Tags			public
//	@Param			id		path	string	true	"release id"
//	@Param			name	path	string	true	"{base package hash}.zip"
//	@Success		302
//	@Failure		404	{object}	errorEnvelope
//	@Router			/codepush/diff/{id}/{name} [get]
func (s *Server) handleCodePushDiffDownload(c *gin.Context) {
	u, err := s.releases.CodePushDiffURL(c.Request.Context(), c.Param("id"), strings.TrimSuffix(c.Param("name"), ".zip"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusFound, s.absolute(c, u))
}

// codePushMetricsView is a CodePush release's report counts.
type codePushMetricsView struct {
	Label      string `json:"label" example:"v3"`
	Active     int64  `json:"active"`
	Downloaded int64  `json:"downloaded"`
	Installed  int64  `json:"installed"`
	Failed     int64  `json:"failed"`
}

// handleCodePushMetrics godoc
//
//	@Summary		CodePush report counts of a release
//	@Description	Active devices, downloads, installs and failed installs the clients reported for this label (as committed).
//	@Tags			resources
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		string	true	"resource id"
//	@Success		200	{object}	okEnvelope{data=codePushMetricsView}
//	@Failure		400	{object}	errorEnvelope
//	@Failure		404	{object}	errorEnvelope
//	@Router			/api/v1/resources/{id}/codepush-metrics [get]
func (s *Server) handleCodePushMetrics(c *gin.Context) {
	r, m, err := s.releases.CodePushMetricsOf(c.Request.Context(), principal(c), s.codePushMetrics, c.Param("id"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, codePushMetricsView{Label: r.Label, Active: m.Active, Downloaded: m.Downloaded,
		Installed: m.Installed, Failed: m.Failed})
}

// handleDeploymentKeyRotate godoc
//
//	@Summary		Rotate a CodePush deployment key
//	@Description	Replaces the deployment key of a channel and platform; apps built with the old key get 400 from then on.
//	@Tags			channels
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id			path		string	true	"project id"
//	@Param			name		path		string	true	"channel"
//	@Param			platform	path		string	true	"android or ios"
//	@Success		200			{object}	okEnvelope{data=object{deploymentKey=string}}
//	@Failure		400			{object}	errorEnvelope
//	@Failure		404			{object}	errorEnvelope
//	@Router			/api/v1/projects/{id}/channels/{name}/deployment-keys/{platform}/rotate [post]
func (s *Server) handleDeploymentKeyRotate(c *gin.Context) {
	k, err := s.releases.RotateDeploymentKey(c.Request.Context(), principal(c), c.Param("id"), c.Param("name"), release.Platform(c.Param("platform")))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, gin.H{"deploymentKey": k})
}
