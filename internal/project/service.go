package project

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/ids"
	"github.com/hoist-ota/hoist/internal/page"
)

// Service manages projects and decides access to them.
type Service struct {
	store Store
	now   func() time.Time
	log   *slog.Logger
}

// NewService returns the project service.
func NewService(store Store, now func() time.Time, log *slog.Logger) *Service {
	return &Service{store: store, now: now, log: log}
}

// Access loads a project and checks that p may do a to it. It returns the
// project and p's member role ("" for admins who are not members). This is
// what every module calls before touching anything of a project.
func (s *Service) Access(ctx context.Context, p account.Principal, projectID string, a Action) (Project, Role, error) {
	pr, err := s.store.Project(ctx, projectID)
	if apperr.Is(err, apperr.NotFound) {
		return Project{}, "", errNotFound
	}
	if err != nil {
		return Project{}, "", err
	}
	role, err := s.store.MemberRole(ctx, projectID, p.UserID)
	if err != nil {
		return Project{}, "", err
	}
	if err := Authorize(p, projectID, role, a); err != nil {
		return Project{}, "", err
	}
	return pr, role, nil
}

// CheckRead implements account.ProjectChecker.
func (s *Service) CheckRead(ctx context.Context, p account.Principal, projectID string) error {
	_, _, err := s.Access(ctx, p, projectID, Read)
	return err
}

// Create makes a project owned by p. Project-scoped and read-only tokens
// cannot create projects.
func (s *Service) Create(ctx context.Context, p account.Principal, f Fields) (Project, error) {
	if p.ProjectID != "" || p.ReadOnly {
		return Project{}, apperr.New(apperr.Forbidden, "this token cannot create projects")
	}
	if err := f.validate(true); err != nil {
		return Project{}, err
	}
	now := s.now().UTC()
	pr := Project{ID: ids.New(), OwnerID: p.UserID, CreatedTime: now, UpdatedTime: now}
	f.apply(&pr)
	err := s.store.CreateProject(ctx, pr, Member{ProjectID: pr.ID, UserID: p.UserID, Role: RoleOwner, CreatedTime: now})
	if err != nil {
		return Project{}, fmt.Errorf("project: create: %w", err)
	}
	return pr, nil
}

// List lists the projects p can see, each with p's role: all for admins,
// the member ones otherwise, only its project for a scoped token.
func (s *Service) List(ctx context.Context, p account.Principal, pg page.Request) ([]Listed, int64, error) {
	if p.ProjectID != "" {
		pr, role, err := s.Access(ctx, p, p.ProjectID, Read)
		if apperr.Is(err, apperr.NotFound) { // the project is gone or the user left it
			return []Listed{}, 0, nil
		}
		if err != nil {
			return nil, 0, err
		}
		return []Listed{{Project: pr, Role: role}}, 1, nil
	}
	return s.store.ListProjects(ctx, p.UserID, p.IsAdmin(), pg)
}

// Update changes a project's name or description (owners).
func (s *Service) Update(ctx context.Context, p account.Principal, id string, f Fields) (Project, error) {
	if _, _, err := s.Access(ctx, p, id, Manage); err != nil {
		return Project{}, err
	}
	if err := f.validate(false); err != nil {
		return Project{}, err
	}
	return s.store.UpdateProject(ctx, id, func(pr *Project) error {
		f.apply(pr)
		pr.UpdatedTime = s.now().UTC()
		return nil
	})
}

// Members lists a project's members (anyone who can read it).
func (s *Service) Members(ctx context.Context, p account.Principal, id string) ([]Member, error) {
	if _, _, err := s.Access(ctx, p, id, Read); err != nil {
		return nil, err
	}
	return s.store.Members(ctx, id)
}

// NewMember names the user to add: by id, or by username when UserID is
// empty.
type NewMember struct {
	UserID   string
	Username string
	Role     Role
}

// AddMember adds a user to a project with a role (owners) and returns the
// membership with the user's names.
func (s *Service) AddMember(ctx context.Context, p account.Principal, projectID string, n NewMember) (Member, error) {
	if _, _, err := s.Access(ctx, p, projectID, Manage); err != nil {
		return Member{}, err
	}
	if !n.Role.Valid() {
		return Member{}, apperr.Fields(apperr.FieldError{Field: "role", Message: "must be owner, maintainer or viewer"})
	}
	field := "userId"
	if n.UserID == "" {
		field = "username"
		id, err := s.store.UserIDByUsername(ctx, n.Username)
		if apperr.Is(err, apperr.NotFound) || n.Username == "" {
			return Member{}, apperr.Fields(apperr.FieldError{Field: field, Message: "does not name a user"})
		}
		if err != nil {
			return Member{}, err
		}
		n.UserID = id
	}
	m := Member{ProjectID: projectID, UserID: n.UserID, Role: n.Role, CreatedTime: s.now().UTC()}
	if err := s.store.AddMember(ctx, m); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return Member{}, apperr.Fields(apperr.FieldError{Field: field, Message: "does not name a user"})
		}
		if apperr.Is(err, apperr.Conflict) {
			return Member{}, apperr.New(apperr.Conflict, "the user is already a member; change their role instead")
		}
		return Member{}, err
	}
	return s.member(ctx, projectID, m)
}

// member returns m as listed, with the user's names.
func (s *Service) member(ctx context.Context, projectID string, m Member) (Member, error) {
	ms, err := s.store.Members(ctx, projectID)
	if err != nil {
		return Member{}, err
	}
	for _, x := range ms {
		if x.UserID == m.UserID {
			return x, nil
		}
	}
	return m, nil
}

// UpdateMember changes a member's role (owners). The last owner cannot be
// demoted (Conflict).
func (s *Service) UpdateMember(ctx context.Context, p account.Principal, projectID, userID string, role Role) (Member, error) {
	if _, _, err := s.Access(ctx, p, projectID, Manage); err != nil {
		return Member{}, err
	}
	if !role.Valid() {
		return Member{}, apperr.Fields(apperr.FieldError{Field: "role", Message: "must be owner, maintainer or viewer"})
	}
	m, err := s.store.UpdateMember(ctx, projectID, userID, func(m *Member, owners int) error {
		if m.Role == RoleOwner && role != RoleOwner && owners <= 1 {
			return errLastOwner
		}
		m.Role = role
		return nil
	})
	if err != nil {
		return Member{}, err
	}
	return s.member(ctx, projectID, m)
}

// RemoveMember removes a member (owners; any member may leave). The last
// owner cannot be removed (Conflict).
func (s *Service) RemoveMember(ctx context.Context, p account.Principal, projectID, userID string) error {
	action := Manage
	if userID == p.UserID {
		action = Read
	}
	if _, _, err := s.Access(ctx, p, projectID, action); err != nil {
		return err
	}
	if action == Read && p.ReadOnly {
		return apperr.New(apperr.Forbidden, "this token is read-only")
	}
	return s.store.RemoveMember(ctx, projectID, userID, func(m Member, owners int) error {
		if m.Role == RoleOwner && owners <= 1 {
			return errLastOwner
		}
		return nil
	})
}

var errLastOwner = apperr.New(apperr.Conflict, "a project needs at least one owner; make someone else owner first")
