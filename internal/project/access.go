package project

import (
	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
)

// Action is what a principal wants to do to a project.
type Action int

// Actions, each needing more than the one before.
const (
	Read    Action = iota // see the project, its resources, devices, statistics
	Publish               // create and change resources, devices, commands, OTA campaigns
	Manage                // change the project itself, its members; delete it
)

// Authorize is the single rule of project access. role is the principal's
// membership role ("" when not a member). Someone who may not see a project
// gets NotFound, so that its existence is not revealed; someone who may see
// it but not do the action gets Forbidden.
func Authorize(p account.Principal, projectID string, role Role, a Action) error {
	if p.ProjectID != "" && p.ProjectID != projectID {
		return errNotFound
	}
	if !p.IsAdmin() && role == "" {
		return errNotFound
	}
	if a != Read && p.ReadOnly {
		return apperr.New(apperr.Forbidden, "this token is read-only")
	}
	if p.IsAdmin() {
		return nil
	}
	switch {
	case a == Publish && role == RoleViewer:
		return apperr.New(apperr.Forbidden, "viewers cannot change this project; ask an owner for the maintainer role")
	case a == Manage && role != RoleOwner:
		return apperr.New(apperr.Forbidden, "only project owners can do this")
	}
	return nil
}

var errNotFound = apperr.New(apperr.NotFound, "project not found")
