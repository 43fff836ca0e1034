// Package device is the device registry: products (device models, each
// belonging to a project whose members' roles apply), their devices, tags
// and secrets, and the online state and last status the MQTT side reports.
//
// Product and device names are one MQTT topic level each (PROTOCOLS §3):
// 1 to 64 of [A-Za-z0-9_.-]. Product names are global, because a device's
// MQTT username and topics are {product}/{device}. Tags follow the same
// rule, since tag commands go to tags/{product}/{tag}/cmd/...
package device

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// Limits of the registry.
const (
	// MaxTags is the most tags a device may carry.
	MaxTags = 20
	// MaxBatch is the most devices one batch may create; more is TooLarge.
	MaxBatch = 10000
	// MaxStatusBytes bounds a stored status report.
	MaxStatusBytes = 8 << 10
	// MaxFirmwareVersion bounds the firmware version taken from a report.
	MaxFirmwareVersion = 50
	// maxFieldErrors bounds the field errors and names one error lists.
	maxFieldErrors = 20
)

// Product is a device model. Its devices share the MQTT namespace
// {product}/... and the project's access rules.
type Product struct {
	Name        string // immutable: it is part of every device's MQTT identity
	ProjectID   string
	Description string
	// DeviceCount and OnlineCount are filled by Service reads and store
	// listings; zero elsewhere.
	DeviceCount int64
	OnlineCount int64
	CreatedTime time.Time
	UpdatedTime time.Time
}

// Device is one device of a product.
type Device struct {
	Product string
	Name    string
	Tags    []string // sorted, unique, never nil in what the Service returns
	// SecretHash is the hex HMAC of the device secret (see hashSecret),
	// set between Service and Store only: the Service returns devices
	// without it.
	SecretHash string
	Online     bool
	LastSeenAt *time.Time // nil when never seen
	LastIP     string
	// LastStatus is the last status report, a JSON object; nil when none.
	LastStatus      json.RawMessage
	FirmwareVersion string
	CreatedTime     time.Time
	UpdatedTime     time.Time
}

// MQTTUsername is the username the device connects with: {product}/{device}.
// Its MQTT client id must start with the same string.
func (d Device) MQTTUsername() string { return d.Product + "/" + d.Name }

// Issued is a device with its secret, returned only when the secret is made
// (creation, rotation): the secret is not stored and cannot be shown again.
type Issued struct {
	Device
	Secret string
}

// ProductFields is the input of CreateProduct; Name and ProjectID are
// required.
type ProductFields struct {
	Name        string
	ProjectID   string
	Description string
}

// ProductPatch changes a product; nil is unchanged. Name and project are
// fixed.
type ProductPatch struct {
	Description *string
}

// NewDevice is one device to create.
type NewDevice struct {
	Name string
	Tags []string
	// Line is the CSV line it was read from (1-based, as an editor numbers
	// them; ParseCSV sets it), 0 otherwise. A batch's errors name it:
	// lines[4].name instead of devices[i].name.
	Line int
}

// DevicePatch changes a device; nil is unchanged. Tags replace the whole
// list.
type DevicePatch struct {
	Tags *[]string
}

// ProductFilter narrows a product list; zero values match everything.
type ProductFilter struct {
	ProjectID string
	// Search is a case-sensitive name prefix.
	Search string
	// MemberID, when set, keeps the products of projects this user is a
	// member of (the Service sets it for non-administrators).
	MemberID string
}

// DeviceFilter narrows a device list; zero values match everything.
type DeviceFilter struct {
	Tag    string
	Online *bool
	// Search is a case-sensitive name prefix.
	Search string
}

// ProductSortKeys are the sort keys of product lists, the default first.
var ProductSortKeys = []string{"createdTime", "name"}

// DeviceSortKeys are the sort keys of device lists, the default first.
var DeviceSortKeys = []string{"createdTime", "name", "lastSeen"}

// MaxNameLen is the longest product, device or tag name.
const MaxNameLen = 64

// ValidName reports whether s may name a product, device or tag (and, in
// ota, a command or a request id): 1 to MaxNameLen bytes of
// [A-Za-z0-9_.-]. This is the rule; the MQTT topic codec
// (internal/mqtt/topic) checks topic levels with it. Such a name is one MQTT topic level, never a
// wildcard and never '$'-prefixed.
func ValidName(s string) bool {
	if len(s) == 0 || len(s) > MaxNameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

const nameRule = "must be 1 to 64 characters of A-Z a-z 0-9 _ . - (no / + # $ or spaces)"

type fieldErrs []apperr.FieldError

func (fs *fieldErrs) add(field, format string, args ...any) {
	if len(*fs) < maxFieldErrors {
		*fs = append(*fs, apperr.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
}

func (fs fieldErrs) err() error {
	if len(fs) == 0 {
		return nil
	}
	return apperr.Fields(fs...)
}

func (f ProductFields) validate() error {
	var fs fieldErrs
	if !ValidName(f.Name) {
		fs.add("name", nameRule)
	}
	if f.ProjectID == "" {
		fs.add("projectId", "is required")
	}
	checkDescription(&fs, f.Description)
	return fs.err()
}

func (p ProductPatch) validate() error {
	var fs fieldErrs
	if p.Description != nil {
		checkDescription(&fs, *p.Description)
	}
	return fs.err()
}

func checkDescription(fs *fieldErrs, d string) {
	if utf8.RuneCountInString(d) > 255 {
		fs.add("description", "must be at most 255 characters")
	}
}

// validate checks a device to create; prefix names its fields ("",
// "devices[3]." or "lines[5].").
func (n NewDevice) validate(fs *fieldErrs, prefix string) {
	if !ValidName(n.Name) {
		fs.add(prefix+"name", nameRule)
	}
	checkTags(fs, prefix+"tags", n.Tags)
}

func checkTags(fs *fieldErrs, field string, tags []string) {
	for _, t := range tags {
		if !ValidName(t) {
			fs.add(field, "each tag "+nameRule+"; %q is not", t)
			return
		}
	}
	if len(normTags(tags)) > MaxTags {
		fs.add(field, "must be at most %d tags", MaxTags)
	}
}

// normTags returns tags sorted and without duplicates, never nil.
func normTags(tags []string) []string {
	out := slices.Clone(tags)
	if out == nil {
		out = []string{}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// firstNames joins at most maxFieldErrors names for a message, saying how
// many more there are.
func firstNames(names []string) string {
	if len(names) <= maxFieldErrors {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:maxFieldErrors], ", "), len(names)-maxFieldErrors)
}
