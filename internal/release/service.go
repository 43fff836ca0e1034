package release

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/event"
	"github.com/hoist-ota/hoist/internal/ids"
	"github.com/hoist-ota/hoist/internal/page"
	"github.com/hoist-ota/hoist/internal/project"
	"github.com/hoist-ota/hoist/internal/storage"
)

// Options configure the release service.
type Options struct {
	MaxUploadBytes int64
	// URLTTL is the lifetime of signed download URLs.
	URLTTL time.Duration
	// Direct describes the OSS bucket for direct uploads (with STS).
	Direct DirectUpload
}

// Service manages resources and their files.
type Service struct {
	store    Store
	projects *project.Service
	blob     storage.Blob
	sts      STS          // nil without OSS + STS
	products ProductOwner // nil: firmware products are not checked
	events   event.Sink   // event.Discard unless SetEventSink
	opts     Options
	now      func() time.Time
	log      *slog.Logger

	mu        sync.RWMutex
	listeners []func(projectID, resourceID string)

	known lastKnown // the last catalogs, for downloads during an outage

	diffs      diffMemo           // CodePush diffs built or read so far
	diffBuilds singleflight.Group // one build per diff at a time
}

// NewService returns the release service. sts may be nil.
func NewService(store Store, projects *project.Service, blob storage.Blob, sts STS, opts Options, now func() time.Time, log *slog.Logger) *Service {
	return &Service{store: store, projects: projects, blob: blob, sts: sts, opts: opts, now: now, log: log, events: event.Discard{}}
}

// OnChange registers fn to be called, after the change is committed, with
// the project id of every change that can alter an update-check answer.
func (s *Service) OnChange(fn func(projectID string)) {
	s.OnResourceChange(func(projectID, _ string) { fn(projectID) })
}

