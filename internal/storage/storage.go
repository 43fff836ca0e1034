// Package storage is the contract of Hoist's file storage for uploaded
// release files (wgt hot-update packages, apk builds, firmware images): the
// Blob interface the rest of Hoist uses, the Object a Put returns, the key
// rules, upload Credentials, and the metering every backend shares. It
// imports no SDK. The implementations live in storage/local (local disk) and
// storage/oss (an Aliyun OSS bucket, and STS credentials that let a browser
// upload straight to it); only the wiring in cmd/hoist imports them.
//
// Nothing here speaks HTTP to clients or touches the database: the HTTP layer
// serves local files (GET /files/{key}) and the release service records the
// Object a Put returns.
package storage

import (
	"context"
	"io"
	"mime"
	"path"
	"time"
)

// Blob stores release files under keys (see ValidKey). Every method rejects
// an invalid key with an apperr.Invalid error before doing anything else.
// Failures of the backend itself (disk, network, OSS) come back wrapped,
// as apperr.Unavailable for OSS and as plain (Internal) errors for disk.
type Blob interface {
	// Put streams r to key, computing size, MD5 and SHA-256 on the way; it
	// never holds the whole file in memory. It returns the stored Object.
	// When more than opts.MaxSize bytes arrive it returns an apperr.TooLarge
	// error. On that, on a read error of r and on cancellation of ctx,
	// nothing is left stored under key (no partial file). A successful Put to
	// an existing key replaces it; keys come from NewKey, so that is rare.
	Put(ctx context.Context, key string, r io.Reader, opts PutOptions) (Object, error)

	// Stat returns what the backend knows about key without reading it:
	// Size, ContentType and ModTime always; MD5 only when the backend keeps
	// it (OSS does, local disk does not); SHA256 is empty unless known. The
	// digests computed by Put are the ones to record. A missing key is an
	// apperr.NotFound error.
	Stat(ctx context.Context, key string) (Object, error)

	// Open returns the content of key for reading and seeking, suitable for
	// http.ServeContent, and the same Object as Stat. The caller closes the
	// File. A missing key is an apperr.NotFound error. Local returns the file
	// itself; OSS returns a File that issues ranged GETs, meant for
	// verification (Digest), not for serving clients, who get URL instead.
	Open(ctx context.Context, key string) (File, Object, error)

	// Delete removes key. Deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error

	// URL returns where clients download key: a public URL, or a signed one
	// that expires after ttl when the backend is configured to sign. Local
	// returns a path ("/files/{key}"...) that the HTTP layer makes absolute.
	// URL does not check that key exists. With signing on, a ttl below one
	// second is an apperr.Invalid error.
	URL(ctx context.Context, key string, ttl time.Duration) (string, error)
}

// File is the content of a stored object opened for reading. Seek supports
// io.SeekStart, io.SeekCurrent and io.SeekEnd, as http.ServeContent needs.
type File interface {
	io.ReadSeekCloser
}

// PutOptions tune one Put.
type PutOptions struct {
	// MaxSize is the largest number of bytes Put accepts; 0 or less means no
	// limit (the HTTP layer always sets one).
	MaxSize int64
	// ContentType is stored with the object where the backend keeps it
	// (OSS). Empty means: derive it from the key's extension.
	ContentType string
}

// Object describes a stored file.
type Object struct {
	Key  string
	Size int64
	// MD5 and SHA256 are lowercase hex; empty when unknown (see Stat).
	MD5         string
	SHA256      string
	ContentType string
	ModTime     time.Time
}

// URLVerifier is what the HTTP layer needs of a backend whose URLs point
// back at Hoist (local disk, "/files/{key}"): whether they are signed, and
// the check of a signed URL's expires and sig query values.
type URLVerifier interface {
	// Signed reports whether URLs are signed, that is whether a download
	// must pass VerifySignature.
	Signed() bool
	// VerifySignature returns nil when sig signs key and expires and now is
	// not after expires; otherwise an apperr.Forbidden error (apperr.Invalid
	// for a malformed key).
	VerifySignature(key, expires, sig string, now time.Time) error
}

// Credentials are temporary credentials for a browser's direct upload to
// the bucket (see storage/oss.STS). They are secrets: hand them only to the
// uploader, never log them.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
	Expiration      time.Time
}

// defaultContentType is the type of files whose extension says nothing.
const defaultContentType = "application/octet-stream"

// ContentType returns explicit when set, else a type derived from key's
// extension, else application/octet-stream. Backends store it with an
// object (PutOptions.ContentType empty means: derive it).
func ContentType(key, explicit string) string {
	if explicit != "" {
		return explicit
	}
	if t := mime.TypeByExtension(path.Ext(key)); t != "" {
		return t
	}
	return defaultContentType
}
