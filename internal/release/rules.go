package release

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/printable"
)

// Valid reports whether t is a resource type.
func (t Type) Valid() bool { return t >= TypeWgtAndroid && t <= TypeCodePushIOS }

// NeedsFile reports whether resources of type t carry an uploaded file
// (every type but the App Store link).
func (t Type) NeedsFile() bool { return t.Valid() && t != TypeIOS }

// Platform returns the app platform of a wgt or native type, "" otherwise.
func (t Type) Platform() Platform {
	switch t {
	case TypeWgtAndroid, TypeAndroid, TypeCodePushAndroid:
		return PlatformAndroid
	case TypeWgtIOS, TypeIOS, TypeCodePushIOS:
		return PlatformIOS
	}
	return ""
}

// NativeFor returns the native type whose builds a wgt of type t runs on.
func (t Type) NativeFor() Type { return t.Platform().NativeType() }

// FileKind is what an uploaded file's content is, found by reading it.
type FileKind string

// File kinds.
const (
	KindZip    FileKind = "zip"    // a zip archive (a wgt package)
	KindAPK    FileKind = "apk"    // a zip with AndroidManifest.xml
	KindBinary FileKind = "binary" // anything else
)

// Accepts reports whether a file of kind k can be the file of a resource of
// type t: wgt packages are zips, Android builds are apks, firmware is
// anything.
func (t Type) Accepts(k FileKind) bool {
	switch t {
	case TypeWgtAndroid, TypeWgtIOS:
		return k == KindZip || k == KindAPK
	case TypeAndroid:
		return k == KindAPK
	case TypeCodePushAndroid, TypeCodePushIOS:
		return k == KindZip
	case TypeFirmware:
		return true
	}
	return false
}

// fileRule is the human form of Accepts for error messages.
func (t Type) fileRule() string {
	switch t {
	case TypeWgtAndroid, TypeWgtIOS:
		return "a wgt package must be a zip archive"
	case TypeAndroid:
		return "an Android build must be an apk (a zip archive with AndroidManifest.xml)"
	case TypeCodePushAndroid, TypeCodePushIOS:
		return "a CodePush bundle must be a zip archive of the folder react-native bundle writes"
	}
	return "this type takes no file"
}

// NewResource is the input of Create.
type NewResource struct {
	Type              Type
	Version           string
	VersionCode       int64
	NativeVersionCode int64
	// URL is the App Store link of type 4; StorageKey the uploaded file of
	// the other types.
	URL            string
	StorageKey     string
	UpdateType     UpdateType
	Status         *Status // nil: enabled
	Changelog      string
	Remark         string
	RolloutPercent *int // nil: 100
	Product        string
	// TargetBinaryRange is, for CodePush (types 6, 7), the npm semver
	// range of binary versions the bundle runs on (required).
	TargetBinaryRange string
	// Channel is the release channel ("": DefaultChannel); firmware has
	// no other.
	Channel string
	// Force publishes even when Version or VersionCode differ from what
	// the uploaded package declares.
	Force bool
}

// Patch is a change to a resource's editable fields; nil is unchanged.
// Type and file are not editable.
type Patch struct {
	Version        *string
	Changelog      *string
	Remark         *string
	UpdateType     *UpdateType
	Status         *Status
	RolloutPercent *int
	// TargetBinaryRange is a CodePush release's (types 6, 7 only): the
	// npm semver range of binary versions it runs on, checked as at
	// publish.
	TargetBinaryRange *string
}

type fieldErrs []apperr.FieldError

