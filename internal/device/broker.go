package device

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"net"
	"strings"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// This file is what the MQTT side (embedded broker, external broker hooks,
// the bridge) calls. Nothing here takes a principal: the caller is the
// server itself.

var errBadCredentials = apperr.New(apperr.Unauthorized, "bad device credentials")

// VerifySecret checks a device's MQTT credentials and returns the device
// with its tags (one indexed query). An unknown device, a malformed name
// and a wrong secret are the same Unauthorized error; the comparison is in
// constant time.
func (s *Service) VerifySecret(ctx context.Context, product, device, secret string) (Device, error) {
	if !ValidName(product) || !ValidName(device) || len(secret) > maxSecretLen {
		return Device{}, errBadCredentials
	}
	want := hashSecret(s.key, product, device, secret)
	d, err := s.store.Device(ctx, product, device)
	if apperr.Is(err, apperr.NotFound) {
		return Device{}, errBadCredentials
	}
	if err != nil {
		return Device{}, err
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(d.SecretHash)) != 1 {
		return Device{}, errBadCredentials
	}
	return public(d), nil
}

// Lookup returns a device with its tags (one indexed query); NotFound when
// there is none.
func (s *Service) Lookup(ctx context.Context, product, device string) (Device, error) {
	if !ValidName(product) {
		return Device{}, errDeviceNotFound
	}
	return s.lookup(ctx, product, device)
}

// Version is a device's name and the firmware version it last reported
// ("" when none).
type Version struct {
	Name            string
	FirmwareVersion string
}

// Versions returns the devices of a product, or only those with tag when
// tag is not "", sorted by name, with their firmware versions (one indexed
// query; an unknown product or tag gives none). It takes no principal: OTA
// campaigns call it after checking access with Authorize.
func (s *Service) Versions(ctx context.Context, product, tag string) ([]Version, error) {
	if !ValidName(product) || (tag != "" && !ValidName(tag)) {
		return []Version{}, nil
	}
	return s.store.DeviceVersions(ctx, product, tag)
}

// Tags returns a device's current tags, sorted (one indexed query), for
// the broker's ACL; NotFound when there is no such device.
func (s *Service) Tags(ctx context.Context, product, device string) ([]string, error) {
	d, err := s.Lookup(ctx, product, device)
	if err != nil {
		return nil, err
	}
	return d.Tags, nil
}

// MarkOnline records that a device connected at at from ip (a bare IP or
// host:port; the port is dropped). NotFound when there is no such device.
func (s *Service) MarkOnline(ctx context.Context, product, device, ip string, at time.Time) error {
	if host, _, err := net.SplitHostPort(ip); err == nil {
		ip = host
	}
	if len(ip) > 45 {
		return apperr.Fields(apperr.FieldError{Field: "ip", Message: "must be an IPv4 or IPv6 address"})
	}
	return s.state(func() error {
		return s.store.MarkOnline(ctx, product, device, ip, at.UTC().Truncate(time.Millisecond))
	}, product, device)
}

// MarkOffline records that a device disconnected at at. An event older
// than the device's last sign of life is ignored, so a late disconnect of
// an old session does not hide a newer one; the caller must still not
// report a session that another one took over. NotFound when there is no
// such device.
func (s *Service) MarkOffline(ctx context.Context, product, device string, at time.Time) error {
	return s.state(func() error {
		return s.store.MarkOffline(ctx, product, device, at.UTC().Truncate(time.Millisecond))
	}, product, device)
}

// RecordStatus stores a device's status report (update_status), received
// at at, as its last status. The report must be a JSON object of at most
// MaxStatusBytes (Invalid otherwise). A non-empty string field
// "firmwareVersion" or, failing that, "version" (at most
// MaxFirmwareVersion characters) becomes the device's firmware version.
// NotFound when there is no such device.
func (s *Service) RecordStatus(ctx context.Context, product, device string, status json.RawMessage, at time.Time) error {
	compact, version, err := ParseStatus(status)
	if err != nil {
		return err
	}
	return s.state(func() error {
		return s.store.SetStatus(ctx, product, device, compact, version, at.UTC().Truncate(time.Millisecond))
	}, product, device)
}

// ParseStatus checks a status report (a JSON object of at most
// MaxStatusBytes) and returns it compacted with the firmware version it
// names (nil when none). Errors are apperr Invalid.
func ParseStatus(status []byte) (compact []byte, version *string, err error) {
	if len(status) > MaxStatusBytes {
		return nil, nil, apperr.New(apperr.Invalid, "a status report must be at most %d bytes", MaxStatusBytes)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(status, &fields); err != nil || fields == nil {
		return nil, nil, apperr.New(apperr.Invalid, "a status report must be a JSON object")
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, status); err != nil {
		return nil, nil, apperr.New(apperr.Invalid, "a status report must be a JSON object")
	}
	return buf.Bytes(), firmwareVersion(fields), nil
}

// CleanFirmwareVersion returns version trimmed, or "" when it is empty or
// longer than MaxFirmwareVersion: what RecordFirmwareVersion would store.
func CleanFirmwareVersion(version string) string {
	version = strings.TrimSpace(version)
	if len(version) > MaxFirmwareVersion {
		return ""
	}
	return version
}

// RecordFirmwareVersion stores the firmware version a device reported
// outside a status report (the OTA side: a progress report's
// currentVersion, a succeeded update). An empty or over-long
// (MaxFirmwareVersion) version, a malformed name and an unknown device
// change nothing and are not errors.
func (s *Service) RecordFirmwareVersion(ctx context.Context, product, device, version string) error {
	version = strings.TrimSpace(version)
	if version == "" || len(version) > MaxFirmwareVersion || !ValidName(product) || !ValidName(device) {
		return nil
	}
	return s.store.SetFirmwareVersion(ctx, product, device, version)
}

// firmwareVersion picks the firmware version out of a status report, nil
// when it has none usable.
func firmwareVersion(fields map[string]json.RawMessage) *string {
	for _, k := range []string{"firmwareVersion", "version"} {
		var v string
		if raw, ok := fields[k]; ok && json.Unmarshal(raw, &v) == nil {
			v = strings.TrimSpace(v)
			if v != "" && len(v) <= MaxFirmwareVersion {
				return &v
			}
		}
	}
	return nil
}

// state runs a state write on a valid device name, mapping not found.
func (s *Service) state(write func() error, product, device string) error {
	if !ValidName(product) || !ValidName(device) {
		return errDeviceNotFound
	}
	err := write()
	if apperr.Is(err, apperr.NotFound) {
		return errDeviceNotFound
	}
	return err
}
