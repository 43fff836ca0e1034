package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/hoist-ota/hoist/internal/ota"
)

type commandRow struct {
	RequestID string `gorm:"primaryKey"`
	Product   string
	Device    string
	Tag       string
	Name      string
	Encoding  string
	Data      string
	ExpiresAt time.Time
	CreatedBy string
	CreatedAt time.Time
}

func (commandRow) TableName() string { return "commands" }

func fromCommand(c ota.Command) commandRow {
	return commandRow{RequestID: c.RequestID, Product: c.Product, Device: c.Device, Tag: c.Tag, Name: c.Name,
		Encoding: c.Encoding, Data: c.Data, ExpiresAt: c.ExpiresAt, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedTime}
}

func (r commandRow) toCommand() ota.Command {
	return ota.Command{RequestID: r.RequestID, Product: r.Product, Device: r.Device, Tag: r.Tag, Name: r.Name,
		Encoding: r.Encoding, Data: r.Data, ExpiresAt: r.ExpiresAt.UTC(), CreatedBy: r.CreatedBy, CreatedTime: r.CreatedAt.UTC()}
}

type commandReplyRow struct {
	RequestID  string `gorm:"primaryKey"`
	Device     string `gorm:"primaryKey"`
	Payload    []byte
	ReceivedAt time.Time
}

func (commandReplyRow) TableName() string { return "command_replies" }

// OTA returns the ota.Store view of s.
func (s *Store) OTA() ota.Store { return otaStore{s} }

type otaStore struct{ s *Store }

func (o otaStore) CreateCommand(ctx context.Context, c ota.Command) error {
	row := fromCommand(c)
	if err := o.s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: create command: %w", translate(err, "command"))
	}
	return nil
}

func (o otaStore) Command(ctx context.Context, requestID string) (ota.Command, error) {
	var r commandRow
	if err := o.s.rdb.WithContext(ctx).Take(&r, "request_id = ?", requestID).Error; err != nil {
		return ota.Command{}, fmt.Errorf("store: command %s: %w", requestID, translate(err, "command"))
	}
	return r.toCommand(), nil
}

func (o otaStore) DeleteCommand(ctx context.Context, requestID string) error {
	return o.s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		if err := db.Where("request_id = ?", requestID).Delete(&commandReplyRow{}).Error; err != nil {
			return fmt.Errorf("store: delete command replies: %w", err)
		}
		if err := db.Where("request_id = ?", requestID).Delete(&commandRow{}).Error; err != nil {
			return fmt.Errorf("store: delete command %s: %w", requestID, err)
		}
		return nil
	})
}

func (o otaStore) PutReply(ctx context.Context, r ota.Reply) error {
	row := commandReplyRow{RequestID: r.RequestID, Device: r.Device, Payload: r.Payload, ReceivedAt: r.ReceivedAt}
	if row.Payload == nil {
		row.Payload = []byte{}
	}
	err := o.s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "request_id"}, {Name: "device"}},
		DoUpdates: clause.AssignmentColumns([]string{"payload", "received_at"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("store: put command reply: %w", translate(err, "command reply"))
	}
	return nil
}

func (o otaStore) Replies(ctx context.Context, requestID string, limit int) ([]ota.Reply, int64, error) {
	q := o.s.rdb.WithContext(ctx).Model(&commandReplyRow{}).Where("request_id = ?", requestID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count command replies: %w", err)
	}
	var rows []commandReplyRow
	if err := q.Order("device").Limit(limit).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("store: command replies: %w", err)
	}
	out := make([]ota.Reply, len(rows))
	for i, r := range rows {
		out[i] = ota.Reply{RequestID: r.RequestID, Device: r.Device, Payload: r.Payload, ReceivedAt: r.ReceivedAt.UTC()}
	}
	return out, total, nil
}
