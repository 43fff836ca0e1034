package account

// Principal is who a request acts as, after authentication: a user, through
// an interactive session (JWT) or an API token with its restrictions.
type Principal struct {
	UserID   string
	Username string
	Role     Role
	// TokenID is set when the request used an API token.
	TokenID string
	// ProjectID, when set, confines the principal to one project.
	ProjectID string
	// ReadOnly forbids every change.
	ReadOnly bool
}

// IsAdmin reports whether the principal has the admin role.
func (p Principal) IsAdmin() bool { return p.Role == RoleAdmin }

// Interactive reports whether the principal logged in with a password (as
// opposed to an API token). Minting tokens and changing the password need an
// interactive session, so that a leaked script token cannot entrench itself.
func (p Principal) Interactive() bool { return p.TokenID == "" }
