package upushy

import (
	"cmp"
	"context"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/project"
	"github.com/hoist-ota/hoist/internal/release"
)

// Stores are the Hoist stores the importer writes through. They insert
// records with the ids they are given, which is what keeps upushy's ids.
type Stores struct {
	Accounts account.Store
	Projects project.Store
	Releases release.Store
}

// Options configure an import.
type Options struct {
	// URLBase makes relative resource URLs absolute (upushy's own uploads,
	// stored as a path): URLBase + "/" + path. Empty: such resources are
	// skipped.
	URLBase string
}

// Importer copies upushy data into Hoist.
type Importer struct {
	st   Stores
	opts Options
	now  func() time.Time
}

// NewImporter returns an importer writing to st.
func NewImporter(st Stores, opts Options, now func() time.Time) *Importer {
	opts.URLBase = strings.TrimRight(opts.URLBase, "/")
	return &Importer{st: st, opts: opts, now: now}
}

// Import copies d's users, projects and resources that Hoist does not have
// yet, keeping their ids, and reports every record. It is idempotent: a
// record whose id exists in Hoist is reported Present and left alone.
// Records Hoist cannot take are Skipped with a reason, and so are the
// projects of a skipped user and the resources of a skipped project. The
// error is non-nil only when a store fails; the report then covers what was
// done before.
//
// Users get the role user, except that the oldest one becomes admin when
// Hoist has no user yet (as the first registration does). Resources keep
// their URL as an external download (no file in Hoist's storage).
func (im *Importer) Import(ctx context.Context, d Data) (Report, error) {
	var rep Report
	users, err := im.importUsers(ctx, d.Users, &rep)
	if err != nil {
		return rep, err
	}
	owners, err := im.importProjects(ctx, d.Projects, users, &rep)
	if err != nil {
		return rep, err
	}
	return rep, im.importSources(ctx, d.Sources, owners, &rep)
}

func byCreated[T any](xs []T, created func(T) time.Time, id func(T) string) []T {
	out := slices.Clone(xs)
	slices.SortStableFunc(out, func(a, b T) int {
		return cmp.Or(created(a).Compare(created(b)), cmp.Compare(id(a), id(b)))
	})
	return out
}

// importUsers returns the set of user ids present in Hoist afterwards.
func (im *Importer) importUsers(ctx context.Context, us []User, rep *Report) (map[string]bool, error) {
	have := map[string]bool{}
	us = byCreated(us, func(u User) time.Time { return u.CreatedTime }, func(u User) string { return u.ID })
	for _, u := range us {
		e := Entry{Kind: KindUser, ID: u.ID, Name: u.Username}
		switch _, err := im.st.Accounts.UserByID(ctx, u.ID); {
		case err == nil:
			e.Outcome, e.Reason, have[u.ID] = Present, "already in Hoist", true
			rep.add(e)
			continue
		case !apperr.Is(err, apperr.NotFound):
			return nil, fmt.Errorf("upushy: user %s: %w", u.ID, err)
		}
		skip := func(format string, args ...any) {
			e.Outcome, e.Reason = Skipped, fmt.Sprintf(format, args...)
			rep.add(e)
		}
		if !validID(u.ID) {
			skip("id %q is not 32 lowercase hex characters", u.ID)
			continue
		}
		if f := account.ValidateUsername(u.Username); f != nil {
			skip("username %q is not allowed in Hoist: %s", u.Username, f.Message)
			continue
		}
		hash, err := account.UpushyPasswordHash(u.Password)
		if err != nil {
			skip("the password hash is not an argon2i/argon2id (v=19) PHC string Hoist can verify")
			continue
		}
		var notes []string
		email := strings.TrimSpace(u.Email)
		if a, err := mail.ParseAddress(email); email != "" && (err != nil || a.Address != email || len(email) > 255) {
			notes = append(notes, fmt.Sprintf("email %q dropped: not a plain address", email))
			email = ""
		}
		nickname := shorten(strings.TrimSpace(u.Nickname), 50, "nickname", &notes)
		created := im.timeOr(u.CreatedTime)
		nu := account.User{ID: u.ID, Username: u.Username, Email: email, Nickname: nickname, Role: account.RoleUser,
			PasswordHash: hash, TokenVersion: 1, CreatedTime: created, UpdatedTime: im.timeOr(u.UpdatedTime, created)}
		err = im.st.Accounts.CreateUser(ctx, &nu, func(existing int64) error {
			if existing == 0 {
				nu.Role = account.RoleAdmin
				notes = append(notes, "admin: the first user of this Hoist")
			}
			return nil
		})
		if apperr.Is(err, apperr.Conflict) {
			skip("username %q is taken by another Hoist user", u.Username)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("upushy: user %s: %w", u.ID, err)
		}
		e.Outcome, e.Reason, have[u.ID] = Imported, strings.Join(notes, "; "), true
		rep.add(e)
	}
	return have, nil
}

