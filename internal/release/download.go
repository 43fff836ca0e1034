package release

import (
	"context"
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// DownloadPath returns the stable download link of a resource with a file:
// "/d/{id}/{version}.wgt" for hot updates, ".apk" for Android builds, the
// stored file's extension for firmware. The path ends in the file's
// extension because the upushy SDK decides from the URL alone whether it
// can install a package (/\.wgt$/i.test(url)), and signed storage URLs end
// in their query. It is "" for resources without a stored file (App Store
// links, imported external URLs): those are handed out as stored.
func (r Resource) DownloadPath() string {
	if r.StorageKey == "" {
		return ""
	}
	ext := path.Ext(r.StorageKey)
	switch {
	case r.Type.IsWgt():
		ext = ".wgt"
	case r.Type == TypeAndroid:
		ext = ".apk"
	case r.Type.IsCodePush():
		ext = ".zip"
	}
	return "/d/" + r.ID + "/" + safeName(r.Version) + ext
}

// safeName keeps a version usable as a file name in a URL path: letters,
// digits, '.', '_' and '-'; anything else becomes '_'.
func safeName(v string) string {
	var b strings.Builder
	for i := 0; i < len(v) && b.Len() < 64; i++ {
		c := v[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' {
			b.WriteByte(c)
		} else {
			b.WriteByte('_')
		}
	}
	if s := strings.Trim(b.String(), "."); s != "" {
		return s
	}
	return "package"
}

// Download resolves a resource's stable download link to a freshly signed
// storage URL (a path for local storage, which the caller makes absolute).
// The resource must exist, be enabled and carry a file; otherwise NotFound,
// so a disabled release stops being downloadable at once. deviceKey is the
// asking device's rollout key when the request names one ("" when it does
// not: the stock client downloads the URL it was given, and the rollout was
// applied when that URL was offered); a device outside a partial rollout is
// Forbidden.
//
// While the database is unreachable, a resource of the last catalog this
// node loaded (the update check's stale answer offers those) is still
// served from memory; others are Unavailable.
func (s *Service) Download(ctx context.Context, id, deviceKey string) (Resource, string, error) {
	r, err := s.store.Resource(ctx, id)
	if apperr.Is(err, apperr.Unavailable) {
		if k, ok := s.known.get(id); ok {
			r, err = k, nil
		}
	}
	if apperr.Is(err, apperr.NotFound) || (err == nil && (r.Status != StatusEnabled || r.StorageKey == "")) {
		return Resource{}, "", apperr.New(apperr.NotFound, "download not found")
	}
	if err != nil {
		return Resource{}, "", fmt.Errorf("release: download %s: %w", id, err)
	}
	if p := effectivePercent(r.RolloutPercent); p < 100 && deviceKey != "" && Bucket(r.ID, deviceKey) >= p {
		return Resource{}, "", apperr.New(apperr.Forbidden, "this release is rolled out to %d%% of devices, not to this one", p)
	}
	u, err := s.blob.URL(ctx, r.StorageKey, s.opts.URLTTL)
	if err != nil {
		return Resource{}, "", fmt.Errorf("release: download %s: %w", id, err)
	}
	return r, u, nil
}

// lastKnown keeps, per project, the resources of the last catalog loaded,
// for downloads while the database is unreachable (stale-if-error, as the
// update check's answers).
type lastKnown struct {
	mu        sync.RWMutex
	byProject map[string][]string // project → resource ids
	byID      map[string]Resource
}

// replace sets a project's resources.
func (k *lastKnown) replace(projectID string, rs []Resource) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.byID == nil {
		k.byProject, k.byID = map[string][]string{}, map[string]Resource{}
	}
	for _, id := range k.byProject[projectID] {
		delete(k.byID, id)
	}
	ids := make([]string, 0, len(rs))
	for _, r := range rs {
		ids = append(ids, r.ID)
		k.byID[r.ID] = r
	}
	k.byProject[projectID] = ids
}

// forget drops a project's resources (after a change on this node: until
// the next catalog, nothing of it is served from memory).
func (k *lastKnown) forget(projectID string) { k.replace(projectID, nil) }

// drop forgets one resource (after a change of it on this node).
func (k *lastKnown) drop(id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.byID, id)
}

// put remembers one resource of a project's catalog.
func (k *lastKnown) put(projectID string, r Resource) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.byID == nil {
		k.byProject, k.byID = map[string][]string{}, map[string]Resource{}
	}
	if _, ok := k.byID[r.ID]; !ok {
		k.byProject[projectID] = append(k.byProject[projectID], r.ID)
	}
	k.byID[r.ID] = r
}

func (k *lastKnown) get(id string) (Resource, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	r, ok := k.byID[id]
	return r, ok
}
