package release

import (
	"context"
	"time"

	"github.com/hoist-ota/hoist/internal/page"
)

// SortKeys are the sort keys of resource lists, the default first.
var SortKeys = []string{"createdTime", "versionCode"}

// File is an uploaded file, recorded after it was stored and checked.
type File struct {
	Key       string
	ProjectID string
	Name      string // the uploader's file name
	Size      int64
	MD5       string
	SHA256    string // "" when unknown (direct OSS upload without it)
	Kind      FileKind
	// Version and VersionCode are what the package declares (wgt
	// manifest.json, apk AndroidManifest.xml); "" and 0 when nothing.
	Version     string
	VersionCode int64
	ContentType string
	CreatedBy   string
	CreatedTime time.Time
}

// Filter narrows a resource list; zero values match everything.
type Filter struct {
	Type    Type
	Status  *Status
	Channel string
}

// Store keeps resources, files, channels and pins. Not found is apperr
// NotFound.
type Store interface {
	ChannelStore
	CodePushStore
	CreateFile(ctx context.Context, f File) error
	File(ctx context.Context, key string) (File, error)

	// CreateResource inserts r after check approves it, in one transaction
	// that holds the project's resources of r's channel and type still:
	// check gets the highest existing versionCode of r's project, channel
	// and type (0 if none) and, for a wgt, the versionCodes of the
	// project's native resources of the matching platform in r's channel
	// and in DefaultChannel.
	// check may change the resource it is handed (a CodePush release's
	// versionCode and label) before it is inserted.
	CreateResource(ctx context.Context, r Resource, check func(r *Resource, maxCode int64, natives []int64) error) error
	// RollbackResource, in one transaction, locks the resource id and the
	// codes of its channel and type, finds the previous enabled resource
	// (same channel, type and nativeVersionCode, the highest versionCode
	// below id's; nil when none), calls plan, then disables id (updated at
	// now) and inserts what plan returned (nothing when nil).
	RollbackResource(ctx context.Context, id string, now time.Time,
		plan func(bad Resource, prev *Resource, maxCode int64) (*Resource, error)) (Rolled, error)
	Resource(ctx context.Context, id string) (Resource, error)
	ListResources(ctx context.Context, projectID string, f Filter, pg page.Request) ([]Resource, int64, error)
	// EnabledResources returns every enabled resource of a project.
	EnabledResources(ctx context.Context, projectID string) ([]Resource, error)
	// AppResources returns every app resource (types 1-4) of a project,
	// enabled or not.
	AppResources(ctx context.Context, projectID string) ([]Resource, error)
	// UpdateResource changes a resource with fn in one transaction that
	// locks it; only the editable fields are written (version, changelog,
	// remark, updateType, status, rolloutPercent, targetBinaryRange).
	UpdateResource(ctx context.Context, id string, fn func(*Resource) error) (Resource, error)
	// DeleteResource deletes the resource after check approves it given
	// the enabled wgt resources built on it (for a native resource). When
	// no other resource uses its file any more, the file's record is
	// deleted too and its key returned, so the caller can delete the blob;
	// so are, for a CodePush release, the diff packages no device can be
	// sent any more: those to it, and those from its package that no
	// other release of its deployment can be the base of.
	DeleteResource(ctx context.Context, id string, check func(r Resource, dependents []Resource) error) (freedKeys []string, err error)
	CountResources(ctx context.Context, projectID string) (int64, error)
	ProjectExists(ctx context.Context, projectID string) (bool, error)
	// DeleteProject deletes a project with its resources, files and
	// members, and returns the storage keys of the deleted files.
	DeleteProject(ctx context.Context, projectID string) (keys []string, err error)
}
