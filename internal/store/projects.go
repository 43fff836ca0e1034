package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/page"
	"github.com/hoist-ota/hoist/internal/project"
)

type projectRow struct {
	ID          string `gorm:"primaryKey"`
	Name        string
	Description string
	OwnerID     string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (projectRow) TableName() string { return "projects" }

func (r projectRow) toProject() project.Project {
	return project.Project{ID: r.ID, Name: r.Name, Description: r.Description, OwnerID: r.OwnerID,
		CreatedTime: r.CreatedAt.UTC(), UpdatedTime: r.UpdatedAt.UTC()}
}

func fromProject(p project.Project) projectRow {
	return projectRow{ID: p.ID, Name: p.Name, Description: p.Description, OwnerID: p.OwnerID,
		CreatedAt: p.CreatedTime, UpdatedAt: p.UpdatedTime}
}

type memberRow struct {
	ProjectID string `gorm:"primaryKey"`
	UserID    string `gorm:"primaryKey"`
	Role      string
	CreatedAt time.Time
}

func (memberRow) TableName() string { return "project_members" }

// Projects returns the project.Store view of s.
func (s *Store) Projects() project.Store { return projects{s} }

type projects struct{ s *Store }

func (ps projects) CreateProject(ctx context.Context, p project.Project, owner project.Member) error {
	return ps.s.InTx(ctx, func(tx *Store) error {
		row := fromProject(p)
		if err := tx.db.WithContext(ctx).Create(&row).Error; err != nil {
			return fmt.Errorf("store: create project: %w", translate(err, "project"))
		}
		m := memberRow{ProjectID: owner.ProjectID, UserID: owner.UserID, Role: string(owner.Role), CreatedAt: owner.CreatedTime}
		if err := tx.db.WithContext(ctx).Create(&m).Error; err != nil {
			return fmt.Errorf("store: add owner: %w", translate(err, "member"))
		}
		return nil
	})
}

func (ps projects) Project(ctx context.Context, id string) (project.Project, error) {
	var r projectRow
	if err := ps.s.rdb.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return project.Project{}, fmt.Errorf("store: project %s: %w", id, translate(err, "project"))
	}
	return r.toProject(), nil
}

