package release

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/project"
	"github.com/hoist-ota/hoist/internal/storage"
)

// DeploymentKey names a CodePush deployment: a project's channel and
// platform. The key is sent in clear by the client (it ships inside the
// app), so it is stored as is.
type DeploymentKey struct {
	Key         string
	ProjectID   string
	Channel     string
	Platform    Platform
	CreatedTime time.Time
}

// CodePushDiff is a stored diff package from the package with BaseHash to
// the release ResourceID.
type CodePushDiff struct {
	ResourceID string
	BaseHash   string
	StorageKey string
	Size       int64
}

// CodePushStore keeps deployment keys, diff packages and report counts.
type CodePushStore interface {
	MetricsStore
	// DeploymentKeys lists a project's keys ("" = every project's).
	DeploymentKeys(ctx context.Context, projectID string) ([]DeploymentKey, error)
	// PutDeploymentKey inserts k, or replaces the key of its project,
	// channel and platform when replace is set; with replace unset an
	// existing deployment is kept (no error).
	PutDeploymentKey(ctx context.Context, k DeploymentKey, replace bool) error
	// CodePushResources returns a project's CodePush releases, enabled or
	// not.
	CodePushResources(ctx context.Context, projectID string) ([]Resource, error)
	// CodePushDiff returns a recorded diff; NotFound when none.
	CodePushDiff(ctx context.Context, resourceID, baseHash string) (CodePushDiff, error)
	// CreateCodePushDiff records a diff; Conflict when one exists.
	CreateCodePushDiff(ctx context.Context, d CodePushDiff) error
}

// newDeploymentKey returns 40 random base62 characters.
func newDeploymentKey() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 40)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)] // 256 % 62: a negligible bias
	}
	return string(b)
}

// DeploymentKeys returns a project's deployment keys by channel and
// platform (members), creating the missing ones of its channels first.
func (s *Service) DeploymentKeys(ctx context.Context, p account.Principal, projectID string) (map[string]map[Platform]string, error) {
	if _, _, err := s.projects.Access(ctx, p, projectID, project.Read); err != nil {
		return nil, err
	}
	have, err := s.store.DeploymentKeys(ctx, projectID)
	if err != nil {
		return nil, err
	}
	out := map[string]map[Platform]string{}
	for _, k := range have {
		if out[k.Channel] == nil {
			out[k.Channel] = map[Platform]string{}
		}
		out[k.Channel][k.Platform] = k.Key
	}
	chs, err := s.store.Channels(ctx, projectID)
	if err != nil {
		return nil, err
	}
	created := false
	for _, ch := range chs {
		for _, pl := range []Platform{PlatformAndroid, PlatformIOS} {
			if out[ch.Name][pl] != "" {
				continue
			}
			k := DeploymentKey{Key: newDeploymentKey(), ProjectID: projectID, Channel: ch.Name, Platform: pl, CreatedTime: s.now().UTC()}
			if err := s.store.PutDeploymentKey(ctx, k, false); err != nil {
				return nil, err
			}
			created = true
		}
	}
	if created {
		s.changed(projectID)
		return s.DeploymentKeys(ctx, p, projectID) // read back: a concurrent creator may have won
	}
	return out, nil
}

// RotateDeploymentKey replaces the key of a channel and platform
// (maintainers and owners); devices with the old key get 400 from then on.
func (s *Service) RotateDeploymentKey(ctx context.Context, p account.Principal, projectID, channel string, pl Platform) (string, error) {
	if _, _, err := s.projects.Access(ctx, p, projectID, project.Publish); err != nil {
		return "", err
	}
	if pl != PlatformAndroid && pl != PlatformIOS {
		return "", apperr.Fields(apperr.FieldError{Field: "platform", Message: "must be android or ios"})
	}
	if err := s.channelExists(ctx, projectID, channel); err != nil {
		return "", err
	}
	k := DeploymentKey{Key: newDeploymentKey(), ProjectID: projectID, Channel: channel, Platform: pl, CreatedTime: s.now().UTC()}
	if err := s.store.PutDeploymentKey(ctx, k, true); err != nil {
		return "", err
	}
	s.changed(projectID)
	return k.Key, nil
}

// KeyIndex maps every deployment key to its project, for the update
// check's node-wide index (Checker).
func (s *Service) KeyIndex(ctx context.Context) (map[string]string, error) {
	ks, err := s.store.DeploymentKeys(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("release: deployment keys: %w", err)
	}
	m := make(map[string]string, len(ks))
	for _, k := range ks {
		m[k.Key] = k.ProjectID
	}
	return m, nil
}

// prepareCodePush computes a new CodePush release's package hash from its
// zip and refuses it while the deployment's latest release has an
// unfinished rollout (the reference server's rule).
func (s *Service) prepareCodePush(ctx context.Context, r *Resource, n NewResource) error {
	rs, err := s.store.CodePushResources(ctx, r.ProjectID)
	if err != nil {
		return err
	}
	var latest *Resource
	for i := range rs {
		if c := &rs[i]; c.Type == r.Type && c.Channel == r.Channel && (latest == nil || c.VersionCode > latest.VersionCode) {
			latest = c
		}
	}
	if latest != nil && latest.Status == StatusEnabled && effectivePercent(latest.RolloutPercent) < 100 {
		return apperr.New(apperr.Conflict, "%s is rolled out to %d%%: finish (100) or disable it before releasing again",
			latest.Label, latest.RolloutPercent)
	}
	f, _, err := s.blob.Open(ctx, r.StorageKey)
	if err != nil {
		return fmt.Errorf("release: codepush bundle: %w", err)
	}
	defer f.Close()
	h, err := BundlePackageHash(&readerAt{rs: f}, r.Size)
	if err != nil {
		return apperr.Fields(apperr.FieldError{Field: "storageKey", Message: err.Error()})
	}
	r.PackageHash, r.TargetBinaryRange = h, n.TargetBinaryRange
	return nil
}

