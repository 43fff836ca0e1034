package oss

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// ossFile reads an object with ranged GETs: the first Read after Open or a
// Seek to a new offset starts a GET of bytes {offset}-{end}, and later Reads
// continue that response. The size is fixed at Open; an object replaced
// meanwhile reads as truncated (io.ErrUnexpectedEOF) or is cut at the old
// size. Not safe for concurrent use, like *os.File's offset.
type ossFile struct {
	ctx    context.Context
	bucket *alioss.Bucket
	key    string
	size   int64
	off    int64
	body   io.ReadCloser
}

// Read implements io.Reader.
func (f *ossFile) Read(p []byte) (int, error) {
	if f.off >= f.size {
		return 0, io.EOF
	}
	if f.body == nil {
		if err := f.get(); err != nil {
			return 0, err
		}
	}
	if rest := f.size - f.off; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := f.body.Read(p)
	f.off += int64(n)
	if errors.Is(err, io.EOF) && f.off < f.size {
		err = io.ErrUnexpectedEOF
	}
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("storage: read %s: %w", f.key, err)
	}
	return n, err
}

// get starts a GET of the object from the current offset to its end.
func (f *ossFile) get() error {
	res, err := f.bucket.DoGetObject(&alioss.GetObjectRequest{ObjectKey: f.key}, []alioss.Option{
		alioss.WithContext(f.ctx),
		alioss.Range(f.off, f.size-1),
		// Standard behaviour: a range past the end is a 416 error, not
		// the whole object with 200.
		alioss.RangeBehavior("standard"),
	})
	if err != nil {
		return fmt.Errorf("storage: read %s: %w", f.key, ossError(err))
	}
	if st := res.Response.StatusCode; st != http.StatusPartialContent && (st != http.StatusOK || f.off != 0) {
		res.Response.Body.Close()
		return fmt.Errorf("storage: read %s: ranged GET answered %d", f.key, st)
	}
	f.body = res.Response.Body
	return nil
}

// Seek implements io.Seeker. Seeking past the end is allowed; reads there
// return io.EOF.
func (f *ossFile) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = f.off + offset
	case io.SeekEnd:
		abs = f.size + offset
	default:
		return f.off, fmt.Errorf("storage: seek %s: invalid whence %d", f.key, whence)
	}
	if abs < 0 {
		return f.off, fmt.Errorf("storage: seek %s: negative offset", f.key)
	}
	if abs != f.off {
		f.closeBody()
		f.off = abs
	}
	return abs, nil
}

// Close implements io.Closer.
func (f *ossFile) Close() error {
	f.closeBody()
	return nil
}

// closeBody ends the current GET, if any.
func (f *ossFile) closeBody() {
	if f.body != nil {
		f.body.Close()
		f.body = nil
	}
}
