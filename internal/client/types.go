package client

import (
	"encoding/json"
	"time"
)

// The wire structs below mirror the definitions of docs/swagger.yaml
// (httpapi's views and requests): same JSON names, same omitempty. The
// test of this package encodes each answer again and compares it with
// what the server sent, so a field the server adds must be added here.

// Page is one page of a list (PROTOCOLS §1).
type Page[T any] struct {
	Total    int64 `json:"total"`
	Records  []T   `json:"records"`
	PageNum  int   `json:"pageNum"`
	PageSize int   `json:"pageSize"`
}

// User is an account (userView).
type User struct {
	ID          string    `json:"id"`
	Username    string    `json:"username"`
	Email       string    `json:"email"`
	Nickname    string    `json:"nickname"`
	Role        string    `json:"role"`
	Disabled    bool      `json:"disabled"`
	CreatedTime time.Time `json:"createdTime"`
	UpdatedTime time.Time `json:"updatedTime"`
}

// Session is the answer of register, login and refresh (sessionView).
type Session struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	// ExpiresIn is the access token's lifetime in seconds.
	ExpiresIn int64  `json:"expiresIn"`
	TokenType string `json:"tokenType"`
	User      User   `json:"user"`
}

// Registration is a new account (registerRequest).
type Registration struct {
	Username  string `json:"username"`
	Password  string `json:"password"`
	Email     string `json:"email,omitempty"`
	Nickname  string `json:"nickname,omitempty"`
	CaptchaID string `json:"captchaId,omitempty"`
	Captcha   string `json:"captcha,omitempty"`
	SetupCode string `json:"setupCode,omitempty"`
}

