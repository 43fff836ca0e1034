package upushyimport

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/release"
)

// codeKey is what Hoist keeps unique among resources: a versionCode of a
// type within a project.
type codeKey struct {
	project string
	typ     int
	code    int64
}

// served picks, among sources sharing a codeKey, the one Hoist imports: the
// one upushy 0.6's update check answered with. upushy found the highest
// enabled versionCode and then took the first row with that code
// (findOne without an order, status not checked), which MySQL returns in
// primary-key order: the smallest id. upushy's "versionCode must grow"
// check was not locked, so two uploads at once could both pass it. An
// enabled row is preferred, since Hoist never serves a disabled one; among
// rows of one status the smallest id wins. It returns the kept id per key.
func served(ss []Source) map[codeKey]string {
	best := map[codeKey]Source{}
	for _, s := range ss {
		k := codeKey{s.ProjectID, s.Type, s.VersionCode}
		b, ok := best[k]
		if !ok || better(s, b) {
			best[k] = s
		}
	}
	out := make(map[codeKey]string, len(best))
	for k, s := range best {
		out[k] = s.ID
	}
	return out
}

func better(a, b Source) bool {
	if (a.Status == 1) != (b.Status == 1) {
		return a.Status == 1
	}
	return a.ID < b.ID
}

// importSources imports the resources of the projects present in Hoist.
// Of several resources sharing a versionCode (see served) only the one
// upushy's update check answered with is imported; the others are reported
// as skipped, naming it.
func (im *Importer) importSources(ctx context.Context, ss []Source, owners map[string]string, rep *Report) error {
	ss = slices.Clone(ss)
	slices.SortStableFunc(ss, func(a, b Source) int {
		return cmp.Or(cmp.Compare(a.ProjectID, b.ProjectID), cmp.Compare(a.Type, b.Type),
			cmp.Compare(a.VersionCode, b.VersionCode), cmp.Compare(a.ID, b.ID))
	})
	kept := served(ss)
	changed := map[string]bool{}
	for _, id := range rep.Projects {
		changed[id] = true
	}
	for _, s := range ss {
		e := Entry{Kind: KindResource, ID: s.ID, Name: fmt.Sprintf("%s %s (versionCode %d) of project %s",
			typeName(s.Type), s.Version, s.VersionCode, s.ProjectID)}
		skip := func(format string, args ...any) {
			e.Outcome, e.Reason = Skipped, fmt.Sprintf(format, args...)
			rep.add(e)
		}
		switch got, err := im.st.Releases.Resource(ctx, s.ID); {
		case err == nil && got.ProjectID == s.ProjectID:
			e.Outcome, e.Reason = Present, "already in Hoist"
			rep.add(e)
			continue
		case err == nil:
			skip("its id is used by a resource of another project (%s)", got.ProjectID)
			continue
		case !apperr.Is(err, apperr.NotFound):
			return fmt.Errorf("upushy: resource %s: %w", s.ID, err)
		}
		owner, ok := owners[s.ProjectID]
		if !ok {
			skip("its project %s is not in Hoist", s.ProjectID)
			continue
		}
		if k := (codeKey{s.ProjectID, s.Type, s.VersionCode}); kept[k] != s.ID {
			skip("duplicate: resource %s has the same versionCode %d (upushy's unlocked check let both in); "+
				"upushy's update check answered with that one, which is imported instead", kept[k], s.VersionCode)
			continue
		}
		r, notes, why := im.resource(s, owner)
		if why != "" {
			skip("%s", why)
			continue
		}
		err := im.st.Releases.CreateResource(ctx, r, func(*release.Resource, int64, []int64) error { return nil })
		if apperr.Is(err, apperr.Conflict) {
			skip("another %s resource of the project in Hoist has versionCode %d", typeName(s.Type), s.VersionCode)
			continue
		}
		if err != nil {
			return fmt.Errorf("upushy: resource %s: %w", s.ID, err)
		}
		e.Outcome, e.Reason = Imported, strings.Join(notes, "; ")
		rep.add(e)
		if !changed[s.ProjectID] {
			changed[s.ProjectID] = true
			rep.Projects = append(rep.Projects, s.ProjectID)
		}
	}
	return nil
}

// resource maps an upushy source to a Hoist resource with an external URL,
// or says why it cannot be imported. Version rules are not re-applied:
// upushy did not enforce them, and history is kept as it was.
func (im *Importer) resource(s Source, owner string) (r release.Resource, notes []string, why string) {
	if !validID(s.ID) {
		return r, nil, fmt.Sprintf("id %q is not 32 lowercase hex characters", s.ID)
	}
	t := release.Type(s.Type)
	if t < release.TypeWgtAndroid || t > release.TypeIOS {
		return r, nil, fmt.Sprintf("type %d is not an upushy resource type (1-4)", s.Type)
	}
	version := strings.TrimSpace(s.Version)
	if n := utf8.RuneCountInString(version); n < 1 || n > 50 {
		return r, nil, fmt.Sprintf("version %q is not 1 to 50 characters", s.Version)
	}
	if s.VersionCode < 1 {
		return r, nil, fmt.Sprintf("versionCode %d is not positive", s.VersionCode)
	}
	native := s.NativeVersionCode
	if !t.IsWgt() && native != 0 {
		notes = append(notes, fmt.Sprintf("nativeVersionCode %d of a native build set to 0", native))
		native = 0
	}
	u, note, why := im.downloadURL(s)
	if why != "" {
		return r, nil, why
	}
	if note != "" {
		notes = append(notes, note)
	}
	ut := release.UpdateType(s.UpdateType)
	if ut < release.UpdateConsent || ut > release.UpdateSilent {
		notes = append(notes, fmt.Sprintf("updateType %d replaced by 1 (user consent)", s.UpdateType))
		ut = release.UpdateConsent
	}
	st := release.StatusDisabled
	if s.Status == 1 {
		st = release.StatusEnabled
	}
	created := im.timeOr(s.CreatedTime)
	return release.Resource{ID: s.ID, ProjectID: s.ProjectID, Type: t, Version: version, VersionCode: s.VersionCode,
		NativeVersionCode: native, URL: u, UpdateType: ut, Status: st,
		Changelog: shorten(s.Changelog, 2000, "changelog", &notes), Remark: shorten(s.Remark, 255, "remark", &notes),
		RolloutPercent: 100, CreatedBy: owner, CreatedTime: created, UpdatedTime: im.timeOr(s.UpdatedTime, created)}, notes, ""
}

func typeName(t int) string {
	switch release.Type(t) {
	case release.TypeWgtAndroid:
		return "wgt-android"
	case release.TypeWgtIOS:
		return "wgt-ios"
	case release.TypeAndroid:
		return "android"
	case release.TypeIOS:
		return "ios"
	}
	return fmt.Sprintf("type-%d", t)
}