// OnResourceChange registers fn like OnChange, also told which resource
// changed when the change was to one resource only (a release created,
// edited, deleted, or its rollout changed): "" for any other change.
func (s *Service) OnResourceChange(fn func(projectID, resourceID string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listeners = append(s.listeners, fn)
}

// changed tells the listeners of a change of a project's releases.
func (s *Service) changed(projectID string) {
	s.known.forget(projectID)
	s.notify(projectID, "")
}

// changedResource tells the listeners of a change of one resource only.
func (s *Service) changedResource(projectID, resourceID string) {
	s.known.drop(resourceID)
	s.notify(projectID, resourceID)
}

func (s *Service) notify(projectID, resourceID string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, fn := range s.listeners {
		fn(projectID, resourceID)
	}
}

// Create adds a resource to a project (maintainers and owners), enforcing
// the version rules in one transaction: the versionCode is greater than any
// of its project, channel and type; a wgt names an existing native build of
// its platform (in its channel or DefaultChannel); the file exists, belongs to the project, is not empty and suits
// the type; a firmware's product belongs to the project (SetProductOwner).
func (s *Service) Create(ctx context.Context, p account.Principal, projectID string, n NewResource) (Resource, error) {
	if _, _, err := s.projects.Access(ctx, p, projectID, project.Publish); err != nil {
		return Resource{}, err
	}
	if n.Type.IsCodePush() && strings.TrimSpace(n.Version) == "" {
		n.Version = truncateRunes(n.TargetBinaryRange, 50) // the display version
	}
	if err := n.validate(); err != nil {
		return Resource{}, err
	}
	if n.Channel == "" {
		n.Channel = DefaultChannel
	}
	if err := s.channelExists(ctx, projectID, n.Channel); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return Resource{}, apperr.Fields(apperr.FieldError{Field: "channel",
				Message: fmt.Sprintf("the project has no channel %s; create it first", n.Channel)})
		}
		return Resource{}, err
	}
	now := s.now().UTC()
	r := Resource{
		ID: ids.New(), ProjectID: projectID, Channel: n.Channel, Type: n.Type, Version: strings.TrimSpace(n.Version),
		VersionCode: n.VersionCode, NativeVersionCode: n.NativeVersionCode, URL: n.URL, StorageKey: n.StorageKey,
		UpdateType: n.UpdateType, Status: StatusEnabled, Changelog: n.Changelog, Remark: n.Remark,
		RolloutPercent: 100, Product: n.Product, CreatedBy: p.UserID, CreatedTime: now, UpdatedTime: now,
	}
	if n.Status != nil {
		r.Status = *n.Status
	}
	if n.RolloutPercent != nil {
		r.RolloutPercent = *n.RolloutPercent
	}
	if n.Type == TypeFirmware {
		if err := s.checkFirmwareProduct(ctx, projectID, n.Product); err != nil {
			return Resource{}, err
		}
	}
	if n.Type.NeedsFile() {
		f, err := s.store.File(ctx, n.StorageKey)
		if apperr.Is(err, apperr.NotFound) || (err == nil && f.ProjectID != projectID) {
			return Resource{}, apperr.Fields(apperr.FieldError{Field: "storageKey", Message: "does not name a file uploaded to this project"})
		}
		if err != nil {
			return Resource{}, err
		}
		if !n.Type.Accepts(f.Kind) {
			return Resource{}, apperr.Fields(apperr.FieldError{Field: "storageKey", Message: n.Type.fileRule()})
		}
		if f.Size == 0 {
			return Resource{}, apperr.Fields(apperr.FieldError{Field: "storageKey", Message: "is an empty file"})
		}
		if !n.Force {
			if err := f.agrees(n); err != nil {
				return Resource{}, err
			}
		}
		if _, err := s.blob.Stat(ctx, f.Key); err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return Resource{}, apperr.Fields(apperr.FieldError{Field: "storageKey", Message: "the file is no longer in storage; upload it again"})
			}
			return Resource{}, fmt.Errorf("release: create: %w", err)
		}
		r.Size, r.MD5, r.SHA256 = f.Size, f.MD5, f.SHA256
	}
	if n.Type.IsCodePush() {
		if err := s.prepareCodePush(ctx, &r, n); err != nil {
			return Resource{}, err
		}
	}
	if err := s.insert(ctx, &r); err != nil {
		return Resource{}, err
	}
	return r, nil
}

func contains(xs []int64, x int64) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func hasFields(err error) bool {
	var ae *apperr.Error
	return asAppErr(err, &ae) && len(ae.Fields) > 0
}

// Get returns a resource the principal may read; NotFound otherwise.
func (s *Service) Get(ctx context.Context, p account.Principal, id string) (Resource, error) {
	r, err := s.store.Resource(ctx, id)
	if err != nil {
		return Resource{}, err
	}
	if _, _, err := s.projects.Access(ctx, p, r.ProjectID, project.Read); err != nil {
		return Resource{}, apperr.New(apperr.NotFound, "resource not found")
	}
	return r, nil
}

// List lists a project's resources.
func (s *Service) List(ctx context.Context, p account.Principal, projectID string, f Filter, pg page.Request) ([]Resource, int64, error) {
	if _, _, err := s.projects.Access(ctx, p, projectID, project.Read); err != nil {
		return nil, 0, err
	}
	return s.store.ListResources(ctx, projectID, f, pg)
}

// Update changes a resource's editable fields (maintainers and owners);
// a CodePush release's targetBinaryRange too (Invalid for other types).
// The update check answers with the change at once (OnChange).
func (s *Service) Update(ctx context.Context, p account.Principal, id string, patch Patch) (Resource, error) {
	r, err := s.Get(ctx, p, id)
	if err != nil {
		return Resource{}, err
	}
	if _, _, err := s.projects.Access(ctx, p, r.ProjectID, project.Publish); err != nil {
		return Resource{}, err
	}
	if err := patch.validate(r.Type); err != nil {
		return Resource{}, err
	}
	out, err := s.store.UpdateResource(ctx, id, func(r *Resource) error {
		if r.Type.IsCodePush() && patch.RolloutPercent != nil && *patch.RolloutPercent < effectivePercent(r.RolloutPercent) {
			// The reference server's rule: devices that got it keep it.
			return apperr.Fields(apperr.FieldError{Field: "rolloutPercent",
				Message: fmt.Sprintf("a CodePush rollout only grows: at least %d", effectivePercent(r.RolloutPercent))})
		}
		patch.apply(r)
		r.UpdatedTime = s.now().UTC()
		return nil
	})
	if err != nil {
		return Resource{}, err
	}
	s.changedResource(out.ProjectID, out.ID)
	return out, nil
}

