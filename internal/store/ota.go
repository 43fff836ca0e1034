package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hoist-ota/hoist/internal/ota"
	"github.com/hoist-ota/hoist/internal/page"
)

type campaignRow struct {
	ID          string `gorm:"primaryKey"`
	ProjectID   string
	Product     string
	ResourceID  string
	Version     string
	TargetKind  string
	TargetValue string
	RequestID   string
	ExpiresAt   time.Time
	CancelledAt *time.Time
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Payload     *string

	Waves              *string // JSON of []waveJSON
	Wave               int
	SuccessThreshold   int
	ErrorThreshold     int
	WaveTimeoutSeconds int64
	WaveDeadline       *time.Time
	PausedAt           *time.Time
	PauseReason        string
	FailuresAcked      int64
	FinishedAt         *time.Time
	Outcome            string
}

func (campaignRow) TableName() string { return "ota_campaigns" }

// waveJSON is one wave of the waves column.
type waveJSON struct {
	Tag     string `json:"tag,omitempty"`
	Count   int    `json:"count,omitempty"`
	Percent int    `json:"percent,omitempty"`
	Size    int    `json:"size"`
}

func fromCampaign(c ota.Campaign) campaignRow {
	r := campaignRow{ID: c.ID, ProjectID: c.ProjectID, Product: c.Product, ResourceID: c.ResourceID, Version: c.Version,
		TargetKind: string(c.TargetKind), TargetValue: c.TargetValue, RequestID: c.RequestID, ExpiresAt: c.ExpiresAt,
		CancelledAt: c.CancelledAt, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedTime, UpdatedAt: c.UpdatedTime,
		Payload: payloadPtr(c.Payload), Wave: c.Wave, SuccessThreshold: c.SuccessThreshold, ErrorThreshold: c.ErrorThreshold,
		WaveTimeoutSeconds: int64(c.WaveTimeout / time.Second), WaveDeadline: c.WaveDeadline, PausedAt: c.PausedAt,
		PauseReason: c.PauseReason, FailuresAcked: c.FailuresAcked, FinishedAt: c.FinishedAt, Outcome: string(c.Outcome)}
	if len(c.Waves) > 0 {
		ws := make([]waveJSON, len(c.Waves))
		for i, w := range c.Waves {
			ws[i] = waveJSON{Tag: w.Tag, Count: w.Count, Percent: w.Percent, Size: w.Size}
		}
		b, _ := json.Marshal(ws) // plain values: cannot fail
		r.Waves = payloadPtr(b)
	}
	return r
}

func payloadPtr(b []byte) *string {
	if len(b) == 0 {
		return nil
	}
	s := string(b)
	return &s
}

func (r campaignRow) toCampaign() ota.Campaign {
	c := ota.Campaign{ID: r.ID, ProjectID: r.ProjectID, Product: r.Product, ResourceID: r.ResourceID, Version: r.Version,
		TargetKind: ota.TargetKind(r.TargetKind), TargetValue: r.TargetValue, RequestID: r.RequestID,
		ExpiresAt: r.ExpiresAt.UTC(), CreatedBy: r.CreatedBy, CreatedTime: r.CreatedAt.UTC(), UpdatedTime: r.UpdatedAt.UTC()}
	if r.CancelledAt != nil {
		t := r.CancelledAt.UTC()
		c.CancelledAt = &t
	}
	if r.Payload != nil {
		c.Payload = []byte(*r.Payload)
	}
	if r.Waves != nil {
		var ws []waveJSON
		_ = json.Unmarshal([]byte(*r.Waves), &ws) // written by fromCampaign
		c.Waves = make([]ota.Wave, len(ws))
		for i, w := range ws {
			c.Waves[i] = ota.Wave{WaveSpec: ota.WaveSpec{Tag: w.Tag, Count: w.Count, Percent: w.Percent}, Size: w.Size}
		}
	}
	c.Wave, c.SuccessThreshold, c.ErrorThreshold = r.Wave, r.SuccessThreshold, r.ErrorThreshold
	c.WaveTimeout, c.WaveDeadline = time.Duration(r.WaveTimeoutSeconds)*time.Second, utcPtr(r.WaveDeadline)
	c.PausedAt, c.PauseReason, c.FailuresAcked = utcPtr(r.PausedAt), r.PauseReason, r.FailuresAcked
	c.FinishedAt, c.Outcome = utcPtr(r.FinishedAt), ota.CampaignStatus(r.Outcome)
	return c
}

