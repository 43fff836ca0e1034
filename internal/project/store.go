package project

import (
	"context"

	"github.com/hoist-ota/hoist/internal/page"
)

// SortKeys are the sort keys of project lists, the default first.
var SortKeys = []string{"createdTime", "name"}

// Listed is a project in a list, with the listing user's role.
type Listed struct {
	Project
	Role Role
}

// Store keeps projects and members. Not found is apperr NotFound.
type Store interface {
	// CreateProject inserts p with owner as its first member (role owner).
	CreateProject(ctx context.Context, p Project, owner Member) error
	Project(ctx context.Context, id string) (Project, error)
	// ListProjects lists the projects userID is a member of, or every
	// project when all is set, each with userID's role ("" if none).
	ListProjects(ctx context.Context, userID string, all bool, pg page.Request) ([]Listed, int64, error)
	UpdateProject(ctx context.Context, id string, fn func(*Project) error) (Project, error)

	// MemberRole returns the user's role in the project, "" when not a member.
	MemberRole(ctx context.Context, projectID, userID string) (Role, error)
	Members(ctx context.Context, projectID string) ([]Member, error)
	// UserIDByUsername finds a user by username (case-insensitive).
	UserIDByUsername(ctx context.Context, username string) (string, error)
	// AddMember adds a member; Conflict when already one, NotFound when the
	// user does not exist.
	AddMember(ctx context.Context, m Member) error
	// UpdateMember loads the member and the project's owner count, calls fn
	// and saves, in one transaction.
	UpdateMember(ctx context.Context, projectID, userID string, fn func(m *Member, owners int) error) (Member, error)
	// RemoveMember removes a member after fn approves given the member and
	// the owner count, in one transaction.
	RemoveMember(ctx context.Context, projectID, userID string, fn func(m Member, owners int) error) error
}
