package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
)

// apiClient calls Hoist's JSON API with an API token.
type apiClient struct {
	base  string // e.g. https://hoist.example.com, no trailing slash
	token string
	http  *http.Client
}

func newAPIClient(base, token string) *apiClient {
	// No overall timeout: uploads take as long as they take. Connecting and
	// waiting for an answer are bounded instead, and Ctrl-C cancels.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = 5 * time.Minute
	return &apiClient{base: base, token: token, http: &http.Client{Transport: tr}}
}

// apiError is an error answer of the API (PROTOCOLS §1), or an answer that
// is not the API's at all.
type apiError struct {
	Status  int
	Code    string
	Message string
	Fields  []fieldError
}

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *apiError) Error() string {
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

// apiEnvelope is the body of every JSON answer.
type apiEnvelope struct {
	Success    bool            `json:"success"`
	StatusCode int             `json:"statusCode"`
	Message    string          `json:"message"`
	Code       string          `json:"code"`
	Errors     []fieldError    `json:"errors"`
	Data       json.RawMessage `json:"data"`
}

// call sends a JSON request and decodes the answer's data into out (nil:
// discarded; *json.RawMessage: kept as sent). Error answers are *apiError.
func (c *apiClient) call(ctx context.Context, method, path string, body, out any) error {
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

func (c *apiClient) do(req *http.Request, out any) error {
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "hoist-cli/"+version)
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is named below; the error repeats it otherwise
		}
		return fmt.Errorf("%s %s: cannot reach the server: %w", req.Method, c.base, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", req.Method, req.URL.Path, err)
	}
	var env apiEnvelope
	if err := json.Unmarshal(raw, &env); err != nil || (env.StatusCode == 0 && env.Message == "") {
		return &apiError{Status: resp.StatusCode,
			Message: fmt.Sprintf("%s %s: the server's answer (%s) is not Hoist's API; check --server", req.Method, req.URL.Path, resp.Status)}
	}
	if resp.StatusCode >= 300 || !env.Success {
		msg := env.Message
		if msg == "" {
			msg = resp.Status
		}
		return &apiError{Status: resp.StatusCode, Code: env.Code, Message: msg, Fields: env.Errors}
	}
	switch o := out.(type) {
	case nil:
		return nil
	case *json.RawMessage:
		*o = env.Data
		return nil
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return fmt.Errorf("%s %s: unexpected data: %w", req.Method, req.URL.Path, err)
	}
	return nil
}

// uploadedFile is the API's answer to an upload.
type uploadedFile struct {
	Key    string `json:"key"`
	URL    string `json:"url"`
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	MD5    string `json:"md5"`
	SHA256 string `json:"sha256"`
	// Version and VersionCode are what the package declares, if anything.
	Version     string `json:"version"`
	VersionCode int64  `json:"versionCode"`
}

// upload streams the file at path to the project's files as multipart form
// field "file", drawing a progress bar on progress. The body is read from
// disk as it is sent, never held in memory, and its length is known in
// advance (no chunked encoding, which some proxies refuse).
func (c *apiClient) upload(ctx context.Context, projectID string, typ int, path string, progress io.Writer) (uploadedFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return uploadedFile{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return uploadedFile{}, err
	}
	if !st.Mode().IsRegular() {
		return uploadedFile{}, usageError{fmt.Sprintf("--file %s: not a regular file", path)}
	}
	var frame bytes.Buffer
	mw := multipart.NewWriter(&frame)
	if _, err := mw.CreateFormFile("file", filepath.Base(path)); err != nil {
		return uploadedFile{}, err
	}
	headLen := frame.Len()
	mw.Close() // appends the closing boundary after the header
	head, tail := frame.Bytes()[:headLen], frame.Bytes()[headLen:]

	bar := progressbar.NewOptions64(st.Size(),
		progressbar.OptionSetWriter(progress),
		progressbar.OptionSetDescription("uploading "+filepath.Base(path)),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(progress) }),
	)
	counted := progressbar.NewReader(f, bar)
	body := io.MultiReader(bytes.NewReader(head), &counted, bytes.NewReader(tail))

	u := fmt.Sprintf("%s/api/v1/projects/%s/files?type=%d", c.base, url.PathEscape(projectID), typ)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, body)
	if err != nil {
		return uploadedFile{}, err
	}
	req.ContentLength = int64(len(head)) + st.Size() + int64(len(tail))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var out uploadedFile
	err = c.do(req, &out)
	if !bar.IsFinished() {
		bar.Exit()
		fmt.Fprintln(progress)
	}
	return out, err
}
