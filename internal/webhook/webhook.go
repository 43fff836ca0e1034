// Package webhook sends a project's events (package event) to the HTTP
// endpoints its owners and maintainers register: signed, queued durably in
// the database, retried with exponential backoff for a day, by a worker
// that any number of Hoist nodes may run on the same database.
package webhook

import (
	"encoding/json"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/event"
)

// Format is the shape of a delivery's body.
type Format string

// Formats of a webhook: the generic JSON body, or the message body of a
// chat service's incoming robot (DingTalk, Feishu/Lark, WeCom, Slack).
const (
	FormatJSON     Format = "json"
	FormatDingTalk Format = "dingtalk"
	FormatFeishu   Format = "feishu"
	FormatWeCom    Format = "wecom"
	FormatSlack    Format = "slack"
)

// Formats lists every format.
func Formats() []Format {
	return []Format{FormatJSON, FormatDingTalk, FormatFeishu, FormatWeCom, FormatSlack}
}

// Valid reports whether f is a known format.
func (f Format) Valid() bool { return slices.Contains(Formats(), f) }

// Limits of a webhook's fields.
const (
	MaxURL    = 1024
	MinSecret = 16
	MaxSecret = 128
)

// Webhook is an endpoint of a project that receives some of its events.
type Webhook struct {
	ID        string
	ProjectID string
	URL       string
	// Secret signs every delivery. It is never shown again after the
	// webhook is created (see SecretHint).
	Secret string
	// Events are the event types it receives (event.Types()).
	Events      []string
	Format      Format
	Enabled     bool
	CreatedBy   string
	CreatedTime time.Time
	UpdatedTime time.Time
}

// SecretHint is what is shown of the secret: its last four characters.
func (w Webhook) SecretHint() string {
	if len(w.Secret) < 4 {
		return "…"
	}
	return "…" + w.Secret[len(w.Secret)-4:]
}

// Subscribed reports whether w receives events of type t.
func (w Webhook) Subscribed(t string) bool { return slices.Contains(w.Events, t) }

// Fields are the settable fields of a webhook. Nil fields are unchanged by
// an update; creating needs URL, Secret and Events, Format defaults to
// FormatJSON and Enabled to true.
type Fields struct {
	URL     *string
	Secret  *string
	Events  *[]string
	Format  *Format
	Enabled *bool
}

// validate reports every invalid field; creating requires url, secret and
// events.
func (f Fields) validate(creating bool) error {
	var fs []apperr.FieldError
	bad := func(field, msg string) { fs = append(fs, apperr.FieldError{Field: field, Message: msg}) }
	switch {
	case f.URL == nil && creating:
		bad("url", "is required")
	case f.URL != nil:
		if msg := checkURL(*f.URL); msg != "" {
			bad("url", msg)
		}
	}
	switch {
	case f.Secret == nil && creating:
		bad("secret", "is required")
	case f.Secret != nil && (len(*f.Secret) < MinSecret || len(*f.Secret) > MaxSecret || !printableASCII(*f.Secret)):
		bad("secret", "must be 16 to 128 printable ASCII characters")
	}
	switch {
	case f.Events == nil && creating:
		bad("events", "is required: at least one of "+strings.Join(event.Types(), ", "))
	case f.Events != nil:
		if msg := checkEvents(*f.Events); msg != "" {
			bad("events", msg)
		}
	}
	if f.Format != nil && !f.Format.Valid() {
		bad("format", "must be json, dingtalk, feishu, wecom or slack")
	}
	if len(fs) > 0 {
		return apperr.Fields(fs...)
	}
	return nil
}

// apply sets w's fields from f (validated).
func (f Fields) apply(w *Webhook) {
	if f.URL != nil {
		w.URL = strings.TrimSpace(*f.URL)
	}
	if f.Secret != nil {
		w.Secret = *f.Secret
	}
	if f.Events != nil {
		w.Events = normalEvents(*f.Events)
	}
	if f.Format != nil {
		w.Format = *f.Format
	}
	if f.Enabled != nil {
		w.Enabled = *f.Enabled
	}
}

// checkURL returns why u cannot be a webhook's URL, "" when it can: HTTPS,
// or HTTP to a loopback address (for tests and local relays), at most
// MaxURL characters, no user info.
func checkURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if len(raw) > MaxURL {
		return "must be at most 1024 characters"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return "must be an absolute https:// URL"
	}
	if u.User != nil {
		return "must not contain a user name or password"
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		if loopback(u.Hostname()) {
			return ""
		}
		return "must use https (http only to a loopback address such as 127.0.0.1)"
	}
	return "must be an absolute https:// URL"
}

// loopback reports whether host is localhost or a loopback IP literal.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkEvents returns why es cannot be a webhook's events, "" when it can.
func checkEvents(es []string) string {
	if len(es) == 0 {
		return "must name at least one of " + strings.Join(event.Types(), ", ")
	}
	for _, e := range es {
		if !slices.Contains(event.Types(), e) {
			return "must be among " + strings.Join(event.Types(), ", ")
		}
	}
	return ""
}

// normalEvents returns es without duplicates, in the order of
// event.Types().
func normalEvents(es []string) []string {
	var out []string
	for _, t := range event.Types() {
		if slices.Contains(es, t) {
			out = append(out, t)
		}
	}
	return out
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// State is where a delivery stands.
type State string

// Delivery states. A pending delivery is due at NextAttemptTime (or being
// sent, while a node holds its lease); the others are final.
const (
	Pending   State = "pending"
	Succeeded State = "succeeded"
	Failed    State = "failed"
)

// Delivery is one event queued for one webhook.
type Delivery struct {
	// ID is sent with the delivery (receivers dedupe on it: a delivery may
	// arrive more than once when a node dies after sending it).
	ID        string
	WebhookID string
	ProjectID string
	Event     string
	EventTime time.Time
	// Data is the event's data as JSON.
	Data  json.RawMessage
	State State
	// Attempts counts the attempts made so far.
	Attempts int
	// NextAttemptTime is when a pending delivery is due.
	NextAttemptTime time.Time
	CreatedTime     time.Time
	// DoneTime is when it succeeded or failed for good; zero while
	// pending.
	DoneTime time.Time
	// Tries are its attempts, oldest first (filled by listings).
	Tries []Attempt
}

// Attempt is the outcome of one try to send a delivery.
type Attempt struct {
	N    int
	Time time.Time
	// StatusCode is the response's status; 0 when there was none.
	StatusCode int
	// Response is the start of the response body (at most MaxResponse
	// bytes of valid UTF-8).
	Response string
	// Error says why there was no 2xx response ("" for a success or a
	// plain non-2xx answer).
	Error    string
	Duration time.Duration
}

// Succeeded reports whether the attempt got a 2xx answer.
func (a Attempt) Succeeded() bool { return a.StatusCode >= 200 && a.StatusCode < 300 && a.Error == "" }

// MaxResponse bounds the response body (and error text) kept per attempt.
const MaxResponse = 1024

// Claim is a delivery a worker holds the lease of, with what sending it
// needs.
type Claim struct {
	Delivery    Delivery
	Webhook     Webhook
	ProjectName string
	// Token names the lease: finishing or releasing needs it.
	Token string
}
