// Package release holds Hoist's release domain: resources (hot-update
// packages, native builds, firmware), their version rules, and the update
// decision the public update check makes.
package release

import "time"

// Type is a resource type. The numbers are upushy's wire values (PROTOCOLS §2)
// plus 5 for firmware.
type Type int

// Resource types.
const (
	TypeWgtAndroid Type = 1 // hot-update package for Android
	TypeWgtIOS     Type = 2 // hot-update package for iOS
	TypeAndroid    Type = 3 // native Android build (apk)
	TypeIOS        Type = 4 // native iOS build (App Store link)
	TypeFirmware   Type = 5 // device firmware for OTA
)

// UpdateType says how the client applies an update.
type UpdateType int

// Update types.
const (
	UpdateConsent UpdateType = 1 // the user agrees first
	UpdateForced  UpdateType = 2
	UpdateSilent  UpdateType = 3
)

// Status says whether a resource may be offered.
type Status int

// Statuses.
const (
	StatusDisabled Status = 0
	StatusEnabled  Status = 1
)

// Platform is an app platform of the update check.
type Platform string

// Platforms.
const (
	PlatformAndroid Platform = "android"
	PlatformIOS     Platform = "ios"
)

// Resource is one release artefact of a project.
type Resource struct {
	ID                string // 32 lowercase hex
	ProjectID         string
	Type              Type
	Version           string // display version, e.g. "1.2.0"
	VersionCode       int64  // strictly increasing per project and type
	NativeVersionCode int64  // for wgt: the native versionCode it was built for; 0 otherwise
	// URL is an absolute URL for type 4 (App Store link); StorageKey names
	// the uploaded file for the other types.
	URL            string
	StorageKey     string
	Size           int64
	MD5            string
	SHA256         string
	UpdateType     UpdateType
	Status         Status
	Changelog      string
	Remark         string
	RolloutPercent int    // 1..100
	Product        string // firmware only: the device product it is for
	CreatedBy      string
	CreatedTime    time.Time
	UpdatedTime    time.Time
}

// IsWgt reports whether t is a hot-update package type.
func (t Type) IsWgt() bool { return t == TypeWgtAndroid || t == TypeWgtIOS }

// IsNative reports whether t is a native build type.
func (t Type) IsNative() bool { return t == TypeAndroid || t == TypeIOS }

// WgtType returns the hot-update type of a platform.
func (p Platform) WgtType() Type {
	if p == PlatformIOS {
		return TypeWgtIOS
	}
	return TypeWgtAndroid
}

// NativeType returns the native build type of a platform.
func (p Platform) NativeType() Type {
	if p == PlatformIOS {
		return TypeIOS
	}
	return TypeAndroid
}
