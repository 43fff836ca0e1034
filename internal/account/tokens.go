package account

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/ids"
	"github.com/hoist-ota/hoist/internal/printable"
	"github.com/hoist-ota/hoist/internal/secret"
)

// APITokenPrefix starts every API token, so that scanners and people can
// recognise a leaked one.
const APITokenPrefix = "hst_"

// refreshTokenPrefix starts every refresh token.
const refreshTokenPrefix = "hsr_"

var errBadRefresh = apperr.New(apperr.Unauthorized, "invalid or expired refresh token; please log in again")

// startSession issues an access token and the first refresh token of a new
// family.
func (s *Service) startSession(ctx context.Context, u User, cl Client) (Session, error) {
	return s.issue(ctx, u, ids.New(), cl)
}

func (s *Service) issue(ctx context.Context, u User, family string, cl Client) (Session, error) {
	now := s.now().UTC()
	access, err := signAccess(s.opts.Secret, u, now, s.opts.AccessTTL)
	if err != nil {
		return Session{}, err
	}
	refresh := secret.Token(refreshTokenPrefix)
	err = s.store.CreateRefreshToken(ctx, RefreshToken{
		ID: ids.New(), UserID: u.ID, FamilyID: family, Hash: secret.Hash(refresh),
		ExpiresAt: now.Add(s.opts.RefreshTTL), IP: cl.IP, UserAgent: truncate(cl.UserAgent, 255), CreatedTime: now,
	})
	if err != nil {
		return Session{}, fmt.Errorf("account: store refresh token: %w", err)
	}
	return Session{AccessToken: access, RefreshToken: refresh, ExpiresIn: s.opts.AccessTTL, User: u}, nil
}

// Refresh exchanges a refresh token for a new session. The token is
// single-use: presenting a token that was already exchanged means it was
// stolen or replayed, and the whole family (every token descended from the
// same login) is revoked.
func (s *Service) Refresh(ctx context.Context, token string, cl Client) (Session, error) {
	if !strings.HasPrefix(token, refreshTokenPrefix) {
		return Session{}, errBadRefresh
	}
	rt, err := s.store.RefreshTokenByHash(ctx, secret.Hash(token))
	if apperr.Is(err, apperr.NotFound) {
		return Session{}, errBadRefresh
	}
	if err != nil {
		return Session{}, fmt.Errorf("account: refresh: %w", err)
	}
	now := s.now().UTC()
	switch {
	case rt.RevokedAt != nil:
		return Session{}, errBadRefresh
	case rt.UsedAt != nil:
		return Session{}, s.reuse(ctx, rt, now)
	case !now.Before(rt.ExpiresAt):
		return Session{}, errBadRefresh
	}
	u, err := s.store.UserByID(ctx, rt.UserID)
	if err != nil {
		return Session{}, fmt.Errorf("account: refresh: %w", err)
	}
	if u.Disabled {
		return Session{}, errBadRefresh
	}
	won, err := s.store.UseRefreshToken(ctx, rt.ID, now)
	if err != nil {
		return Session{}, fmt.Errorf("account: refresh: %w", err)
	}
	if !won { // exchanged concurrently: one of the two presenters is not the owner
		return Session{}, s.reuse(ctx, rt, now)
	}
	return s.issue(ctx, u, rt.FamilyID, cl)
}

func (s *Service) reuse(ctx context.Context, rt RefreshToken, now time.Time) error {
	if err := s.store.RevokeRefreshFamily(ctx, rt.FamilyID, now); err != nil {
		return fmt.Errorf("account: revoke family: %w", err)
	}
	s.log.WarnContext(ctx, "refresh token reuse: session family revoked", "userId", rt.UserID, "family", rt.FamilyID)
	return apperr.New(apperr.Unauthorized, "refresh token was already used; the session has been ended, please log in again")
}

// Logout ends the session the refresh token belongs to. Unknown tokens are
// ignored: logging out twice is not an error.
func (s *Service) Logout(ctx context.Context, token string) error {
	rt, err := s.store.RefreshTokenByHash(ctx, secret.Hash(token))
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("account: logout: %w", err)
	}
	return s.store.RevokeRefreshFamily(ctx, rt.FamilyID, s.now().UTC())
}

// Authenticate resolves a bearer credential (an access token or an API
// token) to a principal. Any failure is Unauthorized.
func (s *Service) Authenticate(ctx context.Context, bearer string) (Principal, error) {
	if strings.HasPrefix(bearer, APITokenPrefix) {
		return s.authenticateAPIToken(ctx, bearer)
	}
	now := s.now()
	id, ver, err := parseAccess(s.opts.Secret, bearer, now)
	if err != nil {
		return Principal{}, err
	}
	u, err := s.store.UserByID(ctx, id)
	if apperr.Is(err, apperr.NotFound) || (err == nil && (u.Disabled || u.TokenVersion != ver)) {
		return Principal{}, apperr.New(apperr.Unauthorized, "invalid or expired access token")
	}
	if err != nil {
		return Principal{}, fmt.Errorf("account: authenticate: %w", err)
	}
	return Principal{UserID: u.ID, Username: u.Username, Role: u.Role}, nil
}

