package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

type settingRow struct {
	Name      string `gorm:"primaryKey"`
	Value     string
	UpdatedAt time.Time
}

func (settingRow) TableName() string { return "settings" }

// Setting returns the named setting's value, or an apperr NotFound error.
func (s *Store) Setting(ctx context.Context, name string) (string, error) {
	var row settingRow
	if err := s.rdb.WithContext(ctx).Take(&row, "name = ?", name).Error; err != nil {
		return "", fmt.Errorf("store: setting %s: %w", name, translate(err, "setting"))
	}
	return row.Value, nil
}

// PutSetting creates or replaces the named setting.
func (s *Store) PutSetting(ctx context.Context, name, value string) error {
	row := settingRow{Name: name, Value: value, UpdatedAt: time.Now().UTC()}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "name"}},
		DoUpdates: clause.AssignmentColumns([]string{"value", "updated_at"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("store: put setting %s: %w", name, translate(err, "setting"))
	}
	return nil
}

// AddSetting creates the named setting; Conflict when it exists already.
func (s *Store) AddSetting(ctx context.Context, name, value string) error {
	row := settingRow{Name: name, Value: value, UpdatedAt: time.Now().UTC()}
	if err := s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: add setting %s: %w", name, translate(err, "setting"))
	}
	return nil
}
