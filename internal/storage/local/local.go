// Package local is the storage.Blob on local disk: one file per key under a
// root directory, written atomically, with optionally signed "/files/{key}"
// URLs that the HTTP layer serves and checks (storage.URLVerifier).
package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/storage"
)

// Local file modes: files are readable by the owner and group (an operator's
// web server may share the group); directories likewise.
const (
	localFileMode = 0o640
	localDirMode  = 0o750
	// localTmpDir holds uploads in progress, inside the root so the final
	// rename stays on one file system. Keys cannot name it: no key segment
	// starts with a dot.
	localTmpDir = ".tmp"
	// DefaultURLPrefix is the path local files are served under.
	DefaultURLPrefix = "/files/"
	// minSignKeyLen is the shortest HMAC key Disk accepts for signing.
	minSignKeyLen = 32
)

// Config is the part of the configuration the local backend needs.
type Config struct {
	// Dir is the root directory; it is created when missing.
	Dir string
	// URLPrefix is the path files are served under, starting and ending
	// with "/"; empty means DefaultURLPrefix ("/files/").
	URLPrefix string
	// Signed makes URL append an expiry and an HMAC signature, which the
	// file handler checks with VerifySignature.
	Signed bool
	// SignKey is the HMAC-SHA256 key for signed URLs, at least 32 bytes when
	// Signed is set.
	SignKey []byte
	// Now is the clock for URL expiry; nil means time.Now.
	Now func() time.Time
}

// Disk stores files under a root directory, one file per key at
// {root}/{key}. It is safe for concurrent use.
type Disk struct {
	root    string
	tmp     string
	prefix  string
	signed  bool
	signKey []byte
	now     func() time.Time
}

var (
	_ storage.Blob        = (*Disk)(nil)
	_ storage.URLVerifier = (*Disk)(nil)
)

// New returns a Disk rooted at cfg.Dir, creating the directory (and its
// area for uploads in progress) when missing. It fails on an empty Dir, a
// malformed URLPrefix, a short SignKey with Signed set, or a directory it
// cannot create.
func New(cfg Config) (*Disk, error) {
	if cfg.Dir == "" {
		return nil, errors.New("storage: local: dir is required")
	}
	prefix := cfg.URLPrefix
	if prefix == "" {
		prefix = DefaultURLPrefix
	}
	if !strings.HasPrefix(prefix, "/") || !strings.HasSuffix(prefix, "/") {
		return nil, fmt.Errorf("storage: local: url prefix %q must start and end with /", prefix)
	}
	if cfg.Signed && len(cfg.SignKey) < minSignKeyLen {
		return nil, fmt.Errorf("storage: local: signing key must be at least %d bytes", minSignKeyLen)
	}
	root, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("storage: local: %w", err)
	}
	tmp := filepath.Join(root, localTmpDir)
	if err := os.MkdirAll(tmp, localDirMode); err != nil {
		return nil, fmt.Errorf("storage: local: %w", err)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Disk{
		root:    root,
		tmp:     tmp,
		prefix:  prefix,
		signed:  cfg.Signed,
		signKey: append([]byte(nil), cfg.SignKey...),
		now:     now,
	}, nil
}

// path returns the file of a valid key.
func (l *Disk) path(key string) string {
	return filepath.Join(l.root, filepath.FromSlash(key))
}

// Put implements Blob. The bytes go to a temporary file under the root, which
// is synced and then renamed onto {root}/{key}, so readers see either the old
// file or the whole new one. Any failure removes the temporary file.
func (l *Disk) Put(ctx context.Context, key string, r io.Reader, opts storage.PutOptions) (storage.Object, error) {
	if err := storage.ValidKey(key); err != nil {
		return storage.Object{}, fmt.Errorf("storage: put %s: %w", key, err)
	}
	m := storage.NewMeter(ctx, r, opts.MaxSize)
	modTime, err := l.write(ctx, key, m)
	if err != nil {
		if m.Exceeded() {
			err = m.TooLarge()
		}
		return storage.Object{}, fmt.Errorf("storage: put %s: %w", key, err)
	}
	obj := m.Object(key, storage.ContentType(key, opts.ContentType))
	obj.ModTime = modTime
	return obj, nil
}

