package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Headers of every delivery.
const (
	// HeaderTimestamp is the Unix time (seconds) the attempt was signed
	// at; receivers reject old ones.
	HeaderTimestamp = "X-Hoist-Timestamp"
	// HeaderSignature is "sha256=" + Signature.
	HeaderSignature = "X-Hoist-Signature"
	// HeaderEvent is the event type; HeaderDelivery the delivery id.
	HeaderEvent    = "X-Hoist-Event"
	HeaderDelivery = "X-Hoist-Delivery"
)

// Signature returns the value of HeaderSignature for body sent at
// timestamp (the HeaderTimestamp value): "sha256=" + the hex of
// HMAC-SHA256(secret, timestamp + "." + body).
func Signature(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp + "."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// drainLimit is how much of a long response is read (and dropped) so
// that the connection can be reused.
const drainLimit = 64 << 10

// send makes one attempt to deliver c and returns its outcome (without
// N). It never returns the URL or the secret in the outcome: chat robots'
// URLs carry their access tokens.
func (s *Service) send(ctx context.Context, c Claim) Attempt {
	now := s.now().UTC()
	a := Attempt{Time: now.Truncate(time.Millisecond)}
	target, payload, err := render(c, now)
	if err != nil {
		a.Error = clip("cannot render the body: " + err.Error())
		return a
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(payload))
	if err != nil {
		a.Error = "the URL is not valid"
		return a
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", s.opts.UserAgent)
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Signature(c.Webhook.Secret, ts, payload))
	req.Header.Set(HeaderEvent, c.Delivery.Event)
	req.Header.Set(HeaderDelivery, c.Delivery.ID)
	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		a.Duration = time.Since(start)
		a.Error = describe(err, s.opts.Timeout)
		return a
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, MaxResponse))
	io.Copy(io.Discard, io.LimitReader(resp.Body, drainLimit))
	a.Duration = time.Since(start)
	a.StatusCode, a.Response = resp.StatusCode, clip(string(head))
	return a
}

// describe is a transport error for the people reading the attempts,
// without the URL (it may hold a token).
func describe(err error, timeout time.Duration) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return "timed out after " + timeout.String()
		}
		err = ue.Err
	}
	return clip(err.Error())
}

// clip cuts s to at most MaxResponse bytes of valid UTF-8.
func clip(s string) string {
	if len(s) > MaxResponse {
		s = s[:MaxResponse]
	}
	return strings.ToValidUTF8(s, "")
}
