package ota

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// MaxProgressSize is the largest OTA progress payload ParseProgress accepts.
const MaxProgressSize = 8 << 10

// Largest accepted ts, 9999-12-31T23:59:59Z, in seconds and milliseconds.
const (
	maxUnixSeconds = 253402300799
	maxUnixMillis  = maxUnixSeconds*1000 + 999
)

// Progress is one normalised OTA progress report (update_ota_status).
type Progress struct {
	RequestID string
	Version   string // the version being installed, as the device says
	// State is what the report says, or "" for a status-only report that
	// determines no state (say, just currentVersion). Never a server-side
	// state (sent, skipped, expired, cancelled).
	State State
	// Percent is the download/install progress 0..100, or -1 when the report
	// carries none (or only a negative failure code).
	Percent int
	Desc    string
	// Error is the device's error text; for a failure reported as a negative
	// progress or step it starts with the reason ("download failed").
	Error          string
	CurrentVersion string
	Time           time.Time // the device's ts in UTC; zero when absent
	// Raw is the payload as received, compacted: a valid JSON object to
	// store beside the normalised fields. It never aliases the input.
	Raw json.RawMessage
}

// wireProgress receives the payload. Fields stay raw because devices send
// numbers as strings and strings as numbers.
type wireProgress struct {
	RequestID      json.RawMessage `json:"requestId"`
	Version        json.RawMessage `json:"version"`
	State          json.RawMessage `json:"state"`
	Progress       json.RawMessage `json:"progress"`
	Step           json.RawMessage `json:"step"`
	Desc           json.RawMessage `json:"desc"`
	Error          json.RawMessage `json:"error"`
	CurrentVersion json.RawMessage `json:"currentVersion"`
	TS             json.RawMessage `json:"ts"`
}

// ParseProgress normalises an OTA progress payload (PROTOCOLS §3). Every field
// is optional; null, "" and a missing field are the same. Rules:
//
//   - requestId, version, currentVersion and state are JSON strings or
//     numbers (kept as their literal text); desc and error may be any JSON
//     (non-strings kept as compact JSON text). error null, "", 0, false, {}
//     or [] means no error.
//   - state is case-insensitive with the aliases updated/success → succeeded
//     and error → failed; any other value is an error.
//   - progress and step are JSON numbers or numeric strings ("50"). A
//     fraction in 0..100 is truncated (99.9 is still downloading); above 100,
//     a negative fraction, or anything non-numeric is an error. step is the
//     Aliyun-style twin of progress and only fills in for it.
//   - Without state: a negative progress (else step) is failed with reason
//     -1 upgrade failed, -2 download failed, -3 verification failed,
//     -4 install failed, other "failed (code N)"; else a non-empty error is
//     failed; else progress 0..99 is downloading and 100 downloaded; else the
//     State is "" (a status-only report).
//   - ts is unix seconds, or milliseconds when above 1e12; 0 means absent.
//
// Raw is the payload compacted. A payload over MaxProgressSize, not valid
// UTF-8 JSON, or not an object, and any field error above, is an apperr
// Invalid error (with Fields for field errors) and a zero Progress.
func ParseProgress(payload []byte) (Progress, error) {
	if len(payload) > MaxProgressSize {
		return Progress{}, apperr.New(apperr.Invalid, "progress payload is %d bytes, more than %d", len(payload), MaxProgressSize)
	}
	if !utf8.Valid(payload) {
		return Progress{}, apperr.New(apperr.Invalid, "progress payload is not valid UTF-8")
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, payload); err != nil {
		return Progress{}, apperr.Wrap(err, apperr.Invalid, "progress payload is not JSON")
	}
	raw := buf.Bytes()
	var w wireProgress
	if len(raw) == 0 || raw[0] != '{' {
		return Progress{}, apperr.New(apperr.Invalid, "progress payload is not a JSON object")
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return Progress{}, apperr.Wrap(err, apperr.Invalid, "progress payload is not a JSON object")
	}

	var fe fieldErrors
	p := Progress{Raw: raw, Percent: -1}
	p.RequestID = fe.text("requestId", w.RequestID)
	p.Version = fe.text("version", w.Version)
	p.CurrentVersion = fe.text("currentVersion", w.CurrentVersion)
	p.Desc = anyText(w.Desc)
	p.Error = errorText(w.Error)
	state := fe.text("state", w.State)
	if state != "" {
		s, ok := parseReportedState(state)
		if !ok {
			fe.add("state", "must be one of accepted, downloading, downloaded, verified, installing, rebooting, succeeded, failed, rejected")
		}
		p.State = s
	}
	prog, hasProg := fe.percent("progress", w.Progress)
	step, hasStep := fe.percent("step", w.Step)
	p.Time = fe.timestamp("ts", w.TS)
	if len(fe) > 0 {
		return Progress{}, apperr.Fields(fe...)
	}

	code := 0
	switch {
	case hasProg && prog < 0:
		code = prog
	case hasStep && step < 0:
		code = step
	}
	switch {
	case hasProg && prog >= 0:
		p.Percent = prog
	case hasStep && step >= 0:
		p.Percent = step
	}
	if p.State == "" {
		switch {
		case code < 0 || p.Error != "":
			p.State = StateFailed
		case p.Percent == 100:
			p.State = StateDownloaded
		case p.Percent >= 0:
			p.State = StateDownloading
		}
	}
	if p.State == StateFailed && code < 0 {
		if p.Error == "" {
			p.Error = failureReason(code)
		} else {
			p.Error = failureReason(code) + ": " + p.Error
		}
	}
	return p, nil
}

