package release

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/project"
	"github.com/hoist-ota/hoist/internal/storage"
)

// STS issues temporary upload credentials (Aliyun STS in production).
type STS interface {
	Issue(ctx context.Context, keyPrefix, sessionName string) (storage.Credentials, error)
}

// DirectUpload is what a browser needs to upload straight to OSS.
type DirectUpload struct {
	Credentials storage.Credentials
	Region      string
	Bucket      string
	Endpoint    string
	KeyPrefix   string // every key must start with it
}

// expectedType is the type an upload is checked against when the uploader
// did not say: inferred from the file name's extension.
func expectedType(name string, declared Type) Type {
	if declared != 0 {
		return declared
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".wgt":
		return TypeWgtAndroid
	case ".apk":
		return TypeAndroid
	}
	return 0
}

// Upload stores a file for a project, streaming it (never held in memory),
// and checks its content against the resource type it is for: declared, or
// inferred from the name (.wgt must be a zip, .apk an apk). A file over the
// size limit is TooLarge, a mismatch Invalid; either way nothing is kept.
func (s *Service) Upload(ctx context.Context, p account.Principal, projectID, name string, r io.Reader, declared Type) (File, error) {
	if _, _, err := s.projects.Access(ctx, p, projectID, project.Publish); err != nil {
		return File{}, err
	}
	if declared != 0 && !declared.NeedsFile() {
		return File{}, apperr.Fields(apperr.FieldError{Field: "type", Message: "must be a type that takes a file (1, 2, 3, 5, 6 or 7)"})
	}
	name = cleanName(name)
	key := storage.NewKey(projectID, s.now(), path.Ext(name))
	obj, err := s.blob.Put(ctx, key, r, storage.PutOptions{MaxSize: s.opts.MaxUploadBytes})
	if err != nil {
		return File{}, fmt.Errorf("release: upload: %w", err)
	}
	f, err := s.recordFile(ctx, p, projectID, key, name, obj, declared)
	if err != nil {
		s.deleteBlob(ctx, key)
		return File{}, err
	}
	return f, nil
}

// RegisterUpload records a file a browser uploaded straight to OSS with
// credentials from UploadCredentials. The object must exist under the
// project's prefix. Hoist reads it once to compute its size, md5 and sha256
// itself; a sha256 the uploader supplies must match (a corrupted upload is
// refused).
func (s *Service) RegisterUpload(ctx context.Context, p account.Principal, projectID, key, name, sha256 string, declared Type) (File, error) {
	if _, _, err := s.projects.Access(ctx, p, projectID, project.Publish); err != nil {
		return File{}, err
	}
	var fs fieldErrs
	if !strings.HasPrefix(key, projectID+"/") || storage.ValidKey(key) != nil {
		fs.add("key", "must be a key under %s/ from the upload credentials", projectID)
	}
	if sha256 != "" && !sha256Hex.MatchString(sha256) {
		fs.add("sha256", "must be 64 lowercase hex digits")
	}
	if err := fs.err(); err != nil {
		return File{}, err
	}
	obj, err := s.blob.Stat(ctx, key)
	if apperr.Is(err, apperr.NotFound) {
		return File{}, apperr.Fields(apperr.FieldError{Field: "key", Message: "no uploaded object has this key"})
	}
	if err != nil {
		return File{}, fmt.Errorf("release: register upload: %w", err)
	}
	if obj.Size > s.opts.MaxUploadBytes {
		s.deleteBlob(ctx, key)
		return File{}, apperr.New(apperr.TooLarge, "the file is larger than %d bytes", s.opts.MaxUploadBytes)
	}
	digest, err := storage.Digest(ctx, s.blob, key)
	if err != nil {
		return File{}, fmt.Errorf("release: register upload: %w", err)
	}
	if sha256 != "" && sha256 != digest.SHA256 {
		return File{}, apperr.Fields(apperr.FieldError{Field: "sha256", Message: "does not match the uploaded object; upload it again"})
	}
	digest.ContentType = obj.ContentType
	return s.recordFile(ctx, p, projectID, key, cleanName(name), digest, declared)
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (s *Service) recordFile(ctx context.Context, p account.Principal, projectID, key, name string, obj storage.Object, declared Type) (File, error) {
	in, err := s.inspect(ctx, key, obj.Size)
	if err != nil {
		return File{}, err
	}
	kind := in.Kind
	if want := expectedType(name, declared); want != 0 && !want.Accepts(kind) {
		return File{}, apperr.Fields(apperr.FieldError{Field: "file", Message: "content does not match: " + want.fileRule()})
	}
	f := File{Key: key, ProjectID: projectID, Name: name, Size: obj.Size, MD5: obj.MD5, SHA256: obj.SHA256,
		Kind: kind, Version: truncate(in.Version, 100), VersionCode: in.VersionCode, ContentType: obj.ContentType,
		CreatedBy: p.UserID, CreatedTime: s.now().UTC()}
	if err := s.store.CreateFile(ctx, f); err != nil {
		return File{}, fmt.Errorf("release: record file: %w", err)
	}
	return f, nil
}

// inspect reads a stored file's structure within fixed bounds
// (inspectZip): a zip archive, an apk (a zip with AndroidManifest.xml), or
// anything else, and the version a package declares. An archive over the
// bounds is Invalid.
func (s *Service) inspect(ctx context.Context, key string, size int64) (Inspection, error) {
	f, _, err := s.blob.Open(ctx, key)
	if err != nil {
		return Inspection{}, fmt.Errorf("release: read upload: %w", err)
	}
	defer f.Close()
	return inspectZip(&readerAt{rs: f}, size)
}

// readerAt gives zip the io.ReaderAt it needs over a ReadSeeker.
type readerAt struct {
	mu sync.Mutex
	rs io.ReadSeeker
}

func (r *readerAt) ReadAt(p []byte, off int64) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.rs.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	return io.ReadFull(r.rs, p)
}

