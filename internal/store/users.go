package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/page"
)

type userRow struct {
	ID           string `gorm:"primaryKey"`
	Username     string
	UsernameKey  string
	Email        string
	Nickname     string
	Role         string
	Disabled     bool
	PasswordHash string
	TokenVersion int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (userRow) TableName() string { return "users" }

func fromUser(u account.User) userRow {
	return userRow{ID: u.ID, Username: u.Username, UsernameKey: account.UsernameKey(u.Username), Email: u.Email,
		Nickname: u.Nickname, Role: string(u.Role), Disabled: u.Disabled, PasswordHash: u.PasswordHash,
		TokenVersion: u.TokenVersion, CreatedAt: u.CreatedTime, UpdatedAt: u.UpdatedTime}
}

func (r userRow) toUser() account.User {
	return account.User{ID: r.ID, Username: r.Username, Email: r.Email, Nickname: r.Nickname, Role: account.Role(r.Role),
		Disabled: r.Disabled, PasswordHash: r.PasswordHash, TokenVersion: r.TokenVersion,
		CreatedTime: r.CreatedAt.UTC(), UpdatedTime: r.UpdatedAt.UTC()}
}

// Accounts returns the account.Store view of s.
func (s *Store) Accounts() account.Store { return accounts{s} }

type accounts struct{ s *Store }

func (a accounts) CreateUser(ctx context.Context, u *account.User, decide func(int64) error) error {
	return a.s.InTx(ctx, func(tx *Store) error {
		var n int64
		// FOR UPDATE takes next-key locks on InnoDB so a concurrent first
		// registration waits; SQLite's writer already holds the only lock.
		if err := tx.db.WithContext(ctx).Model(&userRow{}).Clauses(clause.Locking{Strength: "UPDATE"}).Count(&n).Error; err != nil {
			return fmt.Errorf("store: count users: %w", err)
		}
		if err := decide(n); err != nil {
			return err
		}
		row := fromUser(*u)
		if err := tx.db.WithContext(ctx).Create(&row).Error; err != nil {
			return fmt.Errorf("store: create user: %w", translate(err, "user"))
		}
		return nil
	})
}

func (a accounts) UserByID(ctx context.Context, id string) (account.User, error) {
	var r userRow
	if err := a.s.rdb.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return account.User{}, fmt.Errorf("store: user %s: %w", id, translate(err, "user"))
	}
	return r.toUser(), nil
}

func (a accounts) UserByUsernameKey(ctx context.Context, key string) (account.User, error) {
	var r userRow
	if err := a.s.rdb.WithContext(ctx).Take(&r, "username_key = ?", key).Error; err != nil {
		return account.User{}, fmt.Errorf("store: user by name: %w", translate(err, "user"))
	}
	return r.toUser(), nil
}

func (a accounts) UpdateUser(ctx context.Context, id string, fn func(*account.User, int64) error) (account.User, error) {
	var out account.User
	err := a.s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		var r userRow
		if err := db.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&r, "id = ?", id).Error; err != nil {
			return fmt.Errorf("store: user %s: %w", id, translate(err, "user"))
		}
		var admins int64
		if err := db.Model(&userRow{}).Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("role = ? AND disabled = ?", string(account.RoleAdmin), false).Count(&admins).Error; err != nil {
			return fmt.Errorf("store: count admins: %w", err)
		}
		u := r.toUser()
		if err := fn(&u, admins); err != nil {
			return err
		}
		row := fromUser(u)
		row.ID = id
		if err := db.Save(&row).Error; err != nil {
			return fmt.Errorf("store: save user %s: %w", id, translate(err, "user"))
		}
		out = row.toUser()
		return nil
	})
	return out, err
}

var userSort = map[string]string{"createdTime": "created_at", "username": "username_key"} // whitelisted: raw in ORDER BY

func (a accounts) ListUsers(ctx context.Context, search string, pg page.Request) ([]account.User, int64, error) {
	q := a.s.rdb.WithContext(ctx).Model(&userRow{})
	if search = strings.TrimSpace(search); search != "" {
		like := "%" + escapeLike(strings.ToLower(search)) + "%"
		q = q.Where("username_key LIKE ? ESCAPE '!' OR LOWER(nickname) LIKE ? ESCAPE '!' OR LOWER(email) LIKE ? ESCAPE '!'", like, like, like)
	}
	rows, total, err := listPage[userRow](q, pg, listing{what: "users", sort: userSort, tie: "id", late: true})
	return mapRows(rows, userRow.toUser), total, err
}

// escapeLike escapes LIKE wildcards with '!'.
func escapeLike(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}
