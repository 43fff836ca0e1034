package account

import (
	"context"
	"time"

	"github.com/hoist-ota/hoist/internal/page"
)

// Store keeps accounts. Not-found results are apperr NotFound errors, a
// duplicate username an apperr Conflict error.
type Store interface {
	// CreateUser inserts u after calling decide with the number of users
	// that exist, atomically: two concurrent first registrations cannot
	// both see zero. decide may set u's fields or refuse with an error.
	CreateUser(ctx context.Context, u *User, decide func(existing int64) error) error
	UserByID(ctx context.Context, id string) (User, error)
	UserByUsernameKey(ctx context.Context, key string) (User, error)
	// UpdateUser loads the user, calls fn with it and the number of enabled
	// admins, and saves the result, in one transaction.
	UpdateUser(ctx context.Context, id string, fn func(u *User, enabledAdmins int64) error) (User, error)
	ListUsers(ctx context.Context, search string, pg page.Request) ([]User, int64, error)

	CreateRefreshToken(ctx context.Context, t RefreshToken) error
	RefreshTokenByHash(ctx context.Context, hash string) (RefreshToken, error)
	// UseRefreshToken marks the token used and reports whether this call
	// did it (false: it was already used or revoked).
	UseRefreshToken(ctx context.Context, id string, at time.Time) (bool, error)
	RevokeRefreshFamily(ctx context.Context, familyID string, at time.Time) error
	RevokeUserRefreshTokens(ctx context.Context, userID string, at time.Time) error

	CreateAPIToken(ctx context.Context, t APIToken) error
	APITokenByHash(ctx context.Context, hash string) (APIToken, error)
	ListAPITokens(ctx context.Context, userID string) ([]APIToken, error)
	// DeleteAPIToken deletes the user's token; NotFound when the user has
	// no token with that id.
	DeleteAPIToken(ctx context.Context, userID, id string) error
	// DeleteUserAPITokens deletes every token of the user.
	DeleteUserAPITokens(ctx context.Context, userID string) error
	TouchAPIToken(ctx context.Context, id string, at time.Time) error

	AddLoginAttempt(ctx context.Context, a LoginAttempt) error
	// ListLoginAttempts lists attempts, newest first; userID "" lists all.
	ListLoginAttempts(ctx context.Context, userID string, pg page.Request) ([]LoginAttempt, int64, error)
}

// UserSortKeys are the sort keys of user lists, the default first.
var UserSortKeys = []string{"createdTime", "username"}

// LoginLogSortKeys are the sort keys of the login log.
var LoginLogSortKeys = []string{"createdTime"}

// RefreshToken is a stored refresh token (only its hash is kept).
type RefreshToken struct {
	ID          string
	UserID      string
	FamilyID    string
	Hash        string
	ExpiresAt   time.Time
	UsedAt      *time.Time
	RevokedAt   *time.Time
	IP          string
	UserAgent   string
	CreatedTime time.Time
}

// APIToken is a long-lived token for scripts and CI (only its hash is kept).
type APIToken struct {
	ID          string
	UserID      string
	Name        string
	Hash        string
	Prefix      string // the first characters of the token, for recognition
	ProjectID   string // "" = all of the user's projects
	ReadOnly    bool
	ExpiresAt   *time.Time
	LastUsedAt  *time.Time
	CreatedTime time.Time
}

// LoginResult is the outcome of a login attempt.
type LoginResult string

// Login results.
const (
	LoginSucceeded      LoginResult = "success"
	LoginBadCredentials LoginResult = "bad_credentials"
	LoginDisabled       LoginResult = "disabled"
)

// LoginAttempt is one entry of the login log.
type LoginAttempt struct {
	ID          int64
	UserID      string // "" when the username matched no user
	Username    string
	IP          string
	UserAgent   string
	Result      LoginResult
	CreatedTime time.Time
}

// Client describes where a request came from, for the login log and
// refresh tokens.
type Client struct {
	IP        string
	UserAgent string
}
