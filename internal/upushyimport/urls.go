package upushyimport

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/hoist-ota/hoist/internal/release"
)

// maxURL is the longest download URL Hoist keeps.
const maxURL = 1024

// isAbsolute reports whether a stored url is already an absolute http(s)
// URL rather than an object key. upushy 0.6 prefixed even those; rows
// written before upushy stored keys (2020) can hold them.
func isAbsolute(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// keyURL returns the URL of an OSS object key under base: every path
// segment escaped (a space becomes %20), so that the key, spaces and all,
// is the object the client downloads. A leading "/" is not part of an OSS
// key and is dropped.
func keyURL(base, key string) string {
	segs := strings.Split(strings.TrimLeft(key, "/"), "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.TrimRight(base, "/") + "/" + strings.Join(segs, "/")
}

// downloadURL returns the URL under which Hoist offers an upushy source,
// or why it cannot. Type 4 (App Store) links are kept exactly as stored,
// whatever their scheme (itms-apps:// too): upushy never prefixed them. For
// types 1-3 the stored value is an OSS object key that upushy answered as
// base + "/" + key; an absolute URL is kept as it is.
func (im *Importer) downloadURL(s Source) (u string, note string, why string) {
	raw := strings.TrimSpace(s.URL)
	switch {
	case raw == "":
		return "", "", "its url is empty"
	case release.Type(s.Type) == release.TypeIOS:
		u = raw
	case isAbsolute(raw):
		pu, _ := url.Parse(raw) // re-written only where it was not a valid URL (a raw space)
		u, note = pu.String(), "absolute URL kept as stored (upushy 0.6 would have put the OSS base before it)"
	case im.opts.URLBase == "":
		return "", "", fmt.Sprintf("url %q is an OSS object key and no base is known (%s)", raw, baseHint)
	default:
		u = keyURL(im.opts.URLBase, raw)
	}
	if len(u) > maxURL {
		return "", "", fmt.Sprintf("url is longer than %d characters", maxURL)
	}
	return u, note, ""
}

// baseHint says how to give the importer upushy's OSS base.
const baseHint = "pass --upushy-config with upushy's env.production.yaml, or --oss-bucket and --oss-endpoint " +
	"(its ALIYUN_OSS_BUCKET and ALIYUN_OSS_ENDPOINT), or --url-base for a CDN domain bound to the bucket"

// keyCounts counts the sources of types 1-3 and those of them stored as an
// object key rather than an absolute URL.
func keyCounts(ss []Source) (files, keys int, example string) {
	for _, s := range ss {
		raw := strings.TrimSpace(s.URL)
		if s.Type < int(release.TypeWgtAndroid) || s.Type > int(release.TypeAndroid) || raw == "" {
			continue
		}
		files++
		if !isAbsolute(raw) {
			keys++
			if example == "" {
				example = raw
			}
		}
	}
	return files, keys, example
}