// importProjects returns the owner of every project present in Hoist
// afterwards, by project id.
func (im *Importer) importProjects(ctx context.Context, ps []Project, users map[string]bool, rep *Report) (map[string]string, error) {
	owners := map[string]string{}
	ps = byCreated(ps, func(p Project) time.Time { return p.CreatedTime }, func(p Project) string { return p.ID })
	for _, p := range ps {
		e := Entry{Kind: KindProject, ID: p.ID, Name: p.Name}
		switch got, err := im.st.Projects.Project(ctx, p.ID); {
		case err == nil:
			e.Outcome, e.Reason, owners[p.ID] = Present, "already in Hoist", got.OwnerID
			rep.add(e)
			continue
		case !apperr.Is(err, apperr.NotFound):
			return nil, fmt.Errorf("upushy: project %s: %w", p.ID, err)
		}
		skip := func(format string, args ...any) {
			e.Outcome, e.Reason = Skipped, fmt.Sprintf(format, args...)
			rep.add(e)
		}
		if !validID(p.ID) {
			// Apps send this id in every update check; Hoist's project ids
			// are 32 hex characters, so it cannot be kept.
			skip("id %q is not 32 lowercase hex characters, so apps using it cannot be served", p.ID)
			continue
		}
		if !users[p.UserID] {
			skip("its owner (user %s) is not in Hoist", p.UserID)
			continue
		}
		var notes []string
		name := shorten(strings.TrimSpace(p.Name), 50, "name", &notes)
		if name == "" {
			name = "upushy " + p.ID[:8]
			notes = append(notes, "empty name replaced")
		}
		desc := shorten(p.Describe, 255, "description", &notes)
		created := im.timeOr(p.CreatedTime)
		pr := project.Project{ID: p.ID, Name: name, Description: desc, OwnerID: p.UserID,
			CreatedTime: created, UpdatedTime: im.timeOr(p.UpdatedTime, created)}
		err := im.st.Projects.CreateProject(ctx, pr, project.Member{ProjectID: p.ID, UserID: p.UserID,
			Role: project.RoleOwner, CreatedTime: created})
		if apperr.Is(err, apperr.Conflict) {
			skip("conflicts with existing Hoist data: %v", err)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("upushy: project %s: %w", p.ID, err)
		}
		e.Outcome, e.Reason, owners[p.ID] = Imported, strings.Join(notes, "; "), p.UserID
		rep.add(e)
		rep.Projects = append(rep.Projects, p.ID)
	}
	return owners, nil
}

func (im *Importer) importSources(ctx context.Context, ss []Source, owners map[string]string, rep *Report) error {
	ss = slices.Clone(ss)
	// Oldest first within a project and type, so that a duplicate
	// versionCode keeps the resource upushy had first.
	slices.SortStableFunc(ss, func(a, b Source) int {
		return cmp.Or(cmp.Compare(a.ProjectID, b.ProjectID), cmp.Compare(a.Type, b.Type),
			cmp.Compare(a.VersionCode, b.VersionCode), a.CreatedTime.Compare(b.CreatedTime), cmp.Compare(a.ID, b.ID))
	})
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
		r, notes, why := im.resource(s, owner)
		if why != "" {
			skip("%s", why)
			continue
		}
		err := im.st.Releases.CreateResource(ctx, r, func(int64, []int64) error { return nil })
		if apperr.Is(err, apperr.Conflict) {
			skip("another %s resource of the project has versionCode %d", typeName(s.Type), s.VersionCode)
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
	u, why := im.downloadURL(s.URL)
	if why != "" {
		return r, nil, why
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

// downloadURL returns the absolute http(s) URL of an upushy resource.
func (im *Importer) downloadURL(raw string) (string, string) {
	raw = strings.TrimSpace(raw)
	if pu, err := url.Parse(raw); err == nil && pu.Host == "" && raw != "" && im.opts.URLBase != "" {
		raw = im.opts.URLBase + "/" + strings.TrimLeft(raw, "/")
	}
	pu, err := url.Parse(raw)
	if err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" {
		hint := ""
		if im.opts.URLBase == "" {
			hint = " (give --url-base for files upushy served itself)"
		}
		return "", fmt.Sprintf("url %q is not an absolute http(s) URL%s", raw, hint)
	}
	if len(raw) > 1024 {
		return "", "url is longer than 1024 characters"
	}
	return raw, ""
}

// validID reports whether id is a Hoist id: 32 lowercase hex characters,
// as upushy's guid() makes them.
func validID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// shorten cuts s to at most n characters, noting it.
func shorten(s string, n int, field string, notes *[]string) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	*notes = append(*notes, fmt.Sprintf("%s shortened to %d characters", field, n))
	return string([]rune(s)[:n])
}

// timeOr returns t in UTC, or the first non-zero fallback, or now.
func (im *Importer) timeOr(t time.Time, fallback ...time.Time) time.Time {
	for _, c := range append([]time.Time{t}, fallback...) {
		if !c.IsZero() {
			return c.UTC()
		}
	}
	return im.now().UTC()
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
