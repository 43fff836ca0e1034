package upushyimport

import (
	"cmp"
	"context"
	"fmt"
	"net/mail"
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
	// URLBase is put before the OSS object keys that upushy stored for
	// types 1-3: https://{bucket}.{endpoint}.aliyuncs.com as upushy made it
	// (OSSBase), or a CDN domain bound to the bucket. Empty: such resources
	// are skipped, and Check stops the import when they are most of them.
	URLBase string
	// Owner is the username of a Hoist administrator who owns the projects
	// whose upushy owner cannot be imported. Check stops the import when
	// such a project exists and Owner is empty.
	Owner string
}

// Importer copies upushy data into Hoist.
type Importer struct {
	st   Stores
	opts Options
	now  func() time.Time
}

// NewImporter returns an importer writing to st.
func NewImporter(st Stores, opts Options, now func() time.Time) *Importer {
	opts.URLBase = strings.TrimRight(strings.TrimSpace(opts.URLBase), "/")
	opts.Owner = strings.TrimSpace(opts.Owner)
	return &Importer{st: st, opts: opts, now: now}
}

// Check tells, before anything is written, whether d can be imported with
// these options. It fails with an apperr Invalid error saying exactly what
// to pass when most wgt/apk resources are stored as OSS object keys and no
// base URL is known, or when some project's owner cannot be imported and no
// Owner is named.
func (im *Importer) Check(d Data) error {
	var problems []string
	if files, keys, example := keyCounts(d.Sources); im.opts.URLBase == "" && keys > 0 && 2*keys > files {
		problems = append(problems, fmt.Sprintf("%d of %d wgt/apk resources store an OSS object key (such as %q), "+
			"not a URL, and no base is known: %s", keys, files, example, baseHint))
	}
	if orphans := orphanProjects(d); len(orphans) > 0 && im.opts.Owner == "" {
		problems = append(problems, fmt.Sprintf("%d project(s) belong to upushy users who cannot be imported (%s): "+
			"pass --owner USERNAME, a Hoist administrator, to own them", len(orphans), strings.Join(orphans, ", ")))
	}
	if len(problems) > 0 {
		return apperr.New(apperr.Invalid, "upushy: nothing imported: %s", strings.Join(problems, "; and "))
	}
	return nil
}

// userProblem says why an upushy user cannot be imported, or "".
func userProblem(u User) string {
	if !validID(u.ID) {
		return fmt.Sprintf("id %q is not 32 lowercase hex characters", u.ID)
	}
	if _, err := account.UpushyPasswordHash(u.Password); err != nil {
		return "the password hash is not an argon2i/argon2id (v=19) PHC string that Hoist can verify"
	}
	return ""
}

// orphanProjects lists the projects (id and name) whose owner is missing
// from d or cannot be imported.
func orphanProjects(d Data) []string {
	ok := map[string]bool{}
	for _, u := range d.Users {
		ok[u.ID] = userProblem(u) == ""
	}
	var out []string
	for _, p := range d.Projects {
		if validID(p.ID) && !ok[p.UserID] {
			out = append(out, fmt.Sprintf("%s %q", p.ID, p.Name))
		}
	}
	return out
}

