// Package release holds Hoist's release domain: resources (hot-update
// packages, native builds, firmware), their version rules, and the update
// decision the public update check makes.
package release

import "time"

// Type is a resource type. The numbers are upushy's wire values (PROTOCOLS §2)
// plus 5 for firmware and 6, 7 for CodePush bundles.
type Type int

// Resource types.
const (
	TypeWgtAndroid Type = 1 // hot-update package for Android
	TypeWgtIOS     Type = 2 // hot-update package for iOS
	TypeAndroid    Type = 3 // native Android build (apk)
	TypeIOS        Type = 4 // native iOS build (App Store link)
	TypeFirmware   Type = 5 // device firmware for OTA
	// TypeCodePushAndroid and TypeCodePushIOS are React Native bundles
	// served over the CodePush protocol (PROTOCOLS §6): a zip of the
	// folder `react-native bundle` writes.
	TypeCodePushAndroid Type = 6
	TypeCodePushIOS     Type = 7
)

// Label names t for people: "wgt (Android)", "Android build", ….
func (t Type) Label() string {
	switch t {
	case TypeWgtAndroid:
		return "wgt (Android)"
	case TypeWgtIOS:
		return "wgt (iOS)"
	case TypeAndroid:
		return "Android build"
	case TypeIOS:
		return "iOS build"
	case TypeFirmware:
		return "firmware"
	case TypeCodePushAndroid:
		return "CodePush bundle (Android)"
	case TypeCodePushIOS:
		return "CodePush bundle (iOS)"
	}
	return "resource"
}

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
	VersionCode       int64  // strictly increasing per project, channel and type
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
	// Channel is the release channel the resource is published to
	// (DefaultChannel unless set); version rules hold per channel.
	Channel string
	// Origin says where the resource came from: "" (published),
	// OriginPromoted (copied from OriginID, another channel's resource) or
	// OriginRollback (re-publishes OriginID's file to undo a bad release).
	Origin   string
	OriginID string
	// OriginVersionCode is, for a rollback (and a promoted copy of one), the versionCode its package
	// declares (its origin's): a device reporting it runs that content
	// already and is not offered the rollback again.
	OriginVersionCode int64
	// Label, TargetBinaryRange and PackageHash are CodePush's (types 6
	// and 7, "" otherwise): "v" + versionCode, the npm semver range of
	// binary versions the bundle runs on, and the package hash computed
	// from the zip at publish (PROTOCOLS §6).
	Label             string
	TargetBinaryRange string
	PackageHash       string
	CreatedBy         string
	CreatedTime       time.Time
	UpdatedTime       time.Time
}

// Origins of a resource.
const (
	OriginPromoted = "promoted"
	OriginRollback = "rollback"
)

// IsWgt reports whether t is a hot-update package type.
func (t Type) IsWgt() bool { return t == TypeWgtAndroid || t == TypeWgtIOS }

// IsCodePush reports whether t is a CodePush bundle type.
func (t Type) IsCodePush() bool { return t == TypeCodePushAndroid || t == TypeCodePushIOS }

// CodePushType returns the CodePush bundle type of a platform.
func (p Platform) CodePushType() Type {
	if p == PlatformIOS {
		return TypeCodePushIOS
	}
	return TypeCodePushAndroid
}

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
