package release

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/ids"
	"github.com/hoist-ota/hoist/internal/project"
)

// Promote copies an app resource to another channel of its project
// (maintainers and owners): the same file, version and versionCode, enabled
// at rolloutPercent (nil: 100), recording where it came from. The version
// rules of the target channel apply (its versionCode must be greater than
// the channel's; a wgt's native build must exist there or in
// DefaultChannel).
func (s *Service) Promote(ctx context.Context, p account.Principal, id, channel string, rolloutPercent *int) (Resource, error) {
	src, err := s.store.Resource(ctx, id)
	if err != nil {
		return Resource{}, err
	}
	if _, _, err := s.projects.Access(ctx, p, src.ProjectID, project.Publish); err != nil {
		return Resource{}, err
	}
	var fs fieldErrs
	switch {
	case src.Type == TypeFirmware:
		fs.add("channel", "firmware is released through OTA campaigns, not channels")
	case channel == src.Channel:
		fs.add("channel", "the resource is in the channel %s already", channel)
	case !ValidChannel(channel):
		fs.add("channel", "must name a channel of the project")
	}
	if rolloutPercent != nil && (*rolloutPercent < 1 || *rolloutPercent > 100) {
		fs.add("rolloutPercent", "must be 1 to 100")
	}
	if err := fs.err(); err != nil {
		return Resource{}, err
	}
	if err := s.channelExists(ctx, src.ProjectID, channel); err != nil {
		return Resource{}, err
	}
	now := s.now().UTC()
	r := src
	r.ID, r.Channel, r.Origin, r.OriginID = ids.New(), channel, OriginPromoted, src.ID
	r.Status, r.RolloutPercent, r.CreatedBy, r.CreatedTime, r.UpdatedTime = StatusEnabled, 100, p.UserID, now, now
	if rolloutPercent != nil {
		r.RolloutPercent = *rolloutPercent
	}
	if r.Type.IsCodePush() {
		r.VersionCode = 0 // the target deployment's next label
	}
	if err := s.insert(ctx, &r); err != nil {
		return Resource{}, err
	}
	return r, nil
}

// insert stores a new resource under the version rules of its channel. A
// CodePush release without a versionCode gets the channel's next one, and
// its label is "v" + versionCode; r is updated with what was stored. Once it
// is committed, event.ReleasePublished is emitted.
func (s *Service) insert(ctx context.Context, r *Resource) error {
	err := s.store.CreateResource(ctx, *r, func(sr *Resource, maxCode int64, natives []int64) error {
		if sr.Type.IsCodePush() {
			if sr.VersionCode == 0 {
				sr.VersionCode = maxCode + 1
			}
			sr.Label = "v" + strconv.FormatInt(sr.VersionCode, 10)
		}
		*r = *sr
		if err := checkVersionCode(r.VersionCode, maxCode); err != nil {
			return err
		}
		if r.Type.IsWgt() && !contains(natives, r.NativeVersionCode) {
			where := "channel " + DefaultChannel
			if r.Channel != DefaultChannel && r.Channel != "" {
				where = "channel " + r.Channel + " or " + DefaultChannel
			}
			return apperr.Fields(apperr.FieldError{Field: "nativeVersionCode",
				Message: fmt.Sprintf("must be the versionCode of a %s native resource of this project (in %s): publish the native build first",
					r.Type.Platform(), where)})
		}
		return nil
	})
	if apperr.Is(err, apperr.Conflict) && !hasFields(err) {
		// Lost a race to the unique index: report it like the rule would.
		return checkVersionCode(r.VersionCode, r.VersionCode)
	}
	if err != nil {
		return err
	}
	s.changedResource(r.ProjectID, r.ID)
	s.published(ctx, *r)
	return nil
}

// Rolled is what a rollback did.
type Rolled struct {
	// Withdrawn is the bad resource, now disabled.
	Withdrawn Resource
	// Republished is, for a wgt, the previous release's file published
	// again under the next versionCode; nil for native builds.
	Republished *Resource
}

// Rollback withdraws a published app resource (maintainers and owners)
// and, for a wgt, re-publishes the previous enabled wgt of its channel and
// native build under the next versionCode, so that devices which installed
// the bad one move back (the stock client only moves to a higher code).
// The re-published resource is not offered to devices that report the
// previous release's versionCode (they run that content already). Native
// builds are only withdrawn: an installed native build cannot be replaced
// by an older one.
func (s *Service) Rollback(ctx context.Context, p account.Principal, id string) (Rolled, error) {
	bad, err := s.store.Resource(ctx, id)
	if err != nil {
		return Rolled{}, err
	}
	if _, _, err := s.projects.Access(ctx, p, bad.ProjectID, project.Publish); err != nil {
		return Rolled{}, err
	}
	now := s.now().UTC()
	out, err := s.store.RollbackResource(ctx, id, now, func(bad Resource, prev *Resource, maxCode int64) (*Resource, error) {
		switch {
		case bad.Type == TypeFirmware:
			return nil, apperr.New(apperr.Invalid, "firmware is released through OTA campaigns; disable it instead")
		case bad.Status != StatusEnabled:
			return nil, apperr.New(apperr.Invalid, "%s %s (%d) is not published (it is disabled): nothing to roll back",
				bad.Type.Label(), bad.Version, bad.VersionCode)
		case bad.Type.IsNative():
			return nil, nil
		case prev == nil && bad.Type.IsCodePush():
			return nil, apperr.New(apperr.Invalid, "no earlier enabled %s in channel %s to roll back to; disable %s instead",
				bad.Type.Label(), bad.Channel, bad.Label)
		case prev == nil:
			return nil, apperr.New(apperr.Invalid,
				"no earlier enabled %s for native build %d in channel %s to roll back to; disable %s (%d) instead",
				bad.Type.Label(), bad.NativeVersionCode, bad.Channel, bad.Version, bad.VersionCode)
		}
		r := *prev
		r.ID, r.VersionCode, r.Status, r.RolloutPercent = ids.New(), maxCode+1, StatusEnabled, 100
		if r.Type.IsCodePush() {
			r.Label = "v" + strconv.FormatInt(r.VersionCode, 10)
		}
		r.Origin, r.OriginID, r.OriginVersionCode = OriginRollback, prev.ID, prev.VersionCode
		if prev.Origin == OriginRollback {
			// A rollback of a rollback re-publishes the same content.
			r.OriginID, r.OriginVersionCode = prev.OriginID, prev.OriginVersionCode
		}
		r.Changelog = truncateRunes(strings.TrimSpace(fmt.Sprintf("Rollback of %s (%d): re-publishes %s (%d).\n\n%s",
			bad.Version, bad.VersionCode, prev.Version, r.OriginVersionCode, prev.Changelog)), maxChangelog)
		r.CreatedBy, r.CreatedTime, r.UpdatedTime = p.UserID, now, now
		return &r, nil
	})
	if err != nil {
		return Rolled{}, err
	}
	s.changed(bad.ProjectID)
	if out.Republished != nil {
		s.published(ctx, *out.Republished)
	}
	return out, nil
}

// maxChangelog is the longest changelog a resource may have (runes).
const maxChangelog = 2000

// truncateRunes cuts s to at most n runes.
func truncateRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