type entryRow struct {
	CampaignID string `gorm:"primaryKey"`
	Product    string
	Device     string `gorm:"primaryKey"`
	Wave       int
	State      string
	Progress   int
	LastReport *string
	Error      string
	UpdatedAt  time.Time
}

func (entryRow) TableName() string { return "ota_campaign_devices" }

func fromEntry(e ota.Entry) entryRow {
	r := entryRow{CampaignID: e.CampaignID, Product: e.Product, Device: e.Device, Wave: e.Wave, State: string(e.State),
		Progress: e.Progress, Error: e.Error, UpdatedAt: e.UpdatedTime}
	if e.LastReport != nil {
		s := string(e.LastReport)
		r.LastReport = &s
	}
	return r
}

func (r entryRow) toEntry() ota.Entry {
	e := ota.Entry{CampaignID: r.CampaignID, Product: r.Product, Device: r.Device, Wave: r.Wave, State: ota.State(r.State),
		Progress: r.Progress, Error: r.Error, UpdatedTime: r.UpdatedAt.UTC()}
	if r.LastReport != nil {
		e.LastReport = json.RawMessage(*r.LastReport)
	}
	return e
}

func (o otaStore) CreateCampaign(ctx context.Context, c ota.Campaign, entries []ota.Entry) error {
	row := fromCampaign(c)
	rows := make([]entryRow, len(entries))
	for i, e := range entries {
		rows[i] = fromEntry(e)
	}
	return o.s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		if err := db.Create(&row).Error; err != nil {
			return fmt.Errorf("store: create campaign: %w", translate(err, "campaign"))
		}
		if len(rows) > 0 {
			if err := db.CreateInBatches(&rows, tx.insertChunk()).Error; err != nil {
				return fmt.Errorf("store: create campaign devices: %w", translate(err, "campaign device"))
			}
		}
		d := countDelta{}
		for _, r := range rows {
			d.add(r.CampaignID, r.Wave, r.State, 1)
		}
		return tx.applyCounts(ctx, db, d)
	})
}

func (o otaStore) DeleteCampaign(ctx context.Context, id string) error {
	return o.s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		for _, table := range []string{"ota_history", "ota_campaign_devices", "ota_campaign_events", "ota_campaign_counts"} {
			if err := db.Exec("DELETE FROM "+table+" WHERE campaign_id = ?", id).Error; err != nil {
				return fmt.Errorf("store: delete campaign %s: %w", id, err)
			}
		}
		if err := db.Where("id = ?", id).Delete(&campaignRow{}).Error; err != nil {
			return fmt.Errorf("store: delete campaign %s: %w", id, err)
		}
		return nil
	})
}

func (o otaStore) Campaign(ctx context.Context, id string) (ota.Campaign, error) {
	var r campaignRow
	if err := o.s.rdb.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return ota.Campaign{}, fmt.Errorf("store: campaign %s: %w", id, translate(err, "campaign"))
	}
	return r.toCampaign(), nil
}

func (o otaStore) ListCampaigns(ctx context.Context, f ota.CampaignFilter, pg page.Request) ([]ota.Campaign, int64, error) {
	q := o.s.rdb.WithContext(ctx).Table("ota_campaigns AS c")
	if f.MemberID != "" {
		q = q.Joins("JOIN project_members m ON m.project_id = c.project_id AND m.user_id = ?", f.MemberID)
	}
	if f.ProjectID != "" {
		q = q.Where("c.project_id = ?", f.ProjectID)
	}
	if f.Product != "" {
		q = q.Where("c.product = ?", f.Product)
	}
	rows, total, err := listPage[campaignRow](q, pg, listing{what: "campaigns", sort: map[string]string{"createdTime": "c.created_at"},
		tie: "c.id", sel: "c.*"})
	return mapRows(rows, campaignRow.toCampaign), total, err
}

// openStates are the states expiry and cancellation end, as strings.
func openStates() []string { return stateStrings(ota.OpenStates()) }

// sentStates are the open states of a device that was sent the command,
// as strings.
func sentStates() []string { return stateStrings(ota.SentStates()) }

func stateStrings(ss []ota.State) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

var entrySort = map[string]string{"device": "device", "updatedTime": "updated_at"} // whitelisted: raw in ORDER BY

