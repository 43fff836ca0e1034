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

// campaignEventRow is one change of a campaign's course (ota.CampaignEvent).
type campaignEventRow struct {
	ID         int64 `gorm:"primaryKey"`
	CampaignID string
	ProjectID  string
	Kind       string
	Wave       int
	Actor      string
	Reason     string
	Data       string
	CreatedAt  time.Time
	EmittedAt  *time.Time
}

func (campaignEventRow) TableName() string { return "ota_campaign_events" }

// maxReasonLen is the width of the reason columns.
const maxReasonLen = 300

func fromCampaignEvent(e ota.CampaignEvent) campaignEventRow {
	r := campaignEventRow{CampaignID: e.CampaignID, ProjectID: e.ProjectID, Kind: string(e.Kind), Wave: e.Wave,
		Actor: e.Actor, Reason: clip(e.Reason, maxReasonLen), Data: string(e.Data), CreatedAt: e.At}
	if e.Kind.SinkType() == "" {
		at := e.At
		r.EmittedAt = &at // never sent: not pending
	}
	return r
}

func (r campaignEventRow) toCampaignEvent() ota.CampaignEvent {
	return ota.CampaignEvent{ID: r.ID, CampaignID: r.CampaignID, ProjectID: r.ProjectID, Kind: ota.EventKind(r.Kind),
		Wave: r.Wave, Actor: r.Actor, Reason: r.Reason, Data: json.RawMessage(r.Data), At: r.CreatedAt.UTC()}
}

// clip cuts s to at most n runes.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// transition runs one conditional change of a campaign in a transaction:
// update (with the conditions in where) changes the campaign row; when it
// changed it, more runs and ev is recorded. It reports whether it changed
// the row.
func (o otaStore) transition(ctx context.Context, id string, where func(*gorm.DB) *gorm.DB, cols map[string]any,
	ev ota.CampaignEvent, more func(*Store, *gorm.DB) error) (bool, error) {
	var changed bool
	err := o.s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		res := where(db.Model(&campaignRow{}).Where("id = ?", id)).UpdateColumns(cols)
		if res.Error != nil {
			return fmt.Errorf("store: change campaign %s: %w", id, res.Error)
		}
		changed = res.RowsAffected == 1
		if !changed {
			return nil
		}
		if more != nil {
			if err := more(tx, db); err != nil {
				return err
			}
		}
		row := fromCampaignEvent(ev)
		if err := db.Create(&row).Error; err != nil {
			return fmt.Errorf("store: record campaign %s event: %w", id, err)
		}
		return nil
	})
	return changed, err
}

func (o otaStore) StartWave(ctx context.Context, w ota.WaveStart) (bool, error) {
	cols := map[string]any{"wave": w.To, "wave_deadline": w.Deadline, "updated_at": w.At}
	if w.Manual {
		cols["paused_at"], cols["pause_reason"], cols["failures_acked"] = nil, "", w.FailuresAcked
	}
	where := func(q *gorm.DB) *gorm.DB {
		q = q.Where("wave = ? AND cancelled_at IS NULL AND finished_at IS NULL AND expires_at > ?", w.From, w.At)
		if !w.Manual {
			q = q.Where("paused_at IS NULL")
		}
		return q
	}
	return o.transition(ctx, w.CampaignID, where, cols, w.Event, func(tx *Store, db *gorm.DB) error {
		waiting := func(q *gorm.DB) *gorm.DB { return q.Where("wave = ? AND state = ?", w.To, string(ota.StateWaiting)) }
		if _, err := tx.moveEntries(ctx, db, w.CampaignID, waiting, ota.StateSent, map[string]any{"updated_at": w.At}); err != nil {
			return fmt.Errorf("store: start wave %d of campaign %s: %w", w.To, w.CampaignID, err)
		}
		return nil
	})
}

func (o otaStore) PauseCampaign(ctx context.Context, id string, wave int, ev ota.CampaignEvent) (bool, error) {
	where := func(q *gorm.DB) *gorm.DB {
		q = q.Where("paused_at IS NULL AND cancelled_at IS NULL AND finished_at IS NULL")
		if wave != 0 {
			q = q.Where("wave = ?", wave)
		}
		return q
	}
	cols := map[string]any{"paused_at": ev.At, "pause_reason": clip(ev.Reason, maxReasonLen), "updated_at": ev.At}
	return o.transition(ctx, id, where, cols, ev, nil)
}

func (o otaStore) UnpauseCampaign(ctx context.Context, id string, failuresAcked int64, deadline *time.Time, ev ota.CampaignEvent) (bool, error) {
	where := func(q *gorm.DB) *gorm.DB {
		return q.Where("paused_at IS NOT NULL AND cancelled_at IS NULL AND finished_at IS NULL")
	}
	cols := map[string]any{"paused_at": nil, "pause_reason": "", "failures_acked": failuresAcked, "wave_deadline": deadline,
		"updated_at": ev.At}
	return o.transition(ctx, id, where, cols, ev, nil)
}