// Import copies d's users, projects and resources that Hoist does not have
// yet, keeping their ids, and reports every record. Run it inside one
// transaction (store.InTx): it checks d first (Check) and the Owner after
// the users, and an error leaves earlier writes to the caller to roll back.
// It is idempotent: a record whose id exists in Hoist is reported Present
// and left alone, and the same data is skipped for the same reasons.
//
// Users get the role user, except that the oldest one becomes admin when
// Hoist has no user yet (as the first registration does). A username Hoist
// does not allow, or one another Hoist user has, is replaced by a
// normalised one (hoistUsername) that the report shows. Projects whose owner
// cannot be imported go to Options.Owner. Resources keep their URL as an
// external download (no file in Hoist's storage); see importSources for
// duplicate versionCodes.
func (im *Importer) Import(ctx context.Context, d Data) (Report, error) {
	rep := Report{Times: d.Times, URLBase: im.opts.URLBase, Owner: im.opts.Owner}
	if err := im.Check(d); err != nil {
		return rep, err
	}
	users, err := im.importUsers(ctx, d.Users, &rep)
	if err != nil {
		return rep, err
	}
	var owner *account.User
	if im.opts.Owner != "" {
		u, err := im.st.Accounts.UserByUsernameKey(ctx, account.UsernameKey(im.opts.Owner))
		switch {
		case apperr.Is(err, apperr.NotFound):
			return rep, apperr.New(apperr.Invalid, "upushy: --owner %q is not a Hoist user", im.opts.Owner)
		case err != nil:
			return rep, fmt.Errorf("upushy: owner %s: %w", im.opts.Owner, err)
		case u.Role != account.RoleAdmin || u.Disabled:
			return rep, apperr.New(apperr.Invalid, "upushy: --owner %q is not an enabled Hoist administrator", im.opts.Owner)
		}
		owner = &u
	}
	owners, err := im.importProjects(ctx, d.Projects, users, owner, &rep)
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
		switch got, err := im.st.Accounts.UserByID(ctx, u.ID); {
		case err == nil:
			e.Outcome, e.Reason, have[u.ID] = Present, "already in Hoist", true
			if got.Username != u.Username {
				e.NewName = got.Username
			}
			rep.add(e)
			continue
		case !apperr.Is(err, apperr.NotFound):
			return nil, fmt.Errorf("upushy: user %s: %w", u.ID, err)
		}
		if why := userProblem(u); why != "" {
			e.Outcome, e.Reason = Skipped, why
			rep.add(e)
			continue
		}
		hash, _ := account.UpushyPasswordHash(u.Password)
		var notes []string
		name := hoistUsername(u.Username, u.ID)
		if name != u.Username {
			notes = append(notes, fmt.Sprintf("username %q is not allowed in Hoist (3 to 50 of A-Za-z0-9_.-): signs in as %q", u.Username, name))
		}
		switch taken, err := im.nameTaken(ctx, name); {
		case err != nil:
			return nil, err
		case taken:
			was := name
			name = withIDSuffix(name, u.ID)
			notes = append(notes, fmt.Sprintf("username %q is another Hoist user's: signs in as %q", was, name))
		}
		if name != u.Username {
			e.NewName = name
		}
		email := strings.TrimSpace(u.Email)
		if a, err := mail.ParseAddress(email); email != "" && (err != nil || a.Address != email || len(email) > 255) {
			notes = append(notes, fmt.Sprintf("email %q dropped: not a plain address", email))
			email = ""
		}
		nickname := shorten(strings.TrimSpace(u.Nickname), 50, "nickname", &notes)
		if nickname == "" && name != u.Username {
			nickname = shorten(strings.TrimSpace(u.Username), 50, "nickname", &notes) // the name people knew
		}
		created := im.timeOr(u.CreatedTime)
		nu := account.User{ID: u.ID, Username: name, Email: email, Nickname: nickname, Role: account.RoleUser,
			PasswordHash: hash, TokenVersion: 1, CreatedTime: created, UpdatedTime: im.timeOr(u.UpdatedTime, created)}
		err := im.st.Accounts.CreateUser(ctx, &nu, func(existing int64) error {
			if existing == 0 {
				nu.Role = account.RoleAdmin
				notes = append(notes, "admin: the first user of this Hoist")
			}
			return nil
		})
		if apperr.Is(err, apperr.Conflict) {
			e.Outcome, e.Reason = Skipped, fmt.Sprintf("username %q is taken by another Hoist user", name)
			rep.add(e)
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

func (im *Importer) nameTaken(ctx context.Context, name string) (bool, error) {
	_, err := im.st.Accounts.UserByUsernameKey(ctx, account.UsernameKey(name))
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("upushy: username %s: %w", name, err)
	}
	return true, nil
}

// importProjects returns the owner of every project present in Hoist
// afterwards, by project id. A project whose upushy owner is not in Hoist
// goes to owner (Check made sure there is one).
func (im *Importer) importProjects(ctx context.Context, ps []Project, users map[string]bool, owner *account.User, rep *Report) (map[string]string, error) {
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
		if !validID(p.ID) {
			// Apps send this id in every update check; Hoist's project ids
			// are 32 hex characters, so it cannot be kept.
			e.Outcome, e.Reason = Skipped, fmt.Sprintf("id %q is not 32 lowercase hex characters, so apps using it cannot be served", p.ID)
			rep.add(e)
			continue
		}
		var notes []string
		ownerID := p.UserID
		if !users[p.UserID] {
			if owner == nil {
				return nil, apperr.New(apperr.Invalid, "upushy: project %s: its owner is not in Hoist and no --owner was given", p.ID)
			}
			ownerID, e.Owner = owner.ID, owner.Username
			notes = append(notes, fmt.Sprintf("its upushy owner (user %s) is not in Hoist: owned by %s (--owner)", p.UserID, owner.Username))
		}
		name := shorten(strings.TrimSpace(p.Name), 50, "name", &notes)
		if name == "" {
			name = "upushy " + p.ID[:8]
			notes = append(notes, "empty name replaced")
		}
		desc := shorten(p.Describe, 255, "description", &notes)
		created := im.timeOr(p.CreatedTime)
		pr := project.Project{ID: p.ID, Name: name, Description: desc, OwnerID: ownerID,
			CreatedTime: created, UpdatedTime: im.timeOr(p.UpdatedTime, created)}
		err := im.st.Projects.CreateProject(ctx, pr, project.Member{ProjectID: p.ID, UserID: ownerID,
			Role: project.RoleOwner, CreatedTime: created})
		if apperr.Is(err, apperr.Conflict) {
			e.Outcome, e.Reason = Skipped, fmt.Sprintf("conflicts with existing Hoist data: %v", err)
			rep.add(e)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("upushy: project %s: %w", p.ID, err)
		}
		e.Outcome, e.Reason, owners[p.ID] = Imported, strings.Join(notes, "; "), ownerID
		rep.add(e)
		rep.Projects = append(rep.Projects, p.ID)
	}
	return owners, nil
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
