package storage

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// Key limits.
const (
	// MaxKeyLen is the longest key ValidKey accepts, in bytes.
	MaxKeyLen = 512
	// maxSegmentLen keeps every path segment within common file-system
	// name limits, so a valid key never fails on disk with ENAMETOOLONG.
	maxSegmentLen = 255
	// maxExtLen is the longest extension NewKey keeps, dot included.
	maxExtLen = 10
)

// ValidKey reports whether key may name a stored file, as nil or an
// apperr.Invalid error naming the field "key". A valid key is relative and
// slash-separated: at most MaxKeyLen bytes of [A-Za-z0-9._/-], no leading or
// trailing slash, no empty segment, no ".." anywhere, no segment that starts
// with a dot (so "." segments are impossible and dot names stay free for the
// local backend's temporary files) and no segment longer than 255 bytes.
// Joined to a directory with filepath.Join, a valid key always stays inside it.
func ValidKey(key string) error {
	if msg := keyProblem(key); msg != "" {
		return apperr.Fields(apperr.FieldError{Field: "key", Message: msg})
	}
	return nil
}

// keyProblem returns why key is invalid, or "" when it is valid.
func keyProblem(key string) string {
	switch {
	case key == "":
		return "is required"
	case len(key) > MaxKeyLen:
		return "must be at most 512 bytes"
	case key[0] == '/':
		return "must be relative (no leading slash)"
	case strings.Contains(key, ".."):
		return "must not contain .."
	}
	for i := 0; i < len(key); i++ {
		if !keyByte(key[i]) {
			return "may contain only letters, digits, '.', '_', '-' and '/'"
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch {
		case seg == "":
			return "must not contain empty segments"
		case seg[0] == '.':
			return "segments must not start with a dot"
		case len(seg) > maxSegmentLen:
			return "segments must be at most 255 bytes"
		}
	}
	return ""
}

// keyByte reports whether c is in a key's character set.
func keyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '_' || c == '-' || c == '/'
}

// NewKey returns a fresh key "{projectID}/{yyyy-mm}/{32 random hex}{ext}",
// the month taken from now in UTC. ext is lowercased and given a leading dot
// when it lacks one; it is dropped unless it is at most 10 bytes (dot
// included) of [a-z0-9.] with no ".." and no trailing dot. NewKey does not check projectID: a
// project ID outside the key character set yields a key ValidKey rejects.
func NewKey(projectID string, now time.Time, ext string) string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails; it aborts the program instead.
	return projectID + "/" + now.UTC().Format("2006-01") + "/" + hex.EncodeToString(b[:]) + cleanExt(ext)
}

// cleanExt returns ext normalised for NewKey, or "" when it is not usable.
func cleanExt(ext string) string {
	if ext == "" {
		return ""
	}
	ext = strings.ToLower(ext)
	if ext[0] != '.' {
		ext = "." + ext
	}
	if len(ext) < 2 || len(ext) > maxExtLen || strings.Contains(ext, "..") || strings.HasSuffix(ext, ".") {
		return ""
	}
	for i := 1; i < len(ext); i++ {
		c := ext[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.') {
			return ""
		}
	}
	return ext
}

// ValidKeyPrefix checks a key prefix such as an upload credential's:
// "{valid key}/". It returns nil or an apperr.Invalid error naming the field
// "keyPrefix".
func ValidKeyPrefix(prefix string) error {
	base, ok := strings.CutSuffix(prefix, "/")
	if !ok {
		return apperr.Fields(apperr.FieldError{Field: "keyPrefix", Message: "must end with /"})
	}
	if msg := keyProblem(base); msg != "" {
		return apperr.Fields(apperr.FieldError{Field: "keyPrefix", Message: msg})
	}
	return nil
}
