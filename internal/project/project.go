// Package project holds projects (one app or device fleet each, identified
// by the 32-hex projectId apps are configured with) and their members, and
// is the one place that decides what a principal may do to a project.
package project

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/printable"
)

// Project is one app (or device fleet).
type Project struct {
	ID          string
	Name        string
	Description string
	OwnerID     string // the user who created it
	CreatedTime time.Time
	UpdatedTime time.Time
}

// Role is a member's role in a project.
type Role string

// Member roles, from most to least privileged.
const (
	RoleOwner      Role = "owner"      // everything, including members and deletion
	RoleMaintainer Role = "maintainer" // publish resources, manage devices
	RoleViewer     Role = "viewer"     // read only
)

// Valid reports whether r is a member role.
func (r Role) Valid() bool { return r == RoleOwner || r == RoleMaintainer || r == RoleViewer }

// Member is a user's membership of a project.
type Member struct {
	ProjectID   string
	UserID      string
	Username    string // filled by listings
	Nickname    string
	Role        Role
	CreatedTime time.Time
}

// Fields is the editable part of a project. Nil fields are unchanged.
type Fields struct {
	Name        *string
	Description *string
}

// validate reports every invalid field; creating requires a name.
func (f Fields) validate(creating bool) error {
	var fs []apperr.FieldError
	if f.Name == nil && creating {
		fs = append(fs, apperr.FieldError{Field: "name", Message: "is required"})
	}
	if f.Name != nil {
		if n := utf8.RuneCountInString(strings.TrimSpace(*f.Name)); n < 1 || n > 50 {
			fs = append(fs, apperr.FieldError{Field: "name", Message: "must be 1 to 50 characters"})
		} else if !printable.Line(*f.Name) {
			fs = append(fs, apperr.FieldError{Field: "name", Message: printable.Message})
		}
	}
	if f.Description != nil && utf8.RuneCountInString(*f.Description) > 255 {
		fs = append(fs, apperr.FieldError{Field: "description", Message: "must be at most 255 characters"})
	}
	if len(fs) > 0 {
		return apperr.Fields(fs...)
	}
	return nil
}

func (f Fields) apply(p *Project) {
	if f.Name != nil {
		p.Name = strings.TrimSpace(*f.Name)
	}
	if f.Description != nil {
		p.Description = *f.Description
	}
}
