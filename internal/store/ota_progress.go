package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hoist-ota/hoist/internal/ota"
	"github.com/hoist-ota/hoist/internal/page"
)

type historyRow struct {
	ID         int64 `gorm:"primaryKey"`
	CampaignID *string
	Product    string
	Device     string
	MessageID  string
	State      string
	Raw        string
	ReceivedAt time.Time
}

func (historyRow) TableName() string { return "ota_history" }

func (o otaStore) addHistory(ctx context.Context, hs []ota.HistoryEntry) error {
	if len(hs) == 0 {
		return nil
	}
	rows := make([]historyRow, len(hs))
	for i, h := range hs {
		rows[i] = historyRow{Product: h.Product, Device: h.Device, MessageID: h.MessageID, State: string(h.State), Raw: string(h.Raw), ReceivedAt: h.ReceivedAt}
		if h.CampaignID != "" {
			id := h.CampaignID
			rows[i].CampaignID = &id
		}
	}
	if err := o.s.db.WithContext(ctx).CreateInBatches(&rows, o.s.insertChunk()).Error; err != nil {
		return fmt.Errorf("store: add ota history: %w", err)
	}
	return nil
}

var historySort = map[string]string{"receivedAt": "received_at"} // whitelisted: raw in ORDER BY

func (o otaStore) History(ctx context.Context, campaignID, device string, pg page.Request) ([]ota.HistoryEntry, int64, error) {
	q := o.s.rdb.WithContext(ctx).Model(&historyRow{}).Where("campaign_id = ?", campaignID)
	if device != "" {
		q = q.Where("device = ?", device)
	}
	if _, ok := historySort[pg.Sort]; !ok {
		pg.Sort = "receivedAt"
	}
	rows, total, err := listPage[historyRow](q, pg, listing{what: "ota history", sort: historySort})
	return mapRows(rows, func(r historyRow) ota.HistoryEntry {
		h := ota.HistoryEntry{ID: r.ID, Product: r.Product, Device: r.Device, MessageID: r.MessageID, State: ota.State(r.State),
			Raw: json.RawMessage(r.Raw), ReceivedAt: r.ReceivedAt.UTC()}
		if r.CampaignID != nil {
			h.CampaignID = *r.CampaignID
		}
		return h
	}), total, err
}

type progressRow struct {
	Product   string `gorm:"primaryKey"`
	Device    string `gorm:"primaryKey"`
	Payload   string
	State     string
	UpdatedAt time.Time
}

func (progressRow) TableName() string { return "ota_progress" }

func (o otaStore) setLatestBatch(ctx context.Context, ls []ota.Latest) error {
	rows := make([]progressRow, len(ls))
	for i, l := range ls {
		b, err := json.Marshal(l)
		if err != nil {
			return fmt.Errorf("store: encode latest progress: %w", err)
		}
		rows[i] = progressRow{Product: l.Product, Device: l.Device, Payload: string(b), State: string(l.State), UpdatedAt: l.ReceivedAt}
	}
	err := o.s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "product"}, {Name: "device"}},
		DoUpdates: clause.AssignmentColumns([]string{"payload", "state", "updated_at"}),
	}).CreateInBatches(&rows, o.s.insertChunk()).Error
	if err != nil {
		return fmt.Errorf("store: set latest progress of %d devices: %w", len(rows), err)
	}
	return nil
}

func (o otaStore) Latest(ctx context.Context, product, device string) (ota.Latest, bool, error) {
	var r progressRow
	err := o.s.rdb.WithContext(ctx).Take(&r, "product = ? AND device = ?", product, device).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ota.Latest{}, false, nil
	}
	if err != nil {
		return ota.Latest{}, false, fmt.Errorf("store: latest progress of %s/%s: %w", product, device, err)
	}
	var l ota.Latest
	if err := json.Unmarshal([]byte(r.Payload), &l); err != nil {
		return ota.Latest{}, false, fmt.Errorf("store: decode latest progress of %s/%s: %w", product, device, err)
	}
	return l, true, nil
}
