package ota

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/device"
)

// Command limits.
const (
	DefaultCommandTTL = 5 * time.Minute
	MinCommandTTL     = time.Second
	MaxCommandTTL     = 7 * 24 * time.Hour
	// MaxCommandData bounds a command's payload.
	MaxCommandData = 32 << 10
	// MaxReplySize bounds a stored command reply (the bridge's limit too);
	// larger ones are refused.
	MaxReplySize = 64 << 10
	// MaxRepliesShown bounds the replies a command read returns (a tag
	// command may have thousands); the count is always complete.
	MaxRepliesShown = 1000
)

// NewCommand is the input of SendCommand: a command to one device or to
// every device with a tag.
type NewCommand struct {
	Product string
	Device  string // exactly one of Device and Tag
	Tag     string
	Name    string
	// Data is the payload as the API received it: a JSON string is sent as
	// its text, any other JSON value as its compact JSON text, null or
	// nothing as an empty payload. With base64 it must be a string of
	// standard base64, sent as is (the device decodes it).
	Data     json.RawMessage
	Encoding string // plain (default) or base64
	// TTL is how long the command is valid; 0 means DefaultCommandTTL.
	TTL time.Duration
}

// validate checks n, fills its defaults and returns the payload to send.
func (n *NewCommand) validate() (string, error) {
	var fs []apperr.FieldError
	add := func(field, msg string) { fs = append(fs, apperr.FieldError{Field: field, Message: msg}) }
	if !device.ValidName(n.Name) {
		add("name", nameRule)
	}
	if n.Encoding == "" {
		n.Encoding = EncodingPlain
	}
	if n.Encoding != EncodingPlain && n.Encoding != EncodingBase64 {
		add("encoding", "must be plain or base64")
	}
	if n.TTL == 0 {
		n.TTL = DefaultCommandTTL
	}
	if n.TTL < MinCommandTTL || n.TTL > MaxCommandTTL {
		add("ttlSeconds", "must be from 1 to 604800 (7 days)")
	}
	data, err := commandData(n.Data, n.Encoding)
	if err != "" {
		add("data", err)
	}
	if len(fs) > 0 {
		return "", apperr.Fields(fs...)
	}
	return data, nil
}

// commandData turns the API's data into the payload, or says what is wrong.
func commandData(raw json.RawMessage, encoding string) (string, string) {
	raw = bytes.TrimSpace(raw)
	var data string
	switch {
	case len(raw) == 0 || string(raw) == "null":
	case raw[0] == '"':
		if json.Unmarshal(raw, &data) != nil {
			return "", "must be a JSON string or value"
		}
	default:
		if encoding == EncodingBase64 {
			return "", "must be a base64 string with encoding base64"
		}
		var b bytes.Buffer
		if json.Compact(&b, raw) != nil {
			return "", "must be a JSON string or value"
		}
		data = b.String()
	}
	if len(data) > MaxCommandData {
		return "", "must be at most 32 KiB"
	}
	if encoding == EncodingBase64 {
		if _, err := base64.StdEncoding.DecodeString(data); err != nil {
			return "", "must be standard base64 with encoding base64"
		}
	}
	return data, ""
}

// Command is a command sent to one device or to the devices with a tag.
type Command struct {
	RequestID   string
	Product     string
	Device      string // "" for a tag command
	Tag         string // "" for a device command
	Name        string
	Encoding    string
	Data        string // the payload as sent
	ExpiresAt   time.Time
	CreatedBy   string
	CreatedTime time.Time
}

// Outbound returns c as it is sent: to its device or tag, with its name,
// encoding, request id, expiry and payload.
func (c Command) Outbound() Outbound {
	return Outbound{To: Address{Product: c.Product, Device: c.Device, Tag: c.Tag}, Command: c.Name, Encoding: c.Encoding,
		RequestID: c.RequestID, ExpiresAt: c.ExpiresAt, Payload: []byte(c.Data)}
}

// Reply is a device's reply to a command (cmd_resp).
type Reply struct {
	RequestID  string
	Device     string
	Payload    []byte // as sent; may be binary
	ReceivedAt time.Time
}