// CodePushDiff returns the diff package from base to target (releases of
// one deployment), building and storing it on first use: the new and
// changed files of target plus hotcodepush.json. Building reads both zips
// once (bounded by maxBundleBytes) on the asking request; concurrent
// requests for the same diff wait for one build. Built diffs are
// remembered by target and base release, so later checks read no
// database; a deleted release is never asked for again (it has left the
// compiled deployments), so what was remembered for it cannot be served
// after Delete removed the diff, on this node or another.
func (s *Service) CodePushDiff(ctx context.Context, target, base *Resource) (CodePushDiff, error) {
	k := target.ID + "/" + base.ID
	if d, ok := s.diffs.get(k); ok {
		return d, nil
	}
	v, err, _ := s.diffBuilds.Do(k, func() (any, error) {
		d, err := s.store.CodePushDiff(ctx, target.ID, base.PackageHash)
		if apperr.Is(err, apperr.NotFound) {
			d, err = s.buildDiff(ctx, target, base)
		}
		if err != nil {
			return CodePushDiff{}, err
		}
		s.diffs.put(k, d)
		return d, nil
	})
	return v.(CodePushDiff), err
}

// buildDiff writes, stores and records a diff package.
func (s *Service) buildDiff(ctx context.Context, target, base *Resource) (CodePushDiff, error) {
	oldF, oldObj, err := s.blob.Open(ctx, base.StorageKey)
	if err != nil {
		return CodePushDiff{}, fmt.Errorf("release: diff base: %w", err)
	}
	defer oldF.Close()
	newF, newObj, err := s.blob.Open(ctx, target.StorageKey)
	if err != nil {
		return CodePushDiff{}, fmt.Errorf("release: diff target: %w", err)
	}
	defer newF.Close()
	var buf bytes.Buffer
	if err := WriteBundleDiff(&buf, &readerAt{rs: oldF}, oldObj.Size, &readerAt{rs: newF}, newObj.Size); err != nil {
		return CodePushDiff{}, err
	}
	key := path.Join(target.ProjectID, "codepush-diff", target.ID+"-"+base.PackageHash[:min(16, len(base.PackageHash))]+".zip")
	obj, err := s.blob.Put(ctx, key, &buf, storage.PutOptions{MaxSize: maxBundleBytes})
	if err != nil {
		return CodePushDiff{}, fmt.Errorf("release: store diff: %w", err)
	}
	// Recorded as a file of the project so that local storage serves it.
	if err := s.store.CreateFile(ctx, File{Key: key, ProjectID: target.ProjectID, Name: path.Base(key), Size: obj.Size,
		MD5: obj.MD5, SHA256: obj.SHA256, Kind: KindZip, ContentType: "application/zip", CreatedTime: s.now().UTC()}); err != nil &&
		!apperr.Is(err, apperr.Conflict) {
		return CodePushDiff{}, err
	}
	d := CodePushDiff{ResourceID: target.ID, BaseHash: base.PackageHash, StorageKey: key, Size: obj.Size}
	if err := s.store.CreateCodePushDiff(ctx, d); apperr.Is(err, apperr.Conflict) {
		return s.store.CodePushDiff(ctx, target.ID, base.PackageHash) // another node built it
	} else if err != nil {
		return CodePushDiff{}, err
	}
	return d, nil
}

// diffMemo remembers built diffs by "target id/base id" (a diff never
// changes); it forgets them all when it holds maxRememberedDiffs, and
// those of a deleted release (forget).
type diffMemo struct {
	mu sync.RWMutex
	m  map[string]CodePushDiff
}

const maxRememberedDiffs = 10_000

func (m *diffMemo) get(k string) (CodePushDiff, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	d, ok := m.m[k]
	return d, ok
}

// forget drops what is remembered for the release id (as target or base)
// and for the diffs stored under keys.
func (m *diffMemo) forget(id string, keys []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, d := range m.m {
		target, base, _ := strings.Cut(k, "/")
		if target == id || base == id || slices.Contains(keys, d.StorageKey) {
			delete(m.m, k)
		}
	}
}

func (m *diffMemo) put(k string, d CodePushDiff) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil || len(m.m) >= maxRememberedDiffs {
		m.m = map[string]CodePushDiff{}
	}
	m.m[k] = d
}

// CodePushDiffURL resolves a diff's stable link to a signed storage URL;
// NotFound when the diff was never built or its release is disabled.
func (s *Service) CodePushDiffURL(ctx context.Context, resourceID, baseHash string) (string, error) {
	r, err := s.store.Resource(ctx, resourceID)
	if err != nil || r.Status != StatusEnabled || !r.Type.IsCodePush() {
		return "", apperr.New(apperr.NotFound, "download not found")
	}
	d, err := s.store.CodePushDiff(ctx, resourceID, baseHash)
	if err != nil {
		return "", err
	}
	return s.blob.URL(ctx, d.StorageKey, s.opts.URLTTL)
}
