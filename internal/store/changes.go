package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hoist-ota/hoist/internal/bus"
)

type changeRow struct {
	ID        int64 `gorm:"primaryKey"`
	ProjectID string
	ChangedAt time.Time
}

func (changeRow) TableName() string { return "release_changes" }

// Changes returns the bus.ChangeLog on the database.
func (s *Store) Changes() bus.ChangeLog { return changes{s} }

type changes struct{ s *Store }

func (c changes) RecordChange(ctx context.Context, projectID string, at time.Time) error {
	if err := c.s.db.WithContext(ctx).Create(&changeRow{ProjectID: projectID, ChangedAt: at}).Error; err != nil {
		return fmt.Errorf("store: record release change: %w", err)
	}
	return nil
}

func (c changes) ChangesSince(ctx context.Context, afterID int64, limit int) ([]bus.Change, error) {
	var rows []changeRow
	if err := c.s.rdb.WithContext(ctx).Where("id > ?", afterID).Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: release changes: %w", err)
	}
	out := make([]bus.Change, len(rows))
	for i, r := range rows {
		out[i] = bus.Change{ID: r.ID, ProjectID: r.ProjectID}
	}
	return out, nil
}

func (c changes) LastChangeID(ctx context.Context) (int64, error) {
	var id *int64
	if err := c.s.rdb.WithContext(ctx).Model(&changeRow{}).Select("MAX(id)").Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("store: last release change: %w", err)
	}
	if id == nil {
		return 0, nil
	}
	return *id, nil
}

func (c changes) SweepChanges(ctx context.Context, before time.Time) error {
	if err := c.s.db.WithContext(ctx).Where("changed_at < ?", before).Delete(&changeRow{}).Error; err != nil {
		return fmt.Errorf("store: sweep release changes: %w", err)
	}
	return nil
}
