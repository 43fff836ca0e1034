package httpapi

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// checkRequest is an update-check request as the handler needs it. Its
// SystemInfo aliases the request body buffer.
type checkRequest struct {
	ProjectID         string
	Platform          string // "android" or "ios" (constants, not copies)
	WgtVersionCode    flexInt
	NativeVersionCode flexInt
	// UUID identifies the device for rollout buckets and statistics:
	// systemInfo.uuid when it is a non-empty string, else
	// systemInfo.deviceId (the upushy SDK fills uuid from an asynchronous
	// callback that may come after the first check; deviceId is always sent).
	UUID string
	// DeviceID is systemInfo.deviceId ("" when absent); pins may name it.
	DeviceID   string
	SystemInfo []byte // the raw systemInfo value, nil when absent
}

// parseCheckRequest reads the update-check body. It runs on every app
// launch, so instead of encoding/json's reflection (about twenty allocations
// here) it checks the syntax with json.Valid and then walks the few members
// it needs, allocating only the projectId and uuid strings. It agrees with
// encoding/json on every input (FuzzParseCheckRequest): the same members
// win (the last of duplicates), escapes decode the same, and wrong member
// types are reported for the same fields.
func parseCheckRequest(b []byte) (checkRequest, error) {
	var r checkRequest
	if !json.Valid(b) {
		return r, apperr.New(apperr.Invalid, "malformed JSON: the body must be a JSON object")
	}
	p := scanner{b: b}
	p.space()
	if p.peek() == 'n' { // null: no members, as encoding/json reads it
		return r, nil
	}
	if p.peek() != '{' {
		return r, apperr.New(apperr.Invalid, "malformed JSON: the body must be a JSON object")
	}
	var fields []apperr.FieldError
	bad := func(field, msg string) {
		for _, f := range fields {
			if f.Field == field {
				return
			}
		}
		fields = append(fields, apperr.FieldError{Field: field, Message: msg})
	}
	var platform []byte
	platformSet := false
	p.i++
	for p.member() {
		key := p.key()
		start := p.i
		p.skipValue()
		v := b[start:p.i]
		switch {
		case jsonKeyIs(key, "projectId"):
			switch v[0] {
			case '"':
				r.ProjectID = p.unquote(v)
			case 'n':
			default:
				bad("projectId", "must be a string")
			}
		case jsonKeyIs(key, "platform"):
			switch v[0] {
			case '"':
				platform, platformSet = v, true
			case 'n':
			default:
				bad("platform", "must be a string")
			}
		case jsonKeyIs(key, "wgtVersionCode"):
			r.WgtVersionCode = flexInt{}
			r.WgtVersionCode.UnmarshalJSON(v)
		case jsonKeyIs(key, "nativeVersionCode"):
			r.NativeVersionCode = flexInt{}
			r.NativeVersionCode.UnmarshalJSON(v)
		case jsonKeyIs(key, "systemInfo"):
			r.SystemInfo, r.UUID, r.DeviceID = nil, "", ""
			if v[0] != 'n' {
				r.SystemInfo = v
				if v[0] == '{' {
					r.UUID, r.DeviceID = p.deviceKeys(v)
				}
			}
		case jsonKeyIs(key, "wgtVersion"), jsonKeyIs(key, "nativeVersion"):
			if v[0] != '"' && v[0] != 'n' {
				bad(string(key[1:len(key)-1]), "must be a string")
			}
		}
	}
	if platformSet {
		if bytes.IndexByte(platform, '\\') >= 0 {
			platform = []byte(strconv.Quote(p.unquote(platform)))
		}
		switch string(platform) { // no allocation: compared, not kept
		case `"android"`:
			r.Platform = "android"
		case `"ios"`:
			r.Platform = "ios"
		case `""`:
		default:
			r.Platform = "other"
		}
	}
	if len(fields) > 0 {
		return r, apperr.Fields(fields...)
	}
	return r, nil
}

// scanner walks JSON already checked by json.Valid.
type scanner struct {
	b []byte
	i int
}

func (p *scanner) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *scanner) space() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
}

// member moves to the next member of the current object, reporting false
// (after its closing brace) when there is none.
func (p *scanner) member() bool {
	p.space()
	if p.peek() == ',' {
		p.i++
		p.space()
	}
	if p.peek() == '}' {
		p.i++
		return false
	}
	return true
}

// key returns the raw quoted key and moves to its value.
func (p *scanner) key() []byte {
	start := p.i
	p.skipString()
	k := p.b[start:p.i]
	p.space()
	p.i++ // ':'
	p.space()
	return k
}

func (p *scanner) skipString() {
	p.i++ // opening quote
	for p.b[p.i] != '"' {
		if p.b[p.i] == '\\' {
			p.i++
		}
		p.i++
	}
	p.i++
}

func (p *scanner) skipValue() {
	switch p.peek() {
	case '"':
		p.skipString()
	case '{', '[':
		depth := 0
		for {
			switch p.b[p.i] {
			case '"':
				p.skipString()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			p.i++
			if depth == 0 {
				return
			}
		}
	default: // number, true, false, null
		for p.i < len(p.b) {
			switch p.b[p.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return
			}
			p.i++
		}
	}
}

// deviceKeys returns the device's key, the string member "uuid" of the
// object v or, when that is absent, empty or not a string, the string
// member "deviceId" ("" when neither), and deviceId itself ("" when absent;
// the last of duplicates wins, as in encoding/json).
func (p *scanner) deviceKeys(v []byte) (key, deviceID string) {
	q := scanner{b: v, i: 1}
	uuid, deviceID := "", ""
	for q.member() {
		key := q.key()
		start := q.i
		q.skipValue()
		switch {
		case jsonKeyIs(key, "uuid"):
			uuid = ""
			if val := v[start:q.i]; val[0] == '"' {
				uuid = q.unquote(val)
			}
		case jsonKeyIs(key, "deviceId"):
			deviceID = ""
			if val := v[start:q.i]; val[0] == '"' {
				deviceID = q.unquote(val)
			}
		}
	}
	if uuid == "" {
		return deviceID, deviceID
	}
	return uuid, deviceID
}

// jsonKeyIs reports whether the raw quoted key names want, matching as
// encoding/json does: exactly, else case-insensitively. Escaped keys are
// decoded first.
func jsonKeyIs(raw []byte, want string) bool {
	k := raw[1 : len(raw)-1]
	for _, c := range k {
		if c == '\\' {
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return false
			}
			return equalFoldJSON(s, want)
		}
	}
	return equalFoldJSON(string(k), want)
}

// equalFoldJSON matches a key against an ASCII-letter name the way
// encoding/json does: exactly, or ignoring case, where the Kelvin sign
// folds to k and the long s to s.
func equalFoldJSON(s, want string) bool {
	if len(s) == len(want) && s == want {
		return true
	}
	si := 0
	for _, w := range []byte(want) {
		if si >= len(s) {
			return false
		}
		r, size := utf8.DecodeRuneInString(s[si:])
		si += size
		lw := w | 0x20
		switch {
		case r < utf8.RuneSelf && byte(r)|0x20 == lw:
		case lw == 'k' && r == '\u212a': // Kelvin sign folds to k
		case lw == 's' && r == '\u017f': // long s folds to s
		default:
			return false
		}
	}
	return si == len(s)
}

// unquote decodes a JSON string literal (already validated).
func (p *scanner) unquote(v []byte) string {
	inner := v[1 : len(v)-1]
	plain := true
	for _, c := range inner {
		if c == '\\' || c >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		return string(inner)
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil { // rare: escapes or non-ASCII
		return ""
	}
	return s
}