// Delete removes a resource (maintainers and owners) and its file when no
// other resource uses it, and for a CodePush release the diff packages
// that can no longer be served (Store.DeleteResource). A native resource
// that enabled wgt resources are built on is kept (Conflict naming them).
func (s *Service) Delete(ctx context.Context, p account.Principal, id string) error {
	r, err := s.Get(ctx, p, id)
	if err != nil {
		return err
	}
	if _, _, err := s.projects.Access(ctx, p, r.ProjectID, project.Publish); err != nil {
		return err
	}
	freed, err := s.store.DeleteResource(ctx, id, func(r Resource, dependents []Resource) error {
		if len(dependents) == 0 {
			return nil
		}
		names := make([]string, len(dependents))
		for i, d := range dependents {
			names[i] = fmt.Sprintf("%s (versionCode %d, id %s)", d.Version, d.VersionCode, d.ID)
		}
		return apperr.New(apperr.Conflict, "enabled wgt resources are built on this native resource: %s; disable or delete them first",
			strings.Join(names, ", "))
	})
	if err != nil {
		return err
	}
	for _, k := range freed {
		s.deleteBlob(ctx, k)
	}
	if r.Type.IsCodePush() {
		s.diffs.forget(r.ID, freed)
	}
	s.changedResource(r.ProjectID, r.ID)
	return nil
}

// NativeLatest returns the highest enabled native versionCodes of a
// project per platform (0 when there is none).
func (s *Service) NativeLatest(ctx context.Context, p account.Principal, projectID string) (android, ios int64, err error) {
	if _, _, err := s.projects.Access(ctx, p, projectID, project.Read); err != nil {
		return 0, 0, err
	}
	rs, err := s.store.EnabledResources(ctx, projectID)
	if err != nil {
		return 0, 0, err
	}
	for _, r := range rs {
		switch r.Type {
		case TypeAndroid:
			android = max(android, r.VersionCode)
		case TypeIOS:
			ios = max(ios, r.VersionCode)
		}
	}
	return android, ios, nil
}

// DeleteProject deletes a project (owners). A project with resources is
// kept (Conflict) unless force is set; then its resources and their files
// go too.
func (s *Service) DeleteProject(ctx context.Context, p account.Principal, projectID string, force bool) error {
	if _, _, err := s.projects.Access(ctx, p, projectID, project.Manage); err != nil {
		return err
	}
	n, err := s.store.CountResources(ctx, projectID)
	if err != nil {
		return err
	}
	if n > 0 && !force {
		return apperr.New(apperr.Conflict, "the project still has %d resources; delete them first, or delete with force=true to remove them and their files", n)
	}
	keys, err := s.store.DeleteProject(ctx, projectID)
	if err != nil {
		return err
	}
	for _, k := range keys {
		s.deleteBlob(ctx, k)
	}
	s.changed(projectID)
	return nil
}

// DownloadURL returns where a resource's file is downloaded: the stored
// App Store link for type 4, otherwise the storage URL (signed and
// expiring when storage signs; a path for local storage, which the caller
// makes absolute).
func (s *Service) DownloadURL(ctx context.Context, r Resource) (string, error) {
	if r.StorageKey == "" {
		return r.URL, nil
	}
	return s.blob.URL(ctx, r.StorageKey, s.opts.URLTTL)
}
