package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/page"
)

type refreshTokenRow struct {
	ID        string `gorm:"primaryKey"`
	UserID    string
	FamilyID  string
	TokenHash string
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	IP        string
	UserAgent string
	CreatedAt time.Time
}

func (refreshTokenRow) TableName() string { return "refresh_tokens" }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (a accounts) CreateRefreshToken(ctx context.Context, t account.RefreshToken) error {
	row := refreshTokenRow{ID: t.ID, UserID: t.UserID, FamilyID: t.FamilyID, TokenHash: t.Hash, ExpiresAt: t.ExpiresAt,
		UsedAt: t.UsedAt, RevokedAt: t.RevokedAt, IP: t.IP, UserAgent: t.UserAgent, CreatedAt: t.CreatedTime}
	if err := a.s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: create refresh token: %w", translate(err, "refresh token"))
	}
	return nil
}

func (a accounts) RefreshTokenByHash(ctx context.Context, hash string) (account.RefreshToken, error) {
	var r refreshTokenRow
	// The writer: a token just rotated must be seen as used at once.
	if err := a.s.db.WithContext(ctx).Take(&r, "token_hash = ?", hash).Error; err != nil {
		return account.RefreshToken{}, fmt.Errorf("store: refresh token: %w", translate(err, "refresh token"))
	}
	return account.RefreshToken{ID: r.ID, UserID: r.UserID, FamilyID: r.FamilyID, Hash: r.TokenHash,
		ExpiresAt: r.ExpiresAt.UTC(), UsedAt: utcPtr(r.UsedAt), RevokedAt: utcPtr(r.RevokedAt), IP: r.IP,
		UserAgent: r.UserAgent, CreatedTime: r.CreatedAt.UTC()}, nil
}

func (a accounts) UseRefreshToken(ctx context.Context, id string, at time.Time) (bool, error) {
	res := a.s.db.WithContext(ctx).Model(&refreshTokenRow{}).
		Where("id = ? AND used_at IS NULL AND revoked_at IS NULL", id).Update("used_at", at)
	if res.Error != nil {
		return false, fmt.Errorf("store: use refresh token: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

func (a accounts) RevokeRefreshFamily(ctx context.Context, familyID string, at time.Time) error {
	err := a.s.db.WithContext(ctx).Model(&refreshTokenRow{}).
		Where("family_id = ? AND revoked_at IS NULL", familyID).Update("revoked_at", at).Error
	if err != nil {
		return fmt.Errorf("store: revoke refresh family: %w", err)
	}
	return nil
}

func (a accounts) RevokeUserRefreshTokens(ctx context.Context, userID string, at time.Time) error {
	err := a.s.db.WithContext(ctx).Model(&refreshTokenRow{}).
		Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", at).Error
	if err != nil {
		return fmt.Errorf("store: revoke user refresh tokens: %w", err)
	}
	return nil
}

type apiTokenRow struct {
	ID         string `gorm:"primaryKey"`
	UserID     string
	Name       string
	TokenHash  string
	Prefix     string
	ProjectID  *string
	ReadOnly   bool
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	CreatedAt  time.Time
}

func (apiTokenRow) TableName() string { return "api_tokens" }

func (r apiTokenRow) toAPIToken() account.APIToken {
	t := account.APIToken{ID: r.ID, UserID: r.UserID, Name: r.Name, Hash: r.TokenHash, Prefix: r.Prefix,
		ReadOnly: r.ReadOnly, ExpiresAt: utcPtr(r.ExpiresAt), LastUsedAt: utcPtr(r.LastUsedAt), CreatedTime: r.CreatedAt.UTC()}
	if r.ProjectID != nil {
		t.ProjectID = *r.ProjectID
	}
	return t
}

func (a accounts) CreateAPIToken(ctx context.Context, t account.APIToken) error {
	row := apiTokenRow{ID: t.ID, UserID: t.UserID, Name: t.Name, TokenHash: t.Hash, Prefix: t.Prefix,
		ReadOnly: t.ReadOnly, ExpiresAt: t.ExpiresAt, CreatedAt: t.CreatedTime}
	if t.ProjectID != "" {
		row.ProjectID = &t.ProjectID
	}
	if err := a.s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: create api token: %w", translate(err, "api token"))
	}
	return nil
}

func (a accounts) APITokenByHash(ctx context.Context, hash string) (account.APIToken, error) {
	var r apiTokenRow
	if err := a.s.rdb.WithContext(ctx).Take(&r, "token_hash = ?", hash).Error; err != nil {
		return account.APIToken{}, fmt.Errorf("store: api token: %w", translate(err, "api token"))
	}
	return r.toAPIToken(), nil
}

func (a accounts) ListAPITokens(ctx context.Context, userID string) ([]account.APIToken, error) {
	var rows []apiTokenRow
	if err := a.s.rdb.WithContext(ctx).Where("user_id = ?", userID).Order("created_at DESC, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list api tokens: %w", err)
	}
	out := make([]account.APIToken, len(rows))
	for i, r := range rows {
		out[i] = r.toAPIToken()
	}
	return out, nil
}

func (a accounts) DeleteAPIToken(ctx context.Context, userID, id string) error {
	res := a.s.db.WithContext(ctx).Where("id = ? AND user_id = ?", id, userID).Delete(&apiTokenRow{})
	if res.Error != nil {
		return fmt.Errorf("store: delete api token: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return notFound("api token")
	}
	return nil
}

func (a accounts) DeleteUserAPITokens(ctx context.Context, userID string) error {
	if err := a.s.db.WithContext(ctx).Where("user_id = ?", userID).Delete(&apiTokenRow{}).Error; err != nil {
		return fmt.Errorf("store: delete user api tokens: %w", err)
	}
	return nil
}

func (a accounts) TouchAPIToken(ctx context.Context, id string, at time.Time) error {
	if err := a.s.db.WithContext(ctx).Model(&apiTokenRow{}).Where("id = ?", id).Update("last_used_at", at).Error; err != nil {
		return fmt.Errorf("store: touch api token: %w", err)
	}
	return nil
}

type loginLogRow struct {
	ID        int64 `gorm:"primaryKey;autoIncrement"`
	UserID    *string
	Username  string
	IP        string
	UserAgent string
	Result    string
	CreatedAt time.Time
}

func (loginLogRow) TableName() string { return "login_logs" }

func (a accounts) AddLoginAttempt(ctx context.Context, l account.LoginAttempt) error {
	row := loginLogRow{Username: l.Username, IP: l.IP, UserAgent: l.UserAgent, Result: string(l.Result), CreatedAt: l.CreatedTime}
	if l.UserID != "" {
		row.UserID = &l.UserID
	}
	if err := a.s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: add login attempt: %w", err)
	}
	return nil
}

func (a accounts) ListLoginAttempts(ctx context.Context, userID string, pg page.Request) ([]account.LoginAttempt, int64, error) {
	q := a.s.rdb.WithContext(ctx).Model(&loginLogRow{})
	if userID != "" {
		q = q.Where("user_id = ?", userID)
	}
	rows, total, err := listPage[loginLogRow](q, pg, listing{what: "login log", sort: map[string]string{"createdTime": "created_at"}})
	return mapRows(rows, func(r loginLogRow) account.LoginAttempt {
		a := account.LoginAttempt{ID: r.ID, Username: r.Username, IP: r.IP, UserAgent: r.UserAgent,
			Result: account.LoginResult(r.Result), CreatedTime: r.CreatedAt.UTC()}
		if r.UserID != nil {
			a.UserID = *r.UserID
		}
		return a
	}), total, err
}
