package client

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
)

// Upload streams size bytes of body to the project's files as multipart
// form field "file" named name, for a resource of type typ. The body is
// read as it is sent, never held in memory, and the request's length is
// known in advance (no chunked encoding, which some proxies refuse). To
// show progress, pass a reader that counts what is read.
func (c *Client) Upload(ctx context.Context, projectID string, typ int, name string, body io.Reader, size int64) (File, error) {
	var frame bytes.Buffer
	mw := multipart.NewWriter(&frame)
	if _, err := mw.CreateFormFile("file", name); err != nil {
		return File{}, err
	}
	headLen := frame.Len()
	mw.Close() // appends the closing boundary after the header
	head, tail := frame.Bytes()[:headLen], frame.Bytes()[headLen:]

	u := fmt.Sprintf("%s/api/v1/projects/%s/files?type=%d", c.base, esc(projectID), typ)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u,
		io.MultiReader(bytes.NewReader(head), io.LimitReader(body, size), bytes.NewReader(tail)))
	if err != nil {
		return File{}, err
	}
	req.ContentLength = int64(len(head)) + size + int64(len(tail))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var out File
	return out, c.do(req, &out)
}
