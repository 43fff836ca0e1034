package account

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/ids"
	"github.com/hoist-ota/hoist/internal/page"
	"github.com/hoist-ota/hoist/internal/secret"
)

// Options configure the service.
type Options struct {
	// Secret signs access tokens (HS256), at least 32 bytes.
	Secret     []byte
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	// RegistrationOpen lets anyone register; otherwise only the first user
	// (who becomes admin) registers and admins create the rest.
	RegistrationOpen bool
	Argon2           Argon2Params
}

// ProjectChecker tells whether a principal may read a project. It is how
// API tokens are checked against the project they are scoped to; package
// project implements it.
type ProjectChecker interface {
	CheckRead(ctx context.Context, p Principal, projectID string) error
}

// Service implements accounts.
type Service struct {
	store    Store
	opts     Options
	projects ProjectChecker
	now      func() time.Time
	log      *slog.Logger
	// dummyHash is verified against when a username is unknown, so that
	// unknown users cost as much time as wrong passwords.
	dummyHash string
	hasUsers  atomic.Bool
}

// NewService returns the account service. projects may be nil until set
// with SetProjectChecker (the project service needs accounts to exist first).
func NewService(store Store, opts Options, now func() time.Time, log *slog.Logger) *Service {
	if opts.Argon2 == (Argon2Params{}) {
		opts.Argon2 = DefaultArgon2
	}
	return &Service{store: store, opts: opts, now: now, log: log,
		dummyHash: hashPassword(secret.Token(""), opts.Argon2)}
}

// SetProjectChecker sets how token project scopes are checked.
func (s *Service) SetProjectChecker(pc ProjectChecker) { s.projects = pc }

// SetupRequired reports whether no account exists yet, so that the first
// registration (which makes the admin) is possible even with closed
// registration. Once an account exists it stays answered from memory:
// accounts are never deleted.
func (s *Service) SetupRequired(ctx context.Context) (bool, error) {
	if s.hasUsers.Load() {
		return false, nil
	}
	_, n, err := s.store.ListUsers(ctx, "", page.Request{Num: 1, Size: 1, Sort: "createdTime"})
	if err != nil {
		return false, fmt.Errorf("account: setup required: %w", err)
	}
	if n > 0 {
		s.hasUsers.Store(true)
	}
	return n == 0, nil
}

// RegistrationOpen reports whether self-registration is open.
func (s *Service) RegistrationOpen() bool { return s.opts.RegistrationOpen }

// Session is what a login, registration or refresh returns.
type Session struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    time.Duration
	User         User
}

var errInvalidCredentials = apperr.New(apperr.Unauthorized, "invalid username or password")

// Register creates an account and logs it in. The first account becomes
// admin; later ones need open registration (Forbidden otherwise).
func (s *Service) Register(ctx context.Context, n NewUser, cl Client) (Session, error) {
	if err := n.validate(); err != nil {
		return Session{}, err
	}
	u := s.newUser(n)
	err := s.store.CreateUser(ctx, &u, func(existing int64) error {
		switch {
		case existing == 0:
			u.Role = RoleAdmin
		case !s.opts.RegistrationOpen:
			return apperr.New(apperr.Forbidden, "registration is closed; ask an administrator for an account")
		default:
			u.Role = RoleUser
		}
		return nil
	})
	if err != nil {
		return Session{}, usernameTaken(err)
	}
	return s.startSession(ctx, u, cl)
}

// CreateUser creates an account with the given role, for administrators
// and the command line. The caller has decided it may.
func (s *Service) CreateUser(ctx context.Context, n NewUser, role Role) (User, error) {
	if err := n.validate(); err != nil {
		return User{}, err
	}
	if role != RoleAdmin && role != RoleUser {
		return User{}, apperr.Fields(apperr.FieldError{Field: "role", Message: "must be admin or user"})
	}
	u := s.newUser(n)
	u.Role = role
	if err := s.store.CreateUser(ctx, &u, func(int64) error { return nil }); err != nil {
		return User{}, usernameTaken(err)
	}
	return u, nil
}

// AdminCreateUser is CreateUser on behalf of p, who must be an instance
// admin with write access.
func (s *Service) AdminCreateUser(ctx context.Context, p Principal, n NewUser, role Role) (User, error) {
	if err := requireInstanceAdmin(p); err != nil {
		return User{}, err
	}
	return s.CreateUser(ctx, n, role)
}

func (s *Service) newUser(n NewUser) User {
	now := s.now().UTC()
	return User{
		ID: ids.New(), Username: n.Username, Email: n.Email, Nickname: n.Nickname,
		PasswordHash: hashPassword(n.Password, s.opts.Argon2), TokenVersion: 1,
		CreatedTime: now, UpdatedTime: now,
	}
}