// cleanName keeps the base name of an uploaded file, at most 255 bytes.
func cleanName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == "/" {
		return ""
	}
	return truncate(name, 255)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// DirectUploadAvailable reports whether browsers can upload straight to
// storage (OSS with STS) instead of through Hoist.
func (s *Service) DirectUploadAvailable() bool { return s.sts != nil }

// UploadCredentials issues temporary credentials that let the caller's
// browser upload into the project's key prefix on OSS only. Conflict when
// storage is not OSS with STS configured.
func (s *Service) UploadCredentials(ctx context.Context, p account.Principal, projectID string) (DirectUpload, error) {
	if _, _, err := s.projects.Access(ctx, p, projectID, project.Publish); err != nil {
		return DirectUpload{}, err
	}
	if s.sts == nil {
		return DirectUpload{}, apperr.New(apperr.Conflict, "direct upload needs OSS storage")
	}
	prefix := projectID + "/"
	creds, err := s.sts.Issue(ctx, prefix, "hoist-"+p.UserID[:min(len(p.UserID), 24)])
	if err != nil {
		return DirectUpload{}, fmt.Errorf("release: upload credentials: %w", err)
	}
	d := s.opts.Direct
	d.Credentials, d.KeyPrefix = creds, prefix
	return d, nil
}

// deleteBlob removes a stored file whose record is gone or was never made.
// A failure leaves an orphan blob, not a broken resource: it is logged.
func (s *Service) deleteBlob(ctx context.Context, key string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := s.blob.Delete(ctx, key); err != nil && !errors.Is(err, context.Canceled) {
		s.log.Warn("orphan file left in storage", "key", key, "error", err)
	}
}

// Open returns a recorded file for download with its record (for the ETag).
// Files that were never recorded (an upload in progress, an orphan) are
// NotFound.
func (s *Service) Open(ctx context.Context, key string) (storage.File, File, error) {
	f, err := s.store.File(ctx, key)
	if err != nil {
		return nil, File{}, err
	}
	rc, _, err := s.blob.Open(ctx, key)
	if err != nil {
		return nil, File{}, err
	}
	return rc, f, nil
}