func (ps projects) ListProjects(ctx context.Context, userID string, all bool, pg page.Request) ([]project.Listed, int64, error) {
	q := ps.s.rdb.WithContext(ctx).Table("projects AS p").
		Joins("LEFT JOIN project_members m ON m.project_id = p.id AND m.user_id = ?", userID)
	if !all {
		q = q.Where("m.user_id IS NOT NULL")
	}
	type listed struct {
		ID, Name, Description, OwnerID string
		CreatedAt, UpdatedAt           time.Time
		Role                           *string
	}
	rows, total, err := listPage[listed](q, pg, listing{what: "projects",
		sort: map[string]string{"createdTime": "p.created_at", "name": "p.name"}, tie: "p.id",
		sel: "p.id, p.name, p.description, p.owner_id, p.created_at, p.updated_at, m.role"})
	return mapRows(rows, func(r listed) project.Listed {
		pr := projectRow{ID: r.ID, Name: r.Name, Description: r.Description, OwnerID: r.OwnerID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
		l := project.Listed{Project: pr.toProject()}
		if r.Role != nil {
			l.Role = project.Role(*r.Role)
		}
		return l
	}), total, err
}

func (ps projects) UpdateProject(ctx context.Context, id string, fn func(*project.Project) error) (project.Project, error) {
	var out project.Project
	err := ps.s.InTx(ctx, func(tx *Store) error {
		var r projectRow
		if err := tx.db.WithContext(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Take(&r, "id = ?", id).Error; err != nil {
			return fmt.Errorf("store: project %s: %w", id, translate(err, "project"))
		}
		p := r.toProject()
		if err := fn(&p); err != nil {
			return err
		}
		row := fromProject(p)
		row.ID = id
		if err := tx.db.WithContext(ctx).Save(&row).Error; err != nil {
			return fmt.Errorf("store: save project %s: %w", id, translate(err, "project"))
		}
		out = row.toProject()
		return nil
	})
	return out, err
}

func (ps projects) MemberRole(ctx context.Context, projectID, userID string) (project.Role, error) {
	var r memberRow
	err := ps.s.rdb.WithContext(ctx).Take(&r, "project_id = ? AND user_id = ?", projectID, userID).Error
	if apperr.Is(translate(err, "member"), apperr.NotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: member role: %w", err)
	}
	return project.Role(r.Role), nil
}

func (ps projects) Members(ctx context.Context, projectID string) ([]project.Member, error) {
	var rows []struct {
		ProjectID, UserID, Role, Username, Nickname string
		CreatedAt                                   time.Time
	}
	err := ps.s.rdb.WithContext(ctx).Table("project_members AS m").
		Select("m.project_id, m.user_id, m.role, m.created_at, u.username, u.nickname").
		Joins("JOIN users u ON u.id = m.user_id").
		Where("m.project_id = ?", projectID).Order("m.created_at, m.user_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: members of %s: %w", projectID, err)
	}
	out := make([]project.Member, len(rows))
	for i, r := range rows {
		out[i] = project.Member{ProjectID: r.ProjectID, UserID: r.UserID, Username: r.Username, Nickname: r.Nickname,
			Role: project.Role(r.Role), CreatedTime: r.CreatedAt.UTC()}
	}
	return out, nil
}

func (ps projects) UserIDByUsername(ctx context.Context, username string) (string, error) {
	var r userRow
	if err := ps.s.rdb.WithContext(ctx).Select("id").Take(&r, "username_key = ?", account.UsernameKey(username)).Error; err != nil {
		return "", fmt.Errorf("store: user by name: %w", translate(err, "user"))
	}
	return r.ID, nil
}

func (ps projects) AddMember(ctx context.Context, m project.Member) error {
	return ps.s.InTx(ctx, func(tx *Store) error {
		var n int64
		if err := tx.db.WithContext(ctx).Model(&userRow{}).Where("id = ?", m.UserID).Count(&n).Error; err != nil {
			return fmt.Errorf("store: add member: %w", err)
		}
		if n == 0 {
			return notFound("user")
		}
		row := memberRow{ProjectID: m.ProjectID, UserID: m.UserID, Role: string(m.Role), CreatedAt: m.CreatedTime}
		if err := tx.db.WithContext(ctx).Create(&row).Error; err != nil {
			return fmt.Errorf("store: add member: %w", translate(err, "member"))
		}
		return nil
	})
}

// lockMember loads a member and counts the project's owners, locking both.
func (tx *Store) lockMember(ctx context.Context, projectID, userID string) (memberRow, int, error) {
	var rows []memberRow
	if err := tx.db.WithContext(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("project_id = ?", projectID).Find(&rows).Error; err != nil {
		return memberRow{}, 0, fmt.Errorf("store: members of %s: %w", projectID, err)
	}
	owners, found := 0, -1
	for i, r := range rows {
		if r.Role == string(project.RoleOwner) {
			owners++
		}
		if r.UserID == userID {
			found = i
		}
	}
	if found < 0 {
		return memberRow{}, 0, notFound("member")
	}
	return rows[found], owners, nil
}

func (ps projects) UpdateMember(ctx context.Context, projectID, userID string, fn func(*project.Member, int) error) (project.Member, error) {
	var out project.Member
	err := ps.s.InTx(ctx, func(tx *Store) error {
		r, owners, err := tx.lockMember(ctx, projectID, userID)
		if err != nil {
			return err
		}
		m := project.Member{ProjectID: r.ProjectID, UserID: r.UserID, Role: project.Role(r.Role), CreatedTime: r.CreatedAt.UTC()}
		if err := fn(&m, owners); err != nil {
			return err
		}
		if err := tx.db.WithContext(ctx).Model(&memberRow{}).Where("project_id = ? AND user_id = ?", projectID, userID).
			Update("role", string(m.Role)).Error; err != nil {
			return fmt.Errorf("store: update member: %w", err)
		}
		out = m
		return nil
	})
	return out, err
}

func (ps projects) RemoveMember(ctx context.Context, projectID, userID string, fn func(project.Member, int) error) error {
	return ps.s.InTx(ctx, func(tx *Store) error {
		r, owners, err := tx.lockMember(ctx, projectID, userID)
		if err != nil {
			return err
		}
		if err := fn(project.Member{ProjectID: r.ProjectID, UserID: r.UserID, Role: project.Role(r.Role)}, owners); err != nil {
			return err
		}
		if err := tx.db.WithContext(ctx).Where("project_id = ? AND user_id = ?", projectID, userID).Delete(&memberRow{}).Error; err != nil {
			return fmt.Errorf("store: remove member: %w", err)
		}
		return nil
	})
}