func usernameTaken(err error) error {
	if apperr.Is(err, apperr.Conflict) {
		return &apperr.Error{Code: apperr.Conflict, Message: "username is already taken",
			Fields: []apperr.FieldError{{Field: "username", Message: "is already taken"}}, Err: err}
	}
	return err
}

// Login checks a username and password and starts a session. A wrong
// password and an unknown user fail identically (Unauthorized, same message,
// similar time); a disabled user is Forbidden once the password matched.
// Every attempt is recorded in the login log. An imported (upushy) password
// hash is replaced by Hoist's own at the first successful login.
func (s *Service) Login(ctx context.Context, username, password string, cl Client) (Session, error) {
	u, err := s.store.UserByUsernameKey(ctx, UsernameKey(username))
	if apperr.Is(err, apperr.NotFound) {
		verifyPassword(password, s.dummyHash)
		s.record(ctx, LoginAttempt{Username: username, Result: LoginBadCredentials}, cl)
		return Session{}, errInvalidCredentials
	}
	if err != nil {
		return Session{}, fmt.Errorf("account: login: %w", err)
	}
	ok, err := verifyPassword(password, u.PasswordHash)
	if err != nil {
		return Session{}, fmt.Errorf("account: login %s: %w", u.ID, err)
	}
	if !ok {
		s.record(ctx, LoginAttempt{UserID: u.ID, Username: username, Result: LoginBadCredentials}, cl)
		return Session{}, errInvalidCredentials
	}
	if u.Disabled {
		s.record(ctx, LoginAttempt{UserID: u.ID, Username: username, Result: LoginDisabled}, cl)
		return Session{}, apperr.New(apperr.Forbidden, "this account is disabled")
	}
	if isLegacyHash(u.PasswordHash) {
		s.upgradeHash(ctx, u, password)
	}
	sess, err := s.startSession(ctx, u, cl)
	if err != nil {
		return Session{}, err
	}
	s.record(ctx, LoginAttempt{UserID: u.ID, Username: username, Result: LoginSucceeded}, cl)
	return sess, nil
}