// write copies m into a temporary file and renames it onto key's path. It
// returns the new file's modification time.
func (l *Disk) write(ctx context.Context, key string, m *storage.Meter) (modTime time.Time, err error) {
	f, err := os.CreateTemp(l.tmp, "upload-*")
	if err != nil {
		return time.Time{}, err
	}
	tmpName := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmpName)
		}
	}()
	if _, err = io.Copy(f, m); err != nil {
		return time.Time{}, err
	}
	if err = f.Chmod(localFileMode); err != nil {
		return time.Time{}, err
	}
	if err = f.Sync(); err != nil {
		return time.Time{}, err
	}
	fi, err := f.Stat()
	if err != nil {
		return time.Time{}, err
	}
	if err = f.Close(); err != nil {
		return time.Time{}, err
	}
	// A cancellation that arrived after the last read still wins: the
	// caller has gone and will not record the file.
	if err = ctx.Err(); err != nil {
		return time.Time{}, err
	}
	dst := l.path(key)
	dir := filepath.Dir(dst)
	if err = os.MkdirAll(dir, localDirMode); err != nil {
		return time.Time{}, err
	}
	if err = os.Rename(tmpName, dst); err != nil {
		return time.Time{}, err
	}
	// Make the rename itself durable. Should that fail, the file goes too:
	// Put promises that an error leaves nothing stored.
	if err = syncDir(dir); err != nil {
		os.Remove(dst)
		return time.Time{}, err
	}
	return fi.ModTime(), nil
}

// syncDir fsyncs a directory so a rename into it survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Stat implements Blob. Disk keeps no digests: MD5 and SHA256 are empty and
// ContentType comes from the key's extension.
func (l *Disk) Stat(ctx context.Context, key string) (storage.Object, error) {
	if err := storage.ValidKey(key); err != nil {
		return storage.Object{}, fmt.Errorf("storage: stat %s: %w", key, err)
	}
	fi, err := os.Stat(l.path(key))
	if err != nil {
		return storage.Object{}, fmt.Errorf("storage: stat %s: %w", key, notFound(err))
	}
	if !fi.Mode().IsRegular() {
		return storage.Object{}, fmt.Errorf("storage: stat %s: %w", key, errNoFile())
	}
	return localObject(key, fi), nil
}

// Open implements Blob; the File is the *os.File itself.
func (l *Disk) Open(ctx context.Context, key string) (storage.File, storage.Object, error) {
	if err := storage.ValidKey(key); err != nil {
		return nil, storage.Object{}, fmt.Errorf("storage: open %s: %w", key, err)
	}
	f, err := os.Open(l.path(key))
	if err != nil {
		return nil, storage.Object{}, fmt.Errorf("storage: open %s: %w", key, notFound(err))
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = errNoFile()
	}
	if err != nil {
		f.Close()
		return nil, storage.Object{}, fmt.Errorf("storage: open %s: %w", key, err)
	}
	return f, localObject(key, fi), nil
}

// Delete implements Blob. A key naming a directory (a prefix of other keys)
// is left alone, as if missing. Emptied directories are kept: removing them
// would race with a Put creating a file in them.
func (l *Disk) Delete(ctx context.Context, key string) error {
	if err := storage.ValidKey(key); err != nil {
		return fmt.Errorf("storage: delete %s: %w", key, err)
	}
	p := l.path(key)
	fi, err := os.Lstat(p)
	switch {
	case err != nil && (errors.Is(err, fs.ErrNotExist) || isNotDir(err)):
		return nil
	case err != nil:
		return fmt.Errorf("storage: delete %s: %w", key, err)
	case fi.IsDir():
		return nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("storage: delete %s: %w", key, err)
	}
	return nil
}

// localObject returns the Object of a file on disk.
func localObject(key string, fi fs.FileInfo) storage.Object {
	return storage.Object{
		Key:         key,
		Size:        fi.Size(),
		ContentType: storage.ContentType(key, ""),
		ModTime:     fi.ModTime(),
	}
}

// notFound maps a missing file (or a path through a regular file, ENOTDIR)
// to apperr.NotFound and leaves other errors as they are.
func notFound(err error) error {
	if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
		return apperr.Wrap(err, apperr.NotFound, "file not found")
	}
	return err
}

// isNotDir reports whether err says a path ran through a regular file.
func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }

// errNoFile is the error for a key that names a directory.
func errNoFile() error {
	return apperr.New(apperr.NotFound, "file not found")
}
