package storage

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// errTooLarge is what a Meter's Read returns once its limit is passed. Puts
// report it as apperr.TooLarge through Meter.TooLarge, never directly.
var errTooLarge = errors.New("storage: size limit exceeded")

// errStopped is what a Meter's Read returns after stop.
var errStopped = errors.New("storage: upload finished")

// Meter wraps an upload's reader: it counts and hashes the bytes that pass,
// fails once more than max bytes arrive, and fails when ctx ends.
//
// The mutex matters for OSS: net/http reads a request body on its own
// goroutine and may still do so after the request returned (after an early
// response). Stop, called before Put returns, waits for a Read in flight and
// makes later ones fail, so the caller's reader is never touched after Put
// returns and the counts read afterwards are final.
type Meter struct {
	mu      sync.Mutex
	ctx     context.Context
	r       io.Reader
	max     int64
	n       int64
	over    bool
	srcErr  error // the wrapped reader's own failure, other than io.EOF
	stopped bool
	md5     hash.Hash
	sha     hash.Hash
}

// NewMeter returns a Meter over r that fails once more than max bytes
// arrive (max <= 0 means no limit) and once ctx ends.
func NewMeter(ctx context.Context, r io.Reader, max int64) *Meter {
	return &Meter{ctx: ctx, r: r, max: max, md5: md5.New(), sha: sha256.New()}
}

// Read implements io.Reader.
func (m *Meter) Read(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped {
		return 0, errStopped
	}
	if m.over {
		return 0, errTooLarge
	}
	if err := m.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := m.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		m.srcErr = err
	}
	if n > 0 {
		m.n += int64(n)
		if m.max > 0 && m.n > m.max {
			m.over = true
			return 0, errTooLarge
		}
		m.md5.Write(p[:n])
		m.sha.Write(p[:n])
	}
	return n, err
}

// Stop ends the Meter: it waits for a Read in flight and fails later ones.
func (m *Meter) Stop() {
	m.mu.Lock()
	m.stopped = true
	m.mu.Unlock()
}

// Exceeded reports whether more than max bytes arrived.
func (m *Meter) Exceeded() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.over
}

// SourceErr returns the error the wrapped reader failed with, if any: the
// uploader's fault (a dropped connection), not the backend's. Nil when it
// did not fail.
func (m *Meter) SourceErr() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.srcErr
}

// TooLarge returns the client-facing apperr.TooLarge error for an upload
// over the limit.
func (m *Meter) TooLarge() error {
	return apperr.New(apperr.TooLarge, "file is larger than the limit of %d bytes", m.max)
}

// Object returns the Object of what passed through the Meter: Key,
// Size, MD5, SHA256 and ContentType as given; ModTime is the caller's.
func (m *Meter) Object(key, contentType string) Object {
	m.mu.Lock()
	defer m.mu.Unlock()
	return Object{
		Key:         key,
		Size:        m.n,
		MD5:         hex.EncodeToString(m.md5.Sum(nil)),
		SHA256:      hex.EncodeToString(m.sha.Sum(nil)),
		ContentType: contentType,
	}
}

// Digest reads key from b to the end and returns its Object with Size, MD5
// and SHA256 computed from the bytes read. It is how Hoist verifies a file
// it did not receive itself (a browser's direct upload to OSS). Errors are
// those of Open, a read error, or ctx's error; a file whose length differs
// from what Open reported is an error too.
func Digest(ctx context.Context, b Blob, key string) (Object, error) {
	f, obj, err := b.Open(ctx, key)
	if err != nil {
		return Object{}, err
	}
	defer f.Close()
	m := NewMeter(ctx, f, 0)
	if _, err := io.Copy(io.Discard, m); err != nil {
		return Object{}, fmt.Errorf("storage: digest %s: %w", key, err)
	}
	got := m.Object(key, obj.ContentType)
	if got.Size != obj.Size {
		return Object{}, fmt.Errorf("storage: digest %s: read %d bytes, expected %d", key, got.Size, obj.Size)
	}
	got.ModTime = obj.ModTime
	return got, nil
}