// record writes a login attempt. A failure to log must not decide the login,
// so it is reported here, once.
func (s *Service) record(ctx context.Context, a LoginAttempt, cl Client) {
	a.IP, a.UserAgent, a.CreatedTime = cl.IP, truncate(cl.UserAgent, 255), s.now().UTC()
	a.Username = truncate(a.Username, 100)
	if err := s.store.AddLoginAttempt(ctx, a); err != nil {
		s.log.ErrorContext(ctx, "login log write failed", "error", err)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// Me returns the principal's own account.
func (s *Service) Me(ctx context.Context, p Principal) (User, error) {
	return s.store.UserByID(ctx, p.UserID)
}

// UpdateProfile changes the principal's email and nickname. Forbidden for
// read-only and project-scoped API tokens.
func (s *Service) UpdateProfile(ctx context.Context, p Principal, pr Profile) (User, error) {
	if err := checkAccountAccess(p); err != nil {
		return User{}, err
	}
	if p.ReadOnly {
		return User{}, errReadOnly
	}
	if fs := pr.validate(); len(fs) > 0 {
		return User{}, apperr.Fields(fs...)
	}
	return s.store.UpdateUser(ctx, p.UserID, func(u *User, _ int64) error {
		pr.apply(u)
		u.UpdatedTime = s.now().UTC()
		return nil
	})
}

// ChangePassword replaces the principal's password after checking the
// current one. Every other session ends: refresh tokens are revoked, older
// access tokens stop working and the user's API tokens are deleted. A new session is returned so the caller
// stays logged in.
func (s *Service) ChangePassword(ctx context.Context, p Principal, current, next string, cl Client) (Session, error) {
	if !p.Interactive() {
		return Session{}, apperr.New(apperr.Forbidden, "changing the password needs a login session, not an API token")
	}
	if f := ValidatePassword("newPassword", next); f != nil {
		return Session{}, apperr.Fields(*f)
	}
	u, err := s.store.UpdateUser(ctx, p.UserID, func(u *User, _ int64) error {
		ok, err := verifyPassword(current, u.PasswordHash)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Fields(apperr.FieldError{Field: "currentPassword", Message: "is incorrect"})
		}
		u.PasswordHash = hashPassword(next, s.opts.Argon2)
		u.TokenVersion++
		u.UpdatedTime = s.now().UTC()
		return nil
	})
	if err != nil {
		return Session{}, err
	}
	if err := s.endAllSessions(ctx, u.ID, true); err != nil {
		return Session{}, fmt.Errorf("account: change password: %w", err)
	}
	return s.startSession(ctx, u, cl)
}

// UserPatch is an admin's change to a user. Nil fields are unchanged.
type UserPatch struct {
	Role     *Role
	Disabled *bool
	Password *string
}

// AdminUpdateUser changes a user's role, disabled flag or password. The last
// enabled admin cannot be demoted or disabled (Conflict). Disabling or
// resetting the password ends the user's sessions; a reset also deletes
// the user's API tokens.
func (s *Service) AdminUpdateUser(ctx context.Context, p Principal, id string, patch UserPatch) (User, error) {
	if err := requireInstanceAdmin(p); err != nil {
		return User{}, err
	}
	var fs []apperr.FieldError
	if patch.Role != nil && *patch.Role != RoleAdmin && *patch.Role != RoleUser {
		fs = append(fs, apperr.FieldError{Field: "role", Message: "must be admin or user"})
	}
	if patch.Password != nil {
		if f := ValidatePassword("password", *patch.Password); f != nil {
			fs = append(fs, *f)
		}
	}
	if len(fs) > 0 {
		return User{}, apperr.Fields(fs...)
	}
	endSessions := false
	u, err := s.store.UpdateUser(ctx, id, func(u *User, enabledAdmins int64) error {
		wasActiveAdmin := u.Role == RoleAdmin && !u.Disabled
		if patch.Role != nil {
			u.Role = *patch.Role
		}
		if patch.Disabled != nil && *patch.Disabled != u.Disabled {
			u.Disabled = *patch.Disabled
			endSessions = endSessions || u.Disabled
		}
		if patch.Password != nil {
			u.PasswordHash = hashPassword(*patch.Password, s.opts.Argon2)
			endSessions = true
		}
		if wasActiveAdmin && (u.Role != RoleAdmin || u.Disabled) && enabledAdmins <= 1 {
			return apperr.New(apperr.Conflict, "this is the last enabled admin; make another user admin first")
		}
		if endSessions {
			u.TokenVersion++
		}
		u.UpdatedTime = s.now().UTC()
		return nil
	})
	if err != nil {
		return User{}, err
	}
	if endSessions {
		if err := s.endAllSessions(ctx, u.ID, patch.Password != nil); err != nil {
			return User{}, fmt.Errorf("account: update user %s: %w", u.ID, err)
		}
	}
	return u, nil
}

// endAllSessions revokes the user's refresh tokens and, when the password
// changed, deletes its API tokens too: whoever knew the old password may
// have minted them, so a new password must lock them out as well.
func (s *Service) endAllSessions(ctx context.Context, userID string, passwordChanged bool) error {
	if err := s.store.RevokeUserRefreshTokens(ctx, userID, s.now().UTC()); err != nil {
		return err
	}
	if passwordChanged {
		return s.store.DeleteUserAPITokens(ctx, userID)
	}
	return nil
}

// ListUsers lists users whose username, nickname or email contains search.
func (s *Service) ListUsers(ctx context.Context, p Principal, search string, pg page.Request) ([]User, int64, error) {
	if !p.IsAdmin() || p.ProjectID != "" {
		return nil, 0, apperr.New(apperr.Forbidden, "only administrators can list users")
	}
	return s.store.ListUsers(ctx, search, pg)
}

// ListLoginAttempts lists the login log: everything for admins, the
// principal's own attempts for everyone else. Forbidden for a
// project-scoped API token.
func (s *Service) ListLoginAttempts(ctx context.Context, p Principal, pg page.Request) ([]LoginAttempt, int64, error) {
	if err := checkAccountAccess(p); err != nil {
		return nil, 0, err
	}
	userID := p.UserID
	if p.IsAdmin() && p.ProjectID == "" {
		userID = ""
	}
	return s.store.ListLoginAttempts(ctx, userID, pg)
}

var errReadOnly = apperr.New(apperr.Forbidden, "this token is read-only")

// errProjectScoped refuses account actions to a project-scoped API token:
// it is for one project's work, not for the account that issued it.
var errProjectScoped = apperr.New(apperr.Forbidden,
	"a project-scoped API token cannot manage the account (tokens, email, password, login log): use a login session")

// checkAccountAccess allows an action on the principal's own account
// (tokens, profile, login log) to everyone but project-scoped tokens.
func checkAccountAccess(p Principal) error {
	if p.ProjectID != "" {
		return errProjectScoped
	}
	return nil
}

func requireInstanceAdmin(p Principal) error {
	switch {
	case !p.IsAdmin() || p.ProjectID != "":
		return apperr.New(apperr.Forbidden, "only administrators can do this")
	case p.ReadOnly:
		return errReadOnly
	}
	return nil
}