func (o otaStore) ListEntries(ctx context.Context, campaignID string, state ota.State, pg page.Request) ([]ota.Entry, int64, error) {
	q := o.s.rdb.WithContext(ctx).Model(&entryRow{}).Where("campaign_id = ?", campaignID)
	if state != "" {
		q = q.Where("state = ?", string(state))
	}
	if _, ok := entrySort[pg.Sort]; !ok {
		pg.Sort = "device"
	}
	count := func() (int64, error) { return o.entriesTotal(ctx, campaignID, state) }
	rows, total, err := listPage[entryRow](q, pg, listing{what: "campaign devices", sort: entrySort, tie: "device", total: count, late: true})
	return mapRows(rows, entryRow.toEntry), total, err
}

// PendingUpgrades returns the campaigns whose command a device has not
// acted on yet (its entry is still sent), unexpired and not cancelled.
func (o otaStore) PendingUpgrades(ctx context.Context, product, device string, now time.Time) ([]ota.Campaign, error) {
	var rows []campaignRow
	err := o.s.rdb.WithContext(ctx).Table("ota_campaigns AS c").Select("c.*").
		Joins("JOIN ota_campaign_devices d ON d.campaign_id = c.id").
		Where("d.product = ? AND d.device = ? AND d.state = ? AND c.cancelled_at IS NULL AND c.expires_at > ? AND c.payload IS NOT NULL",
			product, device, string(ota.StateSent), now).Order("c.created_at").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: pending upgrades of %s/%s: %w", product, device, err)
	}
	out := make([]ota.Campaign, len(rows))
	for i, r := range rows {
		out[i] = r.toCampaign()
	}
	return out, nil
}

func (o otaStore) OpenDevices(ctx context.Context, campaignID string) ([]string, error) {
	var names []string
	err := o.s.rdb.WithContext(ctx).Model(&entryRow{}).Where("campaign_id = ? AND state IN ?", campaignID, sentStates()).
		Order("device").Pluck("device", &names).Error
	if err != nil {
		return nil, fmt.Errorf("store: open devices of campaign %s: %w", campaignID, err)
	}
	return names, nil
}

func (o otaStore) SetOpenEntries(ctx context.Context, campaignID string, devices []string, state ota.State, errText string, at time.Time) (int64, error) {
	cols := map[string]any{"updated_at": at}
	if errText != "" {
		cols["error"] = errText
	}
	var total int64
	err := o.s.InTx(ctx, func(tx *Store) error {
		total = 0
		open := func(q *gorm.DB) *gorm.DB { return q.Where("state IN ?", openStates()) }
		if devices == nil {
			n, err := tx.moveEntries(ctx, tx.db, campaignID, open, state, cols)
			total = n
			return err
		}
		for part := range slices.Chunk(devices, chunk) {
			n, err := tx.moveNamed(ctx, tx.db, campaignID, part, openStates(), state, cols)
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	return total, err
}

func (o otaStore) CancelCampaign(ctx context.Context, id string, at time.Time, check func(ota.Campaign) error) (ota.Campaign, error) {
	var out ota.Campaign
	err := o.s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		var r campaignRow
		if err := db.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&r, "id = ?", id).Error; err != nil {
			return fmt.Errorf("store: campaign %s: %w", id, translate(err, "campaign"))
		}
		if err := check(r.toCampaign()); err != nil {
			return err
		}
		if r.CancelledAt == nil {
			if err := db.Model(&campaignRow{}).Where("id = ?", id).
				UpdateColumns(map[string]any{"cancelled_at": at, "updated_at": at}).Error; err != nil {
				return fmt.Errorf("store: cancel campaign %s: %w", id, err)
			}
			r.CancelledAt, r.UpdatedAt = &at, at
			open := func(q *gorm.DB) *gorm.DB { return q.Where("state IN ?", openStates()) }
			if _, err := tx.moveEntries(ctx, tx.db, id, open, ota.StateCancelled, map[string]any{"updated_at": at}); err != nil {
				return err
			}
		}
		out = r.toCampaign()
		return nil
	})
	return out, err
}

func (o otaStore) ExpiredCampaigns(ctx context.Context, now time.Time) ([]string, error) {
	db := o.s.rdb.WithContext(ctx)
	open := db.Model(&entryRow{}).Select("1").Where("ota_campaign_devices.campaign_id = c.id AND ota_campaign_devices.state IN ?", openStates())
	var ids []string
	err := db.Table("ota_campaigns AS c").Where("c.cancelled_at IS NULL AND c.expires_at <= ? AND EXISTS (?)", now, open).
		Order("c.expires_at").Pluck("c.id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: expired campaigns: %w", err)
	}
	return ids, nil
}