// NewAPIToken asks for an API token (tokenRequest).
type NewAPIToken struct {
	Name      string     `json:"name"`
	ProjectID string     `json:"projectId,omitempty"`
	ReadOnly  bool       `json:"readOnly,omitempty"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

// APIToken is a new API token with its secret, shown once
// (createdAPITokenView).
type APIToken struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Prefix      string     `json:"prefix"`
	ProjectID   string     `json:"projectId,omitempty"`
	ReadOnly    bool       `json:"readOnly"`
	ExpiresAt   *time.Time `json:"expiresAt"`
	LastUsedAt  *time.Time `json:"lastUsedAt"`
	CreatedTime time.Time  `json:"createdTime"`
	// Token is the secret to send as "Authorization: Bearer hst_...".
	Token string `json:"token"`
}

// Project is a project as its caller sees it (projectView).
type Project struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	OwnerID     string `json:"ownerId"`
	// UpdateURL is what the app's upushy client is configured with.
	UpdateURL string `json:"updateUrl"`
	// MyRole is the caller's role, empty for admins who are not members.
	MyRole      string    `json:"myRole"`
	CreatedTime time.Time `json:"createdTime"`
	UpdatedTime time.Time `json:"updatedTime"`
}

// NewProduct is a device product to create (productCreateRequest).
type NewProduct struct {
	Name        string `json:"name"`
	ProjectID   string `json:"projectId"`
	Description string `json:"description,omitempty"`
}

// Product is a device product (productView).
type Product struct {
	Name        string    `json:"name"`
	ProjectID   string    `json:"projectId"`
	Description string    `json:"description"`
	DeviceCount int64     `json:"deviceCount"`
	OnlineCount int64     `json:"onlineCount"`
	CreatedTime time.Time `json:"createdTime"`
	UpdatedTime time.Time `json:"updatedTime"`
}

// Resource types (PROTOCOLS §2, plus 5 for device firmware and 6, 7 for
// CodePush bundles, PROTOCOLS §6).
const (
	TypeWgtAndroid      = 1
	TypeWgtIOS          = 2
	TypeAndroid         = 3
	TypeIOS             = 4
	TypeFirmware        = 5
	TypeCodePushAndroid = 6
	TypeCodePushIOS     = 7
)

// Resource is a release resource (resourceView).
type Resource struct {
	ID                string `json:"id"`
	ProjectID         string `json:"projectId"`
	Type              int    `json:"type"`
	Version           string `json:"version"`
	VersionCode       int64  `json:"versionCode"`
	NativeVersionCode int64  `json:"nativeVersionCode"`
	// URL is absolute: the stable download link, or the App Store link.
	URL            string `json:"url"`
	UpdateType     int    `json:"updateType"`
	Status         int    `json:"status"`
	Changelog      string `json:"changelog"`
	Remark         string `json:"remark"`
	RolloutPercent int    `json:"rolloutPercent"`
	Size           int64  `json:"size"`
	MD5            string `json:"md5"`
	SHA256         string `json:"sha256"`
	StorageKey     string `json:"storageKey,omitempty"`
	Product        string `json:"product,omitempty"`
	// Label, TargetBinaryRange and PackageHash are a CodePush release's.
	Label             string `json:"label,omitempty"`
	TargetBinaryRange string `json:"targetBinaryRange,omitempty"`
	PackageHash       string `json:"packageHash,omitempty"`
	// Channel is the release channel the resource is published to.
	Channel string `json:"channel"`
	// Origin is "promoted" (copied from OriginID) or "rollback"
	// (re-publishes OriginID's file); empty for a plain publish.
	Origin      string    `json:"origin,omitempty"`
	OriginID    string    `json:"originId,omitempty"`
	CreatedBy   string    `json:"createdBy,omitempty"`
	CreatedTime time.Time `json:"createdTime"`
	UpdatedTime time.Time `json:"updatedTime"`
}

// NewResource is a resource to publish (resourceCreateRequest).
type NewResource struct {
	Type              int    `json:"type"`
	Version           string `json:"version"`
	VersionCode       int64  `json:"versionCode"`
	NativeVersionCode int64  `json:"nativeVersionCode"`
	// StorageKey is the Key of the upload (types 1, 2, 3, 5).
	StorageKey string `json:"storageKey,omitempty"`
	// URL is the App Store link (type 4 only).
	URL        string `json:"url,omitempty"`
	UpdateType int    `json:"updateType"`
	// Status nil: enabled.
	Status    *int   `json:"status,omitempty"`
	Changelog string `json:"changelog"`
	Remark    string `json:"remark"`
	// RolloutPercent nil: 100.
	RolloutPercent *int `json:"rolloutPercent,omitempty"`
	// Product is the device product of a firmware (type 5).
	Product string `json:"product,omitempty"`
	// TargetBinaryRange is the semver range of binary versions a CodePush
	// bundle (types 6, 7) runs on; its VersionCode may be 0 (the next).
	TargetBinaryRange string `json:"targetBinaryRange,omitempty"`
	// Channel is the release channel; empty: production.
	Channel string `json:"channel,omitempty"`
	// Force publishes even when Version or VersionCode differ from what
	// the uploaded package declares.
	Force bool `json:"force,omitempty"`
}

// Rolled is what a rollback did (rollbackView).
type Rolled struct {
	Withdrawn Resource `json:"withdrawn"`
	// Republished is nil for native builds.
	Republished *Resource `json:"republished"`
}

// ResourcePatch changes a resource; nil fields stay (resourcePatchRequest).
type ResourcePatch struct {
	Version        *string `json:"version,omitempty"`
	Changelog      *string `json:"changelog,omitempty"`
	Remark         *string `json:"remark,omitempty"`
	UpdateType     *int    `json:"updateType,omitempty"`
	Status         *int    `json:"status,omitempty"`
	RolloutPercent *int    `json:"rolloutPercent,omitempty"`
	// TargetBinaryRange changes a CodePush release's range (types 6, 7).
	TargetBinaryRange *string `json:"targetBinaryRange,omitempty"`
}

// ResourceFilter narrows a resource list; zero values do not filter.
type ResourceFilter struct {
	Type int
	// Status is "" (any), "1" (enabled) or "0" (disabled).
	Status string
	// Channel is a release channel; empty: every channel.
	Channel string
	// SortKey and Order sort the list (e.g. createdTime, DESC).
	SortKey, Order string
}

// File is an uploaded file (fileView).
type File struct {
	Key        string `json:"key"`
	URL        string `json:"url"`
	Name       string `json:"name"`
	Size       int64  `json:"size"`
	MD5        string `json:"md5"`
	SHA256     string `json:"sha256"`
	Kind       string `json:"kind"`
	StorageKey string `json:"storageKey"`
	// Version and VersionCode are what the package declares, if anything.
	Version     string `json:"version,omitempty"`
	VersionCode int64  `json:"versionCode,omitempty"`
}

// CampaignTarget is one device, a tag, or every device of the product
// (campaignTargetView); exactly one is set.
type CampaignTarget struct {
	Device string `json:"device,omitempty"`
	Tag    string `json:"tag,omitempty"`
	All    bool   `json:"all,omitempty"`
}

// NewCampaign starts an OTA campaign (campaignCreateRequest).
type NewCampaign struct {
	ResourceID string         `json:"resourceId"`
	Product    string         `json:"product"`
	Target     CampaignTarget `json:"target"`
	// TTLSeconds is the lifetime, 60 to 2592000; 0 means one day.
	TTLSeconds int64 `json:"ttlSeconds,omitempty"`
	// Waves is the wave plan (waveRequest); nil: no waves.
	Waves []WaveSpec `json:"waves,omitempty"`
	// SuccessThreshold and ErrorThreshold are percents (nil: the server's
	// defaults, 95 and 10); WaveTimeoutSeconds 0 means none. Only with
	// Waves.
	SuccessThreshold   *int  `json:"successThreshold,omitempty"`
	ErrorThreshold     *int  `json:"errorThreshold,omitempty"`
	WaveTimeoutSeconds int64 `json:"waveTimeoutSeconds,omitempty"`
}

// WaveSpec is one wave of a plan: exactly one of Tag, Count and Percent.
type WaveSpec struct {
	Tag     string `json:"tag,omitempty"`
	Count   int    `json:"count,omitempty"`
	Percent int    `json:"percent,omitempty"`
}

// CampaignWaves are a campaign's waves and thresholds (campaignWavesView).
type CampaignWaves struct {
	Current            int        `json:"current"`
	SuccessThreshold   int        `json:"successThreshold"`
	ErrorThreshold     int        `json:"errorThreshold"`
	WaveTimeoutSeconds int64      `json:"waveTimeoutSeconds"`
	WaveDeadline       *time.Time `json:"waveDeadline"`
	PausedAt           *time.Time `json:"pausedAt"`
	PauseReason        string     `json:"pauseReason"`
	Started            int64      `json:"started"`
	Failures           int64      `json:"failures"`
	FailuresAcked      int64      `json:"failuresAcked"`
	List               []Wave     `json:"list"`
}

// Wave is one wave of a campaign with its devices counted (waveView).
type Wave struct {
	Number  int    `json:"number"`
	Tag     string `json:"tag,omitempty"`
	Count   int    `json:"count,omitempty"`
	Percent int    `json:"percent,omitempty"`
	// Rest marks the wave of the devices the plan left.
	Rest bool `json:"rest,omitempty"`
	Size int  `json:"size"`
	// Status is waiting, running or done.
	Status    string           `json:"status"`
	Succeeded int64            `json:"succeeded"`
	Failures  int64            `json:"failures"`
	Counts    map[string]int64 `json:"counts"`
}

// CampaignEvent is one change of a campaign's course (campaignEventView).
type CampaignEvent struct {
	ID     int64           `json:"id"`
	Kind   string          `json:"kind"`
	Wave   int             `json:"wave"`
	By     string          `json:"by"`
	Reason string          `json:"reason"`
	Data   json.RawMessage `json:"data"`
	Time   time.Time       `json:"time"`
}

// Campaign is an OTA campaign with its devices counted per state
// (campaignView).
type Campaign struct {
	ID         string         `json:"id"`
	ProjectID  string         `json:"projectId"`
	Product    string         `json:"product"`
	ResourceID string         `json:"resourceId"`
	Version    string         `json:"version"`
	Target     CampaignTarget `json:"target"`
	RequestID  string         `json:"requestId"`
	Status     string         `json:"status"`
	Total      int64          `json:"total"`
	// Counts has every state as a key, zero included.
	Counts map[string]int64 `json:"counts"`
	// Waves is nil for a campaign without waves.
	Waves       *CampaignWaves `json:"waves,omitempty"`
	ExpiresAt   time.Time      `json:"expiresAt"`
	CancelledAt *time.Time     `json:"cancelledAt"`
	CreatedBy   string         `json:"createdBy"`
	CreatedTime time.Time      `json:"createdTime"`
	UpdatedTime time.Time      `json:"updatedTime"`
}

// Resumed is the answer of a campaign resume (resumeView).
type Resumed struct {
	Campaign Campaign `json:"campaign"`
	// Resent is the number of open devices the command was sent to again.
	Resent int `json:"resent"`
}

// NewDevice registers a device (deviceCreateRequest).
type NewDevice struct {
	Name string   `json:"name"`
	Tags []string `json:"tags,omitempty"`
}

// Device is a device of a product (deviceView).
type Device struct {
	Product string   `json:"product"`
	Name    string   `json:"name"`
	Tags    []string `json:"tags"`
	Online  bool     `json:"online"`
	// LastSeenAt is the last connect, disconnect or report; nil if never.
	LastSeenAt *time.Time `json:"lastSeenAt"`
	LastIP     string     `json:"lastIp"`
	// LastStatus is the last status report as sent (a JSON object), null
	// when none.
	LastStatus      json.RawMessage `json:"lastStatus"`
	FirmwareVersion string          `json:"firmwareVersion"`
	CreatedTime     time.Time       `json:"createdTime"`
	UpdatedTime     time.Time       `json:"updatedTime"`
}

// IssuedDevice is a device with its secret, shown only when the secret is
// made (issuedDeviceView).
type IssuedDevice struct {
	Device
	// Secret is the device's MQTT password.
	Secret string `json:"secret"`
	MQTT   struct {
		Username       string `json:"username"`
		ClientIDPrefix string `json:"clientIdPrefix"`
	} `json:"mqtt"`
}
