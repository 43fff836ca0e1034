// Package storagetest holds what the tests of every storage.Blob
// implementation share: deterministic payloads and readers that fail or
// cancel midway, to check that a failed Put leaves nothing stored.
package storagetest

import (
	"context"
	"io"
	"math/rand/v2"
)

// Payload returns n deterministic pseudo-random bytes; the same seed gives
// the same bytes.
func Payload(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// FailingReader yields N bytes of R, then fails with Err.
type FailingReader struct {
	R   io.Reader
	N   int
	Err error
}

// Read implements io.Reader.
func (f *FailingReader) Read(p []byte) (int, error) {
	if f.N <= 0 {
		return 0, f.Err
	}
	if len(p) > f.N {
		p = p[:f.N]
	}
	n, err := f.R.Read(p)
	f.N -= n
	return n, err
}

// CancelingReader reads R and calls Cancel after its first read, so an
// upload is cancelled midway.
type CancelingReader struct {
	R      io.Reader
	Cancel context.CancelFunc
}

// Read implements io.Reader.
func (c *CancelingReader) Read(p []byte) (int, error) {
	n, err := c.R.Read(p)
	c.Cancel()
	return n, err
}
