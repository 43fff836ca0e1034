package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/ids"
	"github.com/hoist-ota/hoist/internal/ota"
)

// messageRow is a device message's dedupe mark.
type messageRow struct {
	Product    string `gorm:"primaryKey"`
	Device     string `gorm:"primaryKey"`
	MessageID  string `gorm:"primaryKey"`
	Kind       string
	BatchID    string
	ReceivedAt time.Time
}

func (messageRow) TableName() string { return "device_messages" }

// Ingest implements ota.IngestStore: fn runs in one transaction (rerun on
// a deadlock).
func (o otaStore) Ingest(ctx context.Context, fn func(ota.IngestTx) error) error {
	return o.s.InTx(ctx, func(tx *Store) error { return fn(ingestTx{otaStore{tx}, map[ota.EntryKey]entryRow{}}) })
}

// sweepChunk bounds the rows one DELETE of old dedupe marks removes on
// MySQL, so that a sweep after a busy hour holds no long transaction.
const sweepChunk = 10_000

// SweepMessages implements ota.IngestStore.
func (o otaStore) SweepMessages(ctx context.Context, before time.Time) (int64, error) {
	if o.s.dialect != config.DriverMySQL {
		res := o.s.db.WithContext(ctx).Where("received_at < ?", before).Delete(&messageRow{})
		if res.Error != nil {
			return 0, fmt.Errorf("store: sweep device messages: %w", res.Error)
		}
		return res.RowsAffected, nil
	}
	var total int64
	for {
		res := o.s.db.WithContext(ctx).Exec("DELETE FROM device_messages WHERE received_at < ? LIMIT ?", before, sweepChunk)
		if res.Error != nil {
			return total, fmt.Errorf("store: sweep device messages: %w", res.Error)
		}
		total += res.RowsAffected
		if res.RowsAffected < sweepChunk {
			return total, nil
		}
	}
}

// ingestTx is ota.IngestTx on a transaction. locked holds the entries as
// LockEntries read them, so that SaveEntries moves the counts from the
// states they had.
type ingestTx struct {
	o      otaStore
	locked map[ota.EntryKey]entryRow
}

// tupleChunk bounds the tuples of one "(a, b) IN (...)" query.
const tupleChunk = 300

func (t ingestTx) MarkNew(ctx context.Context, keys []ota.MessageKey, kinds []ota.MessageKind, at time.Time) (map[ota.MessageKey]bool, error) {
	batch := ids.New()[:16]
	rows := make([]messageRow, len(keys))
	for i, k := range keys {
		rows[i] = messageRow{Product: k.Product, Device: k.Device, MessageID: k.MessageID, Kind: string(kinds[i]), BatchID: batch, ReceivedAt: at}
	}
	// Existing marks are left alone (INSERT IGNORE / ON CONFLICT DO
	// NOTHING); one being inserted by a concurrent transaction blocks this
	// insert until that one ends.
	err := t.o.s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&rows, t.o.s.insertChunk()).Error
	if err != nil {
		return nil, fmt.Errorf("store: mark device messages: %w", err)
	}
	out := make(map[ota.MessageKey]bool, len(keys))
	for part := range slices.Chunk(keys, tupleChunk) {
		tuples := make([][]any, len(part))
		for i, k := range part {
			tuples[i] = []any{k.Product, k.Device, k.MessageID}
		}
		var mine []messageRow
		err := t.o.s.db.WithContext(ctx).Select("product, device, message_id").
			Where("(product, device, message_id) IN ? AND batch_id = ?", tuples, batch).Find(&mine).Error
		if err != nil {
			return nil, fmt.Errorf("store: new device messages: %w", err)
		}
		for _, r := range mine {
			out[ota.MessageKey{Product: r.Product, Device: r.Device, MessageID: r.MessageID}] = true
		}
	}
	return out, nil
}

func (t ingestTx) CampaignsByRequest(ctx context.Context, requestIDs []string) (map[string]ota.Campaign, error) {
	out := make(map[string]ota.Campaign, len(requestIDs))
	for part := range slices.Chunk(requestIDs, chunk) {
		var rows []campaignRow
		if err := t.o.s.db.WithContext(ctx).Where("request_id IN ?", part).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("store: campaigns by request: %w", err)
		}
		for _, r := range rows {
			out[r.RequestID] = r.toCampaign()
		}
	}
	return out, nil
}

