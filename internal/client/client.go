// Package client is the typed Go client of Hoist's JSON API: the calls the
// release CLI makes (and the tests that drive a running Hoist), with
// request and answer structs of their own that mirror the OpenAPI document
// (docs/swagger.yaml). It decodes the envelope of every answer (PROTOCOLS
// §1): a success into the typed result, an error into *Error.
//
// It does not import the server: the test in this package runs these calls
// against a real httpapi server, so that the two cannot drift apart.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// maxAnswer bounds the answers the client reads.
const maxAnswer = 64 << 20

// Client calls one Hoist server with a bearer token: an API token
// (hst_...) or the access token of a login session. It is safe for
// concurrent use.
type Client struct {
	base      string
	userAgent string
	http      *http.Client

	mu      sync.Mutex
	token   string
	refresh string
}

// Options tune a Client. The zero value is usable.
type Options struct {
	// Token is the bearer token to send (API token or access token);
	// empty sends none until Login, Register or SetToken.
	Token string
	// UserAgent is sent as User-Agent; empty: "hoist-client".
	UserAgent string
	// HTTP is the client to send with; nil: one without an overall timeout
	// (uploads take as long as they take) whose wait for an answer's
	// headers is bounded to 5 minutes. Cancel through the context.
	HTTP *http.Client
}

// New returns a client of the server at base (e.g.
// https://hoist.example.com; trailing slashes are dropped). It does not
// contact the server.
func New(base string, o Options) *Client {
	hc := o.HTTP
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.ResponseHeaderTimeout = 5 * time.Minute
		hc = &http.Client{Transport: tr}
	}
	ua := o.UserAgent
	if ua == "" {
		ua = "hoist-client"
	}
	return &Client{base: strings.TrimRight(base, "/"), userAgent: ua, http: hc, token: o.Token}
}

// Base returns the server URL without trailing slash.
func (c *Client) Base() string { return c.base }

// SetToken replaces the bearer token (and forgets a refresh token).
func (c *Client) SetToken(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token, c.refresh = token, ""
}

// Token returns the bearer token the client sends.
func (c *Client) Token() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token
}

// useSession makes a session's tokens the client's.
func (c *Client) useSession(s Session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token, c.refresh = s.AccessToken, s.RefreshToken
}

// Error is an error answer of the API (PROTOCOLS §1), or an answer that is
// not the API's at all (then Code is empty).
type Error struct {
	// Status is the HTTP status.
	Status int
	// Code is the stable machine-readable code (invalid, unauthorized,
	// forbidden, not_found, conflict, too_large, rate_limited,
	// unavailable, internal); empty when the answer was not an envelope.
	Code string
	// Message is for humans.
	Message string
	// Fields name the invalid request fields, if any.
	Fields []FieldError
}

// FieldError is one invalid field of a request.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error renders the message, code, status and one line per field.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if e.Code != "" {
		fmt.Fprintf(&b, " (%s, HTTP %d)", e.Code, e.Status)
	} else {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "\n  %s: %s", f.Field, f.Message)
	}
	return b.String()
}

// IsStatus reports whether err is an *Error with the given HTTP status.
func IsStatus(err error, status int) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == status
}

// envelope is the body of every JSON answer.
type envelope struct {
	Success    bool            `json:"success"`
	StatusCode int             `json:"statusCode"`
	Message    string          `json:"message"`
	Code       string          `json:"code"`
	Errors     []FieldError    `json:"errors"`
	Data       json.RawMessage `json:"data"`
}

// call sends body (nil: none) as JSON and decodes the answer's data into
// out (nil: discarded).
func (c *Client) call(ctx context.Context, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.do(req, out)
}

// do sends req with the token and decodes the envelope.
func (c *Client) do(req *http.Request, out any) error {
	if t := c.Token(); t != "" {
		req.Header.Set("Authorization", "Bearer "+t)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is named below; the error repeats it otherwise
		}
		return fmt.Errorf("%s %s: cannot reach the server: %w", req.Method, c.base, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", req.Method, req.URL.Path, err)
	}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil || (env.StatusCode == 0 && env.Message == "") {
		return &Error{Status: resp.StatusCode,
			Message: fmt.Sprintf("%s %s: the server's answer (%s) is not Hoist's API; check the server URL", req.Method, req.URL.Path, resp.Status)}
	}
	if resp.StatusCode >= 300 || !env.Success {
		msg := env.Message
		if msg == "" {
			msg = resp.Status
		}
		return &Error{Status: resp.StatusCode, Code: env.Code, Message: msg, Fields: env.Errors}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return fmt.Errorf("%s %s: unexpected data: %w", req.Method, req.URL.Path, err)
	}
	return nil
}

// listAll fetches every page of a list endpoint (PROTOCOLS §1 lists). The
// result is never nil, so that an empty list encodes as [].
func listAll[T any](ctx context.Context, c *Client, path string, q url.Values) ([]T, error) {
	all := []T{}
	for num := 1; ; num++ {
		q.Set("pageNum", fmt.Sprint(num))
		q.Set("pageSize", "100")
		var pg Page[T]
		if err := c.call(ctx, http.MethodGet, path+"?"+q.Encode(), nil, &pg); err != nil {
			return nil, err
		}
		all = append(all, pg.Records...)
		if len(pg.Records) == 0 || int64(len(all)) >= pg.Total {
			return all, nil
		}
	}
}

// esc escapes one path segment.
func esc(s string) string { return url.PathEscape(s) }
