package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/hoist-ota/hoist/internal/release"
)

type channelRow struct {
	ProjectID string `gorm:"primaryKey"`
	Name      string `gorm:"primaryKey"`
	CreatedBy string
	CreatedAt time.Time
}

func (channelRow) TableName() string { return "channels" }

type pinRow struct {
	ProjectID string `gorm:"primaryKey"`
	DeviceKey string `gorm:"primaryKey"`
	Channel   string
	Note      string
	CreatedBy string
	CreatedAt time.Time
}

func (pinRow) TableName() string { return "channel_pins" }

func (rs releases) Channels(ctx context.Context, projectID string) ([]release.Channel, error) {
	db := rs.s.rdb.WithContext(ctx)
	var rows []channelRow
	if err := db.Where("project_id = ?", projectID).Order("name").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: channels: %w", err)
	}
	type count struct {
		Channel string
		N       int64
	}
	var res, pins []count
	if err := db.Model(&resourceRow{}).Select("channel, COUNT(*) AS n").Where("project_id = ?", projectID).
		Group("channel").Scan(&res).Error; err != nil {
		return nil, fmt.Errorf("store: channel resources: %w", err)
	}
	if err := db.Model(&pinRow{}).Select("channel, COUNT(*) AS n").Where("project_id = ?", projectID).
		Group("channel").Scan(&pins).Error; err != nil {
		return nil, fmt.Errorf("store: channel pins: %w", err)
	}
	out := []release.Channel{{Name: release.DefaultChannel}}
	for _, r := range rows {
		out = append(out, release.Channel{Name: r.Name, CreatedTime: r.CreatedAt.UTC()})
	}
	for i := range out {
		for _, c := range res {
			if c.Channel == out[i].Name {
				out[i].Resources = c.N
			}
		}
		for _, c := range pins {
			if c.Channel == out[i].Name {
				out[i].Pins = c.N
			}
		}
	}
	return out, nil
}

func (rs releases) CreateChannel(ctx context.Context, projectID string, c release.Channel, createdBy string) error {
	row := channelRow{ProjectID: projectID, Name: c.Name, CreatedBy: createdBy, CreatedAt: c.CreatedTime}
	if err := rs.s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: create channel: %w", translate(err, "channel"))
	}
	return nil
}

func (rs releases) DeleteChannel(ctx context.Context, projectID, name string, check func(int64) error) error {
	return rs.s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		// Locking the channel row makes a concurrent create in it (which
		// checks the channel first) wait or fail.
		var row channelRow
		if err := db.Clauses(clause.Locking{Strength: "UPDATE"}).
			Take(&row, "project_id = ? AND name = ?", projectID, name).Error; err != nil {
			return fmt.Errorf("store: channel %s: %w", name, translate(err, "channel"))
		}
		var n int64
		if err := db.Model(&resourceRow{}).Where("project_id = ? AND channel = ?", projectID, name).Count(&n).Error; err != nil {
			return fmt.Errorf("store: channel resources: %w", err)
		}
		if err := check(n); err != nil {
			return err
		}
		if err := db.Where("project_id = ? AND channel = ?", projectID, name).Delete(&pinRow{}).Error; err != nil {
			return fmt.Errorf("store: channel pins: %w", err)
		}
		if err := db.Where("project_id = ? AND channel = ?", projectID, name).Delete(&deploymentKeyRow{}).Error; err != nil {
			return fmt.Errorf("store: channel deployment keys: %w", err)
		}
		if err := db.Where("project_id = ? AND name = ?", projectID, name).Delete(&channelRow{}).Error; err != nil {
			return fmt.Errorf("store: delete channel: %w", err)
		}
		return nil
	})
}

func (rs releases) Pins(ctx context.Context, projectID, channel string) ([]release.Pin, error) {
	q := rs.s.rdb.WithContext(ctx).Where("project_id = ?", projectID)
	if channel != "" {
		q = q.Where("channel = ?", channel)
	}
	var rows []pinRow
	if err := q.Order("channel, device_key").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: pins: %w", err)
	}
	out := make([]release.Pin, len(rows))
	for i, r := range rows {
		out[i] = release.Pin{DeviceKey: r.DeviceKey, Channel: r.Channel, Note: r.Note, CreatedBy: r.CreatedBy, CreatedTime: r.CreatedAt.UTC()}
	}
	return out, nil
}

func (rs releases) PutPin(ctx context.Context, projectID string, p release.Pin) error {
	row := pinRow{ProjectID: projectID, DeviceKey: p.DeviceKey, Channel: p.Channel, Note: p.Note, CreatedBy: p.CreatedBy, CreatedAt: p.CreatedTime}
	err := rs.s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "project_id"}, {Name: "device_key"}},
		DoUpdates: clause.AssignmentColumns([]string{"channel", "note", "created_by", "created_at"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("store: pin: %w", translate(err, "pin"))
	}
	return nil
}

func (rs releases) DeletePin(ctx context.Context, projectID, deviceKey string) error {
	res := rs.s.db.WithContext(ctx).Where("project_id = ? AND device_key = ?", projectID, deviceKey).Delete(&pinRow{})
	if res.Error != nil {
		return fmt.Errorf("store: unpin: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return notFound("pin")
	}
	return nil
}