func (o otaStore) FinishCampaign(ctx context.Context, id string, outcome ota.CampaignStatus, ev ota.CampaignEvent) (bool, error) {
	where := func(q *gorm.DB) *gorm.DB { return q.Where("finished_at IS NULL") }
	cols := map[string]any{"finished_at": ev.At, "outcome": string(outcome), "wave_deadline": nil}
	return o.transition(ctx, id, where, cols, ev, nil)
}

func (o otaStore) AddCampaignEvent(ctx context.Context, ev ota.CampaignEvent) error {
	row := fromCampaignEvent(ev)
	if err := o.s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: record campaign %s event: %w", ev.CampaignID, err)
	}
	return nil
}

func (o otaStore) ExpireWaves(ctx context.Context, id string, now time.Time) (int64, error) {
	var n int64
	err := o.s.InTx(ctx, func(tx *Store) error {
		n = 0
		db := tx.db.WithContext(ctx)
		var r campaignRow
		err := db.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id, wave").
			Take(&r, "id = ? AND wave_deadline <= ? AND finished_at IS NULL", id, now).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil // not due (any more)
		}
		if err != nil {
			return fmt.Errorf("store: campaign %s: %w", id, err)
		}
		if err := db.Model(&campaignRow{}).Where("id = ?", id).UpdateColumn("wave_deadline", nil).Error; err != nil {
			return fmt.Errorf("store: clear wave deadline of campaign %s: %w", id, err)
		}
		cols := map[string]any{"error": "no final report within the wave timeout", "updated_at": now}
		for w := 1; w <= r.Wave; w++ { // per wave: the (campaign_id, wave, state) index
			sent := func(q *gorm.DB) *gorm.DB { return q.Where("wave = ? AND state IN ?", w, sentStates()) }
			moved, err := tx.moveEntries(ctx, db, id, sent, ota.StateExpired, cols)
			if err != nil {
				return fmt.Errorf("store: expire wave %d of campaign %s: %w", w, id, err)
			}
			n += moved
		}
		return nil
	})
	return n, err
}

func (o otaStore) WaveDevices(ctx context.Context, id string, wave int) ([]string, error) {
	var names []string
	err := o.s.db.WithContext(ctx).Model(&entryRow{}).
		Where("campaign_id = ? AND wave = ? AND state = ?", id, wave, string(ota.StateSent)).Order("device").Pluck("device", &names).Error
	if err != nil {
		return nil, fmt.Errorf("store: devices of wave %d of campaign %s: %w", wave, id, err)
	}
	return names, nil
}

func (o otaStore) UnfinishedCampaigns(ctx context.Context) ([]string, error) {
	var ids []string
	if err := o.s.rdb.WithContext(ctx).Model(&campaignRow{}).Where("finished_at IS NULL").Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("store: unfinished campaigns: %w", err)
	}
	return ids, nil
}

func (o otaStore) DueWaves(ctx context.Context, now time.Time) ([]string, error) {
	var ids []string
	err := o.s.rdb.WithContext(ctx).Model(&campaignRow{}).Where("wave_deadline <= ? AND finished_at IS NULL", now).
		Order("wave_deadline").Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: due waves: %w", err)
	}
	return ids, nil
}

var campaignEventSort = map[string]string{"createdTime": "id"} // whitelisted: raw in ORDER BY

func (o otaStore) CampaignEvents(ctx context.Context, id string, pg page.Request) ([]ota.CampaignEvent, int64, error) {
	q := o.s.rdb.WithContext(ctx).Model(&campaignEventRow{}).Where("campaign_id = ?", id)
	pg.Sort = "createdTime"
	rows, total, err := listPage[campaignEventRow](q, pg, listing{what: "campaign events", sort: campaignEventSort})
	return mapRows(rows, campaignEventRow.toCampaignEvent), total, err
}

func (o otaStore) PendingEvents(ctx context.Context, limit int) ([]ota.CampaignEvent, error) {
	var rows []campaignEventRow
	if err := o.s.db.WithContext(ctx).Where("emitted_at IS NULL").Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: pending campaign events: %w", err)
	}
	return mapRows(rows, campaignEventRow.toCampaignEvent), nil
}

func (o otaStore) ClaimEvent(ctx context.Context, id int64, at time.Time) (bool, error) {
	res := o.s.db.WithContext(ctx).Model(&campaignEventRow{}).Where("id = ? AND emitted_at IS NULL", id).UpdateColumn("emitted_at", at)
	if res.Error != nil {
		return false, fmt.Errorf("store: claim campaign event %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

func (o otaStore) ReleaseEvent(ctx context.Context, id int64) error {
	if err := o.s.db.WithContext(ctx).Model(&campaignEventRow{}).Where("id = ?", id).UpdateColumn("emitted_at", nil).Error; err != nil {
		return fmt.Errorf("store: release campaign event %d: %w", id, err)
	}
	return nil
}
