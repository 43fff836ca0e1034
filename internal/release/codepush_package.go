package release

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// Bounds on a CodePush bundle read at publish and when a diff is built.
const (
	maxBundleEntries = 20_000
	maxBundleBytes   = 1 << 30 // uncompressed, all files together
)

// codePushSignature is the code-signing file the CodePush CLI adds; it is
// kept in the zip but left out of the package hash.
const codePushSignature = ".codepushrelease"

// bundleManifest maps a bundle's file paths ("/" separators) to the sha256
// hex of their content, ignoring what the CodePush tools ignore.
type bundleManifest map[string]string

// readManifest hashes every file of a zip (directories are skipped).
// Invalid when the archive is not a zip or exceeds the bounds.
func readManifest(zr *zip.Reader) (bundleManifest, error) {
	if len(zr.File) > maxBundleEntries {
		return nil, apperr.New(apperr.Invalid, "the bundle has more than %d entries", maxBundleEntries)
	}
	m := make(bundleManifest, len(zr.File))
	var total int64
	for _, f := range zr.File {
		name := strings.ReplaceAll(f.Name, "\\", "/")
		if strings.HasSuffix(name, "/") || ignoredInBundle(name) {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, apperr.Wrap(err, apperr.Invalid, "the bundle cannot be read: %s", name)
		}
		h := sha256.New()
		n, err := io.Copy(h, io.LimitReader(rc, maxBundleBytes-total+1))
		rc.Close()
		if err != nil {
			return nil, apperr.Wrap(err, apperr.Invalid, "the bundle cannot be read: %s", name)
		}
		if total += n; total > maxBundleBytes {
			return nil, apperr.New(apperr.Invalid, "the bundle is larger than %d bytes uncompressed", maxBundleBytes)
		}
		m[name] = hex.EncodeToString(h.Sum(nil))
	}
	return m, nil
}

// ignoredInBundle is the CodePush tools' isIgnored.
func ignoredInBundle(name string) bool {
	return strings.HasPrefix(name, "__MACOSX/") || name == ".DS_Store" || strings.HasSuffix(name, "/.DS_Store")
}

// PackageHash is the CodePush package hash (PROTOCOLS §6): sha256 hex of
// the JSON array of sorted "path:sha256" strings, the signature file left
// out.
func (m bundleManifest) PackageHash() string {
	entries := make([]string, 0, len(m))
	for name, h := range m {
		if name == codePushSignature || strings.HasSuffix(name, "/"+codePushSignature) {
			continue
		}
		entries = append(entries, name+":"+h)
	}
	slices.Sort(entries)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // as JSON.stringify
	_ = enc.Encode(entries)
	sum := sha256.Sum256(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	return hex.EncodeToString(sum[:])
}

// BundlePackageHash reads a CodePush zip and returns its package hash.
func BundlePackageHash(r io.ReaderAt, size int64) (string, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return "", apperr.Wrap(err, apperr.Invalid, "a CodePush bundle must be a zip archive")
	}
	m, err := readManifest(zr)
	if err != nil {
		return "", err
	}
	if len(m) == 0 {
		return "", apperr.New(apperr.Invalid, "the CodePush bundle holds no files")
	}
	return m.PackageHash(), nil
}

// WriteBundleDiff writes the diff zip that turns the package old into new
// (PROTOCOLS §6): new's files that old lacks or holds with other content,
// and hotcodepush.json {"deletedFiles":[…]} naming old's files new lacks.
// The client overlays it on its current package.
func WriteBundleDiff(w io.Writer, oldZip io.ReaderAt, oldSize int64, newZip io.ReaderAt, newSize int64) error {
	oz, err := zip.NewReader(oldZip, oldSize)
	if err != nil {
		return fmt.Errorf("release: diff: old package: %w", err)
	}
	nz, err := zip.NewReader(newZip, newSize)
	if err != nil {
		return fmt.Errorf("release: diff: new package: %w", err)
	}
	om, err := readManifest(oz)
	if err != nil {
		return err
	}
	nm, err := readManifest(nz)
	if err != nil {
		return err
	}
	deleted := []string{}
	for name := range om {
		if _, ok := nm[name]; !ok {
			deleted = append(deleted, name)
		}
	}
	slices.Sort(deleted)
	zw := zip.NewWriter(w)
	for _, f := range nz.File {
		name := strings.ReplaceAll(f.Name, "\\", "/")
		h, ok := nm[name]
		if !ok || om[name] == h {
			continue
		}
		// Copy the compressed bytes as they are: no recompression.
		rc, err := f.OpenRaw()
		if err != nil {
			return fmt.Errorf("release: diff: %s: %w", name, err)
		}
		hdr := f.FileHeader
		hdr.Name = name
		fw, err := zw.CreateRaw(&hdr)
		if err == nil {
			_, err = io.Copy(fw, rc)
		}
		if err != nil {
			return fmt.Errorf("release: diff: %s: %w", name, err)
		}
	}
	fw, err := zw.Create("hotcodepush.json")
	if err != nil {
		return fmt.Errorf("release: diff: %w", err)
	}
	if err := json.NewEncoder(fw).Encode(map[string][]string{"deletedFiles": deleted}); err != nil {
		return fmt.Errorf("release: diff: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("release: diff: %w", err)
	}
	return nil
}