func (fs *fieldErrs) add(field, format string, args ...any) {
	*fs = append(*fs, apperr.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (fs fieldErrs) err() error {
	if len(fs) == 0 {
		return nil
	}
	return apperr.Fields(fs...)
}

// checkEditable validates the fields a patch may also change.
func checkEditable(fs *fieldErrs, version *string, changelog, remark *string, ut *UpdateType, st *Status, rollout *int) {
	if version != nil {
		if n := utf8.RuneCountInString(strings.TrimSpace(*version)); n < 1 || n > 50 {
			fs.add("version", "must be 1 to 50 characters")
		} else if !printable.Line(*version) {
			fs.add("version", printable.Message)
		}
	}
	if changelog != nil && utf8.RuneCountInString(*changelog) > maxChangelog {
		fs.add("changelog", "must be at most %d characters", maxChangelog)
	}
	if remark != nil && utf8.RuneCountInString(*remark) > 255 {
		fs.add("remark", "must be at most 255 characters")
	}
	if ut != nil && (*ut < UpdateConsent || *ut > UpdateSilent) {
		fs.add("updateType", "must be 1 (user consent), 2 (forced) or 3 (silent)")
	}
	if st != nil && *st != StatusDisabled && *st != StatusEnabled {
		fs.add("status", "must be 0 (disabled) or 1 (enabled)")
	}
	if rollout != nil && (*rollout < 1 || *rollout > 100) {
		fs.add("rolloutPercent", "must be from 1 to 100")
	}
}

// validate checks everything that does not need the database.
func (n NewResource) validate() error {
	var fs fieldErrs
	if !n.Type.Valid() {
		fs.add("type", "must be 1 (wgt-android), 2 (wgt-ios), 3 (android), 4 (ios), 5 (firmware), 6 (codepush-android) or 7 (codepush-ios)")
		return fs.err()
	}
	v := n.Version
	checkEditable(&fs, &v, &n.Changelog, &n.Remark, &n.UpdateType, n.Status, n.RolloutPercent)
	if n.VersionCode < 1 && !(n.Type.IsCodePush() && n.VersionCode == 0) {
		fs.add("versionCode", "must be at least 1")
	}
	if n.Type.IsCodePush() || n.TargetBinaryRange != "" {
		checkTargetRange(&fs, n.Type, n.TargetBinaryRange)
	}
	if n.Type.IsWgt() && n.NativeVersionCode < 0 {
		fs.add("nativeVersionCode", "must not be negative")
	}
	if !n.Type.IsWgt() && n.NativeVersionCode != 0 {
		fs.add("nativeVersionCode", "must be 0 for native and firmware resources")
	}
	if n.Type == TypeIOS {
		if u, err := url.Parse(n.URL); err != nil || u.Scheme != "https" || u.Host == "" || len(n.URL) > 1024 {
			fs.add("url", "must be the https App Store link of the app")
		}
		if n.StorageKey != "" {
			fs.add("storageKey", "an iOS resource is an App Store link and takes no file")
		}
	} else {
		if n.StorageKey == "" {
			fs.add("storageKey", "is required: upload the file first")
		}
		if n.URL != "" {
			fs.add("url", "is set from the uploaded file; leave it empty")
		}
	}
	if n.Type == TypeFirmware {
		if !validProduct(n.Product) {
			fs.add("product", "must name the device product (1-64 of A-Z a-z 0-9 _ . -)")
		}
	} else if n.Product != "" {
		fs.add("product", "is only for firmware")
	}
	if n.Channel != "" && !ValidChannel(n.Channel) {
		fs.add("channel", "must name a channel of the project")
	} else if n.Type == TypeFirmware && n.Channel != "" && n.Channel != DefaultChannel {
		fs.add("channel", "firmware is released through OTA campaigns, not channels")
	}
	return fs.err()
}

func validProduct(s string) bool {
	if len(s) < 1 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// checkTargetRange checks a targetBinaryRange given for a resource of
// type t: only CodePush bundles have one, and it must parse as an npm
// semver range (the parser the update check matches with).
func checkTargetRange(fs *fieldErrs, t Type, rng string) {
	if !t.IsCodePush() {
		fs.add("targetBinaryRange", "is only for CodePush bundles (types 6 and 7)")
		return
	}
	if _, err := ParseSemverRange(rng); err != nil || strings.TrimSpace(rng) == "" {
		fs.add("targetBinaryRange", "must be a semver range of binary versions (npm syntax: 1.2.3, 1.x, ^1.2.3, ~1.2, >=1.0.0 <2.0.0, 1.2.3 - 1.4.0, *)")
	}
}

// validate checks a patch of a resource of type t.
func (p Patch) validate(t Type) error {
	var fs fieldErrs
	checkEditable(&fs, p.Version, p.Changelog, p.Remark, p.UpdateType, p.Status, p.RolloutPercent)
	if p.TargetBinaryRange != nil {
		checkTargetRange(&fs, t, *p.TargetBinaryRange)
	}
	return fs.err()
}

func (p Patch) apply(r *Resource) {
	if p.Version != nil {
		r.Version = strings.TrimSpace(*p.Version)
	}
	if p.Changelog != nil {
		r.Changelog = *p.Changelog
	}
	if p.Remark != nil {
		r.Remark = *p.Remark
	}
	if p.UpdateType != nil {
		r.UpdateType = *p.UpdateType
	}
	if p.Status != nil {
		r.Status = *p.Status
	}
	if p.RolloutPercent != nil {
		r.RolloutPercent = *p.RolloutPercent
	}
	if p.TargetBinaryRange != nil {
		// A display version that was the range (the default at publish)
		// follows it.
		if p.Version == nil && r.Version == truncateRunes(r.TargetBinaryRange, 50) {
			r.Version = truncateRunes(*p.TargetBinaryRange, 50)
		}
		r.TargetBinaryRange = *p.TargetBinaryRange
	}
}

// checkVersionCode is the ordering rule: a new resource's versionCode is
// strictly greater than every existing one of its project and type.
func checkVersionCode(code, max int64) error {
	if code <= max {
		return &apperr.Error{Code: apperr.Conflict, Message: fmt.Sprintf("versionCode must be greater than %d", max),
			Fields: []apperr.FieldError{{Field: "versionCode", Message: fmt.Sprintf("must be greater than %d", max)}}}
	}
	return nil
}

// agrees checks a new resource's version against what its package
// declares (wgt and Android builds; nothing to check when the package
// declares nothing).
func (f File) agrees(n NewResource) error {
	if !n.Type.IsWgt() && n.Type != TypeAndroid {
		return nil
	}
	var fs fieldErrs
	if f.VersionCode > 0 && n.VersionCode != f.VersionCode {
		fs.add("versionCode", "the package declares versionCode %d (version %q); use it, or set force to publish anyway", f.VersionCode, f.Version)
	}
	if f.Version != "" && strings.TrimSpace(n.Version) != f.Version {
		fs.add("version", "the package declares version %q; use it, or set force to publish anyway", f.Version)
	}
	return fs.err()
}

func asAppErr(err error, target **apperr.Error) bool { return errors.As(err, target) }