// failureReason names a negative progress/step code (PROTOCOLS §3).
func failureReason(code int) string {
	switch code {
	case -1:
		return "upgrade failed"
	case -2:
		return "download failed"
	case -3:
		return "verification failed"
	case -4:
		return "install failed"
	}
	return "failed (code " + strconv.Itoa(code) + ")"
}

// absent reports whether a raw field was missing or null.
func absent(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

// anyText returns a string field's value, or any other JSON as compact text.
func anyText(raw json.RawMessage) string {
	if absent(raw) {
		return ""
	}
	var s string
	if raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// errorText is anyText, with the JSON "no error" values mapped to "".
func errorText(raw json.RawMessage) string {
	switch s := anyText(raw); s {
	case "0", "false", "{}", "[]":
		return ""
	default:
		return s
	}
}

// fieldErrors collects every field problem of one payload.
type fieldErrors []apperr.FieldError

func (fe *fieldErrors) add(field, msg string) {
	*fe = append(*fe, apperr.FieldError{Field: field, Message: msg})
}

// text returns a field sent as a JSON string, or a JSON number's literal.
func (fe *fieldErrors) text(field string, raw json.RawMessage) string {
	if absent(raw) {
		return ""
	}
	if raw[0] == '"' || raw[0] == '-' || '0' <= raw[0] && raw[0] <= '9' {
		return anyText(raw)
	}
	fe.add(field, "must be a string")
	return ""
}

// number returns a field sent as a finite JSON number or a numeric string
// (optional '-', digits, optional fraction; surrounding spaces ignored).
// ok is false when the field is absent, null or "", or on error.
func (fe *fieldErrors) number(field string, raw json.RawMessage) (float64, bool) {
	if absent(raw) {
		return 0, false
	}
	lit := string(raw)
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			fe.add(field, "must be a number")
			return 0, false
		}
		if lit = strings.TrimSpace(s); lit == "" {
			return 0, false
		}
		if !isDecimal(lit) {
			fe.add(field, "must be a number")
			return 0, false
		}
	} else if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		fe.add(field, "must be a number")
		return 0, false
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		fe.add(field, "must be a finite number")
		return 0, false
	}
	return f, true
}

// percent returns a progress or step value: 0..100 (fractions truncated) or
// a negative integer failure code.
func (fe *fieldErrors) percent(field string, raw json.RawMessage) (int, bool) {
	f, ok := fe.number(field, raw)
	switch {
	case !ok:
		return 0, false
	case f > 100:
		fe.add(field, "must not be greater than 100")
		return 0, false
	case f < 0 && f != math.Trunc(f):
		fe.add(field, "must be an integer when negative")
		return 0, false
	case f < math.MinInt32:
		fe.add(field, "is out of range")
		return 0, false
	}
	return int(f), true
}

// timestamp returns a ts in unix seconds, or milliseconds above 1e12, in UTC.
func (fe *fieldErrors) timestamp(field string, raw json.RawMessage) time.Time {
	f, ok := fe.number(field, raw)
	switch {
	case !ok || f == 0:
		return time.Time{}
	case f < 0 || f > maxUnixMillis || (f > maxUnixSeconds && f <= 1e12):
		fe.add(field, "must be unix seconds or milliseconds")
		return time.Time{}
	case f > 1e12:
		return time.UnixMilli(int64(f)).UTC()
	}
	sec := math.Floor(f)
	return time.Unix(int64(sec), int64((f-sec)*1e9)).UTC()
}

// isDecimal reports whether s is -?digits(.digits)?.
func isDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	return allDigits(intPart) && (!hasFrac || allDigits(frac))
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