// apiTokenTouchEvery limits last-used updates to one write per token and
// interval instead of one per request.
const apiTokenTouchEvery = time.Minute

func (s *Service) authenticateAPIToken(ctx context.Context, token string) (Principal, error) {
	bad := apperr.New(apperr.Unauthorized, "invalid or expired API token")
	t, err := s.store.APITokenByHash(ctx, secret.Hash(token))
	if apperr.Is(err, apperr.NotFound) {
		return Principal{}, bad
	}
	if err != nil {
		return Principal{}, fmt.Errorf("account: authenticate token: %w", err)
	}
	now := s.now().UTC()
	if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
		return Principal{}, bad
	}
	u, err := s.store.UserByID(ctx, t.UserID)
	if err != nil {
		return Principal{}, fmt.Errorf("account: authenticate token: %w", err)
	}
	if u.Disabled {
		return Principal{}, bad
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= apiTokenTouchEvery {
		if err := s.store.TouchAPIToken(ctx, t.ID, now); err != nil {
			s.log.WarnContext(ctx, "api token last-used update failed", "tokenId", t.ID, "error", err)
		}
	}
	return Principal{UserID: u.ID, Username: u.Username, Role: u.Role, TokenID: t.ID, ProjectID: t.ProjectID, ReadOnly: t.ReadOnly}, nil
}

// NewAPIToken is the input of CreateAPIToken.
type NewAPIToken struct {
	Name      string
	ProjectID string // "" = not restricted to a project
	ReadOnly  bool
	ExpiresAt *time.Time
}

// CreateAPIToken creates a token for the principal and returns it with its
// plaintext, which is never shown again. It needs an interactive session; a
// project scope must name a project the user can read.
func (s *Service) CreateAPIToken(ctx context.Context, p Principal, n NewAPIToken) (APIToken, string, error) {
	if !p.Interactive() {
		return APIToken{}, "", apperr.New(apperr.Forbidden, "creating API tokens needs a login session, not an API token")
	}
	now := s.now().UTC()
	var fs []apperr.FieldError
	if l := utf8.RuneCountInString(strings.TrimSpace(n.Name)); l < 1 || l > 50 {
		fs = append(fs, apperr.FieldError{Field: "name", Message: "must be 1 to 50 characters"})
	} else if !printable.Line(n.Name) {
		fs = append(fs, apperr.FieldError{Field: "name", Message: printable.Message})
	}
	if n.ExpiresAt != nil && !n.ExpiresAt.After(now) {
		fs = append(fs, apperr.FieldError{Field: "expiresAt", Message: "must be in the future"})
	}
	if len(fs) > 0 {
		return APIToken{}, "", apperr.Fields(fs...)
	}
	if n.ProjectID != "" {
		if s.projects == nil {
			return APIToken{}, "", fmt.Errorf("account: no project checker configured")
		}
		if err := s.projects.CheckRead(ctx, p, n.ProjectID); err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return APIToken{}, "", apperr.Fields(apperr.FieldError{Field: "projectId", Message: "does not name a project you can access"})
			}
			return APIToken{}, "", err
		}
	}
	plain := secret.Token(APITokenPrefix)
	t := APIToken{
		ID: ids.New(), UserID: p.UserID, Name: strings.TrimSpace(n.Name), Hash: secret.Hash(plain),
		Prefix: plain[:len(APITokenPrefix)+6], ProjectID: n.ProjectID, ReadOnly: n.ReadOnly,
		ExpiresAt: n.ExpiresAt, CreatedTime: now,
	}
	if t.ExpiresAt != nil {
		e := t.ExpiresAt.UTC()
		t.ExpiresAt = &e
	}
	if err := s.store.CreateAPIToken(ctx, t); err != nil {
		return APIToken{}, "", fmt.Errorf("account: create api token: %w", err)
	}
	return t, plain, nil
}

// ListAPITokens lists the principal's tokens (without secrets). Forbidden
// for a project-scoped API token.
func (s *Service) ListAPITokens(ctx context.Context, p Principal) ([]APIToken, error) {
	if err := checkAccountAccess(p); err != nil {
		return nil, err
	}
	return s.store.ListAPITokens(ctx, p.UserID)
}

// DeleteAPIToken revokes one of the principal's tokens; NotFound when it
// has none with that id. Forbidden for read-only and project-scoped API
// tokens.
func (s *Service) DeleteAPIToken(ctx context.Context, p Principal, id string) error {
	if err := checkAccountAccess(p); err != nil {
		return err
	}
	if p.ReadOnly {
		return errReadOnly
	}
	return s.store.DeleteAPIToken(ctx, p.UserID, id)
}
