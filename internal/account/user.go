// Package account holds Hoist's users: registration and login, password
// hashing, access tokens (JWT), rotating refresh tokens, API tokens for
// scripts, and the login log. It decides who a request comes from; what that
// principal may do to a project is decided by package project.
package account

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/printable"
)

// Role is a user's instance-wide role.
type Role string

// Roles.
const (
	RoleAdmin Role = "admin" // sees and manages everything
	RoleUser  Role = "user"  // sees the projects they are a member of
)

// User is an account. PasswordHash never leaves the service.
type User struct {
	ID           string
	Username     string
	Email        string
	Nickname     string
	Role         Role
	Disabled     bool
	PasswordHash string
	// TokenVersion is embedded in access tokens; raising it invalidates
	// every access token issued before.
	TokenVersion int64
	CreatedTime  time.Time
	UpdatedTime  time.Time
}

// Password length limits. 72 is bcrypt's limit, kept so that hashes can move
// between schemes.
const (
	MinPassword = 8
	MaxPassword = 72
)

// UsernameKey is the case-folded username that uniqueness and login use.
func UsernameKey(username string) string { return strings.ToLower(username) }

// ValidateUsername reports a field error for a username outside 3–50
// characters of [A-Za-z0-9_.-].
func ValidateUsername(u string) *apperr.FieldError {
	if len(u) < 3 || len(u) > 50 {
		return &apperr.FieldError{Field: "username", Message: "must be 3 to 50 characters"}
	}
	for _, r := range u {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return &apperr.FieldError{Field: "username", Message: "may contain only letters, digits, _ . and -"}
		}
	}
	return nil
}

// ValidatePassword reports a field error (named field) for a password that
// is too short, too long or not UTF-8.
func ValidatePassword(field, p string) *apperr.FieldError {
	n := utf8.RuneCountInString(p)
	switch {
	case !utf8.ValidString(p):
		return &apperr.FieldError{Field: field, Message: "must be valid UTF-8"}
	case n < MinPassword:
		return &apperr.FieldError{Field: field, Message: "must be at least 8 characters"}
	case len(p) > MaxPassword:
		return &apperr.FieldError{Field: field, Message: "must be at most 72 bytes"}
	}
	return nil
}

// Profile is the part of a user the user edits. Nil fields are unchanged.
type Profile struct {
	Email    *string
	Nickname *string
}

// validate reports every invalid field.
func (p Profile) validate() []apperr.FieldError {
	var fs []apperr.FieldError
	if p.Email != nil && *p.Email != "" {
		if a, err := mail.ParseAddress(*p.Email); err != nil || a.Address != *p.Email || len(*p.Email) > 255 {
			fs = append(fs, apperr.FieldError{Field: "email", Message: "must be an email address such as dev@example.com"})
		}
	}
	if p.Nickname != nil && utf8.RuneCountInString(*p.Nickname) > 50 {
		fs = append(fs, apperr.FieldError{Field: "nickname", Message: "must be at most 50 characters"})
	} else if p.Nickname != nil && !printable.Line(*p.Nickname) {
		fs = append(fs, apperr.FieldError{Field: "nickname", Message: printable.Message})
	}
	return fs
}

func (p Profile) apply(u *User) {
	if p.Email != nil {
		u.Email = *p.Email
	}
	if p.Nickname != nil {
		u.Nickname = *p.Nickname
	}
}

// NewUser is the input of registration and of user creation by an admin.
type NewUser struct {
	Username string
	Password string
	Email    string
	Nickname string
}

func (n NewUser) validate() error {
	var fs []apperr.FieldError
	if f := ValidateUsername(n.Username); f != nil {
		fs = append(fs, *f)
	}
	if f := ValidatePassword("password", n.Password); f != nil {
		fs = append(fs, *f)
	}
	fs = append(fs, Profile{Email: &n.Email, Nickname: &n.Nickname}.validate()...)
	if len(fs) > 0 {
		return apperr.Fields(fs...)
	}
	return nil
}