func (t ingestTx) OpenCampaigns(ctx context.Context, devices []ota.DeviceKey, now time.Time) (map[ota.DeviceKey]ota.Campaign, error) {
	type hit struct {
		Product, Device, CampaignID string
		UpdatedAt                   time.Time
	}
	best := map[ota.DeviceKey]hit{}
	for part := range slices.Chunk(devices, tupleChunk) {
		tuples := make([][]any, len(part))
		for i, d := range part {
			tuples[i] = []any{d.Product, d.Device}
		}
		var hits []hit
		err := t.o.s.db.WithContext(ctx).Table("ota_campaign_devices AS d").
			Select("d.product, d.device, d.campaign_id, d.updated_at").
			Joins("JOIN ota_campaigns c ON c.id = d.campaign_id").
			Where("(d.product, d.device) IN ? AND d.state IN ? AND c.expires_at > ?", tuples, sentStates(), now).
			Scan(&hits).Error
		if err != nil {
			return nil, fmt.Errorf("store: open campaigns of devices: %w", err)
		}
		for _, h := range hits {
			k := ota.DeviceKey{Product: h.Product, Device: h.Device}
			if cur, ok := best[k]; !ok || h.UpdatedAt.After(cur.UpdatedAt) ||
				(h.UpdatedAt.Equal(cur.UpdatedAt) && h.CampaignID > cur.CampaignID) {
				best[k] = h
			}
		}
	}
	ids := map[string]bool{}
	for _, h := range best {
		ids[h.CampaignID] = true
	}
	camps := map[string]ota.Campaign{}
	for part := range slices.Chunk(keys(ids), chunk) {
		var rows []campaignRow
		if err := t.o.s.db.WithContext(ctx).Where("id IN ?", part).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("store: campaigns: %w", err)
		}
		for _, r := range rows {
			camps[r.ID] = r.toCampaign()
		}
	}
	out := make(map[ota.DeviceKey]ota.Campaign, len(best))
	for k, h := range best {
		if c, ok := camps[h.CampaignID]; ok {
			out[k] = c
		}
	}
	return out, nil
}

func (t ingestTx) LockEntries(ctx context.Context, keys []ota.EntryKey) (map[ota.EntryKey]ota.Entry, error) {
	// One lock order for every node's batches: fewer deadlocks.
	slices.SortFunc(keys, func(a, b ota.EntryKey) int {
		if c := strings.Compare(a.CampaignID, b.CampaignID); c != 0 {
			return c
		}
		return strings.Compare(a.Device, b.Device)
	})
	out := make(map[ota.EntryKey]ota.Entry, len(keys))
	// Per campaign, "campaign_id = ? AND device IN (...)": a range of the
	// primary key on every database (row constructors are slower to plan).
	byCampaign := map[string][]string{}
	var order []string
	for _, k := range keys {
		if _, ok := byCampaign[k.CampaignID]; !ok {
			order = append(order, k.CampaignID)
		}
		byCampaign[k.CampaignID] = append(byCampaign[k.CampaignID], k.Device)
	}
	for _, id := range order {
		for part := range slices.Chunk(byCampaign[id], chunk) {
			var rows []entryRow
			err := t.o.s.db.WithContext(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).
				Where("campaign_id = ? AND device IN ?", id, part).Order("device").Find(&rows).Error
			if err != nil {
				return nil, fmt.Errorf("store: lock campaign devices: %w", err)
			}
			for _, r := range rows {
				k := ota.EntryKey{CampaignID: r.CampaignID, Device: r.Device}
				out[k], t.locked[k] = r.toEntry(), r
			}
		}
	}
	return out, nil
}

func (t ingestTx) SaveEntries(ctx context.Context, es []ota.Entry) error {
	rows := make([]entryRow, len(es))
	d := countDelta{}
	for i, e := range es {
		rows[i] = fromEntry(e)
		was, ok := t.locked[ota.EntryKey{CampaignID: e.CampaignID, Device: e.Device}]
		if !ok {
			return fmt.Errorf("store: save campaign %s device %s: not locked in this transaction", e.CampaignID, e.Device)
		}
		if was.State != rows[i].State {
			d.add(e.CampaignID, was.Wave, was.State, -1)
			d.add(e.CampaignID, was.Wave, rows[i].State, 1)
		}
		rows[i].Wave = was.Wave
	}
	err := t.o.s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "campaign_id"}, {Name: "device"}},
		DoUpdates: clause.AssignmentColumns([]string{"state", "progress", "last_report", "error", "updated_at"}),
	}).CreateInBatches(&rows, t.o.s.insertChunk()).Error
	if err != nil {
		return fmt.Errorf("store: save campaign devices: %w", err)
	}
	return t.o.s.applyCounts(ctx, t.o.s.db, d)
}

func (t ingestTx) AddHistory(ctx context.Context, hs []ota.HistoryEntry) error {
	return t.o.addHistory(ctx, hs)
}

func (t ingestTx) SetLatestBatch(ctx context.Context, ls []ota.Latest) error {
	if len(ls) == 0 {
		return nil
	}
	return t.o.setLatestBatch(ctx, ls)
}

func (t ingestTx) SetFirmwareVersion(ctx context.Context, product, device, version string) error {
	return devices{t.o.s}.SetFirmwareVersion(ctx, product, device, version)
}

func (t ingestTx) SetStatus(ctx context.Context, product, device string, status []byte, version *string, at time.Time) error {
	return devices{t.o.s}.SetStatus(ctx, product, device, status, version, at)
}

func (t ingestTx) Command(ctx context.Context, requestID string) (ota.Command, error) {
	return t.o.Command(ctx, requestID)
}

func (t ingestTx) PutReply(ctx context.Context, r ota.Reply) error { return t.o.PutReply(ctx, r) }

func keys[K comparable, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
